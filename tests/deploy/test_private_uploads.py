"""Issue 9 item 8: every upload goes to the private storage under a generated name; old files move."""

import importlib
from pathlib import Path

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models, transaction
from django.urls import reverse

from fabrique.fabriques.models import Fabrique
from fabrique.needs.models import NeedReport
from fabrique.needs.services import need_report_submit
from fabrique.recruitment.storage import PrivateStorage
from tests.needs.conftest import PDF, report_data


@pytest.fixture
def roots(settings, tmp_path):
    settings.FABRIQUE_PRIVATE_MEDIA_ROOT = str(tmp_path / "private")
    settings.MEDIA_ROOT = tmp_path / "media"
    return tmp_path / "private", tmp_path / "media"


def test_every_file_field_uses_the_private_storage_and_generated_names():
    fields = [
        f"{model._meta.label}.{field.name}"
        for model in apps.get_models()
        for field in model._meta.get_fields()
        if isinstance(field, models.FileField)
    ]
    assert "needs.NeedReport.evidence_document" in fields
    wrong = []
    for label in fields:
        model_label, name = label.rsplit(".", 1)
        field = apps.get_model(model_label)._meta.get_field(name)
        generated = field.generate_filename(None, "Rapport confidentiel de Mme X.pdf")
        if not isinstance(field.storage, PrivateStorage) or "confidentiel" in generated:
            wrong.append(f"{label}: {type(field.storage).__name__} {generated}")
    assert not wrong, wrong


@pytest.mark.django_db
def test_a_public_report_document_lands_in_the_private_folder_under_a_random_name(client, team, roots):
    private_root, media_root = roots
    document = SimpleUploadedFile("Rapport confidentiel.pdf", PDF, content_type="application/pdf")
    response = client.post(
        reverse("public:report_create", kwargs={"fabrique_slug": team.fabrique.slug}),
        {
            "title": "Pas de laverie dans le quartier",
            "description": "Les habitants font 3 km pour laver leur linge.",
            "public": "qpv_residents",
            "reporter_name": "Samia B.",
            "reporter_type": "inhabitant",
            "consent_processing": "on",
            "evidence_document": document,
        },
    )
    assert response.status_code == 302
    report = NeedReport.objects.get()
    name = report.evidence_document.name
    assert name.startswith("reports/") and name.endswith(".pdf") and "confidentiel" not in name.lower()
    assert (private_root / name).read_bytes() == PDF
    assert not media_root.exists() or not any(p.is_file() for p in media_root.rglob("*"))
    with pytest.raises(ValueError):
        report.evidence_document.url  # noqa: B018 - no public URL exists


def run_data_migration(app: str, module: str) -> None:
    migration = importlib.import_module(f"fabrique.{app}.migrations.{module}")
    migration.move_files(apps, None)


@pytest.mark.django_db
def test_the_migration_moves_existing_uploads_out_of_the_public_media_folder(
    team, roots, django_capture_on_commit_callbacks
):
    private_root, media_root = roots
    old = media_root / "reports" / "2026" / "01" / "Rapport confidentiel.pdf"
    old.parent.mkdir(parents=True)
    old.write_bytes(PDF)
    logo = media_root / "logos" / "logo fabrique.png"
    logo.parent.mkdir(parents=True)
    logo.write_bytes(b"\x89PNG fake but bytes are bytes")
    report = need_report_submit(fabrique=team.fabrique, **report_data())
    NeedReport.objects.filter(pk=report.pk).update(
        evidence_document="reports/2026/01/Rapport confidentiel.pdf"
    )
    Fabrique.objects.filter(pk=team.fabrique.pk).update(logo="logos/logo fabrique.png")
    missing = need_report_submit(fabrique=team.fabrique, **report_data())
    NeedReport.objects.filter(pk=missing.pk).update(evidence_document="reports/2020/01/gone.pdf")
    # when
    with django_capture_on_commit_callbacks(execute=True):
        run_data_migration("needs", "0005_alter_needreport_evidence_document")
        run_data_migration("fabriques", "0005_alter_fabrique_logo")
    # then
    report.refresh_from_db()
    new_name = report.evidence_document.name
    assert new_name.startswith("reports/") and "confidentiel" not in new_name.lower()
    assert (private_root / new_name).read_bytes() == PDF
    assert not old.exists()
    logo_name = Fabrique.objects.get(pk=team.fabrique.pk).logo.name
    assert logo_name.startswith("logos/") and "fabrique" not in logo_name
    assert Path(private_root / logo_name).is_file() and not logo.exists()
    missing.refresh_from_db()
    assert missing.evidence_document.name == "reports/2020/01/gone.pdf"  # nothing to move: unchanged


@pytest.mark.django_db
def test_settings_page_with_a_private_logo_says_a_file_is_there_without_linking_it(login, team, roots):
    Fabrique.objects.filter(pk=team.fabrique.pk).update(logo="logos/abc.png")
    response = login(team.admin).get(
        reverse("backoffice:fabrique_settings", kwargs={"fabrique_slug": team.fabrique.slug})
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Un fichier est enregistré." in page
    assert "logos/abc.png" not in page


# --- issue 14: a file is kept only if the transaction that wrote it commits ---------------------------------


def _submit_with_document(fabrique):
    document = SimpleUploadedFile("preuve.pdf", PDF, content_type="application/pdf")
    return need_report_submit(fabrique=fabrique, **report_data(), evidence_document=document)


@pytest.mark.django_db
def test_a_file_written_in_a_rolled_back_transaction_is_removed(team, roots):
    private_root, _ = roots
    with pytest.raises(RuntimeError), transaction.atomic():
        report = _submit_with_document(team.fabrique)
        written = private_root / report.evidence_document.name
        assert written.read_bytes() == PDF  # readable within the transaction
        raise RuntimeError("the action fails after the file was written")
    assert not written.exists()
    assert not any(p.is_file() for p in private_root.rglob("*"))


@pytest.mark.django_db(transaction=True)
def test_a_file_is_kept_when_its_transaction_commits_and_removed_when_it_rolls_back(team, roots):
    private_root, _ = roots
    kept = _submit_with_document(team.fabrique)  # the service's own transaction commits
    assert (private_root / kept.evidence_document.name).read_bytes() == PDF
    with pytest.raises(RuntimeError), transaction.atomic():  # the outermost transaction this time
        lost = _submit_with_document(team.fabrique)
        raise RuntimeError("rolled back")
    assert not (private_root / lost.evidence_document.name).exists()
    assert [p.name for p in private_root.rglob("*") if p.is_file()] == [
        Path(kept.evidence_document.name).name
    ]
