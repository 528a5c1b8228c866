"""Committee and study pages in a real browser: the decision flow, the phone layout, accessibility."""

import pytest
from playwright.sync_api import expect

from fabrique.committees.services import agenda_item_add
from fabrique.studies.services import workshop_create
from tests.browser.conftest import DESKTOP, PHONE, assert_accessible
from tests.directory.factories import make_person

from .factories import make_awaiting_study, make_committee, make_meeting

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_committee_decides_a_study(page, live_server, team, log_in, shoot, axe):
    members = [
        make_person(team.fabrique, team.admin, first_name="Léa", last_name=n) for n in ("Durand", "Benali")
    ]
    committee = make_committee(team.fabrique, team.officer, name="Copil mobilité solidaire", members=members)
    meeting = make_meeting(committee, team.officer, attendees=members)
    study = make_awaiting_study(team.fabrique, team.officer, title="Garage solidaire itinérant")
    workshop_create(study=study, actor=team.officer, title="Idéation", date="2030-03-01")
    agenda_item_add(meeting=meeting, actor=team.officer, target=study, presenter="Camille")
    base = f"{live_server.url}/espace/{team.fabrique.slug}"

    page.set_viewport_size(DESKTOP)
    log_in(page, team.committee)
    page.goto(f"{base}/comites/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Comités")
    assert_accessible(axe(page))
    page.get_by_role("link", name="Copil mobilité solidaire").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Copil mobilité solidaire")
    page.locator("table").get_by_role("link").first.click()
    expect(page.locator("#agenda")).to_contain_text("Garage solidaire itinérant")
    assert_accessible(axe(page))
    shoot(page, "committees-meeting-desktop")
    page.get_by_role("link", name="Enregistrer la décision").click()
    page.get_by_label("No-go : pas de modèle pertinent").check()
    page.get_by_role("button", name="Enregistrer la décision").click()
    expect(page.get_by_role("alert")).to_contain_text("Choisissez le motif")
    assert_accessible(axe(page))
    page.get_by_label("Poursuivre l'étude").check()
    page.get_by_label("Voix pour").fill("5")
    page.get_by_label("Motifs et commentaires").fill("Approfondir le modèle économique.")
    page.get_by_role("button", name="Enregistrer la décision").click()
    expect(page.locator(".message-success")).to_contain_text("Poursuivre l'étude")
    expect(page.locator("#agenda .decision-box")).to_contain_text("5 pour")

    page.set_viewport_size(PHONE)
    page.reload()
    shoot(page, "committees-meeting-phone")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.goto(f"{base}/etudes/{study.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Garage solidaire itinérant")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert_accessible(axe(page))
    shoot(page, "studies-detail-phone")
    page.set_viewport_size(DESKTOP)
    page.reload()
    shoot(page, "studies-detail-desktop")
    page.goto(f"{base}/comites/seances/{meeting.pk}/compte-rendu/imprimer/")
    expect(page.locator("h1")).to_have_text("Copil mobilité solidaire")
    assert_accessible(axe(page))
    page.set_viewport_size(PHONE)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    shoot(page, "committees-minutes-phone")
