"""What the staff home shows. Domain modules register their figures and deadline sources here."""

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from django.utils import timezone


@dataclass
class Deadline:
    date: datetime.date
    label: str
    url: str
    kind: str


@dataclass
class Figure:
    label: str
    value: int
    url: str = ""


DEADLINE_SOURCES: list[Callable[..., list[Deadline]]] = []
FIGURE_SOURCES: list[Callable[..., list[Figure]]] = []


def register_deadlines(fn):
    DEADLINE_SOURCES.append(fn)
    return fn


def register_figures(fn):
    FIGURE_SOURCES.append(fn)
    return fn


def dashboard_deadlines(*, fabrique, days: int = 30) -> list[Deadline]:
    today = timezone.localdate()
    until = today + datetime.timedelta(days=days)
    items: list[Deadline] = []
    for source in DEADLINE_SOURCES:
        items.extend(source(fabrique=fabrique, start=today, end=until))
    return sorted(items, key=lambda d: d.date)


def dashboard_figures(*, fabrique) -> list[Figure]:
    items: list[Figure] = []
    for source in FIGURE_SOURCES:
        items.extend(source(fabrique=fabrique))
    return items
