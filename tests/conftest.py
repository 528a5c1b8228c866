"""Fixtures shared by every test module: two fabriques, one user per role, helpers to log in."""

import os
from dataclasses import dataclass

import pytest

from fabrique.accounts.models import User
from fabrique.fabriques.models import Fabrique, Membership, Role

PASSWORD = "motdepasse-de-test-42"


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Territories of Loire-Atlantique (44) and Vendée (85) in every test database (about 1 s)."""
    from tests.territories.fixtures import load_test_territories

    with django_db_blocker.unblock():
        load_test_territories()


@dataclass
class Team:
    fabrique: Fabrique
    admin: User
    officer: User
    committee: User
    reader: User
    partner: User

    def user(self, role: str) -> User:
        return getattr(self, role)


def make_user(email: str, *, first_name: str = "", last_name: str = "", **extra) -> User:
    return User.objects.create_user(email, PASSWORD, first_name=first_name, last_name=last_name, **extra)


def make_team(slug: str, name: str) -> Team:
    fabrique = Fabrique.objects.create(slug=slug, name=name)
    users = {}
    for role in ("admin", "officer", "committee", "reader", "partner"):
        user = make_user(f"{role}@{slug}.test", first_name=role.capitalize(), last_name=slug.upper())
        Membership.objects.create(user=user, fabrique=fabrique, role=getattr(Role, role.upper()))
        users[role] = user
    return Team(fabrique=fabrique, **users)


@pytest.fixture
def team(db) -> Team:
    return make_team("nantes", "Fabrique de test Nantes")


@pytest.fixture
def other_team(db) -> Team:
    return make_team("vendee", "Fabrique de test Vendée")


@pytest.fixture
def fabrique(team) -> Fabrique:
    return team.fabrique


@pytest.fixture
def officer(team) -> User:
    return team.officer


@pytest.fixture
def network_head(db) -> User:
    return make_user("reseau@avise.test", first_name="Tête", last_name="Réseau", is_network_head=True)


@pytest.fixture
def login(client):
    """login(user) logs the Django test client in as `user` and returns the client."""

    def _login(user):
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        return client

    return _login


# --- browser tests -----------------------------------------------------------------------------

# Playwright's sync API runs an event loop in the test thread; the ORM calls made by the test
# itself (fixtures, assertions) are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("FABRIQUE_CHROMIUM", "/usr/bin/chromium")


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """Debian's Chromium, never a downloaded browser; flags that work as root on a closed network."""
    if not os.path.exists(CHROMIUM):
        if os.environ.get("CI") == "true":
            pytest.fail(f"Chromium missing at {CHROMIUM} (CI=true)")
        pytest.skip(f"Chromium missing at {CHROMIUM}: browser tests skipped")
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-dev-shm-usage",
        ],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    # bypass_csp: the axe-core check injects its script inline, which the site's Content-Security-Policy
    # forbids (rightly); the policy itself is checked by tests/test_security_headers.py
    return {**browser_context_args, "locale": "fr-FR", "timezone_id": "Europe/Paris", "bypass_csp": True}
