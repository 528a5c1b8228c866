"""The indicators registry: declared by the domain apps, read by the dashboard and the network head.

- the network head's page costs the same number of queries with 2 and with 6 fabriques (one grouped
  query per column, not one count per fabrique);
- the grouped values equal the per-fabrique values;
- every dashboard tile links to a list that shows exactly the rows it counts.
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from fabrique.core.indicators import indicators
from tests.conftest import make_team
from tests.directory.factories import make_organization, make_person
from tests.world import build_world

# tiles whose list cannot show exactly what they count, and why
NOT_A_LIST_OF_THE_ROWS = {
    "committees.meetings_this_quarter": "no meeting list yet: the tile opens the committees page",
    "support.jobs_fte": "a sum of jobs, not a count of rows: the tile opens the enterprises it sums",
    "directory.people": "the people list also shows anonymised contacts, which the tile leaves out",
}


def _network_page(client):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("network:home"))
    assert response.status_code == 200
    return len(queries), response.content.decode()


def _fabrique_with_rows(index: int):
    team = make_team(f"net-{index}", f"Fabrique réseau {index}")
    for n in range(index % 3 + 1):
        make_organization(team.fabrique, team.officer, name=f"Structure {index}-{n}")
    make_person(team.fabrique, team.officer)
    return team


@pytest.mark.django_db
def test_the_network_page_costs_the_same_with_2_and_6_fabriques(login, network_head):
    teams = [_fabrique_with_rows(i) for i in range(2)]
    client = login(network_head)
    with_two, page = _network_page(client)
    assert all(t.fabrique.name in page for t in teams)
    teams += [_fabrique_with_rows(i) for i in range(2, 6)]
    with_six, page = _network_page(client)
    assert all(t.fabrique.name in page for t in teams)
    assert with_six == with_two


@pytest.mark.django_db
def test_grouped_values_equal_each_fabrique_value():
    teams = [_fabrique_with_rows(i) for i in range(3)]
    for indicator in indicators():
        grouped = indicator.by_fabrique()
        for team in teams:
            assert grouped.get(team.fabrique.pk, 0) == indicator.value(team.fabrique), indicator.key


@pytest.mark.django_db
def test_every_dashboard_tile_lists_exactly_what_it_counts(client):
    world = build_world()
    fabrique = world.a.team.fabrique
    client.force_login(world.a.team.admin)
    checked = []
    for indicator in indicators(dashboard=True):
        url = indicator.url(fabrique)
        assert url, f"{indicator.key}: a dashboard tile must open the list of what it counts"
        response = client.get(url)
        assert response.status_code == 200, url
        if indicator.key in NOT_A_LIST_OF_THE_ROWS:
            continue
        context = response.context
        listed = context["paginator"].count if context.get("paginator") else len(context["studies"])
        assert listed == indicator.value(fabrique), f"{indicator.key}: {url} lists {listed}"
        checked.append(indicator.key)
    assert "recruitment.applications_to_evaluate" in checked


@pytest.mark.django_db
def test_the_dashboard_shows_one_tile_per_dashboard_indicator(login, team):
    page = login(team.reader).get(
        reverse("backoffice:dashboard", kwargs={"fabrique_slug": team.fabrique.slug})
    )
    body = page.content.decode()
    for indicator in indicators(dashboard=True):
        assert indicator.url(team.fabrique).replace("&", "&amp;") in body, indicator.key
