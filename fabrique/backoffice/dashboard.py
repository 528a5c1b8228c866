"""What the staff home shows: the domain's indicators and deadlines (`fabrique.core.indicators`),
declared by each app in `<app>/indicators.py`."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from fabrique.core.indicators import Deadline, deadlines, indicators


@dataclass
class Figure:
    label: str
    value: int | Decimal
    url: str = ""


def dashboard_deadlines(*, fabrique: Any, days: int = 30) -> list[Deadline]:
    return deadlines(fabrique=fabrique, days=days)


def dashboard_figures(*, fabrique: Any) -> list[Figure]:
    """One tile per dashboard indicator: its value for this fabrique and the list of what it counts."""
    return [
        Figure(label=i.label_of(fabrique), value=i.value(fabrique), url=i.url(fabrique))
        for i in indicators(dashboard=True)
    ]
