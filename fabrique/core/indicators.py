"""Indicators: the figures of the domain, each declared once and read by every interface.

Each domain app declares its figures in `<app>/indicators.py` and registers them from its
`AppConfig.ready()` (never from a view module). The staff dashboard, the network head's table and
reporting read them from this registry:

    register(Indicator(
        key="needs.reports_to_process",
        label=_("signalements à traiter"),
        definition=_("Signalements reçus qui n'ont encore été ni rattachés à un besoin ni écartés."),
        rows=lambda: NeedReport.objects.filter(stage=ReportStage.RECEIVED),
        url_name="backoffice:report_list",
        url_query={"stage": ReportStage.RECEIVED},
    ))

`rows()` returns every counted row of every fabrique (the default managers hide soft-deleted rows);
`fabrique_field` is the path from a row to its fabrique. One fabrique's value is one query; the value
of every fabrique at once is ONE grouped query (`values(fabrique).annotate(...)`), so the network
page costs one query per figure whatever the number of fabriques.

`url_name` + `url_query` lead to exactly the rows counted (the drill-down list of the back-office).

Not to be confused with `fabrique.intelligence.models.Indicator`, the territorial statistics
(unemployment rate of a commune…) imported by the fabriques.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django.db.models import Aggregate, Count, QuerySet
from django.urls import reverse
from django.utils import timezone
from django_stubs_ext import StrPromise

Label = str | StrPromise
Value = int | Decimal


@dataclass(frozen=True)
class Indicator:
    key: str
    label: Label  # lazy French label, lower case ("signalements à traiter")
    definition: Label  # lazy French sentence: exactly what is counted
    rows: Callable[[], QuerySet[Any]]
    fabrique_field: str = "fabrique"
    # the aggregate over the rows: a count by default; e.g. Sum("jobs_fte") for a total
    aggregate: Callable[[], Aggregate] = lambda: Count("pk")
    url_name: str = ""  # the back-office list of the counted rows (kwarg fabrique_slug)
    url_query: dict[str, str] | Callable[[], dict[str, str]] = field(default_factory=dict)
    dashboard: bool = True  # a tile of the staff home
    network: bool = False  # a column of the network head's table (counts only, never personal data)
    column_label: Label = ""  # the network table's heading (defaults to `label`)
    # per-fabrique label (stage labels can be renamed by a fabrique): fabrique -> str
    label_for: Callable[[Any], str] | None = None

    def value(self, fabrique: Any) -> Value:
        """This fabrique's value (one query)."""
        rows = self.rows().filter(**{self.fabrique_field: fabrique})
        value: Value = rows.aggregate(value=self.aggregate())["value"] or 0
        return value

    def by_fabrique(self, fabriques: Iterable[Any] | None = None) -> dict[int, Value]:
        """{fabrique id: value} of every fabrique that has rows, in ONE grouped query."""
        rows = self.rows()
        if fabriques is not None:
            rows = rows.filter(**{f"{self.fabrique_field}__in": list(fabriques)})
        grouped = rows.order_by().values(self.fabrique_field).annotate(value=self.aggregate())
        return {row[self.fabrique_field]: row["value"] or 0 for row in grouped}

    def url(self, fabrique: Any) -> str:
        """The list of exactly the rows counted, or "" when the indicator has no drill-down."""
        if not self.url_name:
            return ""
        url = reverse(self.url_name, kwargs={"fabrique_slug": fabrique.slug})
        query = self.url_query() if callable(self.url_query) else self.url_query
        return f"{url}?{urlencode(query)}" if query else url

    def label_of(self, fabrique: Any) -> str:
        return str(self.label_for(fabrique) if self.label_for else self.label)

    @property
    def column(self) -> str:
        return str(self.column_label or self.label)


@dataclass
class Deadline:
    """A dated item of the staff home's "échéances" (a meeting, a study due, a milestone…)."""

    date: datetime.date | None  # sources only give dated items
    label: str
    url: str
    kind: str


# source(fabrique=, start=, end=) -> [Deadline]
DeadlineSource = Callable[..., list[Deadline]]

_INDICATORS: dict[str, Indicator] = {}
_DEADLINE_SOURCES: list[DeadlineSource] = []


def register(*indicators: Indicator) -> None:
    """Register indicators (from an AppConfig.ready(); registering the same key again replaces it)."""
    for indicator in indicators:
        _INDICATORS[indicator.key] = indicator


def register_deadlines(source: DeadlineSource) -> DeadlineSource:
    if source not in _DEADLINE_SOURCES:
        _DEADLINE_SOURCES.append(source)
    return source


def indicators(*, dashboard: bool | None = None, network: bool | None = None) -> list[Indicator]:
    """The registered indicators in registration order (apps' order in INSTALLED_APPS)."""
    found = list(_INDICATORS.values())
    if dashboard is not None:
        found = [i for i in found if i.dashboard == dashboard]
    if network is not None:
        found = [i for i in found if i.network == network]
    return found


def indicator(key: str) -> Indicator:
    return _INDICATORS[key]


def deadlines(*, fabrique: Any, days: int = 30) -> list[Deadline]:
    """Dated items of the next `days` days (late ones included by the sources that keep them)."""
    today = timezone.localdate()
    until = today + datetime.timedelta(days=days)
    items: list[Deadline] = []
    for source in _DEADLINE_SOURCES:
        items.extend(source(fabrique=fabrique, start=today, end=until))
    return sorted(items, key=lambda d: d.date or datetime.date.max)
