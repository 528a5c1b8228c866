import importlib
import sys
import types

import pytest
from django.core.exceptions import ValidationError

from fabrique.audit.models import AuditEntry
from fabrique.core.errors import ConflictError, DomainError, TransitionNotAllowed
from fabrique.core.workflow import transition
from fabrique.needs.models import NeedStage
from fabrique.projects.models import Project, ProjectStage, RecruitmentMode, StopReason
from fabrique.projects.services import (
    project_assign_leader,
    project_create,
    project_create_from_study,
    project_stop,
    project_update,
)
from fabrique.recruitment.models import CallStage
from fabrique.studies.models import StudyStage
from fabrique.support.models import SupportPlan, SupportStage
from fabrique.workstreams.models import Workstream

from ..recruitment.factories import make_call
from .factories import make_need, make_organization, make_person, make_project, make_study

pytestmark = pytest.mark.django_db


def entries(obj, action):
    return AuditEntry.objects.for_target(obj).filter(action=action)


@pytest.fixture
def answered(monkeypatch):
    """Stand-in for needs.services.need_mark_answered (written by the needs module): records the call
    and performs the in_study → answered transition."""
    calls = []
    try:
        module = importlib.import_module("fabrique.needs.services")
    except ModuleNotFoundError:
        module = types.ModuleType("fabrique.needs.services")
        monkeypatch.setitem(sys.modules, "fabrique.needs.services", module)

    def fake(*, need, project, actor, decision=None):
        calls.append((need.pk, project.pk, decision))
        return transition(instance=need, to=NeedStage.ANSWERED, actor=actor, decision=decision)

    monkeypatch.setattr(module, "need_mark_answered", fake, raising=False)
    return calls


# --- creation ----------------------------------------------------------------------------------------------


def test_project_create_numbers_links_needs_and_logs(team):
    # given
    need = make_need(team.fabrique, stage=NeedStage.RETAINED)
    # when
    project = project_create(
        fabrique=team.fabrique,
        actor=team.officer,
        title="  Garage solidaire  ",
        officer=team.officer,
        needs=[need],
    )
    second = project_create(fabrique=team.fabrique, actor=team.officer, title="Autre")
    # then
    assert project.title == "Garage solidaire"
    assert project.stage == ProjectStage.SEEKING_LEADER
    assert project.reference.startswith("P-") and project.reference.endswith("-001")
    assert second.reference.endswith("-002")
    assert list(project.needs.all()) == [need]
    entry = entries(project, "projects.project.created").get()
    assert entry.actor == team.officer
    assert entry.new_values["needs"] == [str(need)]


def test_project_create_refuses_another_fabriques_rows(team, other_team):
    foreign = Workstream.objects.create(fabrique=other_team.fabrique, name="Mobilité", code="mobilite")
    with pytest.raises(ValidationError) as exc:
        project_create(fabrique=team.fabrique, actor=team.officer, title="X", workstream=foreign)
    assert "workstream" in exc.value.error_dict
    with pytest.raises(ValidationError) as exc:
        project_create(fabrique=team.fabrique, actor=team.officer, title="X", officer=other_team.officer)
    assert "officer" in exc.value.error_dict
    with pytest.raises(ValidationError):
        project_create(fabrique=team.fabrique, actor=team.officer, title="X", officer=team.reader)
    assert not Project.objects.exists()


def test_project_create_requires_a_title(team):
    with pytest.raises(ValidationError) as exc:
        project_create(fabrique=team.fabrique, actor=team.officer, title=" ")
    assert "title" in exc.value.error_dict
    assert not AuditEntry.objects.filter(action="projects.project.created").exists()


def test_project_create_from_study_copies_the_study(team, answered):
    # given
    workstream = Workstream.objects.create(fabrique=team.fabrique, name="Petite enfance", code="enfance")
    in_study = make_need(team.fabrique)
    closed = make_need(team.fabrique, title="Besoin clos", stage=NeedStage.CLOSED)
    study = make_study(team.fabrique, needs=[in_study, closed], workstream=workstream, officer=team.officer)
    # when
    project = project_create_from_study(study=study, actor=team.officer)
    # then
    assert project.title == "Crèche à horaires atypiques"  # the preferred piste
    assert "5 h à 23 h" in project.summary and "modèle coopératif" in project.summary
    assert project.study == study
    assert project.workstream == workstream and project.officer == team.officer
    assert set(project.needs.all()) == {in_study, closed}
    assert answered == [(in_study.pk, project.pk, None)]  # only the need in study becomes answered
    in_study.refresh_from_db()
    assert in_study.stage == NeedStage.ANSWERED
    assert entries(project, "projects.project.created").get().note.startswith("Projet issu de l'étude")


def test_project_create_from_study_links_the_decision(team, answered):
    from django.contrib.contenttypes.models import ContentType

    from fabrique.committees.models import Decision

    study = make_study(team.fabrique, needs=[make_need(team.fabrique)], preferred=None)
    decision = Decision.objects.create(
        fabrique=team.fabrique,
        target_type=ContentType.objects.get_for_model(study),
        target_id=study.pk,
        outcome="go",
        decided_by=team.officer,
        decided_on="2025-01-01",
    )
    project = project_create_from_study(study=study, actor=team.officer, decision=decision)
    assert project.title == study.title  # no preferred piste: the study's title
    assert entries(project, "projects.project.created").get().decision_ref == decision.reference
    assert answered[0][2] == decision


def test_project_create_from_study_refuses_a_study_without_go_or_twice(team, answered):
    study = make_study(team.fabrique, stage=StudyStage.IN_PROGRESS)
    with pytest.raises(DomainError):
        project_create_from_study(study=study, actor=team.officer)
    study = make_study(team.fabrique)
    project_create_from_study(study=study, actor=team.officer)
    with pytest.raises(ConflictError):
        project_create_from_study(study=study, actor=team.officer)
    assert Project.objects.filter(study=study).count() == 1


# --- update ------------------------------------------------------------------------------------------------


def test_project_update_logs_old_and_new_values_and_skips_no_change(team):
    project = make_project(team.fabrique)
    project = project_update(
        project=project,
        actor=team.officer,
        title="Nouveau titre",
        public_summary="Pour le public",
    )
    entry = entries(project, "projects.project.updated").get()
    assert entry.old_values["title"] == "Crèche à horaires atypiques"
    assert entry.new_values["title"] == "Nouveau titre"
    project_update(project=project, actor=team.officer, title="Nouveau titre")
    assert entries(project, "projects.project.updated").count() == 1


# --- leader ------------------------------------------------------------------------------------------------


def test_project_assign_leader(team):
    project = make_project(team.fabrique)
    person = make_person(team.fabrique)
    organization = make_organization(team.fabrique)
    project = project_assign_leader(
        project=project,
        actor=team.officer,
        person=person,
        organization=organization,
        mode=RecruitmentMode.CALL,
    )
    assert project.stage == ProjectStage.LEADER_SELECTED
    assert (project.leader_person, project.leader_organization) == (person, organization)
    assert project.recruitment_mode == RecruitmentMode.CALL
    entry = entries(project, "projects.project.leader_selected").get()
    assert entry.old_values == {"stage": "seeking_leader"}
    # the same leader again: nothing changes; another leader: refused
    project_assign_leader(project=project, actor=team.officer, person=person, organization=organization)
    with pytest.raises(TransitionNotAllowed):
        project_assign_leader(
            project=project, actor=team.officer, person=make_person(team.fabrique, email="x@y.fr")
        )


def test_project_assign_leader_refusals(team, other_team):
    project = make_project(team.fabrique)
    with pytest.raises(DomainError):
        project_assign_leader(project=project, actor=team.officer)
    with pytest.raises(DomainError):
        project_assign_leader(project=project, actor=team.officer, person=make_person(other_team.fabrique))
    stopped = make_project(team.fabrique, stage=ProjectStage.STOPPED)
    with pytest.raises(TransitionNotAllowed):
        project_assign_leader(project=stopped, actor=team.officer, person=make_person(team.fabrique))
    project.refresh_from_db()
    assert project.stage == ProjectStage.SEEKING_LEADER


# --- stop --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "stage", [ProjectStage.SEEKING_LEADER, ProjectStage.LEADER_SELECTED, ProjectStage.IN_SUPPORT]
)
def test_project_stop_from_every_non_final_stage(team, stage):
    # given
    project = make_project(team.fabrique, stage=stage)
    call = make_call(project)
    plan = None
    if stage == ProjectStage.IN_SUPPORT:
        plan = SupportPlan.objects.create(fabrique=team.fabrique, project=project, started_on="2025-01-06")
    # when
    project = project_stop(
        project=project, actor=team.officer, reason=StopReason.NO_FUNDING, details="Pas de financeur."
    )
    # then
    project.refresh_from_db()
    assert project.stage == ProjectStage.STOPPED
    assert project.stopped_at_stage == stage
    assert (project.stop_reason, project.stop_details) == (StopReason.NO_FUNDING, "Pas de financeur.")
    entry = entries(project, "projects.project.stopped").get()
    assert entry.old_values == {"stage": stage}
    assert entry.new_values["stopped_at_stage"] == stage
    call.refresh_from_db()
    assert call.stage == CallStage.CANCELLED
    if plan is not None:
        plan.refresh_from_db()
        assert plan.stage == SupportStage.STOPPED


@pytest.mark.parametrize("stage", [ProjectStage.CREATED, ProjectStage.STOPPED])
def test_project_stop_refuses_final_stages(team, stage):
    project = make_project(team.fabrique, stage=stage)
    with pytest.raises(TransitionNotAllowed):
        project_stop(project=project, actor=team.officer, reason=StopReason.OTHER, details="Trop tard")
    assert not entries(project, "projects.project.stopped").exists()


def test_project_stop_needs_a_reason_and_details_for_other(team):
    project = make_project(team.fabrique)
    with pytest.raises(ValidationError, match="motif de l'arrêt"):
        project_stop(project=project, actor=team.officer, reason="", details="")
    with pytest.raises(ValidationError, match="motif « autre »"):
        project_stop(project=project, actor=team.officer, reason=StopReason.OTHER, details="  ")
    project.refresh_from_db()
    assert project.stage == ProjectStage.SEEKING_LEADER


def test_a_go_decision_on_a_study_creates_the_project_and_answers_the_needs(team):
    """The whole chain with the real studies and needs services (integration)."""
    from fabrique.committees import registry
    from fabrique.committees.services import decision_record
    from fabrique.studies.models import Study

    need = make_need(team.fabrique)
    study = make_study(team.fabrique, needs=[need], stage=StudyStage.AWAITING_DECISION)
    if registry.outcome(study, "go") is None:
        pytest.skip("the studies module does not register its outcomes yet")
    decision = decision_record(fabrique=team.fabrique, actor=team.officer, target=study, outcome="go")
    project = Project.objects.get(study=study)
    assert Study.objects.get(pk=study.pk).stage == StudyStage.GO
    assert project.title == "Crèche à horaires atypiques"
    need.refresh_from_db()
    assert need.stage == NeedStage.ANSWERED
    assert entries(project, "projects.project.created").get().decision_ref == decision.reference
