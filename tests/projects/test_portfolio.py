from html import unescape

import pytest
from django.urls import reverse

from fabrique.projects.models import Enterprise, ProjectStage
from fabrique.recruitment.models import CallStage

from ..recruitment.factories import make_application, make_call
from .factories import make_person, make_project

pytestmark = pytest.mark.django_db


def portfolio(client, fabrique):
    response = client.get(reverse("public:project_portfolio", kwargs={"fabrique_slug": fabrique.slug}))
    assert response.status_code == 200
    return unescape(response.content.decode())


def test_portfolio_shows_public_projects_in_plain_french(client, team, other_team):
    # given
    seeking = make_project(
        team.fabrique,
        title="Garage solidaire",
        is_public=True,
        public_summary="Réparer sa voiture à petit prix.",
    )
    created = make_project(
        team.fabrique,
        title="Crèche des aurores",
        is_public=True,
        public_summary="Une crèche ouverte de 5 h à 23 h.",
        stage=ProjectStage.CREATED,
    )
    Enterprise.objects.create(
        project=created,
        legal_name="SCIC Les Lève-Tôt",
        legal_form="scic",
        created_on="2024-09-01",
        jobs_fte=4,
        website="https://leve-tot.example.org",
    )
    make_project(team.fabrique, title="Projet confidentiel", is_public=False, public_summary="Secret")
    make_project(team.fabrique, title="Projet arrêté", is_public=True, stage=ProjectStage.STOPPED)
    make_project(other_team.fabrique, title="Projet de Vendée", is_public=True)
    call = make_call(seeking, title="Appel garage solidaire")
    make_call(seeking, title="Appel brouillon", stage=CallStage.DRAFT)
    # when
    page = portfolio(client, team.fabrique)
    # then
    assert "Garage solidaire" in page and "Réparer sa voiture à petit prix." in page
    assert "Nous cherchons la personne ou la structure qui portera ce projet" in page
    assert "L'activité a été créée" in page and "SCIC Les Lève-Tôt" in page and "créée en 2024" in page
    assert (
        "Projet confidentiel" not in page and "Projet arrêté" not in page and "Projet de Vendée" not in page
    )
    assert (
        reverse("public:call_detail", kwargs={"fabrique_slug": team.fabrique.slug, "call_slug": call.slug})
        in page
    )
    assert "Appel brouillon" not in page
    assert reverse("public:call_list", kwargs={"fabrique_slug": team.fabrique.slug}) in page


def test_portfolio_shows_no_private_data(client, team):
    leader = make_person(
        team.fabrique, first_name="Hortense", last_name="Leporteur", email="hortense@example.org"
    )
    project = make_project(
        team.fabrique,
        title="Épicerie mobile",
        is_public=True,
        public_summary="Une épicerie qui vient au village.",
        summary="Note interne : budget fragile",
        officer=team.officer,
        leader_person=leader,
        stage=ProjectStage.LEADER_SELECTED,
    )
    make_application(
        make_call(project), first_name="Candide", last_name="Postulant", email="candide@example.org"
    )
    page = portfolio(client, team.fabrique)
    assert "Une épicerie qui vient au village." in page
    for private in (
        "budget fragile",
        "Hortense",
        "hortense@example.org",
        "Candide",
        "candide@",
        team.officer.email,
    ):
        assert private not in page


def test_unknown_fabrique_is_404(client):
    assert (
        client.get(reverse("public:project_portfolio", kwargs={"fabrique_slug": "nulle-part"})).status_code
        == 404
    )
