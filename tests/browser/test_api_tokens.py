"""Personal API tokens in a real browser (issue 13): create a token on « Jetons d'API », copy it once,
call the API with it from outside the session, revoke it; desktop and phone, accessibility."""

import urllib.error
import urllib.request

import pytest
from playwright.sync_api import expect

from .conftest import DESKTOP, PHONE, assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def call_api(url: str, token: str) -> int:
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310  (the live test server)
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code


def test_create_use_and_revoke_a_token(page, live_server, team, log_in, shoot, axe):
    page.set_viewport_size(DESKTOP)
    log_in(page, team.officer)
    page.get_by_role("link", name="Jetons d'API").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mes jetons d'API")
    assert_accessible(axe(page))
    page.get_by_label("Nom du jeton").fill("Tableur de suivi")
    page.get_by_label("Portée").select_option("write")
    page.get_by_role("button", name="Créer le jeton").click()
    expect(page.get_by_text("il ne sera plus jamais affiché")).to_be_visible()
    token = page.get_by_label("Jeton", exact=True).input_value()
    assert token.startswith("fab_")
    assert_accessible(axe(page))
    shoot(page, "api-tokens-created-desktop")

    api = f"{live_server.url}/api/v1/{team.fabrique.slug}/studies/"
    assert call_api(api, token) == 200
    assert call_api(api, token + "x") == 401

    page.set_viewport_size(PHONE)
    page.goto(page.url)  # a new GET: the clear token is gone
    expect(page.get_by_text("il ne sera plus jamais affiché")).to_have_count(0)
    shoot(page, "api-tokens-phone")
    page.get_by_role("button", name="Révoquer Tableur de suivi").click()
    expect(page.get_by_text("est révoqué")).to_be_visible()
    assert call_api(api, token) == 401
