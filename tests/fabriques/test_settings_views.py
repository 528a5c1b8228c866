"""Administrators manage their fabrique: presentation, territory covered, team and roles."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from fabrique.accounts.models import User
from fabrique.audit.models import AuditEntry
from fabrique.fabriques.models import Membership, Role

pytestmark = pytest.mark.django_db


def url(name, team, **kwargs):
    return reverse(f"backoffice:{name}", kwargs={"fabrique_slug": team.fabrique.slug, **kwargs})


def test_admin_updates_the_presentation_and_the_territory_covered(team, login):
    client = login(team.admin)
    response = client.post(
        url("fabrique_settings", team),
        {
            "name": "Fabrique de la métropole",
            "short_description": "Courte",
            "contact_email": "contact@example.org",
            "coverage": "244400404; 44",
        },
    )
    assert response.status_code == 302
    team.fabrique.refresh_from_db()
    assert team.fabrique.name == "Fabrique de la métropole"
    assert [e.siren for e in team.fabrique.epcis.all()] == ["244400404"]
    assert [d.code for d in team.fabrique.departements.all()] == ["44"]
    entry = AuditEntry.objects.filter(action="fabriques.fabrique.updated").latest("id")
    assert entry.actor == team.admin


def test_bad_input_is_refused_in_french_and_nothing_saved(team, login):
    client = login(team.admin)
    response = client.post(
        url("fabrique_settings", team), {"name": "", "contact_email": "pas-un-email", "coverage": "Atlantide"}
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Saisissez une adresse e-mail valide" in page
    assert "Aucun territoire ne correspond" in page
    team.fabrique.refresh_from_db()
    assert team.fabrique.name == "Fabrique de test Nantes"


def test_inviting_a_new_person_creates_the_account_and_sends_a_password_link(
    team, login, django_capture_on_commit_callbacks
):
    client = login(team.admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url("team_invite", team),
            {
                "email": "Nouvelle@Example.org",
                "first_name": "Léa",
                "last_name": "Roy",
                "role": Role.COMMITTEE,
            },
        )
    assert response.status_code == 302
    user = User.objects.get(email="nouvelle@example.org")
    assert not user.has_usable_password()
    assert Membership.objects.get(user=user, fabrique=team.fabrique).role == Role.COMMITTEE
    assert len(mail.outbox) == 1
    assert "Invitation" in mail.outbox[0].subject
    link = re.search(r"https?://[^/]+(/compte/mot-de-passe/nouveau/\S+/\S+/)", mail.outbox[0].body).group(1)
    client.logout()
    page = client.get(link, follow=True)
    response = client.post(
        page.redirect_chain[-1][0],
        {"new_password1": "un-mot-de-passe-solide", "new_password2": "un-mot-de-passe-solide"},
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("un-mot-de-passe-solide")


def test_the_last_admin_cannot_lose_the_role(team, login):
    client = login(team.admin)
    admin_membership = Membership.objects.get(user=team.admin, fabrique=team.fabrique)
    response = client.post(
        url("membership_update", team, pk=admin_membership.pk), {"role": Role.READER, "is_active": "on"}
    )
    assert response.status_code == 200
    assert "au moins un·e administrateur·rice" in response.content.decode()
    admin_membership.refresh_from_db()
    assert admin_membership.role == Role.ADMIN


def test_suspending_a_member_removes_their_access(team, login, client):
    admin = login(team.admin)
    membership = Membership.objects.get(user=team.reader, fabrique=team.fabrique)
    response = admin.post(url("membership_update", team, pk=membership.pk), {"role": Role.READER})
    assert response.status_code == 302
    membership.refresh_from_db()
    assert not membership.is_active
    client.force_login(team.reader, backend="django.contrib.auth.backends.ModelBackend")
    assert client.get(url("dashboard", team)).status_code == 404


def test_only_administrators_see_the_settings(team, login):
    assert login(team.officer).get(url("fabrique_settings", team)).status_code == 403
