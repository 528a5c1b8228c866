"""Permission-matrix part of the opportunity studies."""

import datetime

from fabrique.committees.services import agenda_item_add
from fabrique.studies.models import WorkshopKind
from fabrique.studies.services import benchmark_create, scenario_create, workshop_create
from tests.committees.factories import make_awaiting_study, make_need, make_study

from .rules import D, E, Rule, V, foreign_pk, pk


def populate(side, label: str) -> None:
    team = side.team
    fabrique = team.fabrique
    study = make_study(
        fabrique, team.admin, title=f"Étude {label}", needs=[make_need(fabrique, title=f"Besoin {label}")]
    )
    workshop = workshop_create(
        study=study,
        actor=team.admin,
        kind=WorkshopKind.CREATIVITY,
        title=f"Atelier {label}",
        date=datetime.date(2030, 3, 1),
    )
    scenario = scenario_create(study=study, actor=team.admin, title=f"Piste {label}", is_preferred=True)
    benchmark_create(study=study, actor=team.admin, name=f"Initiative {label}")
    side.objects.update(study=study, workshop=workshop, scenario=scenario)
    # a study waiting for its committee, on the agenda of the committees module's meeting
    awaiting = make_awaiting_study(fabrique, team.admin, title=f"Étude en attente {label}")
    if "meeting" in side.objects:
        agenda_item_add(meeting=side.objects["meeting"], actor=team.admin, target=awaiting)
    side.objects["study_awaiting"] = awaiting


STUDY = {"params": pk("study"), "foreign": foreign_pk("study")}


def _child(name: str, kwarg: str):
    return {
        "params": lambda w: {"pk": w.a.study.pk, kwarg: getattr(w.a, name).pk},
        "foreign": lambda w: {"pk": w.b.study.pk, kwarg: getattr(w.b, name).pk},
    }


MATRIX = {
    "backoffice:study_list": Rule(V),
    "backoffice:study_create": Rule(E, post=True),
    # workshops, scenarios, benchmark, steering group, decisions, follow and bell: fixed sections
    "backoffice:study_detail": Rule(V, **STUDY, queries=25),
    "backoffice:study_update": Rule(E, **STUDY, post=True),
    "backoffice:study_submit": Rule(E, **STUDY, post=True),
    "backoffice:study_abandon": Rule(E, **STUDY, post=True),
    "backoffice:study_decide": Rule(
        D, params=pk("study_awaiting"), foreign=foreign_pk("study_awaiting"), post=True
    ),
    "backoffice:study_print": Rule(V, **STUDY),
    "backoffice:study_pdf": Rule(V, **STUDY),
    "backoffice:workshop_create": Rule(E, **STUDY, post=True),
    "backoffice:workshop_update": Rule(E, **_child("workshop", "workshop_pk"), post=True),
    "backoffice:scenario_create": Rule(E, **STUDY, post=True),
    "backoffice:scenario_update": Rule(E, **_child("scenario", "scenario_pk"), post=True),
    "backoffice:benchmark_create": Rule(E, **STUDY, post=True),
}
