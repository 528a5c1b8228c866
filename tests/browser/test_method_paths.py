"""The method's other paths in a browser: a retained need entrusted to an existing structure (change of
scale), a partner added to the project by autocomplete, the fabrique's method settings; axe on each."""

import pytest
from playwright.sync_api import expect

from fabrique.needs.models import NeedStage
from fabrique.projects.models import Project, RecruitmentMode
from tests.directory.factories import make_organization
from tests.projects.factories import make_need

from .conftest import DESKTOP, PHONE, assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_change_of_scale_then_a_partner(page, live_server, team, log_in, shoot, axe):
    need = make_need(team.fabrique, title="Une ressourcerie accessible à Rezé", stage=NeedStage.RETAINED)
    make_organization(team.fabrique, name="Ressourcerie de l'Île")
    make_organization(team.fabrique, name="Ville de Rezé")
    space = f"{live_server.url}/espace/{team.fabrique.slug}"
    page.set_viewport_size(DESKTOP)
    log_in(page, team.officer)
    page.goto(f"{space}/besoins/{need.pk}/")
    page.get_by_role("link", name="Confier à une structure existante").click()
    structure = page.get_by_role("combobox", name="Structure existante qui étend son activité")
    structure.focus()
    page.keyboard.type("ressourcerie")
    expect(page.get_by_role("option", name="Ressourcerie de l'Île")).to_be_visible()
    page.keyboard.press("Enter")
    page.keyboard.press("Escape")
    page.get_by_label("Intitulé du projet").fill("La Ressourcerie de l'Île s'installe à Rezé")
    page.get_by_label("Pourquoi confier ce besoin à cette structure").fill("Son modèle tient depuis six ans.")
    assert_accessible(axe(page))
    page.get_by_role("button", name="Créer le projet").click()
    expect(page.get_by_role("heading", name="La Ressourcerie de l'Île s'installe à Rezé")).to_be_visible()
    expect(page.get_by_role("definition").filter(has_text="changement d'échelle")).to_be_visible()
    project = Project.objects.get()
    assert project.recruitment_mode == RecruitmentMode.SCALE_UP
    need.refresh_from_db()
    assert need.stage == NeedStage.ANSWERED

    page.get_by_text("Ajouter un partenaire").click()
    partner = page.get_by_role("combobox", name="Structure de l'annuaire")
    partner.focus()
    page.keyboard.type("reze")
    expect(page.get_by_role("option", name="Ville de Rezé")).to_be_visible()
    page.keyboard.press("Enter")
    page.keyboard.press("Escape")
    page.get_by_label("Rôle").select_option(label="structure d'accueil")
    page.get_by_label("Précisions (facultatif)").fill("Met à disposition l'ancien garage municipal")
    page.get_by_role("button", name="Ajouter le partenaire").click()
    expect(page.locator(".message-success")).to_be_visible()
    section = page.locator("section", has=page.get_by_role("heading", name="Partenaires"))
    expect(section.get_by_role("link", name="Ville de Rezé", exact=True)).to_be_visible()
    expect(section.locator(".badge", has_text="structure d'accueil")).to_be_visible()
    assert_accessible(axe(page))
    shoot(page, "method-scale-up-project")
    page.set_viewport_size(PHONE)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    shoot(page, "method-scale-up-project-phone")


def test_method_settings_page(page, live_server, team, log_in, shoot, axe):
    page.set_viewport_size(DESKTOP)
    log_in(page, team.admin)
    page.goto(f"{live_server.url}/espace/{team.fabrique.slug}/parametres/methode/")
    expect(page.get_by_role("heading", name="Libellés des étapes")).to_be_visible()
    page.get_by_label("Création d'une entreprise").fill("Étude de marché | 3\nStatuts | quatre")
    page.get_by_role("button", name="Enregistrer").click()
    expect(
        page.get_by_text("Ligne 2 : « quatre » n'est pas un nombre de mois entre 0 et 120.").first
    ).to_be_visible()
    page.get_by_label("Création d'une entreprise").fill("Étude de marché | 3\nStatuts | 4")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_text("Les réglages de la méthode sont enregistrés.")).to_be_visible()
    assert_accessible(axe(page))
    shoot(page, "method-settings")
