"""One lockout per account on the login form (issue 9, item 7); the API takes no password (issue 13)."""

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


def login(client, email: str, password: str, **extra):
    return client.post(reverse("accounts:login"), {"username": email, "password": password}, **extra)


def test_the_api_refuses_a_password_even_a_right_one(client, team):
    response = client.get(api_url(team), **basic(team.reader.email, PASSWORD))
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_basic_attempts_on_the_api_do_not_lock_the_account(client, team, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT + 1):
        client.get(api_url(team), **basic(team.reader.email, "faux"))
    assert login(client, team.reader.email, PASSWORD).status_code == 302


def test_wrong_logins_lock_one_account_not_the_others_from_the_same_address(client, team, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        login(client, team.officer.email, "faux")
    assert login(client, team.officer.email, PASSWORD, REMOTE_ADDR="10.7.7.8").status_code == 429
    assert login(client, team.reader.email, PASSWORD).status_code == 302


def test_the_lock_ignores_the_case_of_the_address(client, team, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        login(client, team.reader.email.upper(), "faux")
    assert login(client, team.reader.email, PASSWORD, REMOTE_ADDR="10.7.7.9").status_code == 429
