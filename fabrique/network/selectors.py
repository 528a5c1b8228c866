"""Aggregate figures per fabrique for the network head. Counts only: no names, no contacts, no rows.

The columns are the indicators declared `network=True` by the domain apps (`<app>/indicators.py`).
Each column is ONE grouped query over every fabrique, whatever the number of periods compared: each
period is a filtered aggregate of that query (`COUNT(...) FILTER (WHERE date in period)`), so the
cost of a page does not grow with the number of fabriques, of rows or of periods.

Small counts that could identify someone (1 to 4 people or files) are shown as "< 5" everywhere the
network head looks: pages and exports (`masked`). A total is masked the same way. Sums that are not
head counts (jobs in FTE) are shown as they are.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Aggregate, Count, DateTimeField, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from fabrique.core.indicators import Indicator, Value, indicators
from fabrique.fabriques.models import Fabrique

from .periods import Period, date_field

SMALL_COUNT_LIMIT = 5  # counts from 1 to 4 are masked
MASK = "< 5"

Shown = int | Decimal | str  # a value as the network head may see it


def is_count(indicator: Indicator) -> bool:
    """A head count (masked when small), as opposed to a sum such as jobs in FTE."""
    return isinstance(indicator.aggregate(), Count)


def masked(value: Value, *, count: bool = True) -> Shown:
    """The value the network head may see: counts from 1 to 4 become "< 5"."""
    if count and isinstance(value, int) and 0 < value < SMALL_COUNT_LIMIT:
        return MASK
    return value


def network_fabriques() -> list[Fabrique]:
    return list(Fabrique.objects.filter(is_active=True).order_by("name", "pk"))


def _in_period(indicator: Indicator, period: Period) -> Q:
    path = date_field(indicator)
    model = indicator.rows().model
    target = model._meta.get_field(path) if "__" not in path else None
    if isinstance(target, DateTimeField):
        tz = timezone.get_current_timezone()
        start = datetime.datetime.combine(period.start, datetime.time.min, tzinfo=tz)
        end = datetime.datetime.combine(period.end + datetime.timedelta(days=1), datetime.time.min, tzinfo=tz)
        return Q(**{f"{path}__gte": start, f"{path}__lt": end})
    return Q(**{f"{path}__gte": period.start, f"{path}__lte": period.end})


def _filtered(aggregate: Aggregate, condition: Q) -> Aggregate:
    filtered = aggregate.copy()
    filtered.filter = condition if aggregate.filter is None else aggregate.filter & condition
    return filtered


def values_by_period(
    indicator: Indicator, periods: list[Period], fabriques: list[Fabrique]
) -> list[dict[int, Value]]:
    """For each period, {fabrique id: value}, in ONE grouped query. A stock (no date) has the same
    value, today's, for every period."""
    rows: QuerySet[Any] = indicator.rows().filter(**{f"{indicator.fabrique_field}__in": fabriques})
    if not date_field(indicator):
        now = indicator.by_fabrique(fabriques)
        return [now for _period in periods]
    aggregates = {
        f"p{i}": _filtered(indicator.aggregate(), _in_period(indicator, p)) for i, p in enumerate(periods)
    }
    grouped = rows.order_by().values(indicator.fabrique_field).annotate(**aggregates)
    found: list[dict[int, Value]] = [{} for _p in periods]
    for row in grouped:
        for i in range(len(periods)):
            found[i][row[indicator.fabrique_field]] = row[f"p{i}"] or 0
    return found


def _total(values: dict[int, Value], fabriques: list[Fabrique]) -> Value:
    return sum((values.get(f.pk, 0) for f in fabriques), start=0)


def trend_symbol(current: Value, previous: Value) -> str:
    if current > previous:
        return "up"
    if current < previous:
        return "down"
    return "flat"


@dataclass
class Column:
    indicator: Indicator
    label: str
    definition: str
    stock: bool
    count: bool


@dataclass
class NetworkTable:
    period: Period
    previous: Period
    columns: list[Column]
    rows: list[dict[str, Any]] = field(default_factory=list)
    totals: list[Shown] = field(default_factory=list)
    previous_totals: list[Shown] = field(default_factory=list)
    trends: list[str] = field(default_factory=list)


def _columns() -> list[Column]:
    return [
        Column(
            indicator=i,
            label=i.column,
            definition=str(i.definition),
            stock=not date_field(i),
            count=is_count(i),
        )
        for i in indicators(network=True)
    ]


def network_table(period: Period) -> NetworkTable:
    """Every fabrique side by side over `period`, with the network total and its trend against the
    period before. One grouped query per column."""
    fabriques = network_fabriques()
    previous = period.previous()
    table = NetworkTable(period=period, previous=previous, columns=_columns())
    values = [values_by_period(c.indicator, [previous, period], fabriques) for c in table.columns]
    for fabrique in fabriques:
        table.rows.append(
            {
                "fabrique": fabrique,
                "values": [
                    masked(v[1].get(fabrique.pk, 0), count=c.count)
                    for c, v in zip(table.columns, values, strict=True)
                ],
            }
        )
    for column, (before, now) in zip(table.columns, values, strict=True):
        total, total_before = _total(now, fabriques), _total(before, fabriques)
        table.totals.append(masked(total, count=column.count))
        table.previous_totals.append(masked(total_before, count=column.count))
        table.trends.append("" if column.stock else trend_symbol(total, total_before))
    return table


@dataclass
class Comparison:
    """One indicator, every fabrique, over the chosen period and the ones before (the trend)."""

    column: Column
    periods: list[Period]
    rows: list[dict[str, Any]]
    totals: list[Shown]
    raw_totals: list[Value]


def indicator_comparison(key: str, period: Period) -> Comparison | None:
    column = next((c for c in _columns() if c.indicator.key == key), None)
    if column is None:
        return None
    fabriques = network_fabriques()
    periods = period.trend()
    values = values_by_period(column.indicator, periods, fabriques)
    ranked: list[tuple[float, str, dict[str, Any]]] = []
    for fabrique in fabriques:
        series = [by.get(fabrique.pk, 0) for by in values]
        shown = [masked(v, count=column.count) for v in series]
        # rank by the chosen period's shown value: masked counts rank together (by name), so the
        # order never reveals which small count is larger
        rank = float(series[-1]) if not isinstance(shown[-1], str) else 0.0
        ranked.append((-rank, fabrique.name, {"fabrique": fabrique, "values": shown}))
    rows = [row for _rank, _name, row in sorted(ranked, key=lambda r: (r[0], r[1]))]
    raw_totals = [_total(by, fabriques) for by in values]
    return Comparison(
        column=column,
        periods=periods,
        rows=rows,
        totals=[masked(t, count=column.count) for t in raw_totals],
        raw_totals=raw_totals,
    )


def trend_bars(raw_totals: list[Value]) -> list[int]:
    """Heights (0–100) of the network totals' bar chart."""
    top = max(raw_totals, default=0)
    return [int(round(100 * float(v) / float(top))) if top else 0 for v in raw_totals]


def period_caption(period: Period) -> str:
    return _("Période : %(period)s") % {"period": period.label}


def network_figures() -> dict[str, Any]:
    """Raw all-time values per fabrique (one grouped query per column). Domain-level figures, never
    rendered to the network head as they are: its pages and exports go through `network_table`, which
    masks small counts."""
    fabriques = network_fabriques()
    columns = indicators(network=True)
    values = [column.by_fabrique(fabriques) for column in columns]
    rows = [{"fabrique": f, "values": [by.get(f.pk, 0) for by in values]} for f in fabriques]
    totals = [sum(by.get(f.pk, 0) for f in fabriques) for by in values]
    return {"columns": [c.column for c in columns], "rows": rows, "totals": totals}
