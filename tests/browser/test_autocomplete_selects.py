"""The selects of growing tables that became autocompletes (issue 10), in a browser: a report attached to
a need chosen with the keyboard (desktop), the commune filter of the needs list and the agenda's
"dossier" on a 390 px phone; axe on each page."""

import re

import pytest
from playwright.sync_api import expect

from fabrique.needs.models import Need, NeedReport, NeedStage
from fabrique.territories.models import Commune
from tests.committees.factories import make_committee, make_meeting

from .conftest import DESKTOP, PHONE, assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_attach_a_report_to_a_need_with_the_keyboard(page, live_server, team, log_in, shoot, axe):
    need = Need.objects.create(fabrique=team.fabrique, title="Crèche à horaires décalés", reference="B-T001")
    Need.objects.create(fabrique=team.fabrique, title="Laverie solidaire", reference="B-T002")
    report = NeedReport.objects.create(
        fabrique=team.fabrique, title="Pas de garde le soir", reference="S-T001"
    )
    log_in(page, team.officer)
    page.set_viewport_size(DESKTOP)
    page.goto(f"{live_server.url}/espace/{team.fabrique.slug}/besoins/signalements/{report.pk}/rattacher/")
    combobox = page.get_by_role("combobox", name=re.compile(r"^Besoin"))
    combobox.focus()
    page.keyboard.type("creche")  # accents ignored
    expect(page.get_by_role("option", name="B-T001 Crèche à horaires décalés")).to_be_visible()
    expect(page.get_by_role("option", name=re.compile("Laverie"))).to_have_count(0)
    assert_accessible(axe(page))
    shoot(page, "autocomplete-attach-desktop", full_page=False)
    page.keyboard.press("Enter")
    page.get_by_role("button", name="Rattacher", exact=True).click()
    expect(page.locator(".message-success")).to_contain_text("est rattaché au besoin")
    report.refresh_from_db()
    assert report.need == need


def test_commune_filter_and_agenda_dossier_on_a_phone(page, live_server, team, log_in, shoot, axe):
    reze = Commune.objects.filter(code="44143", kind=Commune.Kind.CURRENT).first()
    Need.objects.create(fabrique=team.fabrique, title="Laverie de Rezé", reference="B-T001", commune=reze)
    Need.objects.create(fabrique=team.fabrique, title="Laverie ailleurs", reference="B-T002")
    need = Need.objects.create(
        fabrique=team.fabrique, title="Épicerie sociale", reference="B-T003", stage=NeedStage.QUALIFYING
    )
    meeting = make_meeting(make_committee(team.fabrique, team.officer), team.officer)
    slug = team.fabrique.slug
    log_in(page, team.officer)
    page.set_viewport_size(PHONE)

    page.goto(f"{live_server.url}/espace/{slug}/besoins/")
    page.get_by_role("combobox", name="Commune").click()
    page.keyboard.type("reze")
    expect(page.get_by_role("option", name=re.compile(r"^Rezé \(44\)"))).to_be_visible()
    shoot(page, "autocomplete-commune-filter-phone", full_page=False)
    page.keyboard.press("Enter")
    page.get_by_role("button", name="Filtrer").click()
    expect(page.get_by_role("link", name="Laverie de Rezé")).to_be_visible()
    expect(page.get_by_role("link", name="Laverie ailleurs")).to_have_count(0)
    assert_accessible(axe(page))

    page.goto(f"{live_server.url}/espace/{slug}/comites/seances/{meeting.pk}/ordre-du-jour/ajouter/")
    page.get_by_role("combobox", name="Dossier à examiner").click()
    page.keyboard.type("epicerie")
    option = page.get_by_role("option", name="Besoin — B-T003 Épicerie sociale")
    expect(option).to_be_visible()
    box = option.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
    shoot(page, "autocomplete-agenda-phone", full_page=False)
    page.keyboard.press("Enter")
    assert_accessible(axe(page))
    page.get_by_role("button", name="Ajouter", exact=True).click()
    expect(page.locator(".message-success")).to_contain_text("inscrit à l'ordre du jour")
    assert meeting.items.get().target == need
