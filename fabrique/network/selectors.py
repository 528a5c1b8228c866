"""Aggregate figures per fabrique for the network head. Counts only: no names, no contacts, no rows.

The columns are the indicators declared `network=True` by the domain apps (`<app>/indicators.py`),
over the core `Period` (`fabrique.core.indicators`; the form is `network.forms.PeriodForm`). Each
column is ONE grouped query over every fabrique, whatever the number of periods compared
(`Indicator.by_fabrique_and_period`: `COUNT(...) FILTER (WHERE date in period)`), so the cost of a
page does not grow with the number of fabriques, of rows or of periods.

Small counts that could identify someone (1 to 4 people or files) are shown as "< 5" everywhere the
network head looks: pages and exports (`masked`). A total is masked the same way. Sums that are not
head counts (jobs in FTE) are shown as they are.

A masked cell must not be recoverable from a shown total (the total minus the other cells):
`protect` applies secondary suppression to each column of cells that has a shown total — it masks
the next smallest cells as "secret" until no masked cell can be worked out exactly from the total
(see `protect` for the rule), and masks the total itself when no other cell is left to hide.

The raw values of a page (every column over its periods) are kept in the cache for
`FABRIQUE_NETWORK_FIGURES_SECONDS` (5 minutes by default; 0 computes them on every request): at
network scale the reports column alone counts some 150,000 rows, and the network head reads figures
that move by the day. The page says when its figures were computed. The key holds the columns, the
periods and the active fabriques, so a fabrique activated or closed shows at once.
"""

from __future__ import annotations

import datetime
import hashlib
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count
from django.utils import timezone

from fabrique.core.indicators import Filters, Indicator, Period, Value, indicators
from fabrique.fabriques.models import Fabrique

SMALL_COUNT_LIMIT = 5  # counts from 1 to 4 are masked
MASK = "< 5"
SECRET = "secret"  # secondary suppression: a cell hidden so that a "< 5" cannot be recovered
TREND_LENGTH = 5  # the period and the four before it

Shown = int | Decimal | str  # a value as the network head may see it


def is_count(indicator: Indicator) -> bool:
    """A head count (masked when small), as opposed to a sum such as jobs in FTE."""
    return isinstance(indicator.aggregate(), Count)


def masked(value: Value, *, count: bool = True) -> Shown:
    """The value the network head may see: counts from 1 to 4 become "< 5"."""
    if count and isinstance(value, int) and 0 < value < SMALL_COUNT_LIMIT:
        return MASK
    return value


def _safe(values: list[Value], hidden: set[int], secondary: set[int], total: Value) -> bool:
    """Whether no hidden cell can be worked out exactly from the total and the shown cells.

    What a reader knows of a hidden cell: "< 5" is 1 to 4, "secret" is 5 or more (zeros are always
    shown). The hidden cells sum to `total` minus the shown ones. One hidden cell is then exact;
    several are exact only when their sum leaves no slack above their least values (all "< 5" are
    1, or a "secret" is exactly 5 …), or when they are all "< 5" and sum to 4 each."""
    if not hidden:
        return True
    if len(hidden) == 1:
        return False
    rest = total - sum(v for i, v in enumerate(values) if i not in hidden)
    least = sum(SMALL_COUNT_LIMIT if i in secondary else 1 for i in hidden)
    if rest - least < 1:
        return False
    return bool(secondary) or rest < (SMALL_COUNT_LIMIT - 1) * len(hidden)


def protect(values: list[Value], *, count: bool = True) -> tuple[list[Shown], Shown]:
    """The cells of one column and their total as the network head may see them.

    Primary suppression: counts from 1 to 4 are "< 5" (the total too). Secondary suppression, when
    the total is shown and some cell is masked: the smallest shown non-zero cells become "secret",
    one at a time, until `_safe`; when no cell is left to hide, the total is masked instead."""
    total: Value = sum(values, start=0)
    if not count:
        return list(values), total
    shown: list[Shown] = [masked(v) for v in values]
    shown_total = masked(total)
    hidden = {i for i, v in enumerate(shown) if isinstance(v, str)}
    if not hidden or isinstance(shown_total, str):
        return shown, shown_total
    secondary: set[int] = set()
    candidates = sorted(
        (i for i, v in enumerate(values) if i not in hidden and v), key=lambda i: (values[i], i)
    )
    while not _safe(values, hidden, secondary, total):
        if not candidates:
            return shown, SECRET
        chosen = candidates.pop(0)
        hidden.add(chosen)
        secondary.add(chosen)
        shown[chosen] = SECRET
    return shown, shown_total


def network_fabriques() -> list[Fabrique]:
    return list(Fabrique.objects.filter(is_active=True).order_by("name", "pk"))


def values_by_period(
    indicator: Indicator,
    periods: list[Period],
    fabriques: list[Fabrique],
    filters: Filters | None = None,
) -> list[dict[int, Value]]:
    """For each period, {fabrique id: value}, in ONE grouped query (a stock: today's value)."""
    return indicator.by_fabrique_and_period(periods, fabriques, filters=filters)


def figures_seconds() -> int:
    """How long the network's figures are kept (0: computed on every request)."""
    return max(0, int(getattr(settings, "FABRIQUE_NETWORK_FIGURES_SECONDS", 300)))


def cached_values(
    found: list[Indicator], periods: list[Period], fabriques: list[Fabrique]
) -> tuple[list[list[dict[int, Value]]], datetime.datetime]:
    """`values_by_period` of each indicator, and when they were computed: from the cache when they were
    computed less than `figures_seconds()` ago for the same indicators, periods and fabriques."""
    seconds = figures_seconds()
    if not seconds:
        return [values_by_period(i, periods, fabriques) for i in found], timezone.now()
    what = repr(
        (
            [i.key for i in found],
            [(p.start, p.end) for p in periods],
            [f.pk for f in fabriques],
        )
    )
    key = "network-figures:1:" + hashlib.sha256(what.encode()).hexdigest()
    kept = cache.get(key)
    if kept is not None:
        values, computed_at = kept
        return values, computed_at
    values = [values_by_period(i, periods, fabriques) for i in found]
    computed_at = timezone.now()
    cache.set(key, (values, computed_at), seconds)
    return values, computed_at


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
    computed_at: datetime.datetime | None = None


def _columns() -> list[Column]:
    return [
        Column(
            indicator=i,
            label=i.column,
            definition=str(i.definition),
            stock=i.is_stock,
            count=is_count(i),
        )
        for i in indicators(network=True)
    ]


def network_table(period: Period) -> NetworkTable:
    """Every fabrique side by side over `period`, with the network total and its trend against the
    period before. One grouped query per column; each column protected by `protect`."""
    fabriques = network_fabriques()
    previous = period.previous()
    table = NetworkTable(period=period, previous=previous, columns=_columns())
    values, table.computed_at = cached_values(
        [c.indicator for c in table.columns], [previous, period], fabriques
    )
    cells: list[list[Shown]] = []
    for column, (before, now) in zip(table.columns, values, strict=True):
        shown, total = protect([now.get(f.pk, 0) for f in fabriques], count=column.count)
        # the period before shows only its total: no cell of it to recover
        total_before = _total(before, fabriques)
        cells.append(shown)
        table.totals.append(total)
        table.previous_totals.append(masked(total_before, count=column.count))
        table.trends.append("" if column.stock else trend_symbol(_total(now, fabriques), total_before))
    for position, fabrique in enumerate(fabriques):
        table.rows.append({"fabrique": fabrique, "values": [column[position] for column in cells]})
    return table


@dataclass
class Comparison:
    """One indicator, every fabrique, over the chosen period and the ones before (the trend)."""

    column: Column
    periods: list[Period]
    rows: list[dict[str, Any]]
    totals: list[Shown]
    raw_totals: list[Value]
    computed_at: datetime.datetime | None = None


def indicator_comparison(key: str, period: Period) -> Comparison | None:
    column = next((c for c in _columns() if c.indicator.key == key), None)
    if column is None:
        return None
    fabriques = network_fabriques()
    periods = period.trend(TREND_LENGTH)
    (values,), computed_at = cached_values([column.indicator], periods, fabriques)
    protected = [protect([by.get(f.pk, 0) for f in fabriques], count=column.count) for by in values]
    ranked: list[tuple[float, str, dict[str, Any]]] = []
    for position, fabrique in enumerate(fabriques):
        series = [by.get(fabrique.pk, 0) for by in values]
        shown = [cells[position] for cells, _total_shown in protected]
        # rank by the chosen period's shown value: masked counts ("< 5" and "secret") rank together
        # (by name), so the order never reveals which hidden count is larger
        rank = float(series[-1]) if not isinstance(shown[-1], str) else 0.0
        ranked.append((-rank, fabrique.name, {"fabrique": fabrique, "values": shown}))
    rows = [row for _rank, _name, row in sorted(ranked, key=lambda r: (r[0], r[1]))]
    raw_totals = [_total(by, fabriques) for by in values]
    return Comparison(
        column=column,
        periods=periods,
        rows=rows,
        totals=[total for _cells, total in protected],
        raw_totals=raw_totals,
        computed_at=computed_at,
    )


def trend_bars(totals: list[Shown]) -> list[int]:
    """Heights (0–100) of the network totals' bar chart, from the totals as shown: a masked total
    has no bar (its height would tell its value)."""
    numbers = [float(t) for t in totals if not isinstance(t, str)]
    top = max(numbers, default=0.0)
    return [0 if isinstance(t, str) or not top else int(round(100 * float(t) / top)) for t in totals]


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
