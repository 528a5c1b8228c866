"""Outcome services: recording the enterprise created (SIRET, dates, jobs, atomicity) and its follow-ups."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from fabrique.audit.models import AuditEntry
from fabrique.core.errors import TransitionNotAllowed
from fabrique.core.indicators import indicator
from fabrique.directory.models import Organization, OrganizationKind
from fabrique.projects import outcome
from fabrique.projects.models import Enterprise, FollowUp, ProjectStage
from fabrique.projects.outcome import (
    enterprise_update,
    followup_create,
    followup_due_on,
    followup_update,
    followup_window,
    project_record_creation,
    siret_error,
)
from fabrique.support import selectors
from fabrique.support.models import SupportStage
from fabrique.support.services import support_plan_stop

from .conftest import VALID_SIRET, enterprise_data, make_organization, make_project

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


def actions(target) -> list[str]:
    return list(AuditEntry.objects.for_target(target).values_list("action", flat=True))


@pytest.fixture
def enterprise(team, plan):
    return project_record_creation(
        project=plan.project,
        actor=team.officer,
        **enterprise_data(created_on=datetime.date(2025, 3, 10)),
    )


# --- recording the creation -------------------------------------------------------------------------------


def test_record_creation_moves_project_and_plan_together(team, plan):
    project = plan.project
    enterprise = project_record_creation(project=project, actor=team.officer, **enterprise_data())
    project.refresh_from_db()
    plan.refresh_from_db()
    assert enterprise.siret == VALID_SIRET  # spaces removed
    assert enterprise.jobs_fte == Decimal("2.5")
    assert project.stage == ProjectStage.CREATED
    assert plan.stage == SupportStage.COMPLETED
    assert actions(enterprise) == ["projects.enterprise.created"]
    assert "projects.project.enterprise_created" in actions(project)
    assert "support.supportplan.completed" in actions(plan)


@pytest.mark.parametrize(
    ("siret", "fragment"),
    [
        ("73282932000075", "clé de contrôle"),
        ("7328293200007", "14 chiffres"),
        ("ABCDEFGHIJKLMN", "14 chiffres"),
    ],
)
def test_invalid_siret_is_refused_in_french(team, plan, siret, fragment):
    with pytest.raises(ValidationError) as exc:
        project_record_creation(project=plan.project, actor=team.officer, **enterprise_data(siret=siret))
    assert fragment in exc.value.message_dict["siret"][0]
    assert not Enterprise.objects.exists()


def test_siret_is_required_except_for_a_new_activity(team, plan):
    with pytest.raises(ValidationError) as exc:
        project_record_creation(project=plan.project, actor=team.officer, **enterprise_data(siret=""))
    assert "siret" in exc.value.message_dict
    enterprise = project_record_creation(
        project=plan.project, actor=team.officer, **enterprise_data(siret="", legal_form="new_activity")
    )
    assert enterprise.siret == ""


def test_siret_error_helper():
    assert siret_error(VALID_SIRET) is None
    assert siret_error("35600000000048") is None  # La Poste establishments (special key rule)


def test_creation_date_in_the_future_is_refused(team, plan):
    with pytest.raises(ValidationError) as exc:
        project_record_creation(
            project=plan.project,
            actor=team.officer,
            **enterprise_data(created_on=TODAY() + datetime.timedelta(days=1)),
        )
    assert "futur" in exc.value.message_dict["created_on"][0]
    plan.project.refresh_from_db()
    assert plan.project.stage == ProjectStage.IN_SUPPORT


@pytest.mark.parametrize("jobs", [Decimal("-1"), "abc", None])
def test_jobs_must_be_a_positive_number(team, plan, jobs):
    with pytest.raises(ValidationError) as exc:
        project_record_creation(project=plan.project, actor=team.officer, **enterprise_data(jobs_fte=jobs))
    assert "jobs_fte" in exc.value.message_dict


def test_jobs_accept_zero_and_a_french_decimal(team, plan):
    enterprise = project_record_creation(
        project=plan.project, actor=team.officer, **enterprise_data(jobs_fte="0,5")
    )
    assert enterprise.jobs_fte == Decimal("0.5")


@pytest.mark.parametrize(
    "stage", [ProjectStage.LEADER_SELECTED, ProjectStage.SEEKING_LEADER, ProjectStage.STOPPED]
)
def test_record_creation_from_a_wrong_stage_raises(team, stage):
    project = make_project(team.fabrique, stage=stage)
    with pytest.raises(TransitionNotAllowed):
        project_record_creation(project=project, actor=team.officer, **enterprise_data())
    assert not Enterprise.objects.exists()


def test_record_creation_twice_is_refused(team, enterprise):
    with pytest.raises(TransitionNotAllowed):
        project_record_creation(project=enterprise.project, actor=team.officer, **enterprise_data())
    assert Enterprise.objects.count() == 1


def test_record_creation_is_all_or_nothing(team, plan, monkeypatch):
    # given the last step (completing the plan) fails
    def broken(**kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(outcome, "support_plan_complete", broken)
    audit_before = AuditEntry.objects.count()
    project = plan.project
    # when
    with pytest.raises(RuntimeError):
        project_record_creation(
            project=project, actor=team.officer, **{**enterprise_data(), "create_organization": True}
        )
    # then nothing is saved: no enterprise, no directory entry, project and plan unchanged, no audit rows
    assert project.stage == ProjectStage.IN_SUPPORT  # the caller's instance is not touched either
    assert not Enterprise.objects.exists()
    assert not Organization.objects.filter(name="SCIC L'Épicerie du quartier").exists()
    plan.refresh_from_db()
    plan.project.refresh_from_db()
    assert plan.project.stage == ProjectStage.IN_SUPPORT
    assert plan.stage == SupportStage.ACTIVE
    assert AuditEntry.objects.count() == audit_before


def test_record_creation_refused_while_the_plan_is_interrupted(team, plan):
    support_plan_stop(plan=plan, actor=team.officer, reason="pause")
    with pytest.raises(TransitionNotAllowed):
        project_record_creation(project=plan.project, actor=team.officer, **enterprise_data())
    assert not Enterprise.objects.exists()
    plan.project.refresh_from_db()
    assert plan.project.stage == ProjectStage.IN_SUPPORT


def test_record_creation_without_a_plan(team):
    project = make_project(team.fabrique, stage=ProjectStage.IN_SUPPORT)
    project_record_creation(project=project, actor=team.officer, **enterprise_data())
    project.refresh_from_db()
    assert project.stage == ProjectStage.CREATED


def test_record_creation_creates_or_links_the_directory_entry(team, other_team, plan):
    with pytest.raises(ValidationError) as exc:
        project_record_creation(
            project=plan.project,
            actor=team.officer,
            **{
                **enterprise_data(organization=make_organization(team.fabrique, "X")),
                "create_organization": True,
            },
        )
    assert "create_organization" in exc.value.message_dict
    foreign = make_organization(other_team.fabrique, "Structure d'ailleurs")
    with pytest.raises(ValidationError) as exc:
        project_record_creation(
            project=plan.project, actor=team.officer, **enterprise_data(organization=foreign)
        )
    assert "organization" in exc.value.message_dict

    enterprise = project_record_creation(
        project=plan.project, actor=team.officer, **{**enterprise_data(), "create_organization": True}
    )
    organization = enterprise.organization
    assert organization.fabrique == team.fabrique
    assert organization.kind == OrganizationKind.COOPERATIVE
    assert organization.siren == VALID_SIRET[:9]
    assert actions(organization) == ["directory.organization.created"]


def test_enterprise_update(team, enterprise):
    enterprise = enterprise_update(enterprise=enterprise, actor=team.admin, jobs_fte=Decimal("4"))
    assert enterprise.jobs_fte == Decimal("4")
    with pytest.raises(ValidationError):
        enterprise_update(enterprise=enterprise, actor=team.admin, siret="123")
    enterprise.refresh_from_db()
    assert enterprise.siret == VALID_SIRET
    assert "projects.enterprise.updated" in actions(enterprise)


# --- follow-ups -------------------------------------------------------------------------------------------


def test_followup_due_dates(enterprise):
    assert followup_due_on(enterprise=enterprise, horizon="1y") == datetime.date(2026, 3, 10)
    assert followup_due_on(enterprise=enterprise, horizon="3y") == datetime.date(2028, 3, 10)
    leap = Enterprise(created_on=datetime.date(2024, 2, 29))
    assert followup_due_on(enterprise=leap, horizon="1y") == datetime.date(2025, 2, 28)


def test_followups_unique_per_horizon(team, enterprise):
    followup = followup_create(
        enterprise=enterprise,
        actor=team.officer,
        horizon="1y",
        observed_on=datetime.date(2026, 3, 12),
        jobs_fte=Decimal("3"),
    )
    assert followup.still_active
    assert actions(followup) == ["projects.followup.created"]
    with pytest.raises(ValidationError) as exc:
        followup_create(
            enterprise=enterprise,
            actor=team.officer,
            horizon="1y",
            observed_on=datetime.date(2026, 4, 1),
        )
    assert "déjà enregistré" in exc.value.message_dict["horizon"][0]
    assert FollowUp.objects.count() == 1
    # the other horizon is fine (in its window); moving it onto the taken one is not
    Enterprise.objects.filter(pk=enterprise.pk).update(created_on=TODAY().replace(year=TODAY().year - 3))
    enterprise.refresh_from_db()
    three = followup_create(
        enterprise=enterprise,
        actor=team.officer,
        horizon="3y",
        observed_on=TODAY(),
        still_active=False,
    )
    with pytest.raises(ValidationError):
        followup_update(followup=three, actor=team.officer, horizon="1y")
    with pytest.raises(ValidationError) as exc:  # out of the 1-year window, too
        followup_update(followup=three, actor=team.officer, horizon="1y", observed_on=TODAY())
    assert "entre 9 et 18 mois" in exc.value.message_dict["observed_on"][0]
    three = followup_update(followup=three, actor=team.officer, notes="Activité reprise par une SCIC")
    assert three.notes == "Activité reprise par une SCIC"


def test_followup_window(team, enterprise):
    """+1 year: 9 to 18 months after the creation (10 March 2025); +3 years: 30 to 48 months."""
    assert followup_window(enterprise=enterprise, horizon="1y") == (
        datetime.date(2025, 12, 10),
        datetime.date(2026, 9, 10),
    )
    assert followup_window(enterprise=enterprise, horizon="3y") == (
        datetime.date(2027, 9, 10),
        datetime.date(2029, 3, 10),
    )
    for day in (datetime.date(2025, 3, 10), datetime.date(2025, 12, 9), datetime.date(2026, 9, 11)):
        with pytest.raises(ValidationError) as exc:
            followup_create(enterprise=enterprise, actor=team.officer, horizon="1y", observed_on=day)
        message = exc.value.message_dict["observed_on"][0]
        assert "entre 9 et 18 mois après la création" in message and "du 10/12/2025 au 10/09/2026" in message
    assert not FollowUp.objects.exists()
    followup_create(
        enterprise=enterprise,
        actor=team.officer,
        horizon="1y",
        observed_on=datetime.date(2025, 12, 10),
    )
    assert FollowUp.objects.count() == 1
    assert followup_window(enterprise=Enterprise(created_on=datetime.date(2024, 5, 31)), horizon="1y") == (
        datetime.date(2025, 2, 28),
        datetime.date(2025, 11, 30),
    )


@pytest.mark.parametrize(
    ("observed_on", "jobs"),
    [
        (datetime.date(2025, 3, 9), None),  # before the creation
        (timezone.localdate() + datetime.timedelta(days=1), None),  # in the future
        (datetime.date(2026, 3, 12), Decimal("-1")),
    ],
)
def test_followup_validation(team, enterprise, observed_on, jobs):
    with pytest.raises(ValidationError):
        followup_create(
            enterprise=enterprise,
            actor=team.officer,
            horizon="1y",
            observed_on=observed_on,
            jobs_fte=jobs,
        )
    assert not FollowUp.objects.exists()


# --- selectors: deadlines and figures ---------------------------------------------------------------------


def test_followups_due_and_figures(team, other_team, plan):
    today = TODAY()
    created_on = today.replace(year=today.year - 1) + datetime.timedelta(days=10)
    enterprise = project_record_creation(
        project=plan.project,
        actor=team.officer,
        **enterprise_data(created_on=created_on, jobs_fte=Decimal("3.5")),
    )
    due = selectors.followups_due(
        fabrique=team.fabrique, start=today, end=today + datetime.timedelta(days=30)
    )
    assert [(e.pk, slot.horizon) for e, slot in due] == [(enterprise.pk, "1y")]
    assert (
        selectors.followups_due(
            fabrique=other_team.fabrique, start=today, end=today + datetime.timedelta(days=30)
        )
        == []
    )
    followup_create(enterprise=enterprise, actor=team.officer, horizon="1y", observed_on=today)
    assert (
        selectors.followups_due(fabrique=team.fabrique, start=today, end=today + datetime.timedelta(days=30))
        == []
    )

    assert indicator("support.enterprises").value(team.fabrique) == 1
    assert selectors.jobs_created_fte(fabrique=team.fabrique) == Decimal("3.5")
    assert indicator("support.enterprises").value(other_team.fabrique) == 0
    assert indicator("support.projects_in_support").value(team.fabrique) == 0


def test_followups_due_are_the_earliest_within_the_limit(team):
    from fabrique.support.services import support_plan_start

    today = TODAY()
    last_year = today.replace(year=today.year - 1)
    enterprises = []
    sirets = ("73282932000009", "73282932001007", "73282932002005")
    for days, siret in zip((20, 5, 12), sirets, strict=True):  # due in 20, 5 and 12 days
        project = make_project(team.fabrique, title=f"Projet {days}", officer=team.officer)
        support_plan_start(project=project, actor=team.officer, started_on=last_year, objectives="Créer")
        enterprises.append(
            project_record_creation(
                project=project,
                actor=team.officer,
                **enterprise_data(created_on=last_year + datetime.timedelta(days=days), siret=siret),
            )
        )
    window = {"fabrique": team.fabrique, "start": today, "end": today + datetime.timedelta(days=30)}
    assert [e.pk for e, _slot in selectors.followups_due(**window)] == [
        enterprises[1].pk,
        enterprises[2].pk,
        enterprises[0].pk,
    ]
    assert [e.pk for e, _slot in selectors.followups_due(**window, limit=2)] == [
        enterprises[1].pk,
        enterprises[2].pk,
    ]
