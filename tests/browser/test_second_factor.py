"""The second factor in a real browser (issue 13 §5): an admin of a fabrique that requires it is sent to
enrol, scans (reads) the secret, confirms with a code, keeps the backup codes, then logs in again with
the code step; the login page offers ProConnect when it is configured. Desktop and phone, axe."""

import re
from base64 import b32decode

import pytest
from django_otp.oath import totp
from playwright.sync_api import expect

from tests.conftest import PASSWORD

from .conftest import DESKTOP, PHONE, assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def code_for(secret: str) -> str:
    return f"{totp(b32decode(secret.replace(' ', ''))):06d}"


def test_an_admin_enrols_then_logs_in_with_the_code(page, live_server, team, log_in, shoot, axe):
    team.fabrique.admins_require_otp = True
    team.fabrique.save(update_fields=["admins_require_otp"])
    page.set_viewport_size(DESKTOP)
    log_in(page, team.admin)
    # the back-office is closed until the admin enrols
    expect(page.get_by_role("heading", level=1)).to_have_text("Second facteur de connexion")
    expect(page.get_by_text("exige un second facteur")).to_be_visible()
    expect(page.locator(".qr-code svg")).to_be_visible()
    assert_accessible(axe(page))
    shoot(page, "second-factor-enrol-desktop")

    secret = page.locator(".otp-secret").inner_text()
    page.get_by_label("Code à usage unique").fill("000000")
    page.get_by_role("button", name="Activer le second facteur").click()
    expect(page.locator("#id_code_error")).to_contain_text("Code incorrect")
    page.wait_for_timeout(1200)  # django-otp's delay after a wrong code (1 s)
    page.get_by_label("Code à usage unique").fill(code_for(secret))
    page.get_by_role("button", name="Activer le second facteur").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Vos codes de secours")
    codes = page.locator(".backup-codes code").all_inner_texts()
    assert len(codes) == 10
    assert_accessible(axe(page))
    shoot(page, "second-factor-backup-codes-desktop")
    page.get_by_role("link", name="Continuer").click()
    expect(page).to_have_url(re.compile(rf"/espace/{team.fabrique.slug}/"))

    # a new login, on a phone: the password, then a code (a backup code: the app's code was just used)
    page.get_by_role("button", name="Se déconnecter").click()
    page.set_viewport_size(PHONE)
    log_in(page, team.admin)
    expect(page.get_by_role("heading", level=1)).to_have_text("Second facteur")
    assert_accessible(axe(page))
    shoot(page, "second-factor-login-code-phone")
    page.get_by_label("Code à usage unique").fill("999999")
    page.get_by_role("button", name="Valider").click()
    expect(page.locator("#id_code_error")).to_contain_text("Code incorrect ou déjà utilisé")
    page.wait_for_timeout(1200)
    page.get_by_label("Code à usage unique").fill(codes[0])
    page.get_by_role("button", name="Valider").click()
    expect(page.get_by_role("link", name="Second facteur")).to_be_visible()
    page.goto(f"{live_server.url}/espace/{team.fabrique.slug}/")
    expect(page).to_have_url(re.compile(rf"/espace/{team.fabrique.slug}/$"))
    page.get_by_role("link", name="Second facteur").click()
    expect(page.get_by_text("Il vous reste 9 codes de secours")).to_be_visible()
    assert_accessible(axe(page))
    shoot(page, "second-factor-enabled-phone")


def test_the_login_page_offers_proconnect_when_configured(page, live_server, settings, shoot, axe):
    settings.OIDC_ISSUER = "https://proconnect.example/api/v2"
    settings.OIDC_RP_CLIENT_ID = "fabrique"
    settings.OIDC_PROVIDER_NAME = "ProConnect"
    for size, name in ((DESKTOP, "desktop"), (PHONE, "phone")):
        page.set_viewport_size(size)
        page.goto(f"{live_server.url}/compte/connexion/")
        link = page.get_by_role("link", name="Se connecter avec ProConnect")
        expect(link).to_be_visible()
        assert link.get_attribute("href") == "/compte/connexion/oidc/"
        assert_accessible(axe(page))
        shoot(page, f"login-proconnect-{name}")
    assert PASSWORD  # the password form stays below the provider's button
    expect(page.get_by_label("Mot de passe")).to_be_visible()
