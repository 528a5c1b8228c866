"""The change-of-scale path: an existing structure extends its activity to answer a need (issue 14)."""

from html import unescape

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from fabrique.audit.models import AuditEntry
from fabrique.core.errors import DomainError, TransitionNotAllowed
from fabrique.needs.models import NeedStage
from fabrique.projects.models import Project, ProjectStage, RecruitmentMode
from fabrique.projects.services import project_create_scale_up
from fabrique.recruitment.models import Call

from .factories import make_need, make_organization

pytestmark = pytest.mark.django_db


def url(name, team, **kwargs):
    return reverse(f"backoffice:{name}", kwargs={"fabrique_slug": team.fabrique.slug, **kwargs})


def test_a_retained_need_goes_to_a_project_led_by_the_structure_without_a_call(team):
    need = make_need(team.fabrique, title="Pas de recyclerie au sud Loire", stage=NeedStage.RETAINED)
    org = make_organization(team.fabrique, name="Recyclerie Nord Atlantique")
    project = project_create_scale_up(
        need=need, organization=org, actor=team.officer, reasons="Elle réussit à Saint-Herblain."
    )
    project.refresh_from_db()
    need.refresh_from_db()
    assert project.stage == ProjectStage.LEADER_SELECTED
    assert project.recruitment_mode == RecruitmentMode.SCALE_UP
    assert project.leader_organization == org and list(project.needs.all()) == [need]
    assert project.title == "Pas de recyclerie au sud Loire"
    assert need.stage == NeedStage.ANSWERED
    assert not Call.objects.filter(project=project).exists()
    created = AuditEntry.objects.get(action="projects.project.created", target_id=str(project.pk))
    assert "Changement d'échelle" in created.note and "Saint-Herblain" in created.note
    assert AuditEntry.objects.filter(action="needs.need.answered", target_id=str(need.pk)).exists()


@pytest.mark.parametrize("stage", [NeedStage.NEW, NeedStage.QUALIFYING, NeedStage.NOT_RETAINED])
def test_only_a_retained_need_or_one_in_study_can_change_scale(team, stage):
    need = make_need(team.fabrique, stage=stage)
    org = make_organization(team.fabrique)
    with pytest.raises(TransitionNotAllowed, match="Seul un besoin retenu ou en étude"):
        project_create_scale_up(need=need, organization=org, actor=team.officer, reasons="x")
    assert not Project.objects.exists()


def test_reasons_and_a_structure_of_the_fabrique_are_required(team, other_team):
    need = make_need(team.fabrique, stage=NeedStage.RETAINED)
    with pytest.raises(ValidationError):
        project_create_scale_up(
            need=need, organization=make_organization(team.fabrique), actor=team.officer, reasons=" "
        )
    with pytest.raises(DomainError, match="annuaire de la fabrique"):
        project_create_scale_up(
            need=need, organization=make_organization(other_team.fabrique), actor=team.officer, reasons="x"
        )
    assert not Project.objects.exists()


def test_the_need_page_offers_the_path_and_the_form_creates_the_project(team, login):
    need = make_need(team.fabrique, title="Réparation de vélos à Rezé", stage=NeedStage.RETAINED)
    make_organization(team.fabrique, name="Atelier Vélo Nantais")
    client = login(team.officer)
    page = unescape(client.get(url("need_detail", team, pk=need.pk)).content.decode())
    assert "Confier à une structure existante" in page
    form = unescape(client.get(url("need_scale_up", team, pk=need.pk)).content.decode())
    assert "Réparation de vélos à Rezé" in form  # the title proposed
    response = client.post(
        url("need_scale_up", team, pk=need.pk),
        {
            "organization": "Atelier Vélo Nantais",
            "title": "Atelier vélo à Rezé",
            "reasons": "Déjà 3 ateliers.",
        },
    )
    project = Project.objects.get()
    assert response.status_code == 302 and response["Location"] == url("project_detail", team, pk=project.pk)
    page = unescape(client.get(url("project_detail", team, pk=project.pk)).content.decode())
    assert "changement d'échelle d'une structure existante" in page and "Atelier Vélo Nantais" in page


def test_the_form_says_what_is_wrong_and_creates_nothing(team, login):
    need = make_need(team.fabrique, stage=NeedStage.RETAINED)
    client = login(team.officer)
    response = client.post(
        url("need_scale_up", team, pk=need.pk), {"organization": "", "title": "", "reasons": ""}
    )
    assert response.status_code == 200
    assert "Ce champ est obligatoire" in unescape(response.content.decode())
    assert not Project.objects.exists()
