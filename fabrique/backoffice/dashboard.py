"""What the staff home shows: the domain's indicators and deadlines (`fabrique.core.indicators`),
declared by each app in `<app>/indicators.py`, grouped by what they ask of the team: what to handle
now, where the pipeline stands, and the results. An indicator not named below is a result."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from fabrique.core.indicators import Deadline, deadlines, indicators, values_of


@dataclass
class Figure:
    label: str
    value: int | Decimal
    url: str = ""


def _figure(indicator: Any, fabrique: Any, value: Any) -> Figure:
    return Figure(label=indicator.label_of(fabrique, value), value=value, url=indicator.url(fabrique))


def _figures(fabrique: Any) -> dict[str, Figure]:
    """The dashboard's figures by key, their values read in one query."""
    found = indicators(dashboard=True)
    values = values_of(found, fabrique)
    return {i.key: _figure(i, fabrique, values[i.key]) for i in found}


def dashboard_deadlines(*, fabrique: Any, days: int = 30) -> list[Deadline]:
    return deadlines(fabrique=fabrique, days=days)


# figures that ask for an action from the team (the "À traiter" group)
TO_HANDLE = (
    "needs.reports_to_process",
    "needs.needs_new",
    "needs.needs_more_evidence",
    "recruitment.applications_to_evaluate",
)
# where the method stands (the "Où en est le parcours" group), in the order of the chain
PIPELINE = (
    "needs.needs_qualifying",
    "needs.needs_retained",
    "needs.needs_in_study",
    "studies.under_way",
    "projects.seeking_leader",
    "recruitment.calls_open",
    "projects.transmitted",
    "support.projects_in_support",
)


@dataclass
class FigureGroup:
    key: str
    title: str
    figures: list[Figure]


def dashboard_groups(*, fabrique: Any) -> list[FigureGroup]:
    """The dashboard's figures in three groups (empty groups left out)."""
    from django.utils.translation import gettext as _

    by_key = _figures(fabrique)
    named = set(TO_HANDLE) | set(PIPELINE)
    groups = [
        FigureGroup("handle", _("À traiter"), [by_key[k] for k in TO_HANDLE if k in by_key]),
        FigureGroup("pipeline", _("Où en est le parcours"), [by_key[k] for k in PIPELINE if k in by_key]),
        FigureGroup("results", _("Activité et résultats"), [f for k, f in by_key.items() if k not in named]),
    ]
    return [g for g in groups if g.figures]


def dashboard_figures(*, fabrique: Any) -> list[Figure]:
    """One tile per dashboard indicator: its value for this fabrique and the list of what it counts."""
    return list(_figures(fabrique).values())
