"""What a decision can decide about each kind of object, and the transition each outcome performs.

Domain apps register their outcomes in their AppConfig.ready(): the committees app never imports
needs, studies or projects, yet a committee decision performs their transitions.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import models
from django_stubs_ext import StrOrPromise

# handler(target, decision, actor) performs the transition (raising DomainError to refuse); each app's
# handler takes its own model, the decision and the acting User (typed there), its result is ignored
Handler = Callable[[Any, Any, Any], object]


@dataclass(frozen=True)
class Outcome:
    code: str
    label: StrOrPromise
    handler: Handler
    reason_choices: tuple[tuple[str, StrOrPromise], ...] = ()
    requires_reasons: bool = False
    # stages of the target from which this outcome can be decided (empty: any)
    from_stages: frozenset[str] = field(default_factory=frozenset)
    # whether the target's fabrique offers this outcome at all (None: always), e.g. a fabrique setting
    available: Callable[[Any], bool] | None = None


_OUTCOMES: dict[str, list[Outcome]] = {}


def _key(model: type[models.Model] | models.Model) -> str:
    return model._meta.label_lower


def register_outcomes(model: type[models.Model], outcomes: list[Outcome]) -> None:
    _OUTCOMES[_key(model)] = list(outcomes)


def outcomes_for(target: models.Model) -> list[Outcome]:
    """Outcomes possible now for `target` (filtered by its current stage)."""
    stage = getattr(target, "stage", None)
    return [
        o
        for o in _OUTCOMES.get(_key(target), [])
        if (not o.from_stages or stage in o.from_stages) and (o.available is None or o.available(target))
    ]


def outcome(target: models.Model, code: str) -> Outcome | None:
    return next((o for o in _OUTCOMES.get(_key(target), []) if o.code == code), None)


def decidable_models() -> list[str]:
    return list(_OUTCOMES)


def registered_outcomes(model: type[models.Model] | models.Model) -> list[Outcome]:
    """Every outcome registered for `model`, whatever the current stage of an instance."""
    return list(_OUTCOMES.get(_key(model), []))


def decidable_stages(model: type[models.Model] | models.Model) -> frozenset[str] | None:
    """Stages from which at least one outcome can be decided; None when some outcome allows any stage."""
    stages: set[str] = set()
    for option in _OUTCOMES.get(_key(model), []):
        if not option.from_stages:
            return None
        stages |= option.from_stages
    return frozenset(stages)


# --- who is involved in a decided object (conflicts of interest) -------------------------------------------

InvolvedOrganizations = Callable[[Any], set[int]]  # target (of the registered model) -> organisation ids
_INVOLVED: dict[str, InvolvedOrganizations] = {}


def register_involved(model: type[models.Model], organizations: InvolvedOrganizations) -> None:
    """`organizations(target)` gives the ids of the directory's organisations involved in `target`
    (a candidate's structure, a project's leader or partner...): a committee member from one of them
    has a conflict of interest and abstains."""
    _INVOLVED[_key(model)] = organizations


def involved_organization_ids(target: models.Model) -> set[int]:
    function = _INVOLVED.get(_key(target))
    return set(function(target)) if function is not None else set()
