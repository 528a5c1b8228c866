"""The map of needs per territory on the Rapports page: counts per commune and EPCI in one query, the
server-drawn SVG, its data tables (the accessible alternative) and their drill-down links."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from fabrique.core.indicators import Filters, Period, indicator
from fabrique.reporting.maps import needs_map

from .builders import need, places

pytestmark = pytest.mark.django_db

Y2025 = Period.year(2025)


@pytest.fixture
def world(team, other_team):
    f = team.fabrique
    p = places()
    nantes, small = p["nantes"], p["small"]
    for day in ("2025-02-01", "2025-03-01", "2025-09-30"):
        need(f, day, commune=nantes, theme="food")
    need(f, "2025-04-01", commune=small)
    need(f, "2025-05-01", epci=nantes.epci)  # recorded at the EPCI level, no commune
    need(f, "2025-05-02")  # no place at all
    need(f, "2024-05-01", commune=small)  # another year
    need(other_team.fabrique, "2025-05-01", commune=nantes)  # another fabrique
    return {"f": f, "nantes": nantes, "small": small}


def test_needs_per_commune_and_epci_in_one_query(world):
    nantes, small = world["nantes"], world["small"]
    with CaptureQueriesContext(connection) as ctx:
        found = needs_map(world["f"], period=Y2025)
    assert len(ctx.captured_queries) == 1
    assert found.total == 6 == indicator("needs.detected").value(world["f"], period=Y2025)
    assert found.without_commune == 2
    assert [(t.label, t.count) for t in found.communes] == [
        (f"{nantes.name} ({nantes.departement_id})", 3),
        (f"{small.name} ({small.departement_id})", 1),
    ]
    # Nantes' 3 and the need recorded at the level of Nantes' EPCI
    epcis = {t.label: t.count for t in found.epcis}
    assert epcis[nantes.epci.name] == 4 and epcis[small.epci.name] == 1
    assert sum(epcis.values()) == 5  # the need without any place is in no EPCI
    assert found.svg.startswith("<svg") and 'role="img"' in found.svg
    assert f"{nantes.name} : 3 besoins" in found.svg
    assert found.located == 2 == found.drawn


def test_the_map_follows_the_page_filters(world):
    nantes = world["nantes"]
    found = needs_map(world["f"], period=Period.quarter(2025, 1))
    assert [(t.label, t.count) for t in found.communes] == [(f"{nantes.name} ({nantes.departement_id})", 2)]
    assert needs_map(world["f"], period=Y2025, filters=Filters(workstream_id=-1)).total == 0
    empty = needs_map(world["f"], period=Period.year(2020))
    assert empty.total == 0 and empty.svg == ""


def test_the_reporting_page_shows_the_map_with_its_tables_and_drill_down(world, team, login):
    nantes = world["nantes"]
    client = login(team.reader)
    slug = team.fabrique.slug
    html = client.get(
        reverse("backoffice:reporting_dashboard", kwargs={"fabrique_slug": slug}), {"year": 2025}
    ).content.decode()
    assert "Carte des besoins par territoire" in html
    assert 'aria-label="Carte des besoins détectés par commune"' in html
    assert "Besoins détectés par commune" in html and "Besoins détectés par intercommunalité" in html
    # each count leads to the needs it counts: the commune breakdown of the page
    links = re.findall(r'href="([^"]*breakdown=commune&amp;bucket=[^"]*)"', html)
    assert links
    drill = client.get(links[0].replace("&amp;", "&"))
    assert drill.status_code == 200
    assert drill.context["page_obj"].paginator.count == 3
    assert nantes.name in drill.content.decode()
