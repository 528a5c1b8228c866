"""Checking the document attached to an application by its content, never by its name.

Accepted: PDF (starts with `%PDF-`), OpenDocument text (a zip whose first entry `mimetype` holds
`application/vnd.oasis.opendocument.text`) and Word DOCX (a zip with `[Content_Types].xml` and
`word/document.xml`), 10 MB at most. A file whose extension promises one of these formats but whose
content is something else (a renamed file) is refused with a message that says so.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.files import File
from django.utils.translation import gettext as _

MAX_DOCUMENT_SIZE = 10 * 1024 * 1024
PDF, ODT, DOCX = "pdf", "odt", "docx"
CONTENT_TYPES = {
    PDF: "application/pdf",
    ODT: "application/vnd.oasis.opendocument.text",
    DOCX: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}
_LABELS = {PDF: "PDF", ODT: "ODT", DOCX: "DOCX"}
_ODT_MIMETYPE = b"application/vnd.oasis.opendocument.text"


def _head(file: File[bytes], size: int) -> bytes:
    file.seek(0)
    data = file.read(size)
    file.seek(0)
    return data or b""


def _zip_kind(file: File[bytes]) -> str | None:
    try:
        file.seek(0)
        with zipfile.ZipFile(file) as archive:
            names = set(archive.namelist())
            if "mimetype" in names:
                with archive.open("mimetype") as entry:
                    if entry.read(len(_ODT_MIMETYPE) + 2).strip() == _ODT_MIMETYPE:
                        return ODT
            if "[Content_Types].xml" in names and "word/document.xml" in names:
                return DOCX
    except (zipfile.BadZipFile, OSError, KeyError, RuntimeError, NotImplementedError, EOFError):
        return None
    finally:
        file.seek(0)
    return None


def document_kind(file: File[bytes]) -> str | None:
    """ "pdf", "odt" or "docx" according to the bytes of `file`, or None."""
    head = _head(file, 8)
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"PK\x03\x04"):
        return _zip_kind(file)
    return None


def validate_application_document(file: File[bytes]) -> str:
    """Return the document kind; raise a French ValidationError when the file is not acceptable."""
    name = Path(getattr(file, "name", "") or "").name
    size = getattr(file, "size", None)
    if size is None:
        file.seek(0, 2)
        size = file.tell()
        file.seek(0)
    if size > MAX_DOCUMENT_SIZE:
        raise ValidationError(
            _("Le fichier « %(name)s » dépasse 10 Mo (%(size)s Mo) : réduisez-le ou compressez-le.")
            % {"name": name, "size": f"{size / 1024 / 1024:.1f}".replace(".", ",")},
            code="too_large",
        )
    if size == 0:
        raise ValidationError(_("Le fichier « %(name)s » est vide.") % {"name": name}, code="empty")
    kind = document_kind(file)
    if kind is not None:
        return kind
    claimed = Path(name).suffix.lower().lstrip(".")
    if claimed in _LABELS:
        raise ValidationError(
            _(
                "Le fichier « %(name)s » porte l'extension .%(ext)s mais son contenu n'est pas un "
                "document %(label)s : il a sans doute été renommé. Enregistrez votre dossier au format "
                "PDF, ODT ou DOCX depuis votre traitement de texte, puis envoyez ce fichier."
            )
            % {"name": name, "ext": claimed, "label": _LABELS[claimed]},
            code="renamed",
        )
    raise ValidationError(
        _("Le fichier « %(name)s » n'est pas accepté : envoyez un document PDF, ODT ou DOCX.")
        % {"name": name},
        code="invalid_type",
    )
