"""Studies: the opportunity study, its document (workshops, scenarios, benchmark) and its decisions."""

from __future__ import annotations

from django.utils import timezone

from fabrique.committees.services import decision_record
from fabrique.needs.models import NeedStage
from fabrique.studies import services as s
from fabrique.studies.models import WorkshopKind
from tests.audit.harness import case
from tests.committees.factories import make_awaiting_study, make_need, make_study

TODAY = timezone.localdate


def _study(t):
    return make_study(t.fabrique, t.officer)


def _decided(outcome: str, **kw):
    def run(t):
        study = make_awaiting_study(t.fabrique, t.officer)
        decision_record(fabrique=t.fabrique, actor=t.committee, target=study, outcome=outcome, **kw)
        return study

    return run


def _open_study_decided(t):
    t.fabrique.committee_opens_study = True
    t.fabrique.save(update_fields=["committee_opens_study"])
    need = make_need(t.fabrique, stage=NeedStage.QUALIFYING)
    decision_record(
        fabrique=t.fabrique, actor=t.committee, target=need, outcome="open_study", reasons="Avéré"
    )
    return need.studies.get()


def _workshop(t):
    study = _study(t)
    s.workshop_create(
        study=study, actor=t.officer, kind=WorkshopKind.WORKSHOP, title="Atelier habitants", date=TODAY()
    )
    return study


def _workshop_updated(t):
    study = _study(t)
    workshop = s.workshop_create(
        study=study, actor=t.officer, kind=WorkshopKind.WORKSHOP, title="Atelier", date=TODAY()
    )
    s.workshop_update(workshop=workshop, actor=t.officer, place="Maison de quartier")
    return study


def _scenario_updated(t):
    study = _study(t)
    scenario = s.scenario_create(study=study, actor=t.officer, title="Garage solidaire")
    s.scenario_update(scenario=scenario, actor=t.officer, pros="Des emplois")
    return study


def _benchmark(t):
    study = _study(t)
    s.benchmark_create(
        study=study, actor=t.officer, name="Garage Solidaire du Pays de Retz", location="Machecoul"
    )
    return study


CASES = [
    case(s.study_open, _study, "studies.study.created", {"title", "needs"}),
    case(
        s.study_update,
        lambda t: s.study_update(study=_study(t), actor=t.officer, summary="Les trajets du quotidien"),
        "studies.study.updated",
        {"summary"},
    ),
    case(
        s.study_submit,
        lambda t: make_awaiting_study(t.fabrique, t.officer),
        "studies.study.awaiting_decision",
        {"stage"},
    ),
    case(s.workshop_create, _workshop, "studies.workshop.created", {"title", "kind"}),
    case(s.workshop_update, _workshop_updated, "studies.workshop.updated", {"place"}),
    case(
        s.scenario_create,
        lambda t: (
            s.scenario_create(study=(study := _study(t)), actor=t.officer, title="Garage solidaire") and study
        ),
        "studies.scenario.created",
        {"title"},
    ),
    case(s.scenario_update, _scenario_updated, "studies.scenario.updated", {"pros"}),
    case(s.benchmark_create, _benchmark, "studies.benchmarkentry.created", {"name", "location"}),
    case(
        s.decide_go, _decided("go", reasons="Modèle viable"), "studies.study.go", {"stage"}, actor="committee"
    ),
    case(
        s.decide_no_go,
        _decided("no_go", reason_code="no_funding", reasons="Pas de financeur"),
        "studies.study.no_go",
        {"stage"},
        actor="committee",
    ),
    case(
        s.decide_continue,
        _decided("continue", reasons="Creuser le modèle"),
        "studies.study.in_progress",
        {"stage"},
        actor="committee",
    ),
    case(
        s.decide_need_open_study,
        _open_study_decided,
        "studies.study.created",
        {"title", "needs"},
        actor="committee",
    ),
    case(
        s.study_abandon,
        lambda t: s.study_abandon(study=_study(t), actor=t.officer, reason="Le besoin a disparu"),
        "studies.study.abandoned",
        {"stage"},
    ),
]
