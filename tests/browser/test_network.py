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


def test_library_handover_and_public_page_desktop_and_phone(page, live_server, log_in, shoot, axe):
    from fabrique.essaimage.services import model_sheet_publish
    from fabrique.fabriques.services import fabrique_update
    from fabrique.needs.services import need_create_from_report
    from tests.projects.factories import make_project

    alpha, beta = make_team("alpha", "Fabrique Alpha"), make_team("beta", "Fabrique Bêta")
    fabrique_update(
        fabrique=alpha.fabrique,
        actor=alpha.admin,
        description="Nous repérons les besoins sociaux non couverts de la métropole.",
        public_team="Claire Morvan — directrice — claire@alpha.example.org\nInès Le Goff — chargée de mission",
        contact_email="contact@alpha.example.org",
    )
    Workstream.objects.create(fabrique=alpha.fabrique, name="Alimentation durable", code="alim")
    project = make_project(alpha.fabrique, title="Épicerie itinérante", is_public=True)
    model_sheet_publish(
        fabrique=alpha.fabrique,
        actor=alpha.officer,
        project=project,
        title="Épicerie itinérante en camion",
        need_answered="Plus de commerce dans les bourgs ruraux.",
        theme="food",
        territory_kind="rural",
    )
    report = need_report_submit(
        fabrique=alpha.fabrique,
        title="Pas de bus le dimanche",
        reporter_name="Camille",
        consent_processing=True,
    )
    need = need_create_from_report(report=report, actor=alpha.officer)

    page.set_viewport_size(DESKTOP)
    # the public page
    page.goto(f"{live_server.url}/f/alpha/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Fabrique Alpha")
    expect(page.get_by_text("Claire Morvan")).to_be_visible()
    assert_accessible(axe(page))
    shoot(page, "public-fabrique-desktop")
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/f/alpha/")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"] + 1
    shoot(page, "public-fabrique-phone")
    page.set_viewport_size(DESKTOP)

    # Bêta's officer finds the model in the library and reproduces it
    log_in(page, beta.officer)
    page.goto(f"{live_server.url}/espace/beta/reseau/bibliotheque/")
    page.get_by_label("Thème").select_option("food")
    page.get_by_role("button", name="Rechercher").click()
    page.get_by_role("link", name="Épicerie itinérante en camion").click()
    assert_accessible(axe(page))
    shoot(page, "library-sheet-desktop")
    page.get_by_role("link", name="Reproduire ici").click()
    page.get_by_role("button", name="Reproduire ici").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Épicerie itinérante en camion")
    page.get_by_role("button", name="Se déconnecter").click()

    # Alpha's admin offers a need to Bêta; Bêta's admin accepts
    log_in(page, alpha.admin)
    page.goto(f"{live_server.url}/espace/alpha/besoins/{need.pk}/")
    page.get_by_role("link", name="Transmettre à une autre fabrique").click()
    page.get_by_label("Fabrique destinataire").select_option(label="Fabrique Bêta")
    page.get_by_label("Pourquoi cette fabrique ?").fill("Ce bourg est sur votre territoire.")
    assert_accessible(axe(page))
    page.get_by_role("button", name="Proposer la transmission").click()
    expect(page.get_by_text("en attente de réponse", exact=False).first).to_be_visible()
    page.get_by_role("button", name="Se déconnecter").click()
    log_in(page, beta.admin)
    page.goto(f"{live_server.url}/espace/beta/reseau/transmissions/")
    page.get_by_role("link", name="Pas de bus le dimanche").click()
    assert_accessible(axe(page))
    shoot(page, "handover-offer-desktop")
    page.get_by_label("Accepter : le dossier rejoint la fabrique").check()
    page.get_by_role("button", name="Envoyer la réponse").click()
    expect(page.get_by_role("status")).to_contain_text("Dossier accepté")
    shoot(page, "handover-accepted-desktop")
    page.set_viewport_size(PHONE)
    for name, path in (
        ("library", "/espace/beta/reseau/bibliotheque/"),
        ("handovers", "/espace/beta/reseau/transmissions/"),
        ("network-public", "/reseau-des-fabriques/"),
    ):
        page.goto(f"{live_server.url}{path}")
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"] + 1, f"{name} overflows on a phone: {width}px"
        shoot(page, f"{name}-phone")
