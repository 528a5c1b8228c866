"""Where application documents live: outside the public media directory, under random names.

The files are only ever served by the back-office view `application_document`, after the access
layer checked the user's fabrique and permission. `url()` is refused so that no template can link
a document through a public media URL by mistake.
"""

from __future__ import annotations

import secrets
from pathlib import Path

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.utils import timezone
from django.utils.deconstruct import deconstructible
from django.utils.functional import cached_property


def private_media_root() -> Path:
    """`FABRIQUE_PRIVATE_MEDIA_ROOT` when set, else a `private-media` folder next to MEDIA_ROOT."""
    configured = getattr(settings, "FABRIQUE_PRIVATE_MEDIA_ROOT", None)
    if configured:
        return Path(configured)
    return Path(settings.MEDIA_ROOT).parent / "private-media"


@deconstructible(path="fabrique.recruitment.storage.PrivateStorage")
class PrivateStorage(FileSystemStorage):
    """A file system storage rooted outside MEDIA_ROOT, with no public URL."""

    @cached_property
    def base_location(self) -> str:  # re-read when MEDIA_ROOT changes (setting_changed clears the cache)
        location = self._location  # type: ignore[attr-defined]  # set by FileSystemStorage.__init__
        base: str = self._value_or_setting(location, str(private_media_root()))
        return base

    def url(self, name: str | None) -> str:
        raise ValueError("Private documents have no public URL; serve them through an access-checked view.")


private_storage = PrivateStorage()


def application_document_path(instance: object, filename: str) -> str:
    """A random name: the original file name is never used (nor guessable) on disk."""
    suffix = Path(filename).suffix.lower()
    return f"applications/{timezone.now():%Y/%m}/{secrets.token_urlsafe(18)}{suffix}"
