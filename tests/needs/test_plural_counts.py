"""The needs list counts in French: "0 besoin", "1 besoin", "2 besoins" (French takes the singular for
0 and 1; without the French catalogue gettext used the English rule and printed "0 besoins")."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def _status(client, fabrique, **query) -> str:
    url = reverse("backoffice:need_list", kwargs={"fabrique_slug": fabrique.slug})
    html = client.get(url, query).content.decode()
    start = html.index('<p class="meta" role="status">')
    return html[start : html.index("</p>", start)].split(">", 1)[1]


def test_the_needs_list_counts_zero_one_and_two_needs_in_french(login, team, make_need):
    client = login(team.reader)
    assert _status(client, team.fabrique) == "0 besoin"
    make_need(title="Laverie solidaire")
    assert _status(client, team.fabrique) == "1 besoin"
    make_need(title="Covoiturage")
    assert _status(client, team.fabrique) == "2 besoins"


def test_the_verb_agrees_with_the_count_of_a_search(login, team, make_need):
    make_need(title="Laverie solidaire")
    make_need(title="Covoiturage")
    client = login(team.reader)
    assert _status(client, team.fabrique, q="zzz") == "0 besoin correspond à la recherche"
    assert _status(client, team.fabrique, q="lave") == "1 besoin correspond à la recherche"
    assert _status(client, team.fabrique, q="a") == "2 besoins correspondent à la recherche"
