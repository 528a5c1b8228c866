"""Checks of what a reporter sends: the evidence document is judged by its content, not its name."""

from __future__ import annotations

import os
import zipfile

from django.core.exceptions import ValidationError
from django.core.files import File
from django.utils.translation import gettext as _

MAX_DOCUMENT_BYTES = 10 * 1024 * 1024
# content kind -> file name extensions accepted for it
DOCUMENT_KINDS: dict[str, tuple[str, ...]] = {
    "pdf": (".pdf",),
    "odt": (".odt",),
    "docx": (".docx",),
    "jpeg": (".jpg", ".jpeg"),
    "png": (".png",),
}
ODT_MIMETYPE = b"application/vnd.oasis.opendocument.text"


def _zip_kind(file: File[bytes]) -> str | None:
    """ "odt" or "docx" when the ZIP container holds such a document, else None."""
    try:
        with zipfile.ZipFile(file) as archive:
            names = set(archive.namelist())
            if "mimetype" in names:
                with archive.open("mimetype") as member:
                    if member.read(100).strip() == ODT_MIMETYPE:
                        return "odt"
            if "[Content_Types].xml" in names and "word/document.xml" in names:
                return "docx"
    except (zipfile.BadZipFile, OSError, KeyError, RuntimeError, ValueError):
        return None
    return None


def document_kind(file: File[bytes]) -> str | None:
    """The kind of document (see DOCUMENT_KINDS) recognised from the first bytes, or None."""
    file.seek(0)
    head = file.read(8)
    kind = None
    if head.startswith(b"%PDF-"):
        kind = "pdf"
    elif head.startswith(b"\x89PNG\r\n\x1a\n"):
        kind = "png"
    elif head.startswith(b"\xff\xd8\xff"):
        kind = "jpeg"
    elif head.startswith(b"PK\x03\x04"):
        file.seek(0)
        kind = _zip_kind(file)
    file.seek(0)
    return kind


def validate_evidence_document(file: File[bytes]) -> None:
    """PDF, ODT, DOCX, JPEG or PNG of at most 10 MB, recognised by content and named accordingly."""
    if not file:
        return
    if file.size is not None and file.size > MAX_DOCUMENT_BYTES:
        raise ValidationError(
            _("Le document dépasse 10 Mo. Envoyez un fichier plus léger (PDF compressé, photo réduite)."),
            code="document_too_large",
        )
    kind = document_kind(file)
    extension = os.path.splitext(getattr(file, "name", "") or "")[1].lower()
    if kind is None or extension not in DOCUMENT_KINDS[kind]:
        raise ValidationError(
            _(
                "Ce document n'est pas accepté. Envoyez un fichier PDF, ODT, DOCX, JPEG ou PNG "
                "(le contenu du fichier doit correspondre à son extension)."
            ),
            code="document_type",
        )
