"""Territorial intelligence in a real browser: a need's context and existing offer, the map (filter,
click through), a diagnosis zone drawn with the autocomplete, and its PDF rendered to PNG."""

import shutil
import subprocess

import pytest
from playwright.sync_api import expect

from fabrique.intelligence.loader import reference_indicators_load
from fabrique.intelligence.services import diagnosis_zone_create
from fabrique.territories.models import EPCI
from tests.intelligence.conftest import make_nantes_world
from tests.territories.fixtures import load_test_territories

from .conftest import DESKTOP, PHONE, SHOTS, assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def world(transactional_db, team):
    load_test_territories(force=True)  # a transactional test before may have flushed them
    reference_indicators_load(departements=["44", "85"])
    return make_nantes_world(team)


MARKER = ".leaflet-marker-icon.intel-marker-need"


def shown_needs(page) -> int:
    """Need markers on the map, counting those gathered in clusters."""
    return page.evaluate(
        """(selector) => document.querySelectorAll(selector).length + Array.from(
             document.querySelectorAll('.marker-cluster span')).reduce((n, s) => n + Number(s.textContent), 0)""",
        MARKER,
    )


def space(live_server, world) -> str:
    return f"{live_server.url}/espace/{world.team.fabrique.slug}"


def test_need_context_and_existing_offer(page, live_server, world, log_in, shoot, axe):
    page.set_viewport_size(DESKTOP)
    log_in(page, world.team.officer)
    need = world.mobility_rural
    page.goto(f"{space(live_server, world)}/besoins/{need.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Se rendre au travail sans voiture")
    context_link = page.get_by_role("link", name="Voir tout le contexte")
    if context_link.count():  # the need page includes the context panel
        context_link.click()
    else:
        page.goto(f"{space(live_server, world)}/besoins/{need.pk}/contexte/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Contexte territorial")
    expect(page.get_by_text("commune rurale (1 932 habitants)").first).to_be_visible()
    readings = page.get_by_role(
        "table", name="Indicateurs du territoire du besoin, comparés au département et à la France"
    )
    expect(readings).to_contain_text("Revenu disponible médian par unité de consommation")
    expect(readings).to_contain_text("Loire-Atlantique")
    offer = page.get_by_role("region", name="Offre existante (1)")
    expect(offer.get_by_role("link", name="Mobil'Aide Vignoble")).to_be_visible()
    expect(offer).to_contain_text("membre du chantier « Mobilité inclusive »")
    assert_accessible(axe(page))
    shoot(page, "intelligence-need-context-desktop")
    page.set_viewport_size(PHONE)
    shoot(page, "intelligence-need-context-phone")
    offer.get_by_role("link", name="Mobil'Aide Vignoble").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Mobil'Aide Vignoble")


def test_map_filter_and_click_through(page, live_server, world, log_in, shoot, axe):
    page.set_viewport_size(DESKTOP)
    log_in(page, world.team.reader)
    page.get_by_role("navigation", name="Navigation principale").get_by_role(
        "link", name="Indicateurs"
    ).click()
    page.get_by_role("navigation", name="Intelligence territoriale").get_by_role("link", name="Carte").click()
    map_box = page.locator("#intel-map")
    expect(map_box).to_have_attribute("data-ready", "1")
    assert shown_needs(page) == 4  # single markers, and clusters where they are dense
    expect(page.locator(".leaflet-overlay-pane path").first).to_be_attached()  # boundaries drawn, no tiles
    assert page.locator(".leaflet-tile").count() == 0
    assert_accessible(axe(page))
    shoot(page, "intelligence-map-desktop")

    # filter by theme
    page.get_by_label("Thème").select_option("food")
    page.get_by_role("button", name="Filtrer").click()
    expect(map_box).to_have_attribute("data-ready", "1")
    expect(page.locator(MARKER)).to_have_count(1)
    table = page.get_by_role("table", name="Besoins et projets de la carte")
    expect(table).to_contain_text("Manger frais à petit prix")
    expect(table).not_to_contain_text("Logements pour apprentis")

    # click the marker, then the link of its popup
    page.locator(MARKER).first.click()
    popup = page.locator(".leaflet-popup")
    expect(popup).to_contain_text("Manger frais à petit prix")
    popup.get_by_role("link", name="Ouvrir la fiche").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Manger frais à petit prix")

    # the table is the accessible alternative: its links lead to the same pages
    page.go_back()
    page.get_by_role("table", name="Besoins et projets de la carte").get_by_role("link").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Manger frais à petit prix")

    page.set_viewport_size(PHONE)
    page.goto(f"{space(live_server, world)}/carte/")
    expect(page.locator("#intel-map")).to_have_attribute("data-ready", "1")
    shoot(page, "intelligence-map-phone")


def test_diagnosis_zone_page_and_pdf(page, live_server, world, log_in, shoot, axe, tmp_path):
    page.set_viewport_size(DESKTOP)
    log_in(page, world.team.officer)
    page.goto(f"{space(live_server, world)}/diagnostics/nouveau/")
    page.get_by_label("Nom de la zone").fill("Vignoble nantais")
    territories = page.get_by_role("combobox", name="Communes et intercommunalités")
    territories.focus()
    page.keyboard.type("clisson sevre")
    option = page.get_by_role("option", name="CA Clisson Sèvre et Maine Agglo — EPCI")
    expect(option).to_be_visible()
    page.keyboard.press("Enter")
    page.keyboard.type("vallet")
    expect(page.get_by_role("option", name="Vallet (44) — commune")).to_be_visible()
    page.keyboard.press("Enter")
    page.keyboard.press("Escape")
    page.get_by_role("button", name="Enregistrer et établir le diagnostic").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Vignoble nantais")
    expect(page.get_by_text("Manques et pistes pour la campagne de repérage")).to_be_visible()
    expect(page.locator("svg.zone-map")).to_be_visible()
    assert_accessible(axe(page))
    shoot(page, "intelligence-diagnosis-desktop")
    page.set_viewport_size(PHONE)
    shoot(page, "intelligence-diagnosis-phone")

    with page.expect_download() as download:
        page.get_by_role("link", name="Télécharger le PDF").click()
    SHOTS.mkdir(parents=True, exist_ok=True)
    target = SHOTS / "intelligence-diagnosis.pdf"
    download.value.save_as(target)
    assert target.read_bytes().startswith(b"%PDF")
    if shutil.which("pdftoppm"):
        subprocess.run(
            [
                "pdftoppm",
                "-r",
                "70",
                "-png",
                "-f",
                "1",
                "-l",
                "1",
                str(target),
                str(SHOTS / "intelligence-diagnosis-pdf"),
            ],
            check=True,
        )
        assert list(SHOTS.glob("intelligence-diagnosis-pdf*.png"))


def test_the_map_works_without_javascript(browser, live_server, world):
    from tests.conftest import PASSWORD

    context = browser.new_context(java_script_enabled=False, locale="fr-FR")
    page = context.new_page()
    page.goto(f"{live_server.url}/compte/connexion/")
    page.get_by_label("Adresse e-mail").fill(world.team.reader.email)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.goto(f"{space(live_server, world)}/carte/?theme=mobility")
    expect(page.get_by_text("La carte s'affiche avec JavaScript.")).to_be_visible()
    table = page.get_by_role("table", name="Besoins et projets de la carte")
    expect(table).to_contain_text("Se rendre au travail sans voiture")
    expect(table).not_to_contain_text("Manger frais à petit prix")
    zone = diagnosis_zone_create(
        fabrique=world.team.fabrique,
        actor=world.team.officer,
        name="Nantes Métropole",
        epcis=[EPCI.objects.get(siren="244400404")],
    )
    page.goto(f"{space(live_server, world)}/diagnostics/{zone.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Nantes Métropole")
    context.close()


def test_import_a_latin1_file_and_rank_priorities(
    page, live_server, world, log_in, shoot, axe, settings, tmp_path
):
    from tests.intelligence.helpers import DATA

    settings.MEDIA_ROOT = tmp_path / "media"
    settings.FABRIQUE_PRIVATE_MEDIA_ROOT = str(tmp_path / "private-media")
    page.set_viewport_size(DESKTOP)
    log_in(page, world.team.officer)
    page.goto(f"{space(live_server, world)}/indicateurs/")
    page.get_by_role("link", name="Importer un indicateur").click()
    page.get_by_label("Fichier CSV ou XLSX").set_input_files(
        str(DATA / "menages_sans_voiture_nantes_metropole_latin1.csv")
    )
    page.get_by_role("button", name="Lire le fichier").click()
    expect(page.get_by_text("Windows-1252 (Latin-1)")).to_be_visible()
    expect(page.get_by_role("table", name="Premières lignes du fichier")).to_contain_text("Couëron")
    page.get_by_label("Colonne des valeurs").select_option(label="Ménages sans voiture")
    page.get_by_label("Colonne dénominateur (facultatif)").select_option(label="Ménages")
    page.get_by_label("Nom de l'indicateur").fill("Part des ménages sans voiture")
    page.get_by_label("Source", exact=True).fill("INSEE, recensement de la population 2021")
    page.get_by_label("Millésime").fill("2021")
    page.get_by_label("Unité").fill("%")
    page.get_by_label("Sens de lecture").select_option("higher")
    page.get_by_label("Calcul des références (intercommunalité, département, France)").select_option("ratio")
    assert_accessible(axe(page))
    shoot(page, "intelligence-import-mapping-desktop")
    page.get_by_role("button", name="Vérifier tout le fichier").click()
    expect(page.get_by_text("24 territoires : 22 valeurs, 1 secrètes, 1 manquantes")).to_be_visible()
    page.set_viewport_size(PHONE)
    shoot(page, "intelligence-import-confirm-phone")
    page.get_by_role("button", name="Importer", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Part des ménages sans voiture")
    # the imported indicator is in the context of a need of Nantes
    page.goto(f"{space(live_server, world)}/besoins/{world.housing_nantes.pk}/contexte/")
    expect(page.get_by_role("link", name="Part des ménages sans voiture")).to_be_visible()
    # priorities
    page.set_viewport_size(DESKTOP)
    page.goto(f"{space(live_server, world)}/priorites/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Priorités parmi les besoins")
    expect(page.locator(".priority-item")).to_have_count(4)
    assert_accessible(axe(page))
    shoot(page, "intelligence-priorities-desktop")
    page.set_viewport_size(PHONE)
    shoot(page, "intelligence-priorities-phone")
