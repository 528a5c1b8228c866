import io
import zipfile

import pytest
from django.core.exceptions import ValidationError

from fabrique.recruitment.validators import (
    DOCX,
    MAX_DOCUMENT_SIZE,
    ODT,
    PDF,
    document_kind,
    validate_application_document,
)

from .factories import docx_bytes, odt_bytes, pdf_bytes, upload


@pytest.mark.parametrize(
    ("name", "content", "kind"),
    [
        ("dossier.pdf", pdf_bytes(), PDF),
        ("dossier.docx", docx_bytes(), DOCX),
        ("dossier.odt", odt_bytes(), ODT),
        ("sans extension", pdf_bytes(), PDF),  # the name does not matter, the content does
        ("dossier.pdf", docx_bytes(), DOCX),
    ],
)
def test_real_documents_are_accepted_by_content(name, content, kind):
    assert validate_application_document(upload(name, content)) == kind


def test_a_text_file_renamed_pdf_is_refused_with_a_clear_message():
    with pytest.raises(ValidationError) as exc:
        validate_application_document(upload("dossier.pdf", b"Bonjour, voici mon dossier.\n" * 20))
    assert exc.value.code == "renamed"
    assert "porte l'extension .pdf mais son contenu n'est pas un document PDF" in exc.value.messages[0]


@pytest.mark.parametrize("name", ["dossier.docx", "dossier.odt"])
def test_other_zip_files_renamed_docx_or_odt_are_refused(name):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("photo.jpg", b"\xff\xd8\xff")
    with pytest.raises(ValidationError) as exc:
        validate_application_document(upload(name, buffer.getvalue()))
    assert exc.value.code == "renamed"


def test_an_odt_spreadsheet_is_not_a_text_document():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
    assert document_kind(upload("tableau.ods", buffer.getvalue())) is None


def test_other_formats_are_refused():
    with pytest.raises(ValidationError) as exc:
        validate_application_document(upload("photo.jpg", b"\xff\xd8\xff\xe0" + b"0" * 100))
    assert exc.value.code == "invalid_type"
    assert "PDF, ODT ou DOCX" in exc.value.messages[0]


def test_a_truncated_zip_is_refused():
    with pytest.raises(ValidationError):
        validate_application_document(upload("dossier.docx", docx_bytes()[:60]))


def test_more_than_10_mb_is_refused():
    big = pdf_bytes() + b"0" * MAX_DOCUMENT_SIZE
    with pytest.raises(ValidationError) as exc:
        validate_application_document(upload("gros.pdf", big))
    assert exc.value.code == "too_large"
    assert "dépasse 10 Mo" in exc.value.messages[0]


def test_exactly_10_mb_is_accepted():
    content = pdf_bytes()
    content += b"0" * (MAX_DOCUMENT_SIZE - len(content))
    assert validate_application_document(upload("limite.pdf", content)) == PDF


def test_an_empty_file_is_refused():
    with pytest.raises(ValidationError) as exc:
        validate_application_document(upload("vide.pdf", b""))
    assert exc.value.code == "empty"
