"""Abstract bases shared by the domain apps: timestamps, tenant ownership and soft delete."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, NoReturn, Self, TypeVar

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from fabrique.fabriques.models import Fabrique

_M = TypeVar("_M", bound=models.Model)


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(_("créé le"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("modifié le"), auto_now=True)

    class Meta:
        abstract = True


class TenantQuerySet(models.QuerySet[_M]):
    def for_fabrique(self, fabrique: Fabrique) -> Self:
        return self.filter(fabrique=fabrique)

    def alive(self) -> Self:
        return self.filter(deleted_at__isnull=True)

    def delete(self) -> NoReturn:  # pragma: no cover - guard
        raise TypeError("Business objects are soft-deleted through their service, never bulk-deleted.")


_TenantManager = models.Manager.from_queryset(TenantQuerySet)


class AliveManager(_TenantManager[_M]):
    """Default manager: hides soft-deleted rows."""

    def get_queryset(self) -> models.QuerySet[_M]:
        return super().get_queryset().filter(deleted_at__isnull=True)


class TenantModel(TimeStampedModel):
    """A private row of one fabrique. Deleting it is a soft delete done by a service."""

    fabrique = models.ForeignKey(
        "fabriques.Fabrique", on_delete=models.PROTECT, related_name="+", verbose_name=_("fabrique")
    )
    deleted_at = models.DateTimeField(_("supprimé le"), null=True, blank=True, editable=False)

    objects = AliveManager()
    all_objects = _TenantManager()

    class Meta:
        abstract = True
        base_manager_name = "all_objects"

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise TypeError(
            "Business objects are soft-deleted through their service (core.services.soft_delete)."
        )


class DeliveryKey(models.Model):
    """One row per message already sent (an e-mail, a notification, a webhook delivery): the
    idempotency key of an event × recipient. A task run twice finds the key and sends nothing."""

    key = models.CharField(max_length=255, unique=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("envoi effectué")

    def __str__(self) -> str:
        return self.key


class WorkerHeartbeat(models.Model):
    """A running `fabrique worker` says it is alive every few seconds. The tasks of a worker that
    stopped beating (killed, machine restarted) are given back to the queue by the next worker."""

    worker_id = models.CharField(max_length=64, unique=True)
    hostname = models.CharField(max_length=255)
    pid = models.PositiveIntegerField()
    started_at = models.DateTimeField(default=timezone.now)
    last_seen = models.DateTimeField(default=timezone.now, db_index=True)
    current_task = models.CharField(max_length=64, blank=True)

    class Meta:
        verbose_name = _("processus de tâches")

    def __str__(self) -> str:
        return f"{self.worker_id} ({self.hostname}:{self.pid})"


def live_stage_index(name: str) -> models.Index:
    """`(fabrique, stage, updated_at DESC, id DESC)` on live rows: the dashboard's counts by stage and the
    pipeline board's columns (latest changed first) of a staged model."""
    return models.Index(
        "fabrique",
        "stage",
        models.F("updated_at").desc(),
        models.F("id").desc(),
        condition=models.Q(deleted_at__isnull=True),
        name=name,
    )


def search_text_field() -> models.TextField[str, str]:
    """The stored, folded copy of what a list's search box reads (`SearchText`)."""
    return models.TextField(editable=False, blank=True, default="")


class SearchText:
    """Accent-insensitive list search on a stored column: `search_text` holds the model's `search_fields`
    folded once (lower case, no accents, punctuation as spaces: `core.text.normalize`), written on every
    save (and by bulk writers through `refresh_search_text`), so "creche" finds "Crèche" with a plain
    `LIKE` on SQLite and PostgreSQL alike, without a function evaluated per row (docs/decisions.md).

    Mixed into a model that declares `search_text = search_text_field()`."""

    search_fields: tuple[str, ...] = ()
    search_text: Any

    def build_search_text(self) -> str:
        from .text import normalize

        return normalize(" ".join(str(getattr(self, name) or "") for name in self.search_fields))

    def refresh_search_text(self) -> None:
        self.search_text = self.build_search_text()

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.refresh_search_text()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and set(update_fields) & set(self.search_fields):
            kwargs["update_fields"] = {*update_fields, "search_text"}
        super().save(*args, **kwargs)  # type: ignore[misc]


def search_text_q(query: str | None, *, prefix: str = "", max_words: int = 6) -> models.Q | None:
    """Rows whose `search_text` contains every word of `query` (folded like the column); None if empty."""
    from .text import normalize

    words = normalize(query).split()[:max_words]
    if not words:
        return None
    found = models.Q()
    for word in words:
        found &= models.Q(**{f"{prefix}search_text__contains": word})
    return found


def fill_search_text(model: type[models.Model], fields: tuple[str, ...], *, batch: int = 2000) -> int:
    """Write `search_text` of every row of `model` (a data migration's historical model, or a bulk
    writer's): the rows read and written `batch` at a time. Returns the number of rows written."""
    from .text import normalize

    manager = model._base_manager
    rows, written = [], 0
    for row in manager.only("pk", *fields).order_by("pk").iterator(chunk_size=batch):
        row.search_text = normalize(" ".join(str(getattr(row, name) or "") for name in fields))  # type: ignore[attr-defined]
        rows.append(row)
        if len(rows) >= batch:
            written += manager.bulk_update(rows, ["search_text"], batch_size=batch)
            rows = []
    if rows:
        written += manager.bulk_update(rows, ["search_text"], batch_size=batch)
    return written
