"""Back-office territory pages: search, detail pages, French 404, access."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def url(name, fabrique, **kwargs):
    return reverse(f"backoffice:{name}", kwargs={"fabrique_slug": fabrique.slug, **kwargs})


@pytest.fixture
def reader_client(team, login):
    return login(team.reader)


def test_urls(fabrique):
    assert url("territory_search", fabrique) == f"/espace/{fabrique.slug}/territoires/"
    assert url("commune_detail", fabrique, code="44162").endswith("/territoires/communes/44162/")
    assert url("epci_detail", fabrique, siren="244400404").endswith("/territoires/epci/244400404/")
    assert url("departement_detail", fabrique, code="44").endswith("/territoires/departements/44/")
    assert url("qpv_detail", fabrique, code="QN04405M").endswith("/territoires/qpv/QN04405M/")


def test_search_page(reader_client, fabrique):
    response = reader_client.get(url("territory_search", fabrique))
    assert response.status_code == 200
    assert "Territoires" in response.content.decode()
    response = reader_client.get(url("territory_search", fabrique), {"q": "st herblain"})
    html = response.content.decode()
    assert "1 résultat pour « st herblain »" in html
    assert url("commune_detail", fabrique, code="44162") in html
    assert "Nantes Métropole · Loire-Atlantique" in html


def test_search_page_type_filter_and_htmx_fragment(reader_client, fabrique):
    response = reader_client.get(
        url("territory_search", fabrique),
        {"q": "nantes", "type": "epci"},
        headers={"HX-Request": "true", "HX-Target": "territory-results"},
    )
    html = response.content.decode()
    assert "<html" not in html  # only the results
    assert url("epci_detail", fabrique, siren="244400404") in html
    assert url("commune_detail", fabrique, code="44109") not in html


def test_commune_page(reader_client, fabrique):
    response = reader_client.get(url("commune_detail", fabrique, code="44162"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>Saint-Herblain</h1>" in html
    assert "50\xa0973" in html  # French grouping
    assert "44800" in html
    assert url("epci_detail", fabrique, siren="244400404") in html
    assert url("departement_detail", fabrique, code="44") in html
    assert "Pays de la Loire" in html
    assert url("qpv_detail", fabrique, code="QN04405M") in html  # Bellevue
    assert url("qpv_detail", fabrique, code="QN04419I") in html  # Le Sillon de Bretagne


def test_commune_deleguee_page_links_its_commune(reader_client, fabrique):
    html = reader_client.get(url("commune_detail", fabrique, code="44004")).content.decode()
    assert "<h1>Anetz</h1>" in html and "Commune de rattachement" in html
    assert url("commune_detail", fabrique, code="44163") in html
    parent = reader_client.get(url("commune_detail", fabrique, code="44163")).content.decode()
    assert "Communes déléguées et associées" in parent and "Anetz" in parent


def test_epci_page(reader_client, fabrique):
    response = reader_client.get(url("epci_detail", fabrique, siren="244400404"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>Nantes Métropole</h1>" in html and "Métropole" in html
    assert html.count("/territoires/communes/44") >= 24  # the 24 member communes
    assert html.index(">Nantes<") < html.index(">Rezé<")  # by population
    assert url("qpv_detail", fabrique, code="QN04405M") in html


def test_departement_page(reader_client, fabrique):
    response = reader_client.get(url("departement_detail", fabrique, code="85"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Vendée (85)" in html and "Pays de la Loire" in html
    assert url("commune_detail", fabrique, code="85191") in html
    assert url("epci_detail", fabrique, siren="248500589") in html
    assert url("qpv_detail", fabrique, code="QN08501I") in html


def test_qpv_page(reader_client, fabrique):
    response = reader_client.get(url("qpv_detail", fabrique, code="QN04405M"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>Bellevue</h1>" in html
    assert url("commune_detail", fabrique, code="44109") in html
    assert url("commune_detail", fabrique, code="44162") in html


@pytest.mark.parametrize(
    "name, kwargs, message",
    [
        ("commune_detail", {"code": "99999"}, "Aucune commune ne porte le code INSEE « 99999 »."),
        ("epci_detail", {"siren": "123456789"}, "Aucune intercommunalité ne porte le SIREN « 123456789 »."),
        ("departement_detail", {"code": "00"}, "Aucun département ne porte le code « 00 »."),
        ("qpv_detail", {"code": "QN99999Z"}, "Aucun quartier prioritaire ne porte le code « QN99999Z »."),
    ],
)
def test_unknown_code_is_a_french_404(reader_client, fabrique, name, kwargs, message):
    response = reader_client.get(url(name, fabrique, **kwargs))
    assert response.status_code == 404
    html = response.content.decode()
    assert "Territoire introuvable" in html
    assert message in html


def test_access(client, team, other_team, login):
    page = url("commune_detail", team.fabrique, code="44162")
    assert client.get(page).status_code == 302  # anonymous: to the login page
    assert login(other_team.admin).get(page).status_code == 404  # not a member of this fabrique
    for role in ("admin", "officer", "committee", "reader"):
        assert login(team.user(role)).get(page).status_code == 200
