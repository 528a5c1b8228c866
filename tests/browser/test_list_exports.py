"""The export links of the lists that gained them (issue 13, §2): studies, committees, support plans,
enterprises and funding agreements show « Exporter la liste filtrée : CSV · XLSX · JSON » on desktop
and phone, pass axe, and a click downloads the file with the page's rows."""

import csv
import io

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tests.committees.factories import make_committee, make_study

from .conftest import DESKTOP, PHONE, assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LISTS = ["study_list", "committee_list", "support_plan_list", "enterprise_list", "agreement_list"]


def test_the_new_list_exports(page, live_server, team, log_in, shoot, axe):
    make_study(team.fabrique, team.admin, title="Étude de la laverie solidaire")
    make_committee(team.fabrique, team.admin, name="Comité d'engagement")
    log_in(page, team.officer)
    for size, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
        page.set_viewport_size(viewport)
        for name in LISTS:
            page.goto(
                live_server.url + reverse(f"backoffice:{name}", kwargs={"fabrique_slug": team.fabrique.slug})
            )
            links = page.locator(".export-links a")
            expect(links).to_have_count(3)
            assert_accessible(axe(page))
            shoot(page, f"export-{name}-{size}")
    page.set_viewport_size(DESKTOP)
    page.goto(
        live_server.url + reverse("backoffice:study_list", kwargs={"fabrique_slug": team.fabrique.slug})
    )
    with page.expect_download() as download:
        page.locator(".export-links a", has_text="CSV").click()
    content = download.value.path().read_text(encoding="utf-8-sig")
    rows = list(csv.reader(io.StringIO(content), delimiter=";"))
    assert rows[0][:2] == ["Référence", "Intitulé"]
    assert rows[1][1] == "Étude de la laverie solidaire"
