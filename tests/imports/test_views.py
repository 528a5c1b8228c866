"""The import pages: upload, mapping with a preset, preview with errors, apply, undo."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from fabrique.directory.models import Organization
from fabrique.imports.models import ImportBatch, ImportPreset, ImportStatus


def url(team, name, **kwargs):
    return reverse(f"backoffice:{name}", kwargs={"fabrique_slug": team.fabrique.slug, **kwargs})


@pytest.mark.django_db
def test_upload_fix_mapping_apply_undo(login, team):
    client = login(team.officer)
    content = "Raison sociale;Catégorie;Ville\nAtelier du vélo;association;Nantes\nRessourcerie;bidule;Rezé\n".encode(
        "cp1252"
    )
    response = client.post(
        url(team, "import_list"),
        {"kind": "organizations", "file": SimpleUploadedFile("structures.csv", content)},
    )
    batch = ImportBatch.objects.get(fabrique=team.fabrique)
    assert response.status_code == 302 and response["Location"] == url(team, "import_mapping", pk=batch.pk)
    page = client.get(response["Location"]).content.decode()
    assert "Raison sociale (colonne 1)" in page and "Atelier du vélo" in page
    # "bidule" is not a kind: the preview says so
    response = client.post(
        url(team, "import_mapping", pk=batch.pk),
        {
            "col_name": "0",
            "col_kind": "1",
            "col_commune": "2",
            "skip_duplicates": "on",
            "preset_name": "Tableur 2023",
        },
    )
    assert response.status_code == 302
    page = client.get(url(team, "import_detail", pk=batch.pk)).content.decode()
    assert "1 en erreur" in page
    assert "« bidule » n&#x27;est pas une valeur possible" in page
    assert "Importer 2" not in page
    # applying anyway is refused, nothing created
    client.post(url(team, "import_apply", pk=batch.pk))
    assert not Organization.objects.filter(fabrique=team.fabrique).exists()
    # fix the mapping: the kind from a default instead of the column
    response = client.post(
        url(team, "import_mapping", pk=batch.pk),
        {
            "col_name": "0",
            "col_kind": "",
            "default_kind": "association",
            "col_commune": "2",
            "skip_duplicates": "on",
        },
    )
    page = client.get(url(team, "import_detail", pk=batch.pk)).content.decode()
    assert "0 en erreur" in page and "Importer 2 éléments" in page
    response = client.post(url(team, "import_apply", pk=batch.pk), follow=True)
    assert "Import appliqué : 2 éléments créés" in response.content.decode()
    assert Organization.objects.filter(fabrique=team.fabrique).count() == 2
    assert ImportPreset.objects.get(fabrique=team.fabrique).mapping["kind"] == "Catégorie"
    response = client.post(url(team, "import_undo", pk=batch.pk), follow=True)
    assert "Import annulé" in response.content.decode()
    batch.refresh_from_db()
    assert batch.status == ImportStatus.UNDONE
    assert not Organization.objects.filter(fabrique=team.fabrique).exists()


@pytest.mark.django_db
def test_bad_file_message_on_the_form(login, team):
    client = login(team.officer)
    lines = "Nom;Type\n" + "".join(f"S{i};association\n" for i in range(6000))
    response = client.post(
        url(team, "import_list"),
        {"kind": "organizations", "file": SimpleUploadedFile("s.csv", lines.encode())},
    )
    assert response.status_code == 400
    assert "un import en accepte" in response.content.decode()
    assert not ImportBatch.objects.exists()


@pytest.mark.django_db
def test_readers_cannot_import_and_other_fabriques_see_nothing(login, team, other_team):
    client = login(team.officer)
    client.post(
        url(team, "import_list"),
        {"kind": "organizations", "file": SimpleUploadedFile("s.csv", b"Nom;Type\nA;association\n")},
    )
    batch = ImportBatch.objects.get()
    reader = login(team.reader)
    assert reader.post(url(team, "import_apply", pk=batch.pk)).status_code == 403
    other = login(other_team.admin)
    assert other.post(url(team, "import_apply", pk=batch.pk)).status_code == 404
    batch.refresh_from_db()
    assert batch.status == ImportStatus.DRAFT
