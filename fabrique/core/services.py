"""Generic write helpers used by the domain services: validated, atomic and audited.

Domain services stay the public entry points (`organization_create`, ...); they call these
helpers so that every create, update and soft delete validates, saves and writes its audit
entry in one transaction.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from django.db import models, transaction
from django.utils import timezone

from fabrique.audit.services import audit_log, diff, snapshot

if TYPE_CHECKING:
    from fabrique.accounts.models import User
    from fabrique.core.models import TenantModel
    from fabrique.fabriques.models import Fabrique

M = TypeVar("M", bound=models.Model)
T = TypeVar("T", bound="TenantModel")
M2M = Mapping[str, Any]  # many-to-many field name -> iterable of rows


def field_names(fields: type[Mapping[str, Any]]) -> frozenset[str]:
    """The keys a `TypedDict` of service fields declares."""
    keys: frozenset[str] = getattr(fields, "__required_keys__", frozenset())
    return keys | getattr(fields, "__optional_keys__", frozenset())


def check_fields(data: Mapping[str, object], fields: type[Mapping[str, Any]]) -> None:
    """Refuse keys the `TypedDict` `fields` does not declare.

    Services take their fields as typed keyword arguments (`**data: Unpack[XFields]`); mypy checks the
    callers that name them, this check covers the callers that pass a form's `**cleaned_data`."""
    unknown = set(data) - field_names(fields)
    if unknown:
        raise TypeError(f"Unknown fields: {', '.join(sorted(unknown))}")


def _action_prefix(instance: models.Model) -> str:
    return f"{instance._meta.app_label}.{instance._meta.model_name}"


def audited_create(
    *, instance: M, actor: User | None, fabrique: Fabrique | None, m2m: M2M | None = None
) -> M:
    """Validate and insert `instance`, set its many-to-many values and log `<app>.<model>.created`."""
    with transaction.atomic():
        instance.full_clean()
        instance.save()
        for name, values in (m2m or {}).items():
            getattr(instance, name).set(values)
        # the creation entry lists the values given, not every empty field
        new = {k: v for k, v in snapshot(instance).items() if v not in (None, "", [], {})}
        for name, values in (m2m or {}).items():
            if values:
                new[name] = sorted(str(v) for v in values)
        audit_log(
            actor=actor,
            fabrique=fabrique,
            target=instance,
            action=f"{_action_prefix(instance)}.created",
            new=new,
        )
    return instance


def audited_update(
    *,
    instance: M,
    actor: User | None,
    fabrique: Fabrique | None,
    data: Mapping[str, Any],
    m2m: M2M | None = None,
) -> tuple[M, bool]:
    """Apply `data` to the locked row; do nothing when nothing changes; log old and new values."""
    model = type(instance)
    with transaction.atomic():
        locked = model._base_manager.select_for_update().get(pk=instance.pk)
        fields = list(data.keys())
        old = snapshot(locked, fields)
        raw_before = {name: getattr(locked, name) for name in fields}
        for name in m2m or {}:
            old[name] = sorted(str(v) for v in getattr(locked, name).all())
        for name, value in data.items():
            setattr(locked, name, value)
        locked.full_clean()
        new = snapshot(locked, fields)
        for name, values in (m2m or {}).items():
            new[name] = sorted(str(v) for v in values)
        old_changed, new_changed = diff(old, new)
        scalar = [name for name in fields if getattr(locked, name) != raw_before[name]]
        if not scalar and not any(name in new_changed for name in m2m or {}):
            return locked, False
        if scalar:
            update_fields = scalar + (["updated_at"] if hasattr(locked, "updated_at") else [])
            locked.save(update_fields=update_fields)
        for name, values in (m2m or {}).items():
            getattr(locked, name).set(values)
        if new_changed or old_changed:
            audit_log(
                actor=actor,
                fabrique=fabrique,
                target=locked,
                action=f"{_action_prefix(locked)}.updated",
                old=old_changed,
                new=new_changed,
            )
    return locked, True


def soft_delete(*, instance: T, actor: User | None, fabrique: Fabrique | None) -> T:
    """Mark the row deleted (it stays in the database and in the log) and log `<app>.<model>.deleted`."""
    model = type(instance)
    with transaction.atomic():
        locked = model._base_manager.select_for_update().get(pk=instance.pk)
        if locked.deleted_at is not None:
            return locked
        locked.deleted_at = timezone.now()
        locked.save(update_fields=["deleted_at", "updated_at"])
        audit_log(
            actor=actor,
            fabrique=fabrique,
            target=locked,
            action=f"{_action_prefix(locked)}.deleted",
            old=snapshot(locked),
        )
    return locked
