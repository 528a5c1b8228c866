"""One audit case per service: call the service for real, then check the entry it wrote.

A case names the service it covers (`service`), a `run(team)` that sets up what the service needs,
calls it and returns the object the entry is about, the `action` expected, the `fields` the entry must
list among its old or new values (the changed fields), and the `actor` (a role of the test team, or
None for an anonymous visitor). `tests/audit/test_every_service_audited.py` fails when a service of
the code base has no case.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.db import models

from fabrique.audit.models import AuditEntry


@dataclass(frozen=True)
class Case:
    service: Callable[..., Any]
    run: Callable[[Any], models.Model]
    action: str
    fields: frozenset[str] = field(default_factory=frozenset)
    actor: str | None = "officer"
    # the fabrique the entry is logged under: "team" (the test team's), "target" (the object is a
    # fabrique) or "none" (a network-wide entry)
    where: str = "team"
    variant: str = ""
    # the entry names its object (False: an erasure, whose object has no name left)
    labelled: bool = True

    @property
    def name(self) -> str:
        return f"{self.service.__module__}.{self.service.__name__}"

    @property
    def id(self) -> str:
        label = f"{self.service.__module__.removeprefix('fabrique.')}.{self.service.__name__}"
        return f"{label}[{self.variant}]" if self.variant else label


def case(
    service: Callable[..., Any],
    run: Callable[[Any], models.Model],
    action: str,
    fields: Iterable[str] = (),
    *,
    actor: str | None = "officer",
    where: str = "team",
    variant: str = "",
    labelled: bool = True,
) -> Case:
    return Case(service, run, action, frozenset(fields), actor, where, variant, labelled)


def params(cases: Iterable[Case]) -> list[Any]:
    return [pytest.param(c, id=c.id) for c in cases]


def check(team: Any, c: Case) -> AuditEntry:
    """Run the case and assert its entry: action, object, actor, fabrique and changed fields."""
    last = AuditEntry.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    target = c.run(team)
    assert isinstance(target, models.Model), f"{c.id}: run() must return the audited object, got {target!r}"
    written = AuditEntry.objects.filter(pk__gt=last)
    fabrique = {"team": team.fabrique.pk, "target": target.pk, "none": None}[c.where]
    entries = written.for_target(target).filter(action=c.action, fabrique_id=fabrique)
    assert entries.exists(), (
        f"{c.id}: no {c.action!r} entry on {target!r} in fabrique {fabrique}; written: "
        f"{sorted(written.values_list('action', 'target_repr', 'fabrique_id'))}"
    )
    entry = entries.latest("pk")
    expected_actor = team.user(c.actor) if c.actor else None
    assert entry.actor_id == (expected_actor.pk if expected_actor else None), f"{c.id}: actor"
    if expected_actor is not None:
        assert entry.actor_label, f"{c.id}: actor label"
    assert bool(entry.target_repr) == c.labelled, f"{c.id}: object label {entry.target_repr!r}"
    logged = set(entry.old_values) | set(entry.new_values)
    assert c.fields <= logged, f"{c.id}: fields {sorted(c.fields - logged)} missing from {sorted(logged)}"
    return entry
