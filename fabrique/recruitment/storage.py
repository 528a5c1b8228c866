"""Where every uploaded file lives: outside the public media directory, under random names.

Application documents, report evidence, indicator imports and fabrique logos all use this storage
(`FABRIQUE_PRIVATE_MEDIA_ROOT`, the folder `fabrique backup` saves). The files are only ever served
by views that checked access first (e.g. `application_document`, `report_document`). `url()` is
refused so that no template can link a file through a public media URL by mistake.
"""

from __future__ import annotations

import secrets
import weakref
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.db import transaction
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

    def _clear_cached_properties(self, setting: Any, **kwargs: Any) -> None:
        super()._clear_cached_properties(setting, **kwargs)
        if setting == "FABRIQUE_PRIVATE_MEDIA_ROOT":
            self.__dict__.pop("base_location", None)
            self.__dict__.pop("location", None)

    def url(self, name: str | None) -> str:
        raise ValueError("Private documents have no public URL; serve them through an access-checked view.")

    def save(self, name: str | None, content: Any, max_length: int | None = None) -> str:
        """Write the file; when a transaction is open, remove it again unless that transaction commits."""
        saved = super().save(name, content, max_length=max_length)
        if transaction.get_connection().in_atomic_block:
            transaction.on_commit(_RemovedUnlessCommitted(self, saved).keep)
        return saved


class _RemovedUnlessCommitted:
    """Deletes a just-written file when it is garbage-collected before its transaction committed.

    Django has no "on rollback" hook, but a rolled-back transaction (or savepoint) drops its on_commit
    callbacks, and this object is referenced by nothing else than its `keep` callback: CPython frees it
    at once and the finaliser deletes the file. On commit, `keep` detaches the finaliser. (A process
    killed mid-transaction still leaves its file behind.)
    """

    def __init__(self, storage: FileSystemStorage, name: str):
        self._finalizer = weakref.finalize(self, storage.delete, name)

    def keep(self) -> None:
        self._finalizer.detach()


private_storage = PrivateStorage()


def generated_name(folder: str, filename: str, *, dated: bool = True) -> str:
    """A random name: the original file name is never used (nor guessable) on disk."""
    suffix = Path(filename).suffix.lower()
    if not suffix[1:].isalnum() or len(suffix) > 6:
        suffix = ""
    month = f"{timezone.now():%Y/%m}/" if dated else ""
    return f"{folder}/{month}{secrets.token_urlsafe(18)}{suffix}"


def application_document_path(instance: object, filename: str) -> str:
    return generated_name("applications", filename)


def report_document_path(instance: object, filename: str) -> str:
    return generated_name("reports", filename)


def indicator_file_path(instance: object, filename: str) -> str:
    return generated_name("indicateurs", filename)


def logo_path(instance: object, filename: str) -> str:
    return generated_name("logos", filename, dated=False)


def relocate_uploads(
    model: Any,
    field_name: str,
    path_function: Callable[[object, str], str],
    *,
    old_public_root: str | Path | None = None,
) -> int:
    """Move a model's existing uploads into the private storage under generated names (data migrations).

    A file is looked for in the private storage first, then under `old_public_root` (the public
    MEDIA_ROOT where uploads used to land). Rows are updated in the migration's transaction; the old
    files are removed only once it commits. A missing file leaves its row unchanged. Returns the
    number of files moved.
    """
    from django.core.files import File

    public_root = Path(old_public_root) if old_public_root else None
    moved = 0
    rows = model._default_manager.exclude(**{field_name: ""}).exclude(**{f"{field_name}__isnull": True})
    for pk, name in rows.values_list("pk", field_name).iterator():
        if private_storage.exists(name):
            source = Path(private_storage.path(name))
        elif public_root is not None and (public_root / name).is_file():
            source = public_root / name
        else:
            continue
        with source.open("rb") as handle:
            new_name = private_storage.save(path_function(None, name), File(handle))
        model._default_manager.filter(pk=pk).update(**{field_name: new_name})
        transaction.on_commit(partial(source.unlink, missing_ok=True))
        moved += 1
    return moved
