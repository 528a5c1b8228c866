"""Readings of a territory, the context of a need: flags, nearby needs, existing offer."""

import pytest

from fabrique.intelligence.models import Indicator, IndicatorValue
from fabrique.intelligence.selectors import (
    existing_offer,
    nearby_needs,
    need_context,
    territory_indicators,
    zone_readings,
)
from fabrique.territories.models import EPCI, QPV, Commune, Departement

from .conftest import commune

pytestmark = pytest.mark.django_db


def by_code(readings):
    return {r.indicator.code: r for r in readings}


def test_commune_readings_with_references_and_iris(team, reference_data):
    data = territory_indicators(fabrique=team.fabrique, territory=commune("44109"))
    readings = by_code(data.readings)
    median = readings["filosofi-2021-revenu-median"]
    assert median.value == 24170
    assert median.departement is not None and median.departement_label == "Loire-Atlantique"
    assert median.france is not None
    assert median.display == "24\u00a0170\u00a0€"
    poverty = readings["filosofi-2021-taux-pauvrete"]
    assert poverty.computed
    assert poverty.worse  # Nantes: 16.6 % against 12.3 % for Loire-Atlantique
    assert "nettement plus élevé que Loire-Atlantique" in poverty.worse_text
    assert len(data.iris) > 80
    assert data.iris[0]["code"].startswith("44109")


def test_epci_departement_and_qpv_readings(team, reference_data):
    epci = territory_indicators(fabrique=team.fabrique, territory=EPCI.objects.get(siren="244400404"))
    assert by_code(epci.readings)["filosofi-2021-revenu-median"].departement is not None
    dep = territory_indicators(fabrique=team.fabrique, territory=Departement.objects.get(code="44"))
    median = by_code(dep.readings)["filosofi-2021-revenu-median"]
    assert median.departement is None and median.france is not None
    qpv = territory_indicators(fabrique=team.fabrique, territory=QPV.objects.get(code="QN04405M"))
    assert qpv.readings == []  # no QPV-level indicator loaded
    assert qpv.communes_label in {"Nantes", "Saint-Herblain"}
    assert qpv.communes_readings


def test_a_fabrique_sees_its_imports_not_the_others(team, other_team, reference_data):
    own = Indicator.objects.create(
        fabrique=team.fabrique,
        code="a",
        name="Indicateur A",
        source="s",
        vintage="1",
        unit="",
        licence="l",
        level="commune",
    )
    other = Indicator.objects.create(
        fabrique=other_team.fabrique,
        code="b",
        name="Indicateur B",
        source="s",
        vintage="1",
        unit="",
        licence="l",
        level="commune",
    )
    for indicator in (own, other):
        IndicatorValue.objects.create(indicator=indicator, level="commune", code="44109", value=1)
    names = {
        r.indicator.name
        for r in territory_indicators(fabrique=team.fabrique, territory=commune("44109")).readings
    }
    assert "Indicateur A" in names and "Indicateur B" not in names


def test_need_context_flags(nantes):
    rural = need_context(need=nantes.mobility_rural)
    assert rural.rural
    assert any("commune rurale" in f.label for f in rural.flags)
    assert rural.commune.name == "Remouillé"
    bellevue = need_context(need=nantes.food_bellevue)
    assert bellevue.qpv.name == "Bellevue"
    assert any("quartier prioritaire : Bellevue" in f.label for f in bellevue.flags)
    nantes_need = need_context(need=nantes.housing_nantes)
    assert any(
        "quartiers prioritaires" in f.label or "quartier prioritaire" in f.label for f in nantes_need.flags
    )
    assert any("Taux de pauvreté" in f.label for f in nantes_need.flags)


def test_existing_offer_finds_the_local_structures_and_says_why(nantes):
    offer = existing_offer(need=nantes.mobility_rural)
    names = [item.title for item in offer.organizations]
    assert names == ["Mobil'Aide Vignoble"]  # not the far one in Vendée, not the town hall
    reasons = " ".join(offer.organizations[0].reasons)
    assert "membre du chantier « Mobilité inclusive »" in reasons
    assert "transport" in reasons
    assert offer.organizations[0].nearness.same_epci
    # the Rezé garage project is on the same workstream but 25 km away
    assert offer.projects == []
    assert (
        existing_offer(need=nantes.mobility_rural, radius_km=40).projects[0].title
        == "Garage solidaire de Rezé"
    )


def test_existing_offer_of_food_in_bellevue(nantes):
    offer = existing_offer(need=nantes.food_bellevue)
    assert [i.title for i in offer.organizations] == ["Épicerie solidaire de Bellevue"]
    assert offer.organizations[0].nearness.same_commune
    assert existing_offer(need=nantes.housing_nantes).count == 0


def test_existing_offer_needs_a_theme(nantes):
    from fabrique.needs.services import need_create

    need = need_create(
        fabrique=nantes.team.fabrique,
        actor=nantes.team.officer,
        title="Sans thème",
        commune=commune("44109"),
    )
    assert existing_offer(need=need).missing_theme


def test_network_projects_public_only(nantes, other_team):
    from fabrique.projects.services import project_create

    for public in (True, False):
        project_create(
            fabrique=other_team.fabrique,
            actor=other_team.admin,
            title=f"Transport solidaire {'public' if public else 'privé'}",
            public_summary="Des chauffeurs bénévoles.",
            is_public=public,
            commune=commune("44043"),
        )
    offer = existing_offer(need=nantes.mobility_rural)
    assert [i.title for i in offer.network_projects] == ["Transport solidaire public"]
    assert offer.network_projects[0].fabrique_name == other_team.fabrique.name
    assert offer.network_projects[0].obj is None  # no link to another fabrique's page


def test_nearby_needs(nantes):
    near = nearby_needs(need=nantes.mobility_rural, radius_km=25)
    assert [n.need for n in near] == [nantes.mobility_vallet]
    assert near[0].same_theme
    assert 10 < near[0].nearness.distance < 25
    # the three Nantes Métropole needs are neighbours through their EPCI
    metro = nearby_needs(need=nantes.housing_nantes, radius_km=1)
    assert nantes.food_bellevue in [n.need for n in metro]
    assert all(n.nearness.same_epci for n in metro)


def test_zone_readings_combine_communes(team, reference_data):
    communes = list(Commune.objects.filter(epci_id="244400404", kind="commune-actuelle"))
    readings = by_code(zone_readings(fabrique=team.fabrique, communes=communes))
    stored = IndicatorValue.objects.get(
        indicator__code="filosofi-2021-revenu-median", level="epci", code="244400404"
    )
    assert readings["filosofi-2021-revenu-median"].value == pytest.approx(stored.value, rel=1e-6)
    assert readings["filosofi-2021-revenu-median"].coverage == pytest.approx(1.0)


def test_context_of_a_need_placed_on_an_epci_only(nantes):
    from fabrique.needs.services import need_create

    need = need_create(
        fabrique=nantes.team.fabrique,
        actor=nantes.team.officer,
        title="Toute la métropole",
        epci=EPCI.objects.get(siren="244400404"),
        theme="food",
    )
    context = need_context(need=need)
    assert context.place_name == "Nantes Métropole"
    assert by_code(context.readings)["filosofi-2021-revenu-median"].value is not None
    assert nantes.food_bellevue in [n.need for n in context.nearby]  # same EPCI
    assert [i.title for i in context.offer.organizations] == ["Épicerie solidaire de Bellevue"]
