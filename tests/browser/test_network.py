"""The network head's pages in a real browser, at desktop and phone width: the figures with a period,
the comparison of one indicator, the directory with its map. Accessibility checked with axe."""

import datetime

import pytest
from playwright.sync_api import expect

from fabrique.fabriques.models import NetworkStatus
from fabrique.needs.models import NeedReport
from fabrique.needs.services import need_report_submit
from fabrique.workstreams.models import Workstream
from tests.conftest import make_team, make_user
from tests.directory.factories import make_commune, make_departement

from .conftest import DESKTOP, PHONE, assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _network():
    year = datetime.date.today().year
    teams = [make_team("alpha", "Fabrique Alpha"), make_team("beta", "Fabrique Bêta du littoral")]
    dep = make_departement("44")
    nantes = make_commune(code="44109", name="Nantes")
    nantes.latitude, nantes.longitude = 47.22, -1.55
    nantes.save()
    teams[0].fabrique.communes.add(nantes)
    teams[0].fabrique.departements.add(dep)
    teams[1].fabrique.network_status = NetworkStatus.EXPERIMENTING
    teams[1].fabrique.departements.add(make_departement("85"))
    teams[1].fabrique.save()
    for team, n in zip(teams, (7, 2), strict=True):
        Workstream.objects.create(fabrique=team.fabrique, name="Mobilité solidaire", code="mobilite")
        for i in range(n):
            need_report_submit(
                fabrique=team.fabrique,
                title=f"Besoin {i}",
                reporter_name="Camille",
                reporter_email="camille@example.org",
                consent_processing=True,
            )
    NeedReport.objects.update(created_at=datetime.datetime(year, 2, 1, 12, tzinfo=datetime.UTC))
    return make_user("tete@reseau.test", is_network_head=True)


def test_network_head_pages_desktop_and_phone(page, live_server, log_in, shoot, axe):
    head = _network()
    page.set_viewport_size(DESKTOP)
    log_in(page, head)
    page.goto(f"{live_server.url}/reseau/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Le réseau des fabriques")
    page.get_by_label("Période", exact=True).select_option("quarter")
    page.get_by_label("Trimestre").select_option("1")
    page.get_by_role("button", name="Afficher").click()
    expect(page.locator("#network-caption")).to_contain_text("T1")
    expect(page.locator(".network-table tbody")).to_contain_text("< 5")
    assert_accessible(axe(page))
    shoot(page, "network-home-desktop")
    page.get_by_role("link", name="par fabrique et dans le temps : Besoins signalés").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Besoins signalés")
    assert_accessible(axe(page))
    shoot(page, "network-indicator-desktop")
    with page.expect_download() as download:
        page.get_by_role("link", name="Exporter (XLSX)").click()
    assert download.value.suggested_filename.endswith(".xlsx")
    page.get_by_role("link", name="Les fabriques").click()
    expect(page.locator(".network-map-svg svg")).to_be_visible()
    assert_accessible(axe(page))
    shoot(page, "network-directory-desktop")
    page.set_viewport_size(PHONE)
    for name, path in (
        ("home", "/reseau/"),
        ("indicator", "/reseau/indicateurs/needs.reports/"),
        ("directory", "/reseau-des-fabriques/"),
    ):
        page.goto(f"{live_server.url}{path}")
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"] + 1, f"{name} overflows on a phone: {width}px"
        shoot(page, f"network-{name}-phone")
