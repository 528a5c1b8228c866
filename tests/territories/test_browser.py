"""Territory pages and the autocomplete widget in a real browser (desktop and phone, keyboard, axe)."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import DESKTOP, PHONE, assert_accessible, axe, log_in, shoot  # noqa: F401

from .fixtures import load_test_territories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def territories(transactional_db):
    load_test_territories(force=True)


@pytest.fixture
def widget_page(settings, live_server, territories):
    settings.ROOT_URLCONF = "tests.territories.widget_urls"
    return f"{live_server.url}/essai-territoires/"


def test_autocomplete_with_the_keyboard(page, widget_page, shoot, axe):  # noqa: F811
    page.set_viewport_size(DESKTOP)
    page.goto(widget_page)
    commune = page.get_by_role("combobox", name="Commune")
    commune.focus()
    page.keyboard.type("st herb")
    option = page.get_by_role("option", name="Saint-Herblain (44) — commune")
    expect(option).to_be_visible()
    shoot(page, "territory-autocomplete-desktop", full_page=False)
    page.keyboard.press("Enter")
    coverage = page.get_by_role("combobox", name="Territoire couvert")
    coverage.focus()
    page.keyboard.type("nantes metro")
    expect(page.get_by_role("option", name="Nantes Métropole — EPCI")).to_be_visible()
    page.keyboard.press("Enter")
    page.keyboard.type("vendee")
    expect(page.get_by_role("option", name="Vendée (85) — département")).to_be_visible()
    page.keyboard.press("Enter")
    assert_accessible(axe(page))
    page.get_by_role("button", name="Envoyer").click()
    expect(page.locator("#result")).to_have_text("Saint-Herblain | Vendée, Nantes Métropole")


def test_autocomplete_on_a_phone(page, widget_page, shoot):  # noqa: F811
    page.set_viewport_size(PHONE)
    page.goto(widget_page)
    page.get_by_role("combobox", name="Commune").click()
    page.keyboard.type("reze")
    expect(page.get_by_role("option", name="Rezé (44) — commune")).to_be_visible()
    shoot(page, "territory-autocomplete-phone", full_page=False)


def test_without_javascript_the_server_resolves_what_is_typed(browser, widget_page):
    context = browser.new_context(java_script_enabled=False, locale="fr-FR")
    page = context.new_page()
    page.goto(widget_page)
    page.get_by_label("Commune").fill("44240")  # two communes share this postal code
    page.get_by_role("button", name="Envoyer").click()
    expect(page.get_by_role("alert")).to_contain_text("désigne plusieurs communes")
    page.get_by_label("Commune").fill("44800")
    page.get_by_label("Territoire couvert").fill("Nantes Métropole; 85")
    page.get_by_role("button", name="Envoyer").click()
    expect(page.locator("#result")).to_have_text("Saint-Herblain | Vendée, Nantes Métropole")
    context.close()


def test_back_office_pages(page, live_server, team, territories, log_in, shoot, axe):  # noqa: F811
    page.set_viewport_size(DESKTOP)
    log_in(page, team.reader)
    base = f"{live_server.url}/espace/{team.fabrique.slug}/territoires/"
    page.goto(base)
    page.get_by_label("Nom, code postal ou code").fill("st herblain")
    page.keyboard.press("Enter")
    page.get_by_role("link", name="Saint-Herblain").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Saint-Herblain")
    assert_accessible(axe(page))
    shoot(page, "territory-commune-desktop")
    page.get_by_role("link", name="Nantes Métropole").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Nantes Métropole")
    assert_accessible(axe(page))
    shoot(page, "territory-epci-desktop")
    for path, name in (("departements/44/", "departement"), ("qpv/QN04405M/", "qpv")):
        page.goto(base + path)
        assert_accessible(axe(page))
        shoot(page, f"territory-{name}-desktop")
    page.set_viewport_size(PHONE)
    for path, name in (
        ("communes/44162/", "commune"),
        ("epci/244400404/", "epci"),
        ("?q=la+roche", "search"),
    ):
        page.goto(base + path)
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"] + 1, name
        shoot(page, f"territory-{name}-phone")
    page.goto(base + "communes/99999/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Territoire introuvable")


def test_live_search_results(page, live_server, team, territories, log_in):  # noqa: F811
    page.set_viewport_size(DESKTOP)
    log_in(page, team.reader)
    page.goto(f"{live_server.url}/espace/{team.fabrique.slug}/territoires/")
    page.get_by_label("Nom, code postal ou code").type("rezé")
    expect(page.get_by_role("status")).to_contain_text("pour « rezé »")
    expect(page.get_by_role("link", name="Rezé")).to_be_visible()
