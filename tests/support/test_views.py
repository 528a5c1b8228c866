"""Support and outcome pages: French errors, nothing saved on error, 403 for readers, 404 elsewhere."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from fabrique.audit.models import AuditEntry
from fabrique.projects.models import Enterprise, FollowUp, ProjectStage
from fabrique.projects.outcome import project_record_creation
from fabrique.support.models import FundingLine, Milestone, SupportPlan, SupportStage
from fabrique.support.services import support_plan_stop

from .conftest import VALID_SIRET, enterprise_data, make_project

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


def url(team, name, **kwargs):
    return reverse(f"backoffice:{name}", kwargs={"fabrique_slug": team.fabrique.slug, **kwargs})


def iso(day: datetime.date) -> str:
    return day.isoformat()


# --- starting the plan ------------------------------------------------------------------------------------


def test_start_plan_page(team, project, login):
    client = login(team.officer)
    page = client.get(url(team, "support_plan_create", project_pk=project.pk))
    assert page.status_code == 200
    assert "Étude de faisabilité" in page.content.decode()
    response = client.post(
        url(team, "support_plan_create", project_pk=project.pk),
        {"started_on": iso(TODAY()), "officer": team.officer.pk, "objectives": "Statuts et financement"},
    )
    plan = SupportPlan.objects.get(project=project)
    assert response.status_code == 302 and response["Location"] == url(
        team, "support_plan_detail", pk=plan.pk
    )
    assert plan.milestones.count() == 6
    # once started, the creation page leads to the plan
    assert client.get(url(team, "support_plan_create", project_pk=project.pk)).status_code == 302


def test_start_plan_errors_in_french_and_nothing_saved(team, project, login):
    client = login(team.officer)
    response = client.post(
        url(team, "support_plan_create", project_pk=project.pk),
        {"started_on": iso(TODAY()), "milestone_0": iso(TODAY() - datetime.timedelta(days=3))},
    )
    assert response.status_code == 200
    assert "ne peut pas précéder le début" in response.content.decode()
    response = client.post(
        url(team, "support_plan_create", project_pk=project.pk), {"started_on": "31/02/2026"}
    )
    assert "Saisissez une date valide" in response.content.decode()
    assert not SupportPlan.objects.exists()
    project.refresh_from_db()
    assert project.stage == ProjectStage.LEADER_SELECTED


def test_start_plan_on_a_wrong_stage(team, login):
    project = make_project(team.fabrique, stage=ProjectStage.SEEKING_LEADER)
    client = login(team.officer)
    page = client.get(url(team, "support_plan_create", project_pk=project.pk)).content.decode()
    assert "porteur est choisi" in page
    response = client.post(
        url(team, "support_plan_create", project_pk=project.pk), {"started_on": iso(TODAY())}
    )
    assert "porteur est choisi" in response.content.decode()
    assert not SupportPlan.objects.exists()


def test_reader_cannot_write_and_other_fabrique_gets_404(team, other_team, project, plan, login):
    reader = login(team.reader)
    assert reader.post(url(team, "support_plan_stop", pk=plan.pk), {"reason": "x"}).status_code == 403
    assert reader.post(url(team, "milestone_create", plan_pk=plan.pk), {"title": "x"}).status_code == 403
    assert reader.get(url(team, "support_plan_detail", pk=plan.pk)).status_code == 200
    other = login(other_team.admin)
    assert other.get(url(team, "support_plan_detail", pk=plan.pk)).status_code == 404
    foreign = reverse(
        "backoffice:support_plan_detail", kwargs={"fabrique_slug": other_team.fabrique.slug, "pk": plan.pk}
    )
    assert other.get(foreign).status_code == 404  # the pk of fabrique A under fabrique B's slug
    plan.refresh_from_db()
    assert plan.stage == SupportStage.ACTIVE and plan.milestones.count() == 6


# --- the plan page --------------------------------------------------------------------------------------


def test_plan_detail_shows_milestones_funding_time_and_timeline(team, plan, funder, login):
    Milestone.objects.filter(plan=plan, order=1).update(due_on=TODAY() - datetime.timedelta(days=2))
    FundingLine.objects.create(
        plan=plan, funder=funder, source_label=funder.name, amount=Decimal("12000"), status="granted"
    )
    page = login(team.reader).get(url(team, "support_plan_detail", pk=plan.pk)).content.decode()
    assert "en retard" in page
    assert "France Active" in page and "12" in page
    assert (
        "Historique" in page and "Début de l&#x27;accompagnement" not in page
    )  # project entries are on the project
    assert "Création — jalon « Étude de faisabilité »" in page
    assert "Modifier" not in page  # no edit button for a reader
    officer_page = login(team.officer).get(url(team, "support_plan_detail", pk=plan.pk)).content.decode()
    assert url(team, "milestone_create", plan_pk=plan.pk) in officer_page
    assert url(team, "enterprise_create", project_pk=plan.project_id) in officer_page


def test_milestone_update_page(team, plan, login):
    milestone = plan.milestones.first()
    client = login(team.officer)
    response = client.post(
        url(team, "milestone_update", pk=milestone.pk),
        {
            "title": milestone.title,
            "status": "done",
            "due_on": iso(milestone.due_on),
            "done_on": "",
            "notes": "",
        },
    )
    assert response.status_code == 302
    milestone.refresh_from_db()
    assert milestone.status == "done" and milestone.done_on == TODAY()
    response = client.post(
        url(team, "milestone_update", pk=milestone.pk),
        {"title": "", "status": "done", "due_on": "", "done_on": iso(TODAY() + datetime.timedelta(days=5))},
    )
    assert response.status_code == 200
    assert "Ce champ est obligatoire" in response.content.decode()
    milestone.refresh_from_db()
    assert milestone.title == "Étude de faisabilité"


def test_funding_form_parses_french_amounts_and_refuses_zero(team, plan, login):
    client = login(team.officer)
    response = client.post(
        url(team, "funding_create", plan_pk=plan.pk),
        {"source_label": "Région", "amount": "0", "status": "requested"},
    )
    assert response.status_code == 200
    assert "supérieur à zéro" in response.content.decode()
    assert not FundingLine.objects.exists()
    response = client.post(
        url(team, "funding_create", plan_pk=plan.pk),
        {"source_label": "Région", "amount": "1500,50", "status": "planned"},
    )
    assert response.status_code == 302
    assert FundingLine.objects.get().amount == Decimal("1500.50")


def test_activity_and_referral_forms(team, plan, network, login):
    client = login(team.officer)
    response = client.post(
        url(team, "activity_create", plan_pk=plan.pk),
        {"date": iso(TODAY()), "kind": "meeting", "summary": "Point", "minutes_spent": "0"},
    )
    assert "supérieur à zéro" in response.content.decode()
    response = client.post(
        url(team, "referral_create", plan_pk=plan.pk),
        {"organization": network.pk, "purpose": "Statuts", "referred_on": iso(TODAY())},
    )
    assert response.status_code == 302
    assert plan.referrals.count() == 1 and not plan.activities.exists()


def test_stop_and_resume_pages(team, plan, login):
    client = login(team.officer)
    assert (
        "obligatoire"
        in client.post(url(team, "support_plan_stop", pk=plan.pk), {"reason": ""}).content.decode()
    )
    assert client.post(url(team, "support_plan_stop", pk=plan.pk), {"reason": "Pause"}).status_code == 302
    plan.refresh_from_db()
    assert plan.stage == SupportStage.STOPPED
    page = client.get(url(team, "support_plan_detail", pk=plan.pk)).content.decode()
    assert "Accompagnement interrompu" in page
    assert client.post(url(team, "support_plan_resume", pk=plan.pk)).status_code == 302
    plan.refresh_from_db()
    assert plan.stage == SupportStage.ACTIVE


# --- outcome --------------------------------------------------------------------------------------------


def enterprise_post(**overrides) -> dict:
    data = {
        "legal_name": "SCIC Le Panier",
        "legal_form": "scic",
        "siret": "732 829 320 00074",
        "created_on": iso(TODAY() - datetime.timedelta(days=3)),
        "jobs_fte": "2,5",
        "commune": "",
        "website": "",
        "organization": "",
    }
    return {**data, **overrides}


def test_enterprise_create_page(team, plan, login):
    client = login(team.officer)
    assert client.get(url(team, "enterprise_create", project_pk=plan.project_id)).status_code == 200
    response = client.post(url(team, "enterprise_create", project_pk=plan.project_id), enterprise_post())
    enterprise = Enterprise.objects.get()
    assert response.status_code == 302 and response["Location"] == url(
        team, "enterprise_detail", pk=enterprise.pk
    )
    assert enterprise.siret == VALID_SIRET and enterprise.jobs_fte == Decimal("2.5")
    plan.refresh_from_db()
    assert plan.stage == SupportStage.COMPLETED
    page = client.get(url(team, "enterprise_detail", pk=enterprise.pk)).content.decode()
    assert "SCIC Le Panier" in page and "à 1 an" in page and "Historique" in page
    assert url(team, "support_plan_detail", pk=plan.pk) in page


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"siret": "73282932000075"}, "clé de contrôle incorrecte"),
        ({"siret": ""}, "Indiquez le numéro SIRET"),
        ({"created_on": iso(TODAY() + datetime.timedelta(days=1))}, "ne peut pas être dans le futur"),
        ({"jobs_fte": "-1"}, "ne peut pas être négatif"),
    ],
)
def test_enterprise_create_errors(team, plan, login, overrides, message):
    response = login(team.officer).post(
        url(team, "enterprise_create", project_pk=plan.project_id), enterprise_post(**overrides)
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Enterprise.objects.exists()
    plan.project.refresh_from_db()
    assert plan.project.stage == ProjectStage.IN_SUPPORT


def test_enterprise_create_refused_while_interrupted(team, plan, login):
    support_plan_stop(plan=plan, actor=team.officer, reason="pause")
    response = login(team.officer).post(
        url(team, "enterprise_create", project_pk=plan.project_id), enterprise_post()
    )
    assert response.status_code == 200
    assert "reprenez-le" in response.content.decode()
    assert not Enterprise.objects.exists()


def test_enterprise_pages_permissions(team, other_team, plan, login):
    enterprise = project_record_creation(project=plan.project, actor=team.officer, **enterprise_data())
    reader = login(team.reader)
    assert reader.get(url(team, "enterprise_detail", pk=enterprise.pk)).status_code == 200
    assert reader.post(url(team, "enterprise_update", pk=enterprise.pk), enterprise_post()).status_code == 403
    assert reader.post(url(team, "followup_create", enterprise_pk=enterprise.pk), {}).status_code == 403
    assert login(other_team.admin).get(url(team, "enterprise_detail", pk=enterprise.pk)).status_code == 404


def test_followup_pages(team, plan, login):
    enterprise = project_record_creation(
        project=plan.project,
        actor=team.officer,
        **enterprise_data(created_on=TODAY() - datetime.timedelta(days=400)),
    )
    client = login(team.officer)
    page = client.get(
        url(team, "followup_create", enterprise_pk=enterprise.pk) + "?horizon=1y"
    ).content.decode()
    assert 'value="1y" selected' in page
    data = {"horizon": "1y", "observed_on": iso(TODAY()), "still_active": "on", "jobs_fte": "3", "notes": ""}
    assert client.post(url(team, "followup_create", enterprise_pk=enterprise.pk), data).status_code == 302
    response = client.post(url(team, "followup_create", enterprise_pk=enterprise.pk), data)
    assert response.status_code == 200
    assert "déjà enregistré" in response.content.decode()
    assert FollowUp.objects.count() == 1


# --- lists, dashboard, network --------------------------------------------------------------------------


def test_lists_dashboard_and_network(team, plan, login, network_head):
    Milestone.objects.filter(plan=plan, order=1).update(due_on=TODAY() + datetime.timedelta(days=3))
    client = login(team.officer)
    assert "Épicerie solidaire" in client.get(url(team, "support_plan_list")).content.decode()
    dashboard = client.get(url(team, "dashboard")).content.decode()
    assert "Étude de faisabilité — Épicerie solidaire" in dashboard
    assert "projet en accompagnement" in dashboard  # one plan: singular
    project_record_creation(
        project=plan.project, actor=team.officer, **enterprise_data(jobs_fte=Decimal("2.5"))
    )
    assert "SCIC L&#x27;Épicerie du quartier" in client.get(url(team, "enterprise_list")).content.decode()
    dashboard = client.get(url(team, "dashboard")).content.decode()
    assert "emplois créés (ETP)" in dashboard and "2,5" in dashboard
    network = login(network_head).get(reverse("network:home")).content.decode()
    assert "Entreprises créées" in network and "Emplois créés à la création (ETP)" in network


def test_every_write_leaves_an_audit_row(team, plan):
    assert AuditEntry.objects.for_target(plan).filter(action="support.supportplan.created").exists()
