import re

import pytest
from django.core import mail
from django.urls import reverse

from ..conftest import PASSWORD

pytestmark = pytest.mark.django_db


def test_login_redirects_a_single_fabrique_member_to_its_dashboard(client, team):
    response = client.post(
        reverse("accounts:login"), {"username": team.officer.email, "password": PASSWORD}, follow=True
    )
    assert response.redirect_chain[-1][0] == reverse(
        "backoffice:dashboard", kwargs={"fabrique_slug": "nantes"}
    )
    assert "Fabrique de test Nantes" in response.content.decode()


def test_wrong_password_shows_a_french_error(client, team):
    response = client.post(reverse("accounts:login"), {"username": team.officer.email, "password": "faux"})
    assert response.status_code == 200
    assert "Adresse e-mail ou mot de passe incorrect" in response.content.decode()


def test_login_is_throttled_after_repeated_failures(client, team, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("accounts:login"), {"username": team.officer.email, "password": "faux"})
    response = client.post(reverse("accounts:login"), {"username": team.officer.email, "password": PASSWORD})
    assert response.status_code == 429
    assert "Trop de tentatives" in response.content.decode()


def test_logout_requires_post_and_ends_the_session(client, login, team):
    login(team.reader)
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert client.get(reverse("backoffice:home")).status_code == 302


def test_password_reset_by_email(client, team):
    response = client.post(reverse("accounts:password_reset"), {"email": team.reader.email})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    body = mail.outbox[0].body
    assert "réinitialisation" in mail.outbox[0].subject
    link = re.search(r"https?://[^/]+(/compte/mot-de-passe/nouveau/\S+)", body).group(1)
    response = client.get(link, follow=True)
    assert response.status_code == 200
    new_password = "un-nouveau-mot-de-passe-solide"
    response = client.post(
        response.redirect_chain[-1][0], {"new_password1": new_password, "new_password2": new_password}
    )
    assert response.status_code == 302
    team.reader.refresh_from_db()
    assert team.reader.check_password(new_password)


def test_unknown_email_gets_the_same_answer_and_no_mail(client, db):
    response = client.post(reverse("accounts:password_reset"), {"email": "inconnu@example.org"})
    assert response.status_code == 302
    assert mail.outbox == []


def test_password_reset_is_throttled_per_address_with_the_same_answer(client, team):
    # when: 17 requests for one address in a burst, from several clients
    answers = [
        client.post(
            reverse("accounts:password_reset"), {"email": team.reader.email}, REMOTE_ADDR=f"10.0.0.{i}"
        )
        for i in range(17)
    ]
    # then: a few e-mails at most, and every answer is the ordinary confirmation
    assert len(mail.outbox) == 3
    assert {a.status_code for a in answers} == {302}
    assert {a["Location"] for a in answers} == {reverse("accounts:password_reset_done")}


def test_password_reset_is_throttled_per_client(client, team, db):
    from fabrique.accounts.models import User

    emails = [f"personne{i}@example.org" for i in range(25)]
    for email in emails:
        User.objects.create_user(email, "x-motdepasse-solide-1")
    for email in emails:
        response = client.post(reverse("accounts:password_reset"), {"email": email}, REMOTE_ADDR="10.9.9.9")
        assert response.status_code == 302
    assert len(mail.outbox) == 10
    # another client is not limited by this one
    client.post(reverse("accounts:password_reset"), {"email": team.reader.email}, REMOTE_ADDR="10.8.8.8")
    assert len(mail.outbox) == 11
