"""The template tags other pages include: territory indicators, need context panel, existing offer."""

import pytest
from django.template import Context, Template
from django.test import RequestFactory

from fabrique.fabriques.models import Membership
from fabrique.territories.models import EPCI

from .conftest import commune

pytestmark = pytest.mark.django_db


def render(source: str, team, user, **context) -> str:
    request = RequestFactory().get("/")
    request.user = user
    membership = Membership.objects.get(user=user, fabrique=team.fabrique)
    template = Template("{% load intelligence_tags %}" + source)
    return template.render(
        Context({"fabrique": team.fabrique, "membership": membership, "request": request, **context})
    )


def test_territory_indicators_tag(team, reference_data):
    html = render("{% territory_indicators territory %}", team, team.officer, territory=commune("44109"))
    assert "Revenu disponible médian" in html and "Loire-Atlantique" in html and "Par IRIS" in html
    assert "?territoires=commune%3A44109" in html  # officers may start a diagnosis from here
    html = render(
        "{% territory_indicators territory %}",
        team,
        team.reader,
        territory=EPCI.objects.get(siren="244400404"),
    )
    assert "Revenu disponible médian" in html and "Diagnostic territorial" not in html


def test_need_context_panel_tag(nantes):
    team = nantes.team
    html = render("{% need_context_panel need %}", team, team.reader, need=nantes.mobility_rural)
    assert "Contexte territorial" in html and "commune rurale" in html
    assert "Mobil&#x27;Aide Vignoble" in html
    assert f"/besoins/{nantes.mobility_rural.pk}/contexte/" in html


def test_existing_offer_tag(nantes):
    team = nantes.team
    html = render("{% existing_offer need %}", team, team.officer, need=nantes.food_bellevue)
    assert "pas déjà couvert" in html and "Épicerie solidaire de Bellevue" in html and "même commune" in html


def test_territory_activity_tag(nantes, other_team):
    from fabrique.needs.services import need_create
    from fabrique.territories.models import QPV, Departement

    need_create(
        fabrique=other_team.fabrique,
        actor=other_team.officer,
        title="Besoin ZZB",
        commune=commune("44109"),
    )
    team = nantes.team
    html = render(
        "{% territory_activity territory %}", team, team.reader, territory=EPCI.objects.get(siren="244400404")
    )
    assert "Besoins signalés (2)" in html
    assert (
        "Manger frais à petit prix" in html
        and "Logements pour apprentis" in html
        and "Besoin ZZB" not in html
    )
    assert "Garage solidaire de Rezé" in html and "Épicerie solidaire de Bellevue" in html
    html = render(
        "{% territory_activity territory %}", team, team.reader, territory=QPV.objects.get(code="QN04405M")
    )
    assert "Manger frais à petit prix" in html and "Logements pour apprentis" not in html
    html = render(
        "{% territory_activity territory %}", team, team.reader, territory=Departement.objects.get(code="44")
    )
    assert "Besoins signalés (4)" in html
    html = render("{% territory_activity territory %}", team, team.reader, territory=commune("44142"))
    assert "Besoin signalé (1)" in html


def test_territory_map_tag(nantes):
    team = nantes.team
    html = render(
        "{% territory_map territory %}", team, team.reader, territory=EPCI.objects.get(siren="244400404")
    )
    assert "<svg" in html and "Saint-Herblain : 1 besoin" in html and "Bellevue" in html
    html = render("{% territory_map territory %}", team, team.reader, territory=commune("85191"))
    assert "<circle" in html  # no shipped boundary in Vendée: a circle at the centre


def test_territory_activity_is_bounded_and_counts_every_need(nantes):
    from fabrique.intelligence.activity import MAX_LISTED, territory_activity
    from fabrique.needs.services import need_create
    from fabrique.territories.models import Departement

    team = nantes.team
    departement = Departement.objects.get(code="44")
    before = territory_activity(fabrique=team.fabrique, territory=departement)
    for i in range(MAX_LISTED + 2):
        need_create(
            fabrique=team.fabrique,
            actor=team.officer,
            title=f"Besoin nombreux {i:02d}",
            commune=commune("44109"),
        )
    activity = territory_activity(fabrique=team.fabrique, territory=departement)
    assert activity.needs_total == before.needs_total + MAX_LISTED + 2
    assert sum(row.total for row in activity.themes) == activity.needs_total
    # the latest only, newest first
    assert [n.title for n in activity.latest_needs] == [
        f"Besoin nombreux {i:02d}" for i in range(MAX_LISTED + 1, 1, -1)
    ]
