"""Human references of records ("B-2026-014"): numbered per fabrique, per kind and per year."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import models
from django.db.models.functions import Length
from django.utils import timezone

if TYPE_CHECKING:
    from fabrique.fabriques.models import Fabrique


def next_reference(*, model: type[models.Model], fabrique: Fabrique, prefix: str) -> str:
    """The next "<prefix>-<year>-<number>" of `fabrique` for `model`. Call inside the caller's transaction.

    Soft-deleted rows keep their number. Locking the fabrique row serialises the numbering of one fabrique
    on PostgreSQL; SQLite serialises writers anyway."""
    from fabrique.fabriques.models import Fabrique

    Fabrique.objects.select_for_update().filter(pk=fabrique.pk).exists()
    stem = f"{prefix}-{timezone.localdate().year}-"
    manager: models.Manager[models.Model] = model.all_objects  # type: ignore[attr-defined]
    last: str | None = (
        manager.filter(fabrique=fabrique, reference__startswith=stem)
        .annotate(length=Length("reference"))
        .order_by("-length", "-reference")
        .values_list("reference", flat=True)
        .first()
    )
    suffix = last[len(stem) :] if last else ""
    number = int(suffix) + 1 if suffix.isdigit() else 1
    return f"{stem}{number:03d}"
