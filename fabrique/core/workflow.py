"""Explicit state machines for the pipeline objects.

Each stateful model declares a `Workflow`: its stages (a TextChoices), the allowed transitions and,
optionally, guards. `transition()` is the only code that assigns a stage: it locks the row, does
nothing when the stage does not change, refuses a transition that is not in the table with a clear
French error, saves with `update_fields` and writes the audit entry (linked to the decision that
caused it, when there is one) in the same transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from dataclasses import field as dc_field
from typing import TYPE_CHECKING, Any, TypeVar

from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fabrique.audit.services import audit_log
from fabrique.core.errors import TransitionNotAllowed

if TYPE_CHECKING:
    from fabrique.accounts.models import User
    from fabrique.committees.models import Decision

M = TypeVar("M", bound=models.Model)

Guard = Callable[[models.Model], str | None]  # returns a French refusal message, or None when allowed


@dataclass(frozen=True)
class Workflow:
    stages: type[models.TextChoices]
    transitions: dict[str, frozenset[str]]
    field: str = "stage"
    guards: dict[tuple[str, str], Guard] = dc_field(default_factory=dict)

    def allowed_targets(self, current: str) -> frozenset[str]:
        return self.transitions.get(current, frozenset())

    def can(self, instance: models.Model, target: str) -> bool:
        current = getattr(instance, self.field)
        if target not in self.allowed_targets(current):
            return False
        guard = self.guards.get((current, target))
        return guard is None or guard(instance) is None

    def label(self, stage: str) -> str:
        try:
            return str(self.stages(stage).label)
        except ValueError:
            return stage


def allowed(mapping: dict[str, Iterable[str]]) -> dict[str, frozenset[str]]:
    return {key: frozenset(values) for key, values in mapping.items()}


def transition(
    *,
    instance: M,
    to: str,
    actor: User | None,
    decision: Decision | None = None,
    note: str = "",
    extra: Mapping[str, Any] | None = None,
    force_audit_action: str | None = None,
    event_data: Mapping[str, Any] | None = None,
) -> M:
    """Move `instance` to stage `to`. `extra` holds other fields set in the same save; `event_data`
    adds values to the audit entry (what the event handlers need, e.g. the project that answers a
    need), never personal data.

    Returns the locked, saved instance. Raises TransitionNotAllowed when the table or a guard refuses.
    """
    model = type(instance)
    workflow: Workflow = model.workflow  # type: ignore[attr-defined]
    with transaction.atomic():
        locked = model._base_manager.select_for_update().get(pk=instance.pk)
        current = getattr(locked, workflow.field)
        if current == to:
            return locked
        if to not in workflow.allowed_targets(current):
            raise TransitionNotAllowed(
                _("Impossible de passer « %(obj)s » de l'étape « %(from)s » à « %(to)s ».")
                % {"obj": locked, "from": workflow.label(current), "to": workflow.label(to)}
            )
        guard = workflow.guards.get((current, to))
        refusal = guard(locked) if guard else None
        if refusal:
            raise TransitionNotAllowed(refusal)
        setattr(locked, workflow.field, to)
        update_fields = [workflow.field]
        if hasattr(locked, "stage_changed_at"):
            locked.stage_changed_at = timezone.now()
            update_fields.append("stage_changed_at")
        for name, value in (extra or {}).items():
            setattr(locked, name, value)
            update_fields.append(name)
        if hasattr(locked, "updated_at"):
            update_fields.append("updated_at")
        locked.save(update_fields=update_fields)
        old = {workflow.field: current}
        new = {workflow.field: to}
        for name, value in (extra or {}).items():
            new[name] = value
        new.update(event_data or {})
        audit_log(
            actor=actor,
            fabrique=getattr(locked, "fabrique", None),
            target=locked,
            action=force_audit_action or f"{model._meta.app_label}.{model._meta.model_name}.{to}",
            old=old,
            new=new,
            decision_ref=decision.reference if decision is not None else "",
            note=note,
        )
        instance.__dict__.update({k: getattr(locked, k) for k in update_fields})
    return locked
