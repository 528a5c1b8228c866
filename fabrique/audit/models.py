"""The append-only audit log: one row per create, update, delete and transition done by a service."""

from __future__ import annotations

import re
from typing import Any, NoReturn

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Field
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AuditEntryQuerySet(models.QuerySet["AuditEntry"]):
    def delete(self) -> NoReturn:
        raise PermissionError("Audit entries cannot be deleted.")

    def update(self, **kwargs: Any) -> NoReturn:
        raise PermissionError("Audit entries cannot be modified.")

    def for_target(self, target: models.Model) -> AuditEntryQuerySet:
        return self.filter(
            target_type=ContentType.objects.get_for_model(type(target)), target_id=str(target.pk)
        )


class AuditEntry(models.Model):
    """Never updated, never deleted (also enforced by database triggers, see migration 0002)."""

    created_at = models.DateTimeField(_("date"), default=timezone.now, db_index=True)
    fabrique = models.ForeignKey(
        "fabriques.Fabrique",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("fabrique"),
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("auteur"),
    )
    actor_label = models.CharField(_("auteur (libellé)"), max_length=200, blank=True)
    action = models.CharField(_("action"), max_length=120, db_index=True)
    target_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    target_id = models.CharField(max_length=64)
    target_repr = models.CharField(_("objet"), max_length=300)
    old_values = models.JSONField(_("anciennes valeurs"), default=dict, blank=True)
    new_values = models.JSONField(_("nouvelles valeurs"), default=dict, blank=True)
    decision_ref = models.CharField(_("décision liée"), max_length=200, blank=True)
    note = models.TextField(_("commentaire"), blank=True)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("entrée du journal")
        verbose_name_plural = _("journal d'audit")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["target_type", "target_id", "-created_at"]),
            # the fabrique's journal and the dashboard's recent activity, newest first
            models.Index(fields=["fabrique", "-created_at", "-id"], name="audit_fabrique_recent"),
        ]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.action} {self.target_repr}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise PermissionError("Audit entries cannot be modified.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise PermissionError("Audit entries cannot be deleted.")

    @property
    def action_label(self) -> str:
        from .labels import action_label

        return action_label(self.action)

    @property
    def changes(self) -> list[tuple[str, object, object]]:
        """(field label, old, new) with French field labels and choice labels where known."""
        keys = list(dict.fromkeys([*self.old_values.keys(), *self.new_values.keys()]))
        # the content type cache, not self.target_type: one query per row on every timeline otherwise
        model = (
            ContentType.objects.get_for_id(self.target_type_id).model_class() if self.target_type_id else None
        )
        rows = []
        for key in keys:
            old, new = self.old_values.get(key), self.new_values.get(key)
            # entries about a part of an object (a scenario logged on its study) name fields of
            # another model: fall back on any model's label for that field name
            field = _model_field(model, key) or _any_field(key)
            label = str(field.verbose_name) if field is not None else _FALLBACK_LABELS.get(key, key)
            rows.append((label, _display(field, old), _display(field, new)))
        return rows


_FALLBACK_LABELS = {"item": _("point"), "target": _("objet"), "votes": _("voix (pour, contre, abstention)")}


def _any_field(name: str) -> Field[Any, Any] | None:
    from django.apps import apps

    for model in apps.get_models():
        if not model.__module__.startswith("fabrique."):
            continue
        field = _model_field(model, name)
        if field is not None:
            return field
    return None


def _model_field(model: type[models.Model] | None, name: str) -> Field[Any, Any] | None:
    if model is None:
        return None
    try:
        field = model._meta.get_field(name)
    except Exception:  # noqa: BLE001 - unknown field: show the raw key
        return None
    # reverse relations have no label
    return field if isinstance(field, Field) and hasattr(field, "verbose_name") else None


_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_ISO_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?([+-]\d{2}:\d{2}|Z)?$")


def _display_scalar(field: Field[Any, Any] | None, value: Any) -> Any:
    """Dates as "1 février 2024" (times in the site's time zone), numbers as "15 000,5"."""
    from django.utils import dateparse
    from django.utils.formats import date_format

    from fabrique.core.text import format_number

    if isinstance(value, str):
        if _ISO_DATE.match(value):
            parsed_date = dateparse.parse_date(value)
            if parsed_date is not None:
                return date_format(parsed_date, "j F Y")
        if _ISO_DATETIME.match(value):
            parsed = dateparse.parse_datetime(value)
            if parsed is not None:
                if timezone.is_aware(parsed):
                    parsed = timezone.localtime(parsed)
                return date_format(parsed, "j F Y à H:i")
        if isinstance(field, models.DecimalField | models.FloatField):
            try:
                return format_number(value)
            except Exception:  # noqa: BLE001 - not a number after all: shown as stored
                return value
    if isinstance(value, float | int) and not isinstance(value, bool):
        return format_number(value)
    return value


def _display(field: Field[Any, Any] | None, value: Any) -> Any:
    if value is True:
        return _("oui")
    if value is False:
        return _("non")
    choices = dict(getattr(field, "flatchoices", None) or []) if field is not None else {}
    if isinstance(value, list):
        return ", ".join(_display_item(choices, v) for v in value)
    if isinstance(value, dict):
        return _display_item(choices, value)
    if choices and isinstance(value, str | int) and value in choices:
        return choices[value]
    return _display_scalar(field, value)


def _display_item(choices: dict[Any, Any], value: Any) -> str:
    if isinstance(value, dict):
        return " · ".join(f"{v}" for v in value.values() if v not in (None, ""))
    return str(choices.get(value, _display_scalar(None, value)))


class AuditRedaction(models.Model):
    """The record of one audit entry whose personal data was masked (GDPR erasure).

    The database triggers refuse any UPDATE of an audit entry unless a *pending* redaction row names
    it, and even then only the texts that can hold personal data may change (`target_repr`,
    `actor_label`, `old_values`, `new_values`, `note`): the action, the date, the target, the actor
    and the fabrique stay. `fabrique.audit.services.audit_redact` creates the row, masks the entry
    and closes the row in one transaction. Deleting an entry stays impossible.
    """

    entry = models.ForeignKey(AuditEntry, on_delete=models.PROTECT, related_name="+")
    fabrique = models.ForeignKey(
        "fabriques.Fabrique", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    redacted_at = models.DateTimeField(_("masqué le"), default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reason = models.CharField(_("motif"), max_length=200)
    pending = models.BooleanField(default=True)

    class Meta:
        verbose_name = _("masquage d'une entrée du journal")
        verbose_name_plural = _("masquages d'entrées du journal")
        indexes = [models.Index(fields=["entry", "pending"])]

    def __str__(self) -> str:
        return f"{self.entry_id} {self.redacted_at:%Y-%m-%d} {self.reason}"
