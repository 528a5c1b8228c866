"""A funder report in a browser: choose a funder and a period, write a narrative, generate, download
the PDF and the XLSX (and the reporting page passes axe, on a desktop and on a phone)."""

import datetime
import io
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from fabrique.core.text import normalize_organization_name
from fabrique.directory.models import Organization
from fabrique.funding.models import FundingAgreement
from fabrique.territories.models import Commune
from tests.reporting.builders import need, report

from .conftest import DESKTOP, PHONE, assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_funder_report_from_choice_to_downloads(page, live_server, team, log_in, shoot, axe):
    funder = Organization.objects.create(
        fabrique=team.fabrique,
        name="Banque des Territoires",
        kind="funder",
        normalized_name=normalize_organization_name("Banque des Territoires"),  # what the search reads
    )
    # the funder funds the programme: its report counts every row of the fabrique
    FundingAgreement.objects.create(
        fabrique=team.fabrique,
        funder=funder,
        title="Soutien au programme 2025",
        starts_on=datetime.date(2025, 1, 1),
        ends_on=datetime.date(2025, 12, 31),
        amount_granted=Decimal("30000"),
    )
    report(team.fabrique, "2025-03-01", title="Pas de garage solidaire", theme="mobility")
    nantes = Commune.objects.filter(code="44109", kind=Commune.Kind.CURRENT).first()
    need(team.fabrique, "2025-03-05", title="Garage solidaire", theme="mobility", commune=nantes)
    slug = team.fabrique.slug
    log_in(page, team.officer)
    page.set_viewport_size(DESKTOP)

    page.goto(f"{live_server.url}/espace/{slug}/rapports/?year=2025")
    expect(page.get_by_role("heading", name="Rapports et indicateurs")).to_be_visible()
    # the map of needs per territory, drawn on the server, with its data table
    expect(page.get_by_role("img", name="Carte des besoins détectés par commune")).to_be_visible()
    expect(page.get_by_role("table", name="Besoins détectés par commune — année 2025")).to_contain_text(
        "Nantes"
    )
    assert_accessible(axe(page))
    shoot(page, "reporting-dashboard")

    page.goto(f"{live_server.url}/espace/{slug}/financeurs/rapports/nouveau/")
    # the funders by autocomplete (a network's directory marks hundreds of them)
    page.get_by_role("combobox", name="Financeur").click()
    page.keyboard.type("banque terr")
    page.get_by_role("option", name="Banque des Territoires").click()
    page.get_by_label("Intitulé du rapport").fill("Bilan 2025 pour la Banque des Territoires")
    page.get_by_label("Début de la période").fill("2025-01-01")
    page.get_by_label("Fin de la période").fill("2025-12-31")
    page.get_by_label("Faits marquants de la période").fill("Un garage solidaire est à l'étude à Rezé.")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_role("paragraph").filter(has_text="Un garage solidaire est à l'étude")).to_be_visible()

    page.get_by_role("button", name="Générer le rapport").click()
    expect(page.get_by_role("link", name="PDF")).to_be_visible()
    shoot(page, "funder-report-detail")

    with page.expect_download() as pdf_download:
        page.get_by_role("link", name="PDF").click()
    pdf = PdfReader(pdf_download.value.path())
    text = "\n".join(p.extract_text() for p in pdf.pages)
    assert "Bilan 2025 pour la Banque des Territoires" in text
    assert "Un garage solidaire est à l'étude à Rezé." in text

    with page.expect_download() as xlsx_download:
        page.get_by_role("link", name="Classeur XLSX").click()
    assert xlsx_download.value.suggested_filename.endswith("-v1.xlsx")
    wb = openpyxl.load_workbook(io.BytesIO(Path(xlsx_download.value.path()).read_bytes()))
    assert wb["Synthèse"]["B2"].value == "Banque des Territoires"
    assert wb["Détection des besoins"]["C2"].value == 1  # one report received in 2025

    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/espace/{slug}/rapports/?year=2025")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"] + 1
    expect(page.get_by_role("img", name="Carte des besoins détectés par commune")).to_be_visible()
    assert_accessible(axe(page))
    shoot(page, "reporting-dashboard-phone")
