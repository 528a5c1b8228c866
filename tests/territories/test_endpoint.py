"""Public autocomplete endpoint /territoires/recherche/."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def search(client, **params):
    response = client.get(reverse("public:territory_search"), params)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    return response.json()


def test_url():
    assert reverse("public:territory_search") == "/territoires/recherche/"


def test_answers_hits_for_anonymous_visitors(client):
    data = search(client, q="st herblain", types="commune")
    assert data["query"] == "st herblain"
    hit = data["results"][0]
    assert hit["value"] == "commune:44162"
    assert hit["kind"] == "commune" and hit["code"] == "44162"
    assert hit["label"] == "Saint-Herblain (44) — commune"
    assert hit["population"] == 50973
    assert hit["context"] == "Nantes Métropole · Loire-Atlantique"


def test_types_filter(client):
    assert {h["kind"] for h in search(client, q="nantes", types="epci")["results"]} == {"epci"}
    kinds = {h["kind"] for h in search(client, q="nantes", types="commune,epci,bogus")["results"]}
    assert kinds == {"commune", "epci"}
    assert {h["kind"] for h in search(client, q="nantes", types="bogus")["results"]} >= {"commune", "epci"}


def test_limit_is_bounded(client):
    assert len(search(client, q="st", limit="3")["results"]) == 3
    assert len(search(client, q="st", limit="500")["results"]) == 20
    assert len(search(client, q="st", limit="abc")["results"]) == 10


def test_empty_and_short_queries(client):
    assert search(client)["results"] == []
    assert search(client, q="s")["results"] == []


def test_cacheable_and_get_only(client):
    response = client.get(reverse("public:territory_search"), {"q": "reze"})
    assert "max-age=3600" in response["Cache-Control"]
    assert client.post(reverse("public:territory_search"), {"q": "reze"}).status_code == 405
