"""Support and outcome pages in a real browser: the whole flow, phone and desktop layouts, accessibility."""

import pytest
from playwright.sync_api import expect

from fabrique.projects.models import ProjectStage
from tests.browser.conftest import DESKTOP, PHONE, assert_accessible, axe, log_in, shoot  # noqa: F401

from .conftest import make_project

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_support_then_creation_flow(page, live_server, team, log_in, shoot, axe):  # noqa: F811
    project = make_project(team.fabrique, title="Garage solidaire", stage=ProjectStage.LEADER_SELECTED)
    page.set_viewport_size(DESKTOP)
    log_in(page, team.officer)
    page.goto(f"{live_server.url}/espace/{team.fabrique.slug}/projets/{project.pk}/accompagnement/")
    assert_accessible(axe(page))
    page.get_by_label("Objectifs").fill("Étude de faisabilité et plan de financement")
    page.get_by_role("button", name="Démarrer l'accompagnement").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Accompagnement — Garage solidaire")
    expect(page.get_by_role("cell", name="Business plan social").first).to_be_visible()

    page.get_by_role("link", name="Ajouter une ligne").click()
    page.get_by_label("Source").fill("Prêt d'honneur")
    page.get_by_label("Montant (€)").fill("0")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_role("alert")).to_contain_text("supérieur à zéro")
    page.get_by_label("Montant (€)").fill("8000,50")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_text("Total hors refus")).to_be_visible()

    page.get_by_role("link", name="Noter du temps").click()
    page.get_by_label("Contenu").fill("Premier rendez-vous avec le porteur")
    page.get_by_label("Temps passé (minutes)").fill("90")
    page.get_by_role("button", name="Enregistrer").click()
    assert_accessible(axe(page))
    shoot(page, "support-plan-desktop")
    page.set_viewport_size(PHONE)
    shoot(page, "support-plan-phone")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    page.set_viewport_size(DESKTOP)
    page.get_by_role("link", name="Enregistrer la création").click()
    page.get_by_label("Dénomination").fill("SCIC Garage solidaire")
    page.get_by_label("Forme juridique").select_option("scic")
    page.get_by_label("SIRET").fill("732 829 320 00075")
    page.get_by_label("Emplois à la création (ETP)").fill("2,5")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_role("alert")).to_contain_text("clé de contrôle incorrecte")
    assert_accessible(axe(page))
    page.get_by_label("SIRET").fill("732 829 320 00074")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("SCIC Garage solidaire")
    expect(page.get_by_role("link", name="voir l'accompagnement")).to_be_visible()
    assert_accessible(axe(page))
    shoot(page, "enterprise-desktop")
    page.set_viewport_size(PHONE)
    shoot(page, "enterprise-phone")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
