"""Support services: starting a plan, milestones, referrals, funding, time spent, stop and resume."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from fabrique.audit.models import AuditEntry
from fabrique.core.errors import ConflictError, TransitionNotAllowed
from fabrique.directory.models import OrganizationKind
from fabrique.projects.models import ProjectStage
from fabrique.support import selectors
from fabrique.support.models import (
    DEFAULT_MILESTONES,
    FundingStatus,
    Milestone,
    MilestoneStatus,
    SupportPlan,
    SupportStage,
)
from fabrique.support.services import (
    activity_create,
    add_months,
    funding_create,
    funding_update,
    milestone_create,
    milestone_update,
    referral_create,
    support_plan_resume,
    support_plan_start,
    support_plan_stop,
    support_plan_update,
)

from .conftest import make_organization, make_project

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


def actions(target) -> list[str]:
    return list(AuditEntry.objects.for_target(target).values_list("action", flat=True))


# --- starting the plan ------------------------------------------------------------------------------------


def test_start_moves_the_project_to_in_support_and_creates_default_milestones(team, project):
    # given a project whose leader is selected
    start = datetime.date(2026, 1, 31)
    # when
    plan = support_plan_start(project=project, actor=team.officer, started_on=start, objectives="x")
    # then
    project.refresh_from_db()
    assert project.stage == ProjectStage.IN_SUPPORT
    assert plan.stage == SupportStage.ACTIVE and plan.officer == team.officer
    assert "projects.project.in_support" in actions(project)
    assert "support.supportplan.created" in actions(plan)
    milestones = list(plan.milestones.all())
    assert [m.title for m in milestones] == [str(t) for t in DEFAULT_MILESTONES]
    # spread over twelve months, the day clamped to the end of shorter months
    assert [m.due_on for m in milestones] == [
        datetime.date(2026, 3, 31),
        datetime.date(2026, 5, 31),
        datetime.date(2026, 7, 31),
        datetime.date(2026, 9, 30),
        datetime.date(2026, 11, 30),
        datetime.date(2027, 1, 31),
    ]
    assert all(m.status == MilestoneStatus.TODO for m in milestones)
    assert all(actions(m) == ["support.milestone.created"] for m in milestones)


def test_start_accepts_edited_due_dates_and_refuses_one_before_the_start(team, project):
    start = TODAY() - datetime.timedelta(days=5)
    with pytest.raises(ValidationError) as exc:
        support_plan_start(
            project=project,
            actor=team.officer,
            started_on=start,
            milestone_due_dates=[start - datetime.timedelta(days=1)],
        )
    assert "milestone_0" in exc.value.message_dict
    assert not SupportPlan.objects.exists()
    project.refresh_from_db()
    assert project.stage == ProjectStage.LEADER_SELECTED

    custom = start + datetime.timedelta(days=20)
    plan = support_plan_start(
        project=project, actor=team.officer, started_on=start, milestone_due_dates=[custom, None]
    )
    due = [m.due_on for m in plan.milestones.all()]
    assert due[0] == custom and due[1] == add_months(start, 4)


@pytest.mark.parametrize(
    "stage", [ProjectStage.SEEKING_LEADER, ProjectStage.IN_SUPPORT, ProjectStage.STOPPED]
)
def test_start_from_a_wrong_stage_raises(team, stage):
    project = make_project(team.fabrique, stage=stage)
    with pytest.raises(TransitionNotAllowed):
        support_plan_start(
            project=project,
            actor=team.officer,
        )
    assert not SupportPlan.objects.exists()
    assert not AuditEntry.objects.filter(action__startswith="support.").exists()


def test_start_twice_is_a_conflict(team, plan):
    project = plan.project
    # a corrupted state: the project went back to leader_selected while it has a plan
    type(project).objects.filter(pk=project.pk).update(stage=ProjectStage.LEADER_SELECTED)
    project.refresh_from_db()
    with pytest.raises(ConflictError):
        support_plan_start(
            project=project,
            actor=team.officer,
        )


def test_start_checks_the_officer_is_a_staff_member(team, other_team, project):
    with pytest.raises(ValidationError) as exc:
        support_plan_start(project=project, actor=team.officer, officer=other_team.officer)
    assert "officer" in exc.value.message_dict
    with pytest.raises(ValidationError):
        support_plan_start(project=project, actor=team.officer, officer=team.reader)
    plan = support_plan_start(project=project, actor=team.officer, officer=team.admin)
    assert plan.officer == team.admin


def test_plan_update_is_audited(team, plan):
    plan = support_plan_update(plan=plan, actor=team.admin, objectives="Trouver un local")
    assert plan.objectives == "Trouver un local"
    entry = AuditEntry.objects.for_target(plan).filter(action="support.supportplan.updated").get()
    assert entry.new_values == {"objectives": "Trouver un local"}


# --- stop, resume -----------------------------------------------------------------------------------------


def test_stop_and_resume(team, plan):
    with pytest.raises(ValidationError):
        support_plan_stop(plan=plan, actor=team.officer, reason="  ")
    plan = support_plan_stop(plan=plan, actor=team.officer, reason="Le porteur suspend son projet")
    assert plan.stage == SupportStage.STOPPED and plan.stop_reason == "Le porteur suspend son projet"
    entry = AuditEntry.objects.for_target(plan).get(action="support.supportplan.stopped")
    assert entry.note == "Le porteur suspend son projet"
    # stopping again does nothing
    support_plan_stop(plan=plan, actor=team.officer, reason="encore")
    assert AuditEntry.objects.for_target(plan).filter(action="support.supportplan.stopped").count() == 1

    plan = support_plan_resume(plan=plan, actor=team.officer)
    assert plan.stage == SupportStage.ACTIVE and plan.stop_reason == ""
    assert "support.supportplan.active" in actions(plan)


def test_resume_needs_the_project_still_in_support(team, plan):
    support_plan_stop(plan=plan, actor=team.officer, reason="Projet arrêté")
    type(plan.project).objects.filter(pk=plan.project_id).update(stage=ProjectStage.STOPPED)
    plan.refresh_from_db()
    with pytest.raises(TransitionNotAllowed):
        support_plan_resume(plan=plan, actor=team.officer)
    plan.refresh_from_db()
    assert plan.stage == SupportStage.STOPPED


def test_a_completed_plan_cannot_be_stopped(team, plan):
    SupportPlan.objects.filter(pk=plan.pk).update(stage=SupportStage.COMPLETED)
    plan.refresh_from_db()
    with pytest.raises(TransitionNotAllowed):
        support_plan_stop(plan=plan, actor=team.officer, reason="trop tard")


# --- milestones -------------------------------------------------------------------------------------------


def test_milestone_create_and_update(team, plan):
    milestone = milestone_create(
        plan=plan,
        actor=team.officer,
        title="Agrément ESUS",
        due_on=TODAY() + datetime.timedelta(days=3),
    )
    assert milestone.order == len(DEFAULT_MILESTONES) + 1
    assert actions(milestone) == ["support.milestone.created"]

    milestone = milestone_update(milestone=milestone, actor=team.officer, status=MilestoneStatus.DONE)
    assert milestone.status == MilestoneStatus.DONE and milestone.done_on == TODAY()
    entry = AuditEntry.objects.for_target(milestone).get(action="support.milestone.updated")
    assert entry.new_values["status"] == "done"


def test_milestone_dates_must_be_coherent(team, plan):
    before_start = plan.started_on - datetime.timedelta(days=1)
    with pytest.raises(ValidationError) as exc:
        milestone_create(plan=plan, actor=team.officer, title="Statuts", due_on=before_start)
    assert "due_on" in exc.value.message_dict
    milestone = plan.milestones.first()
    with pytest.raises(ValidationError) as exc:
        milestone_update(milestone=milestone, actor=team.officer, done_on=TODAY())
    assert "done_on" in exc.value.message_dict  # a date of completion on a milestone still to do
    with pytest.raises(ValidationError) as exc:
        milestone_update(
            milestone=milestone,
            actor=team.officer,
            status=MilestoneStatus.DONE,
            done_on=TODAY() + datetime.timedelta(days=1),
        )
    assert "futur" in exc.value.message_dict["done_on"][0]
    milestone.refresh_from_db()
    assert milestone.status == MilestoneStatus.TODO


def test_overdue_milestones(team, plan):
    first = plan.milestones.first()
    Milestone.objects.filter(pk=first.pk).update(due_on=TODAY() - datetime.timedelta(days=1))
    first.refresh_from_db()
    assert first.is_overdue
    first = milestone_update(milestone=first, actor=team.officer, status=MilestoneStatus.CANCELLED)
    assert not first.is_overdue
    due = selectors.milestones_due(fabrique=team.fabrique, until=TODAY() + datetime.timedelta(days=400))
    assert first not in due and len(due) == len(DEFAULT_MILESTONES) - 1


# --- referrals --------------------------------------------------------------------------------------------


def test_referral_to_a_support_network(team, plan, network):
    referral = referral_create(
        plan=plan,
        actor=team.officer,
        organization=network,
        purpose="Statuts de la SCIC",
        referred_on=TODAY(),
    )
    assert referral.organization == network
    assert actions(referral) == ["support.referral.created"]


def test_referral_refuses_other_organizations(team, other_team, plan):
    town_hall = make_organization(team.fabrique, "Mairie de Rezé", OrganizationKind.MUNICIPALITY)
    foreign = make_organization(other_team.fabrique, "Réseau d'ailleurs")
    for organization in (town_hall, foreign):
        with pytest.raises(ValidationError) as exc:
            referral_create(
                plan=plan,
                actor=team.officer,
                organization=organization,
                purpose="x",
                referred_on=TODAY(),
            )
        assert "organization" in exc.value.message_dict
    # a municipality that the fabrique lists as a partner is fine
    town_hall.roles = ["partner"]
    town_hall.save()
    referral_create(
        plan=plan,
        actor=team.officer,
        organization=town_hall,
        purpose="x",
        referred_on=TODAY(),
    )


def test_referral_date_not_in_the_future(team, plan, network):
    with pytest.raises(ValidationError) as exc:
        referral_create(
            plan=plan,
            actor=team.officer,
            organization=network,
            purpose="x",
            referred_on=TODAY() + datetime.timedelta(days=2),
        )
    assert "referred_on" in exc.value.message_dict


# --- funding plan -----------------------------------------------------------------------------------------


def test_funding_totals_by_status(team, plan, funder):
    lines = [
        ({"funder": funder, "amount": Decimal("20000"), "status": FundingStatus.GRANTED}),
        ({"source_label": "Apport du porteur", "amount": Decimal("5000"), "status": FundingStatus.GRANTED}),
        ({"source_label": "Prêt d'honneur", "amount": Decimal("8000"), "status": FundingStatus.REQUESTED}),
        ({"source_label": "Fondation", "amount": Decimal("3000.50"), "status": FundingStatus.REFUSED}),
        ({"source_label": "Région", "amount": Decimal("10000"), "status": FundingStatus.PLANNED}),
    ]
    created = [funding_create(plan=plan, actor=team.officer, **data) for data in lines]
    assert created[0].source_label == funder.name  # the funder's name when no label is given
    totals = selectors.funding_totals(plan=plan)
    by_status = {status: total for status, _label, total in totals.by_status}
    assert by_status == {
        "planned": Decimal("10000"),
        "requested": Decimal("8000"),
        "granted": Decimal("25000"),
        "refused": Decimal("3000.50"),
    }
    assert totals.granted == Decimal("25000")
    assert totals.total == Decimal("43000")  # refused lines excluded
    assert actions(created[0]) == ["support.fundingline.created"]


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"source_label": "Région", "amount": Decimal("0")}, "amount"),
        ({"source_label": "Région", "amount": Decimal("-10")}, "amount"),
        ({"amount": Decimal("100")}, "source_label"),
        (
            {
                "source_label": "Région",
                "amount": Decimal("100"),
                "status": FundingStatus.GRANTED,
                "requested_on": datetime.date(2026, 3, 1),
                "decided_on": datetime.date(2026, 2, 1),
            },
            "decided_on",
        ),
        (
            {
                "source_label": "Région",
                "amount": Decimal("100"),
                "requested_on": TODAY() + datetime.timedelta(days=1),
            },
            "requested_on",
        ),
        (
            {"source_label": "Région", "amount": Decimal("100"), "decided_on": datetime.date(2026, 2, 1)},
            "decided_on",
        ),
    ],
)
def test_funding_validation(team, plan, data, field):
    with pytest.raises(ValidationError) as exc:
        funding_create(plan=plan, actor=team.officer, **data)
    assert field in exc.value.message_dict
    assert not plan.funding_lines.exists()


def test_funding_refuses_another_fabriques_funder(team, other_team, plan):
    foreign = make_organization(other_team.fabrique, "Banque d'ailleurs", OrganizationKind.FUNDER)
    with pytest.raises(ValidationError) as exc:
        funding_create(plan=plan, actor=team.officer, funder=foreign, amount=Decimal("10"))
    assert "funder" in exc.value.message_dict


def test_funding_update(team, plan):
    line = funding_create(plan=plan, actor=team.officer, source_label="Région", amount=Decimal("1000"))
    line = funding_update(
        line=line,
        actor=team.officer,
        status=FundingStatus.GRANTED,
        decided_on=TODAY(),
        amount=Decimal("1200"),
    )
    assert line.status == FundingStatus.GRANTED and line.amount == Decimal("1200")
    entry = AuditEntry.objects.for_target(line).get(action="support.fundingline.updated")
    assert entry.old_values["amount"] == "1000.00" and entry.new_values["status"] == "granted"
    with pytest.raises(ValidationError):
        funding_update(line=line, actor=team.officer, amount=Decimal("0"))


# --- time spent -------------------------------------------------------------------------------------------


def test_activities_and_total_time(team, plan):
    activity_create(
        plan=plan,
        actor=team.officer,
        date=TODAY(),
        summary="Point business plan",
        minutes_spent=90,
    )
    activity = activity_create(
        plan=plan,
        actor=team.admin,
        date=TODAY(),
        kind="call",
        summary="Appel banque",
        minutes_spent=35,
    )
    assert activity.by == team.admin
    assert actions(activity) == ["support.supportactivity.created"]
    assert selectors.minutes_total(plan=plan) == 125
    assert selectors.format_minutes(125) == "2 h 05"


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"date": TODAY(), "summary": "x", "minutes_spent": 0}, "minutes_spent"),
        ({"date": TODAY(), "summary": "x", "minutes_spent": 24 * 60 + 1}, "minutes_spent"),
        ({"date": TODAY(), "summary": " ", "minutes_spent": 30}, "summary"),
        ({"date": TODAY() + datetime.timedelta(days=1), "summary": "x", "minutes_spent": 30}, "date"),
    ],
)
def test_activity_validation(team, plan, data, field):
    with pytest.raises(ValidationError) as exc:
        activity_create(plan=plan, actor=team.officer, **data)
    assert field in exc.value.message_dict
    assert not plan.activities.exists()


def test_add_months_clamps_the_day():
    assert add_months(datetime.date(2026, 1, 31), 1) == datetime.date(2026, 2, 28)
    assert add_months(datetime.date(2024, 1, 31), 1) == datetime.date(2024, 2, 29)
    assert add_months(datetime.date(2026, 11, 15), 2) == datetime.date(2027, 1, 15)
