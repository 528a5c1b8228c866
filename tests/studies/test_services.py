import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from fabrique.audit.models import AuditEntry
from fabrique.committees.models import Decision
from fabrique.committees.services import decision_record
from fabrique.core.errors import DomainError, TransitionNotAllowed
from fabrique.core.indicators import Period, indicator
from fabrique.core.workflow import transition
from fabrique.needs.models import NeedStage
from fabrique.projects.models import Project
from fabrique.studies.models import NoGoReason, Scenario, Study, StudyStage, WorkshopKind
from fabrique.studies.selectors import (
    studies_due,
)
from fabrique.studies.services import (
    benchmark_create,
    scenario_create,
    scenario_update,
    study_submit,
    study_update,
    workshop_create,
    workshop_update,
)
from tests.committees.factories import make_awaiting_study, make_need, make_study
from tests.directory.factories import make_organization, make_person

pytestmark = pytest.mark.django_db


def actions(target) -> list[str]:
    return list(AuditEntry.objects.for_target(target).values_list("action", flat=True))


# --- opening -------------------------------------------------------------------------------------------------


def test_study_open_moves_retained_needs_in_study(team):
    needs = [make_need(team.fabrique), make_need(team.fabrique, title="Transport à la demande")]
    study = make_study(team.fabrique, team.officer, needs=needs, due_on=datetime.date(2031, 6, 30))
    assert study.stage == StudyStage.IN_PROGRESS
    assert study.reference.startswith("E") and study.started_on is not None
    assert set(study.needs.all()) == set(needs)
    for need in needs:
        need.refresh_from_db()
        assert need.stage == NeedStage.IN_STUDY
        assert "needs.need.in_study" in actions(need)
    assert actions(study) == ["studies.study.created"]


def test_study_open_refuses_a_need_that_is_not_retained(team):
    retained = make_need(team.fabrique)
    qualifying = make_need(team.fabrique, title="Laverie solidaire", stage=NeedStage.QUALIFYING)
    with pytest.raises(DomainError) as exc:
        make_study(team.fabrique, team.officer, needs=[retained, qualifying])
    assert "n'est pas retenu" in exc.value.message
    assert "Laverie solidaire" in exc.value.message
    assert not Study.objects.exists()
    retained.refresh_from_db()
    assert retained.stage == NeedStage.RETAINED


def test_study_open_refuses_another_fabriques_need_and_no_need(team, other_team):
    with pytest.raises(ValidationError):
        make_study(team.fabrique, team.officer, needs=[make_need(other_team.fabrique)])
    with pytest.raises(ValidationError):
        make_study(team.fabrique, team.officer, needs=[])
    assert not Study.objects.exists()


def test_steering_group_comes_from_the_fabriques_directory(team, other_team):
    study = make_study(team.fabrique, team.officer)
    ours = make_person(team.fabrique, team.admin)
    org = make_organization(team.fabrique, team.admin)
    study = study_update(
        study=study, actor=team.officer, steering_people=[ours], steering_organizations=[org]
    )
    assert list(study.steering_people.all()) == [ours]
    theirs = make_organization(other_team.fabrique, other_team.admin)
    with pytest.raises(ValidationError) as exc:
        study_update(study=study, actor=team.officer, steering_organizations=[theirs])
    assert "steering_organizations" in exc.value.message_dict
    assert list(study.steering_organizations.all()) == [org]


def test_due_date_cannot_precede_the_start(team):
    study = make_study(team.fabrique, team.officer)
    with pytest.raises(ValidationError) as exc:
        study_update(
            study=study,
            actor=team.officer,
            started_on=datetime.date(2030, 5, 1),
            due_on=datetime.date(2030, 4, 1),
        )
    assert "due_on" in exc.value.message_dict


# --- the study document --------------------------------------------------------------------------------------


def test_workshops_are_logged_on_the_study(team, other_team):
    study = make_study(team.fabrique, team.officer)
    person = make_person(team.fabrique, team.admin)
    workshop = workshop_create(
        study=study,
        actor=team.officer,
        kind=WorkshopKind.CREATIVITY,
        title="Idéation avec les habitants",
        date=datetime.date(2030, 3, 12),
        participants=[person],
        other_participants="Élu de la commune\nAnimatrice du centre social",
    )
    assert list(workshop.participants.all()) == [person]
    workshop_update(workshop=workshop, actor=team.officer, notes="Trois pistes émergent.")
    assert actions(study)[:2] == ["studies.workshop.updated", "studies.workshop.created"]
    with pytest.raises(ValidationError):
        workshop_update(
            workshop=workshop, actor=team.officer, participants=[make_person(other_team.fabrique)]
        )
    held = indicator("studies.creativity_held")
    day = datetime.date(2030, 3, 12)
    assert held.value(team.fabrique, period=Period.between(day, day)) == 1
    assert held.value(team.fabrique, period=Period.between(None, day - datetime.timedelta(days=1))) == 0


def test_one_preferred_scenario_per_study(team):
    study = make_study(team.fabrique, team.officer)
    first = scenario_create(study=study, actor=team.officer, title="Garage solidaire", is_preferred=True)
    second = scenario_create(
        study=study,
        actor=team.officer,
        title="Auto-partage",
        is_preferred=True,
        jobs_estimate=Decimal("2.5"),
    )
    first.refresh_from_db()
    assert not first.is_preferred and second.is_preferred
    scenario_update(scenario=first, actor=team.officer, is_preferred=True)
    assert list(Scenario.objects.filter(study=study, is_preferred=True)) == [first]
    assert study.preferred_scenario == first


def test_a_scenario_never_estimates_negative_jobs(team):
    study = make_study(team.fabrique, team.officer)
    with pytest.raises(ValidationError) as exc:
        scenario_create(study=study, actor=team.officer, title="Garage", jobs_estimate=Decimal("-1"))
    assert exc.value.message_dict == {"jobs_estimate": ["Le nombre d'emplois ne peut pas être négatif."]}
    scenario = scenario_create(study=study, actor=team.officer, title="Garage", jobs_estimate=Decimal("0"))
    with pytest.raises(ValidationError):
        scenario_update(scenario=scenario, actor=team.officer, jobs_estimate=Decimal("-0.5"))
    scenario.refresh_from_db()
    assert scenario.jobs_estimate == 0


def test_benchmark_entry(team):
    study = make_study(team.fabrique, team.officer)
    entry = benchmark_create(
        study=study,
        actor=team.officer,
        name="Garage solidaire du Hainaut",
        location="Hainaut",
        lessons="Modèle SCIC",
    )
    assert entry.study == study
    assert actions(study)[0] == "studies.benchmarkentry.created"


def test_a_decided_study_is_frozen(team):
    study = make_awaiting_study(team.fabrique, team.officer)
    decision_record(
        fabrique=team.fabrique, actor=team.officer, target=study, outcome="no_go", reason_code="no_funding"
    )
    study.refresh_from_db()
    with pytest.raises(DomainError):
        workshop_create(study=study, actor=team.officer, title="Atelier", date=datetime.date.today())
    with pytest.raises(DomainError):
        study_update(study=study, actor=team.officer, conclusion="Autre conclusion")


# --- submission and decisions --------------------------------------------------------------------------------


def test_submit_needs_a_scenario_and_a_conclusion(team):
    study = make_study(team.fabrique, team.officer)
    with pytest.raises(DomainError):
        study_submit(study=study, actor=team.officer)
    scenario_create(study=study, actor=team.officer, title="Garage solidaire")
    # a scenario is not enough: the committee decides on a written conclusion
    study_update(study=study, actor=team.officer, conclusion="   ")
    with pytest.raises(DomainError) as exc:
        study_submit(study=study, actor=team.officer)
    assert "Rédigez la conclusion" in str(exc.value)
    study.refresh_from_db()
    assert study.stage == StudyStage.IN_PROGRESS
    study_update(study=study, actor=team.officer, conclusion="Le garage itinérant répond au besoin.")
    study = study_submit(study=study, actor=team.officer)
    assert study.stage == StudyStage.AWAITING_DECISION
    assert actions(study)[0] == "studies.study.awaiting_decision"
    with pytest.raises(DomainError):
        study_submit(study=study, actor=team.officer)


def test_go_creates_the_project(team):
    study = make_awaiting_study(team.fabrique, team.officer)
    decision = decision_record(fabrique=team.fabrique, actor=team.officer, target=study, outcome="go")
    study.refresh_from_db()
    assert study.stage == StudyStage.GO
    assert (
        AuditEntry.objects.for_target(study).get(action="studies.study.go").decision_ref == decision.reference
    )
    project = Project.objects.get(study=study)
    assert project.fabrique == team.fabrique
    for need in study.needs.all():
        assert need.stage == NeedStage.ANSWERED
    # go is final: no other transition, no submission
    with pytest.raises(TransitionNotAllowed):
        transition(instance=study, to=StudyStage.IN_PROGRESS, actor=team.officer)
    with pytest.raises(TransitionNotAllowed):
        study_submit(study=study, actor=team.officer)


def test_no_go_keeps_its_reasons(team):
    study = make_awaiting_study(team.fabrique, team.officer)
    with pytest.raises(ValidationError) as exc:  # the rule the decision forms show on their field
        decision_record(fabrique=team.fabrique, actor=team.officer, target=study, outcome="no_go")
    assert "Choisissez le motif" in exc.value.message_dict["reason_code"][0]
    with pytest.raises(ValidationError) as exc:
        decision_record(
            fabrique=team.fabrique, actor=team.officer, target=study, outcome="no_go", reason_code="other"
        )
    assert "Expliquez le motif" in exc.value.message_dict["reasons"][0]
    decision = decision_record(
        fabrique=team.fabrique,
        actor=team.officer,
        target=study,
        outcome="no_go",
        reason_code=NoGoReason.ALREADY_ANSWERED,
        reasons="Le transport solidaire du département couvre déjà ces communes.",
    )
    study.refresh_from_db()
    assert study.stage == StudyStage.NO_GO
    assert "offre existante" in study.no_go_reasons
    assert "transport solidaire du département" in study.no_go_reasons
    entry = AuditEntry.objects.for_target(study).get(action="studies.study.no_go")
    assert entry.decision_ref == decision.reference
    assert not Project.objects.exists()
    with pytest.raises(TransitionNotAllowed):
        transition(instance=study, to=StudyStage.GO, actor=team.officer)


def test_continue_sends_the_study_back_to_work(team):
    study = make_awaiting_study(team.fabrique, team.officer)
    decision = decision_record(
        fabrique=team.fabrique, actor=team.committee, target=study, outcome="continue", reasons="Creuser"
    )
    study.refresh_from_db()
    assert study.stage == StudyStage.IN_PROGRESS
    assert (
        AuditEntry.objects.for_target(study)
        .filter(action="studies.study.in_progress", decision_ref=decision.reference)
        .exists()
    )


def test_decisions_need_a_study_awaiting_decision(team):
    study = make_study(team.fabrique, team.officer)
    for outcome in ("go", "no_go", "continue"):
        with pytest.raises(DomainError):
            decision_record(
                fabrique=team.fabrique, actor=team.officer, target=study, outcome=outcome, reasons="x"
            )
    assert not Decision.objects.exists()


def test_dashboard_and_network_counts(team):
    study = make_study(team.fabrique, team.officer, due_on=datetime.date(2030, 1, 15))
    make_awaiting_study(team.fabrique, team.officer, title="Épicerie")
    assert indicator("studies.under_way").value(team.fabrique) == 2
    assert indicator("studies.concluded").value(team.fabrique) == 0
    assert list(
        studies_due(fabrique=team.fabrique, start=datetime.date(2030, 1, 1), end=datetime.date(2030, 1, 31))
    ) == [study]
