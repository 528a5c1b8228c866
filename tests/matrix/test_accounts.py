"""The account pages in the permission matrix: every URL of the `accounts` namespace is declared in
tests/matrix/accounts.py with who gets what and a query budget; OpenID Connect is configured against
a provider run on 127.0.0.1, so its two URLs are checked as a deployment with ProConnect serves them."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.accounts.oidc_provider import CLIENT_ID, CLIENT_SECRET, OpenIDProvider
from tests.conftest import make_team, make_user

from .accounts import ACCOUNT_PAGES, POST_ONLY
from .test_matrix import discover

pytestmark = pytest.mark.django_db

ACTORS = ("anonymous", "admin", "officer", "partner", "other_fabrique_admin", "network_head")


@pytest.fixture(scope="module")
def provider():
    with OpenIDProvider() as op:
        yield op


@pytest.fixture
def configured(settings, provider):
    settings.OIDC_ISSUER = provider.issuer
    settings.OIDC_RP_CLIENT_ID = CLIENT_ID
    settings.OIDC_RP_CLIENT_SECRET = CLIENT_SECRET
    return provider


@pytest.fixture
def people(db):
    team, other = make_team("nantes", "Nantes"), make_team("vendee", "Vendée")
    return {
        "anonymous": None,
        "admin": team.admin,
        "officer": team.officer,
        "partner": team.partner,
        "other_fabrique_admin": other.admin,
        "network_head": make_user("tete@reseau.test", is_network_head=True),
    }


def test_every_account_url_is_declared():
    names = {name for name, _route, _kwargs in discover(namespaces=("accounts",))}
    assert names, "no account URL discovered"
    assert names - set(ACCOUNT_PAGES) == set(), "declare these account URLs in tests/matrix/accounts.py"
    assert set(ACCOUNT_PAGES) - names == set()


@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize("name", sorted(ACCOUNT_PAGES))
def test_account_page_access(configured, people, name, actor):
    rule = ACCOUNT_PAGES[name]
    client = Client()
    if people[actor] is not None:
        client.force_login(people[actor], backend="django.contrib.auth.backends.ModelBackend")
    response = client.get(reverse(name, kwargs=rule.params()))
    expected = rule.anonymous if actor == "anonymous" else rule.member
    assert response.status_code in expected, f"{name} GET as {actor}: {response.status_code}"
    assert response.status_code < 500


@pytest.mark.parametrize("name", sorted(ACCOUNT_PAGES))
def test_account_page_query_budget(configured, people, name):
    rule = ACCOUNT_PAGES[name]
    client = Client()
    if rule.member != POST_ONLY:
        client.force_login(people["admin"], backend="django.contrib.auth.backends.ModelBackend")
    url = reverse(name, kwargs=rule.params())
    client.get(url)  # warm: process caches (content types, the provider's discovery document)
    with CaptureQueriesContext(connection) as ctx:
        client.get(url)
    assert len(ctx) <= rule.queries, f"{name}: {len(ctx)} queries, budget {rule.queries}"
