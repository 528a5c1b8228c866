"""Import a spreadsheet with one bad row in a real browser: fix the mapping, apply, undo. Also the
French error pages in the site's layout (screenshots at desktop and phone width)."""

import io

import pytest
from openpyxl import Workbook
from playwright.sync_api import expect

from .conftest import DESKTOP, PHONE, assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _spreadsheet(tmp_path):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Raison sociale", "Catégorie", "Ville", "SIREN"])
    sheet.append(["Atelier du vélo", "association", "Nantes", ""])
    sheet.append(["Collectif 3R nantais", "bidule", "44109", ""])  # "bidule" is no kind: the bad row
    sheet.append(["Ressourcerie Sud", "entreprise", "Rezé", ""])
    path = tmp_path / "structures.xlsx"
    out = io.BytesIO()
    workbook.save(out)
    path.write_bytes(out.getvalue())
    return path


def test_import_with_one_bad_row_fix_mapping_apply_undo(
    page, live_server, team, log_in, shoot, axe, tmp_path
):
    from fabrique.directory.models import Organization

    page.set_viewport_size(DESKTOP)
    log_in(page, team.officer)
    page.goto(f"{live_server.url}/espace/{team.fabrique.slug}/annuaire/structures/")
    page.get_by_role("link", name="Importer un fichier").click()
    expect(page.get_by_label("Structures")).to_be_checked()
    page.get_by_label("Fichier CSV ou XLSX").set_input_files(str(_spreadsheet(tmp_path)))
    assert_accessible(axe(page))
    shoot(page, "import-upload-desktop")
    page.get_by_role("button", name="Lire le fichier").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Quelle colonne remplit quel champ ?")
    # "Raison sociale" and "Catégorie" are not guessed: map them by hand
    page.get_by_label("Nom", exact=True).select_option(label="Raison sociale (colonne 1)")
    page.get_by_label("Type de structure", exact=True).select_option(label="Catégorie (colonne 2)")
    assert_accessible(axe(page))
    shoot(page, "import-mapping-desktop")
    page.get_by_role("button", name="Vérifier les lignes").click()
    expect(page.get_by_text("3 lignes, 1 en erreur")).to_be_visible()
    expect(page.get_by_text("« bidule » n'est pas une valeur possible")).to_be_visible()
    expect(page.get_by_role("button", name="Importer")).to_have_count(0)
    shoot(page, "import-preview-errors-desktop")
    page.set_viewport_size(PHONE)
    shoot(page, "import-preview-errors-phone")
    page.set_viewport_size(DESKTOP)
    # fix the mapping: the kind is "association" for every row, not the column
    page.get_by_role("link", name="Modifier la correspondance").first.click()
    page.get_by_label("Type de structure", exact=True).select_option(label="— pas dans le fichier —")
    page.get_by_label("Type de structure si la cellule est vide").select_option(label="association")
    page.get_by_label("Enregistrer cette correspondance comme modèle").fill("Tableur de l'équipe")
    page.get_by_role("button", name="Vérifier les lignes").click()
    expect(page.get_by_text("3 lignes, 0 en erreur")).to_be_visible()
    assert_accessible(axe(page))
    page.get_by_role("button", name="Importer 3 éléments").click()
    expect(page.get_by_text("Import appliqué : 3 éléments créés")).to_be_visible()
    assert Organization.objects.filter(fabrique=team.fabrique).count() == 3
    shoot(page, "import-applied-desktop")
    page.get_by_role("button", name="Annuler cet import").click()
    expect(page.get_by_text("Import annulé : les éléments qu'il avait créés sont supprimés.")).to_be_visible()
    assert Organization.objects.filter(fabrique=team.fabrique).count() == 0
    page.set_viewport_size(PHONE)
    shoot(page, "import-undone-phone")


def test_error_pages_are_french_in_the_layout(page, live_server, team, log_in, shoot, axe):
    page.set_viewport_size(DESKTOP)
    page.set_extra_http_headers({"Accept-Language": "en-US,en;q=0.9"})
    page.goto(f"{live_server.url}/nulle-part/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Page introuvable")
    assert_accessible(axe(page))
    shoot(page, "error-404-desktop")
    log_in(page, team.reader)
    page.goto(f"{live_server.url}/espace/{team.fabrique.slug}/imports/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Accès refusé")
    expect(page.get_by_text("Votre rôle ne permet pas cette action.")).to_be_visible()
    page.set_viewport_size(PHONE)
    shoot(page, "error-403-phone")
