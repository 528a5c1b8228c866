"""Writing the audit log. Call `audit_log` inside the service's transaction."""

from __future__ import annotations

import datetime
import decimal
import uuid
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.db.models.fields.files import FieldFile

from fabrique.core.events import event_dispatch

from .models import AuditEntry

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from fabrique.accounts.models import User
    from fabrique.fabriques.models import Fabrique

JSON = Any  # a JSON-able value: None, bool, int, float, str, list or dict of those


def _jsonable(value: object) -> JSON:
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, FieldFile):
        return value.name or None
    if isinstance(value, models.Model):
        return str(value)
    if isinstance(value, list | tuple | set):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    return str(value)


PERSONAL_MASK = "[donnée personnelle]"


def snapshot(instance: models.Model, fields: list[str] | None = None) -> dict[str, JSON]:
    """Field values of `instance` as JSON-able data (foreign keys as their string form).

    Fields listed in the model's `audit_masked_fields` (personal data: e-mail, phone, names of
    private persons...) are replaced by a marker, so that erasing a person (GDPR) leaves no copy of
    their data in the append-only log; the log still says the field changed.
    """
    masked = set(getattr(type(instance), "audit_masked_fields", ()))
    data: dict[str, JSON] = {}
    for field in instance._meta.concrete_fields:
        if fields is not None and field.name not in fields:
            continue
        if field.name in {
            "id",
            "created_at",
            "updated_at",
            "fabrique",
            "deleted_at",
            "search_name",
            "stage_changed_at",
            "normalized_name",
            "followup_token",
            "access_token",
        }:
            continue
        if field.is_relation:
            related = getattr(instance, field.name)
            data[field.name] = str(related) if related is not None else None
        else:
            data[field.name] = _jsonable(getattr(instance, field.attname))
        if field.name in masked and data[field.name] not in (None, ""):
            data[field.name] = PERSONAL_MASK
    return data


def diff(old: dict[str, JSON], new: dict[str, JSON]) -> tuple[dict[str, JSON], dict[str, JSON]]:
    """Only the keys whose value changed."""
    keys = [k for k in new if old.get(k) != new.get(k)] + [k for k in old if k not in new]
    return {k: old.get(k) for k in keys}, {k: new.get(k) for k in keys}


def audit_log(
    *,
    actor: User | AnonymousUser | None,
    fabrique: Fabrique | None,
    target: models.Model,
    action: str,
    old: dict[str, Any] | None = None,
    new: dict[str, Any] | None = None,
    decision_ref: str = "",
    note: str = "",
) -> AuditEntry:
    """Append one entry. Must run inside the caller's atomic block (same transaction as the change).

    The entry is also the event of `fabrique.core.events`: the handlers registered for `action` are
    enqueued as tasks once the transaction commits."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit_log must be called inside the service's transaction.atomic block.")
    user = actor if actor is not None and actor.is_authenticated else None
    entry = AuditEntry.objects.create(
        actor=user,
        actor_label=(user.get_full_name() or user.email) if user else "",
        fabrique=fabrique,
        action=action,
        target_type=ContentType.objects.get_for_model(type(target)),
        target_id=str(target.pk),
        target_repr=str(target)[:300],
        old_values=_jsonable(old or {}),
        new_values=_jsonable(new or {}),
        decision_ref=decision_ref,
        note=note,
    )
    event_dispatch(entry)  # the entry is the event: its handlers run as tasks after the commit
    return entry


ERASED_MARK = "[donnée effacée]"


def _mask_text(value: str, needles: list[str]) -> str:
    import re

    for needle in needles:
        value = re.sub(re.escape(needle), ERASED_MARK, value, flags=re.IGNORECASE)
    return value


def _mask_values(values: JSON, needles: list[str], keys: frozenset[str]) -> JSON:
    """`values` with the strings under `keys` replaced by the mark and `needles` masked everywhere."""
    if isinstance(values, dict):
        return {
            k: (
                ERASED_MARK
                if k in keys and v not in (None, "", PERSONAL_MASK)
                else _mask_values(v, needles, keys)
            )
            for k, v in values.items()
        }
    if isinstance(values, list):
        return [_mask_values(v, needles, keys) for v in values]
    if isinstance(values, str):
        return _mask_text(values, needles)
    return values


def audit_redact(
    *,
    entries: Iterable[AuditEntry],
    actor: User | None,
    reason: str,
    needles: Iterable[str] = (),
    keys: Iterable[str] = (),
    target_label: str | None = None,
) -> int:
    """Mask personal data in audit entries (GDPR erasure): the texts `needles` (a name, an e-mail,
    a phone number) wherever they appear, the values logged under `keys`, and, with `target_label`,
    the entries' object label. Each entry masked gets an `AuditRedaction` row (who, when, why — never
    the values). Must run inside the caller's transaction.

    The append-only triggers allow exactly this: an UPDATE of an entry named by a pending redaction,
    changing only target_repr, actor_label, values and note (see audit migration 0003).
    """
    from django.db.models import QuerySet

    from .models import AuditRedaction

    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit_redact must be called inside the service's transaction.atomic block.")
    needle_list = sorted({n.strip() for n in needles if n and len(n.strip()) >= 4}, key=len, reverse=True)
    key_set = frozenset(keys)
    user = actor if actor is not None and actor.is_authenticated else None
    count = 0
    for entry in entries:
        changes = {
            "target_repr": target_label
            if target_label is not None
            else _mask_text(entry.target_repr, needle_list),
            "actor_label": _mask_text(entry.actor_label, needle_list),
            "old_values": _mask_values(entry.old_values, needle_list, key_set),
            "new_values": _mask_values(entry.new_values, needle_list, key_set),
            "note": _mask_text(entry.note, needle_list),
        }
        if all(getattr(entry, name) == value for name, value in changes.items()):
            continue
        redaction = AuditRedaction.objects.create(
            entry=entry, fabrique_id=entry.fabrique_id, actor=user, reason=reason[:200], pending=True
        )
        # AuditEntryQuerySet.update refuses on purpose: the plain QuerySet's update is the one way in
        QuerySet.update(AuditEntry.objects.filter(pk=entry.pk), **changes)
        AuditRedaction.objects.filter(pk=redaction.pk).update(pending=False)
        count += 1
    return count
