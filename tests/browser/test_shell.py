"""The page shell in a real browser: login, navigation, skip link, phone layout, accessibility."""

import pytest
from playwright.sync_api import expect

from .conftest import DESKTOP, PHONE, assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_login_dashboard_and_logout(page, live_server, team, log_in, shoot, axe):
    page.set_viewport_size(DESKTOP)
    page.goto(f"{live_server.url}/")
    assert_accessible(axe(page))
    shoot(page, "public-home")
    log_in(page, team.officer)
    expect(page.get_by_role("heading", level=1)).to_have_text("Fabrique de test Nantes")
    expect(page.get_by_role("navigation", name="Navigation principale")).to_be_visible()
    assert_accessible(axe(page))
    shoot(page, "dashboard-desktop")
    # keyboard: the first Tab reaches the skip link, which moves focus to the main content
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Aller au contenu")).to_be_focused()
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "contenu"
    page.get_by_role("button", name="Se déconnecter").click()
    expect(page.get_by_role("link", name="Se connecter")).to_be_visible()


def test_phone_menu_opens(page, live_server, team, log_in, shoot):
    page.set_viewport_size(PHONE)
    log_in(page, team.reader)
    nav_link = page.get_by_role("navigation", name="Navigation principale").get_by_role(
        "link", name="Accueil"
    )
    expect(nav_link).to_be_hidden()
    page.get_by_role("button", name="Menu").click()
    expect(nav_link).to_be_visible()
    shoot(page, "dashboard-phone")


def test_wrong_password_message_in_french(page, live_server, team):
    page.goto(f"{live_server.url}/compte/connexion/")
    page.get_by_label("Adresse e-mail").fill(team.officer.email)
    page.get_by_label("Mot de passe").fill("pas le bon")
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_role("alert")).to_contain_text("mot de passe incorrect")
