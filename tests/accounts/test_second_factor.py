"""The optional TOTP second factor (django-otp): enrolment, login with the code, backup codes, the
lockout shared with the password (django-axes), and a fabrique that requires it of its admins."""

import datetime
import html
import re
import time

import pytest
from django.contrib.auth import SESSION_KEY
from django.urls import reverse
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from fabrique.accounts.otp import PENDING_KEY, PENDING_SECONDS

from ..conftest import PASSWORD

pytestmark = pytest.mark.django_db

SETUP = "accounts:second_factor"


@pytest.fixture(autouse=True)
def _no_device_throttle(settings):
    """django-otp delays a device after a wrong code (1 s, 2 s, 4 s…); tests of the lockout turn it back on."""
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    settings.OTP_STATIC_THROTTLE_FACTOR = 0


def code_of(device: TOTPDevice, shift: int = 0) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=shift):06d}"


def enrolled(user) -> TOTPDevice:
    device = TOTPDevice.objects.create(user=user, name="totp", confirmed=True)
    return device


def password_login(client, user, next_url=""):
    data = {"username": user.email, "password": PASSWORD}
    if next_url:
        data["next"] = next_url
    return client.post(reverse("accounts:login"), data)


def text(response) -> str:
    return html.unescape(response.content.decode())


def dashboard(team) -> str:
    return reverse("backoffice:dashboard", kwargs={"fabrique_slug": team.fabrique.slug})


# --- enrolment ---------------------------------------------------------------------------------------


def test_enrolment_shows_a_local_svg_qr_code_then_confirms_with_a_code(client, team, login):
    login(team.officer)
    page = client.get(reverse(SETUP))
    assert page.status_code == 200
    body = page.content.decode()
    svg = body[body.index("<svg") : body.index("</svg>")]
    assert "<path" in svg and "http" not in svg.replace("http://www.w3.org/2000/svg", "")
    device = TOTPDevice.objects.get(user=team.officer)
    assert not device.confirmed
    secret = re.search(r'class="otp-secret">([A-Z2-7 ]+)<', body).group(1)
    assert len(secret.replace(" ", "")) == 32

    wrong = client.post(reverse(SETUP), {"action": "confirm", "code": "000000"})
    assert wrong.status_code == 400 and "Code incorrect" in text(wrong)
    device.refresh_from_db()
    assert not device.confirmed

    done = client.post(reverse(SETUP), {"action": "confirm", "code": code_of(device)})
    assert done.status_code == 200
    codes = re.findall(r"<li><code>([a-z0-9]+)</code></li>", done.content.decode())
    assert len(codes) == 10
    device.refresh_from_db()
    assert device.confirmed
    assert client.session[DEVICE_ID_SESSION_KEY] == device.persistent_id  # this session is verified
    assert "Le second facteur est activé" in text(client.get(reverse(SETUP)))


def test_the_enrolment_page_needs_a_login(client):
    response = client.get(reverse(SETUP))
    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login"))


# --- login -------------------------------------------------------------------------------------------


def test_password_login_without_a_device_is_unchanged(client, team):
    response = password_login(client, team.officer)
    assert response.status_code == 302
    assert client.session[SESSION_KEY] == str(team.officer.pk)


def test_a_user_with_a_device_gives_the_code_after_the_password(client, team):
    device = enrolled(team.officer)
    response = password_login(client, team.officer, next_url=dashboard(team))
    assert response["Location"] == reverse("accounts:login_code")
    assert SESSION_KEY not in client.session  # not logged in before the code
    assert client.get(dashboard(team)).status_code == 302
    assert client.get(reverse("accounts:login_code")).status_code == 200
    response = client.post(reverse("accounts:login_code"), {"code": code_of(device)})
    assert response["Location"] == dashboard(team)
    assert client.session[SESSION_KEY] == str(team.officer.pk)
    assert client.session[DEVICE_ID_SESSION_KEY] == device.persistent_id
    assert client.get(dashboard(team)).status_code == 200


def test_a_code_is_not_accepted_twice(client, team):
    device = enrolled(team.officer)
    code = code_of(device)
    password_login(client, team.officer)
    client.post(reverse("accounts:login_code"), {"code": code})
    client.logout()
    password_login(client, team.officer)
    response = client.post(reverse("accounts:login_code"), {"code": code})
    assert response.status_code == 400
    assert SESSION_KEY not in client.session


def test_a_backup_code_works_once(client, team, login):
    enrolled(team.officer)
    from fabrique.accounts.otp import new_backup_codes

    backup = new_backup_codes(team.officer)[0]
    password_login(client, team.officer)
    assert client.post(reverse("accounts:login_code"), {"code": backup}).status_code == 302
    assert client.session[SESSION_KEY] == str(team.officer.pk)
    assert not StaticToken.objects.filter(token=backup).exists()
    client.logout()
    password_login(client, team.officer)
    assert client.post(reverse("accounts:login_code"), {"code": backup}).status_code == 400


def test_the_pending_login_expires(client, team, monkeypatch):
    device = enrolled(team.officer)
    password_login(client, team.officer)
    later = time.time() + PENDING_SECONDS + 1
    monkeypatch.setattr("fabrique.accounts.otp.time.time", lambda: later)
    response = client.post(reverse("accounts:login_code"), {"code": code_of(device)})
    assert response["Location"] == reverse("accounts:login")
    assert SESSION_KEY not in client.session and PENDING_KEY not in client.session


def test_the_code_page_without_a_pending_login_goes_back_to_the_login(client):
    assert client.get(reverse("accounts:login_code"))["Location"] == reverse("accounts:login")


# --- lockout (django-axes) and throttling ------------------------------------------------------------


def test_wrong_codes_count_as_failed_logins_and_lock_the_account(client, team, settings):
    device = enrolled(team.officer)
    password_login(client, team.officer)
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        response = client.post(reverse("accounts:login_code"), {"code": "123456"})
        assert response.status_code == 400
    locked = client.post(reverse("accounts:login_code"), {"code": "123456"})
    assert locked.status_code == 429
    assert "Trop de tentatives" in text(locked)
    assert SESSION_KEY not in client.session
    # the account is locked: neither the password nor a right code gets in
    assert password_login(client, team.officer).status_code == 429
    after = client.post(reverse("accounts:login_code"), {"code": code_of(device)})
    assert after.status_code == 302 and after["Location"] == reverse("accounts:login")  # start again
    assert SESSION_KEY not in client.session


def test_wrong_codes_and_wrong_passwords_add_up(client, team, settings):
    enrolled(team.officer)
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        client.post(reverse("accounts:login"), {"username": team.officer.email, "password": "faux"})
    password_login(client, team.officer)
    assert client.post(reverse("accounts:login_code"), {"code": "123456"}).status_code == 429


def test_a_right_code_resets_the_failures(client, team, settings):
    device = enrolled(team.officer)
    password_login(client, team.officer)
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        client.post(reverse("accounts:login_code"), {"code": "123456"})
    assert client.post(reverse("accounts:login_code"), {"code": code_of(device)}).status_code == 302
    client.logout()
    password_login(client, team.officer)
    assert client.post(reverse("accounts:login_code"), {"code": "123456"}).status_code == 400  # not locked


def test_the_device_is_throttled_after_a_wrong_code(client, team, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 1
    device = enrolled(team.officer)
    password_login(client, team.officer)
    client.post(reverse("accounts:login_code"), {"code": "123456"})
    # within the delay a right code is refused too: guesses cannot be fired quickly
    refused = client.post(reverse("accounts:login_code"), {"code": code_of(device)})
    assert refused.status_code == 400 and "Patientez quelques secondes" in text(refused)
    device.refresh_from_db()
    assert device.throttling_failure_count == 1  # the refused try was not even checked


# --- a fabrique that requires the second factor of its admins -----------------------------------------


@pytest.fixture
def strict(team):
    team.fabrique.admins_require_otp = True
    team.fabrique.save(update_fields=["admins_require_otp"])
    return team


def test_an_admin_without_a_device_must_enrol_before_the_back_office(client, strict, login):
    login(strict.admin)
    response = client.get(dashboard(strict))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse(SETUP) + "?next=")
    page = client.get(response["Location"])
    assert "Obligatoire pour les administrateur·rices de : Fabrique de test Nantes" in text(page)
    device = TOTPDevice.objects.get(user=strict.admin)
    done = client.post(
        reverse(SETUP), {"action": "confirm", "code": code_of(device), "next": dashboard(strict)}
    )
    assert done.status_code == 200 and f'href="{dashboard(strict)}"' in done.content.decode()
    assert client.get(dashboard(strict)).status_code == 200


def test_an_admin_with_a_device_but_an_unverified_session_gives_the_code(client, strict, login):
    device = enrolled(strict.admin)
    login(strict.admin)  # a session opened before the device (another browser)
    response = client.get(dashboard(strict))
    assert response["Location"].startswith(reverse("accounts:login_code") + "?next=")
    assert client.post(response["Location"], {"code": code_of(device)})["Location"] == dashboard(strict)
    assert client.get(dashboard(strict)).status_code == 200


def test_other_roles_are_not_forced(client, strict, login):
    login(strict.officer)
    assert client.get(dashboard(strict)).status_code == 200


def test_the_api_session_of_an_unverified_admin_is_refused_but_tokens_are_unaffected(client, strict, login):
    from fabrique.api.tokens import api_token_create

    url = reverse("api:organization-list", kwargs={"fabrique_slug": strict.fabrique.slug})
    login(strict.admin)
    assert client.get(url).status_code == 403
    client.logout()
    _token, clear = api_token_create(
        user=strict.admin,
        fabrique=strict.fabrique,
        actor=strict.admin,
        name="outil",
        scope="read",
        expires_on=timezone.localdate() + datetime.timedelta(days=30),
    )
    assert client.get(url, HTTP_AUTHORIZATION=f"Bearer {clear}").status_code == 200


def test_an_admin_of_a_strict_fabrique_cannot_turn_the_second_factor_off(client, strict, login):
    device = enrolled(strict.admin)
    login(strict.admin)
    response = client.post(reverse(SETUP), {"action": "disable", "code": code_of(device)})
    assert response.status_code == 302
    assert TOTPDevice.objects.filter(user=strict.admin).exists()


def test_a_user_turns_the_second_factor_off_with_a_code(client, team, login):
    device = enrolled(team.officer)
    login(team.officer)
    assert client.post(reverse(SETUP), {"action": "disable", "code": "000000"}).status_code == 400
    assert client.post(reverse(SETUP), {"action": "disable", "code": code_of(device)}).status_code == 302
    assert not TOTPDevice.objects.filter(user=team.officer).exists()
    assert password_login(client, team.officer)["Location"] != reverse("accounts:login_code")


def test_new_backup_codes_need_a_verified_session(client, team, login):
    device = enrolled(team.officer)
    login(team.officer)
    assert client.post(reverse(SETUP), {"action": "backup_codes"}).status_code == 302
    client.post(reverse("accounts:login_code"), {"code": code_of(device)})
    page = client.post(reverse(SETUP), {"action": "backup_codes"})
    assert len(re.findall(r"<li><code>", page.content.decode())) == 10


def test_the_fabrique_settings_page_offers_the_requirement(client, team, login):
    login(team.admin)
    page = client.get(reverse("backoffice:fabrique_settings", kwargs={"fabrique_slug": team.fabrique.slug}))
    assert 'name="admins_require_otp"' in page.content.decode()
    assert "second facteur obligatoire pour les administrateurs" in text(page).lower()
