from html import unescape

import pytest
from django.urls import reverse

from fabrique.audit.models import AuditEntry
from fabrique.needs.models import NeedStage
from fabrique.projects.models import Enterprise, Project, ProjectStage, StopReason
from fabrique.projects.services import project_update
from fabrique.recruitment.models import Application, ApplicationSource, ApplicationStage
from fabrique.support.models import SupportPlan

from .factories import make_need, make_organization, make_person, make_project, make_study

pytestmark = pytest.mark.django_db


def url(name, team, **kwargs):
    return reverse(f"backoffice:{name}", kwargs={"fabrique_slug": team.fabrique.slug, **kwargs})


def test_list_filters_by_stage(team, login):
    make_project(team.fabrique, title="Garage solidaire")
    make_project(team.fabrique, title="Conciergerie rurale", stage=ProjectStage.IN_SUPPORT)
    client = login(team.reader)
    page = unescape(client.get(url("project_list", team)).content.decode())
    assert "Garage solidaire" in page and "Conciergerie rurale" in page
    assert "Créer un projet" not in page  # a reader cannot create
    page = unescape(client.get(url("project_list", team), {"stage": "in_support"}).content.decode())
    assert "Garage solidaire" not in page and "Conciergerie rurale" in page


def test_detail_shows_the_chain_and_the_timeline(team, login):
    # given: need → study → project → leader → support plan → enterprise
    need = make_need(team.fabrique, title="Pas de garde tôt le matin", stage=NeedStage.ANSWERED)
    study = make_study(team.fabrique, needs=[need])
    person = make_person(team.fabrique)
    project = make_project(
        team.fabrique, study=study, stage=ProjectStage.CREATED, leader_person=person, title="Crèche 5h-23h"
    )
    project.needs.set([need])
    SupportPlan.objects.create(fabrique=team.fabrique, project=project, started_on="2025-02-03")
    Enterprise.objects.create(
        project=project,
        legal_name="SCIC Les Lève-Tôt",
        legal_form="scic",
        created_on="2025-09-01",
        jobs_fte=4,
    )
    project_update(project=project, actor=team.officer, summary="Résumé revu")
    # when
    page = unescape(login(team.reader).get(url("project_detail", team, pk=project.pk)).content.decode())
    # then
    assert study.title in page and need.title in page
    assert (
        reverse("backoffice:person_detail", kwargs={"fabrique_slug": team.fabrique.slug, "pk": person.pk})
        in page
    )
    assert "SCIC Les Lève-Tôt" in page
    assert "Accompagnement de" in page
    assert "Historique" in page and "Modification" in page
    assert "Modifier" not in page  # reader: no edit buttons


def test_detail_of_another_fabrique_is_404(team, other_team, login):
    project = make_project(other_team.fabrique)
    assert login(team.admin).get(url("project_detail", team, pk=project.pk)).status_code == 404
    assert login(team.reader).get(url("project_update", team, pk=project.pk)).status_code == 404


def test_update_saves_through_the_service(team, login):
    project = make_project(team.fabrique)
    response = login(team.officer).post(
        url("project_update", team, pk=project.pk),
        {"title": "Crèche des aurores", "summary": "", "public_summary": "Une crèche tôt", "is_public": "on"},
    )
    assert response.status_code == 302
    project.refresh_from_db()
    assert (project.title, project.is_public) == ("Crèche des aurores", True)
    assert AuditEntry.objects.for_target(project).filter(action="projects.project.updated").exists()


def test_update_bad_input_shows_french_errors_and_saves_nothing(team, login):
    project = make_project(team.fabrique)
    response = login(team.officer).post(
        url("project_update", team, pk=project.pk),
        {"title": "", "is_public": "on", "public_summary": "", "commune": "Nulle-Part-sur-Mer"},
    )
    page = unescape(response.content.decode())
    assert response.status_code == 200
    assert "Ce champ est obligatoire." in page
    assert "Aucune commune ne correspond à « Nulle-Part-sur-Mer »" in page
    project.refresh_from_db()
    assert project.title == "Crèche à horaires atypiques" and not project.is_public
    assert not AuditEntry.objects.for_target(project).exists()
    # the public-summary rule is the service's: shown once the form itself is valid
    response = login(team.officer).post(
        url("project_update", team, pk=project.pk),
        {"title": "Crèche", "is_public": "on", "public_summary": ""},
    )
    assert "Rédigez la présentation publique" in unescape(response.content.decode())
    project.refresh_from_db()
    assert not project.is_public


def test_reader_cannot_write(team, login):
    project = make_project(team.fabrique)
    client = login(team.reader)
    assert client.post(url("project_update", team, pk=project.pk), {"title": "X"}).status_code == 403
    assert client.post(url("project_stop", team, pk=project.pk), {"reason": "other"}).status_code == 403
    assert client.post(url("project_create", team), {"title": "X"}).status_code == 403
    assert not Project.objects.filter(title="X").exists()


def test_create_without_study(team, login):
    response = login(team.officer).post(url("project_create", team), {"title": "Épicerie mobile"})
    project = Project.objects.get(title="Épicerie mobile")
    assert response.url == url("project_detail", team, pk=project.pk)


def test_stop_page_keeps_the_reason(team, login):
    project = make_project(team.fabrique, stage=ProjectStage.LEADER_SELECTED)
    client = login(team.officer)
    assert "Arrêter" in unescape(client.get(url("project_stop", team, pk=project.pk)).content.decode())
    response = client.post(
        url("project_stop", team, pk=project.pk), {"reason": StopReason.OTHER, "details": ""}
    )
    assert "Précisez pourquoi le projet s'arrête (motif « autre »)." in unescape(response.content.decode())
    response = client.post(
        url("project_stop", team, pk=project.pk),
        {"reason": StopReason.LEADER_WITHDREW, "details": "Déménagement"},
    )
    assert response.status_code == 302
    project.refresh_from_db()
    assert project.stage == ProjectStage.STOPPED and project.stopped_at_stage == ProjectStage.LEADER_SELECTED
    page = unescape(client.get(url("project_detail", team, pk=project.pk)).content.decode())
    assert "Déménagement" in page and "retrait du porteur" in page
    # a stopped project cannot be stopped again
    assert "ne peut plus être arrêté" in unescape(
        client.get(url("project_stop", team, pk=project.pk)).content.decode()
    )


def test_direct_approach_records_an_application(team, login):
    project = make_project(team.fabrique)
    person = make_person(team.fabrique)
    response = login(team.officer).post(
        url("project_direct_approach", team, pk=project.pk),
        {"person": person.pk, "motivation": "A créé deux micro-crèches."},
    )
    application = Application.objects.get(project=project)
    assert response.url == url("application_detail", team, pk=application.pk)
    assert application.source == ApplicationSource.DIRECT and application.person == person
    assert application.email == person.email
    project.refresh_from_db()
    assert project.stage == ProjectStage.SEEKING_LEADER and project.recruitment_mode == "direct"


def test_direct_approach_can_designate_the_leader_at_once(
    team, login, django_capture_on_commit_callbacks, mailoutbox
):
    project = make_project(team.fabrique)
    organization = make_organization(team.fabrique, email="contact@coop.example.org")
    with django_capture_on_commit_callbacks(execute=True):
        response = login(team.officer).post(
            url("project_direct_approach", team, pk=project.pk),
            {
                "organization": organization.pk,
                "motivation": "Gère déjà trois crèches.",
                "designate": "on",
                "reasons": "Seule structure du territoire capable de porter le projet.",
            },
        )
    assert response.status_code == 302
    project.refresh_from_db()
    assert project.stage == ProjectStage.LEADER_SELECTED
    assert project.leader_organization == organization and project.recruitment_mode == "direct"
    application = Application.objects.get(project=project)
    assert application.stage == ApplicationStage.SELECTED
    assert [m.to for m in mailoutbox] == [["contact@coop.example.org"]]


def test_direct_approach_errors_save_nothing(team, login):
    project = make_project(team.fabrique)
    person = make_person(team.fabrique, email="")
    client = login(team.officer)
    page = unescape(
        client.post(url("project_direct_approach", team, pk=project.pk), {"motivation": "x"}).content.decode()
    )
    assert "Choisissez un contact ou une structure" in page
    page = unescape(
        client.post(
            url("project_direct_approach", team, pk=project.pk), {"person": person.pk, "motivation": "x"}
        ).content.decode()
    )
    assert "Indiquez une adresse e-mail" in page
    page = unescape(
        client.post(
            url("project_direct_approach", team, pk=project.pk),
            {"person": person.pk, "motivation": "x", "email": "a@b.fr", "designate": "on"},
        ).content.decode()
    )
    assert "Indiquez les motifs de la désignation directe." in page
    assert not Application.objects.exists()


def test_update_sets_the_commune_by_insee_code(team, login):
    from fabrique.territories.models import Commune

    nantes = Commune.objects.get(code="44109", kind="commune-actuelle")  # loaded by the territories fixture
    project = make_project(team.fabrique)
    response = login(team.officer).post(
        url("project_update", team, pk=project.pk), {"title": "X", "commune": "44109"}
    )
    assert response.status_code == 302
    project.refresh_from_db()
    assert project.commune == nantes
    assert "Nantes (44109)" in unescape(
        login(team.officer).get(url("project_update", team, pk=project.pk)).content.decode()
    )
