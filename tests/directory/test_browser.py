"""Directory and workstream pages in a real browser: forms, errors, phone layout, accessibility."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import DESKTOP, PHONE, assert_accessible
from tests.workstreams.factories import make_workstream

from .factories import make_organization, make_person

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_create_an_organization_with_errors_then_a_duplicate(page, live_server, team, log_in, shoot, axe):
    existing = make_organization(team.fabrique, team.officer, name="La Ruche", siren="552100554")
    page.set_viewport_size(DESKTOP)
    log_in(page, team.officer)
    page.get_by_role("navigation", name="Navigation principale").get_by_role("link", name="Annuaire").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Annuaire — structures")
    assert_accessible(axe(page))
    page.get_by_role("link", name="Ajouter une structure").click()
    page.get_by_label("Nom").fill("Ruche (antenne de Rezé)")
    page.get_by_label("Type de structure").select_option(label="association")
    page.get_by_label("SIREN").fill("552100555")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_role("alert")).to_contain_text("clé de contrôle incorrecte")
    assert_accessible(axe(page))
    shoot(page, "directory-organization-form-error")
    page.get_by_label("SIREN").fill("552 100 554")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.locator(".warning-box")).to_contain_text("Doublon probable")
    expect(page.get_by_role("link", name="La Ruche")).to_have_attribute(
        "href", f"/espace/{team.fabrique.slug}/annuaire/structures/{existing.pk}/"
    )
    assert_accessible(axe(page))
    shoot(page, "directory-organization-duplicate")
    page.get_by_label("Je confirme qu'il ne s'agit pas d'un doublon").check()
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Ruche (antenne de Rezé)")
    expect(page.locator(".timeline")).to_contain_text("Création — structure")
    assert_accessible(axe(page))
    shoot(page, "directory-organization-detail")


def test_lists_and_details_on_a_phone(page, live_server, team, log_in, shoot, axe):
    org = make_organization(
        team.fabrique,
        team.officer,
        name="Les Écossolies",
        siren="552100554",
        roles=["support-network", "copil-member"],
        phone="0240123456",
    )
    person = make_person(
        team.fabrique,
        team.officer,
        first_name="Hélène",
        last_name="Gaudin",
        organization=org,
        email="helene@example.org",
    )
    ws = make_workstream(team.fabrique, team.officer, name="Réemploi", lead=team.officer, members=[org])
    page.set_viewport_size(PHONE)
    log_in(page, team.officer)
    base = f"{live_server.url}/espace/{team.fabrique.slug}"
    for path, name in (
        ("/annuaire/structures/?q=ecossolies", "directory-organization-list-phone"),
        (f"/annuaire/structures/{org.pk}/", "directory-organization-detail-phone"),
        ("/annuaire/contacts/", "directory-person-list-phone"),
        (f"/annuaire/contacts/{person.pk}/", "directory-person-detail-phone"),
        ("/chantiers/", "workstream-list-phone"),
        (f"/chantiers/{ws.pk}/", "workstream-detail-phone"),
        ("/annuaire/contacts/nouveau/", "directory-person-form-phone"),
        ("/chantiers/nouveau/", "workstream-form-phone"),
    ):
        page.goto(base + path)
        assert_accessible(axe(page))
        # nothing wider than the screen
        shoot(page, name)
        # our blocks fit the screen (the shared timeline include is checked by its owner)
        widest = page.evaluate(
            "Math.max(...[...document.querySelectorAll('main .card, main .table-wrap, main .filters, main h1')]"
            ".map(e => e.getBoundingClientRect().right))"
        )
        assert widest <= PHONE["width"], path
    page.goto(base + "/annuaire/structures/")
    expect(page.locator("td[data-label='Nom']").first).to_have_text("Les Écossolies")
