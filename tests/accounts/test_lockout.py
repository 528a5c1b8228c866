"""One lockout per account, shared by the login form and the API's Basic auth (issue 9, item 7)."""

import base64

import pytest
from django.urls import reverse

from ..conftest import PASSWORD

pytestmark = pytest.mark.django_db


def basic(email: str, password: str) -> dict:
    token = base64.b64encode(f"{email}:{password}".encode()).decode()
    return {"HTTP_AUTHORIZATION": f"Basic {token}"}


def api_url(team) -> str:
    return reverse("api:organization-list", kwargs={"fabrique_slug": team.fabrique.slug})


def test_wrong_api_logins_from_one_address_do_not_lock_other_accounts(client, team, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT + 1):
        client.get(api_url(team), **basic(team.officer.email, "faux"))
    # then: the attacked account is locked, the others log in from the same address
    assert client.get(api_url(team), **basic(team.officer.email, PASSWORD)).status_code in (401, 403, 429)
    assert client.get(api_url(team), **basic(team.reader.email, PASSWORD)).status_code == 200


def test_an_account_locked_on_the_login_form_cannot_log_in_through_the_api(client, team, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("accounts:login"), {"username": team.reader.email, "password": "faux"})
    # when: the right password through the API, from another address
    response = client.get(api_url(team), REMOTE_ADDR="10.7.7.7", **basic(team.reader.email, PASSWORD))
    # then
    assert response.status_code in (401, 403, 429)


def test_an_account_locked_through_the_api_cannot_use_the_login_form(client, team, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.get(api_url(team), **basic(team.reader.email.upper(), "faux"))
    response = client.post(
        reverse("accounts:login"),
        {"username": team.reader.email, "password": PASSWORD},
        REMOTE_ADDR="10.7.7.8",
    )
    assert response.status_code == 429
