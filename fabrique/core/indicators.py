"""Indicators: the figures of the domain, each declared once and read by every interface.

USAGE (stable API, read by the dashboard, the reporting page, the funder reports and the network head):

    from fabrique.core.indicators import Filters, Period, Territory, indicator, indicators

    period = Period.year(2025)                    # or Period.quarter(2025, 2), Period.between(d1, d2)
    period.previous(), period.trend(5)            # the year / quarter / as many days before; the last five
    period.short_label(), period.as_query()       # "2025" / "T2 2025"; {"kind": "year", "year": "2025"}
    filters = Filters(workstream_id=3, territory=Territory("epci", "244400404"), funder_id=12)
    # (or Filters(agreement_id=7): the rows one funding agreement covers)
    ind = indicator("studies.launched")
    ind.value(fabrique, period=period, filters=filters)          # -> int | Decimal | None (ONE query)
    ind.by_fabrique(fabriques, period=period)                     # -> {fabrique id: value} (ONE query)
    ind.by_fabrique_and_year(fabriques, period=period)            # -> {(fabrique id, year): value} (ONE query)
    ind.by_fabrique_and_period(period.trend(), fabriques)         # -> [{fabrique id: value}] per period (ONE query)
    ind.breakdown(fabrique, "theme", period=period)               # -> [Bucket(value, label, count)] (ONE query)
    ind.drill_rows(fabrique, period=period, filters=filters)      # -> the queryset of the rows counted
    indicators(reporting=True)                                    # the programme's indicators, in order

`None` means "this filter does not apply to this indicator" (e.g. a territory filter on an amount
granted by agreement): interfaces show it as not applicable, never as 0. Without `period` and
`filters` an indicator counts every row (the dashboard tiles). Period bounds are inclusive local
dates; each indicator says which date places a row in a period (`date`, documented in
docs/indicators.md). Filters are applied as `pk IN (subquery)` so a filter across a many-to-many
path never counts a row twice and the number of queries never grows with the data.

Each domain app declares its figures in `<app>/indicators.py` and registers them from its
`AppConfig.ready()` (never from a view module):

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

`url_name` + `url_query` lead to exactly the rows counted (the drill-down list of the back-office);
the reporting indicators (`reporting=True`) drill down through `drill_rows()` (the reporting
drill-down page lists them with the same period and filters).

Not to be confused with `fabrique.intelligence.models.Indicator`, the territorial statistics
(unemployment rate of a commune…) imported by the fabriques.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, overload
from urllib.parse import urlencode

from django.core.exceptions import FieldDoesNotExist
from django.db.models import Aggregate, Count, F, Q, QuerySet
from django.db.models.functions import ExtractYear
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_stubs_ext import StrPromise

Label = str | StrPromise
Value = int | Decimal


@dataclass(frozen=True)
class Period:
    """A range of local dates, both bounds included; an open bound is None."""

    start: datetime.date | None = None
    end: datetime.date | None = None

    @classmethod
    def year(cls, year: int) -> Period:
        return cls(datetime.date(year, 1, 1), datetime.date(year, 12, 31))

    @classmethod
    def quarter(cls, year: int, quarter: int) -> Period:
        if quarter not in (1, 2, 3, 4):
            raise ValueError("quarter must be 1 to 4")
        first = datetime.date(year, 3 * quarter - 2, 1)
        following = datetime.date(year + (quarter == 4), (3 * quarter) % 12 + 1, 1)
        return cls(first, following - datetime.timedelta(days=1))

    @classmethod
    def between(cls, start: datetime.date | None, end: datetime.date | None) -> Period:
        if start and end and end < start:
            raise ValueError("end before start")
        return cls(start, end)

    @property
    def is_open(self) -> bool:
        return self.start is None and self.end is None

    def years(self) -> list[int]:
        """The calendar years the period touches (bounded periods only; [] otherwise)."""
        if self.start is None or self.end is None:
            return []
        return list(range(self.start.year, self.end.year + 1))

    def contains(self, day: datetime.date | None) -> bool:
        if day is None:
            return self.is_open
        return (self.start is None or day >= self.start) and (self.end is None or day <= self.end)

    @property
    def kind(self) -> str:
        """ "year" (one whole civil year), "quarter" (one whole quarter), "range" (any other bounded
        period) or "open" (a bound missing)."""
        if self.start is None or self.end is None:
            return "open"
        if self == Period.year(self.start.year):
            return "year"
        if (
            self.start.day == 1
            and self.start.month % 3 == 1
            and self == Period.quarter(self.start.year, (self.start.month - 1) // 3 + 1)
        ):
            return "quarter"
        return "range"

    def short_label(self) -> str:
        """The label of a column of periods: "2025", "T2 2025", else as `label()`."""
        if self.kind == "year":
            assert self.start is not None
            return str(self.start.year)
        if self.kind == "quarter":
            assert self.start is not None
            return _("T%(q)s %(year)s") % {"q": (self.start.month - 1) // 3 + 1, "year": self.start.year}
        return self.label()

    def previous(self) -> Period:
        """The period of the same kind just before: the year, the quarter, or as many days before."""
        if self.start is None or self.end is None:
            raise ValueError("an open period has no previous period")
        if self.kind == "year":
            return Period.year(self.start.year - 1)
        if self.kind == "quarter":
            q = (self.start.month - 1) // 3 + 1
            return Period.quarter(self.start.year - (q == 1), 4 if q == 1 else q - 1)
        end = self.start - datetime.timedelta(days=1)
        return Period(end - (self.end - self.start), end)

    def trend(self, length: int = 5) -> list[Period]:
        """This period and the `length - 1` before it, oldest first."""
        periods = [self]
        while len(periods) < length:
            periods.append(periods[-1].previous())
        return periods[::-1]

    def as_query(self) -> dict[str, str]:
        """The period as the network head's query string (`?kind=year&year=2026`)."""
        if self.kind == "year":
            assert self.start is not None
            return {"kind": "year", "year": str(self.start.year)}
        if self.kind == "quarter":
            assert self.start is not None
            return {
                "kind": "quarter",
                "year": str(self.start.year),
                "quarter": str((self.start.month - 1) // 3 + 1),
            }
        query = {"kind": "range"}
        if self.start:
            query["start"] = self.start.isoformat()
        if self.end:
            query["end"] = self.end.isoformat()
        return query

    def label(self) -> str:
        def fmt(d: datetime.date) -> str:
            return d.strftime("%d/%m/%Y")

        if self.start and self.end:
            if self.start == datetime.date(self.start.year, 1, 1) and self.end == datetime.date(
                self.start.year, 12, 31
            ):
                return _("année %(year)s") % {"year": self.start.year}
            return _("du %(start)s au %(end)s") % {"start": fmt(self.start), "end": fmt(self.end)}
        if self.start:
            return _("depuis le %(start)s") % {"start": fmt(self.start)}
        if self.end:
            return _("jusqu'au %(end)s") % {"end": fmt(self.end)}
        return _("depuis le début")


# the sections of the reporting page and of funder reports, in order (Indicator.section)
SECTIONS: dict[str, Label] = {
    "needs": gettext_lazy("Détection des besoins"),
    "studies": gettext_lazy("Études d'opportunité"),
    "leaders": gettext_lazy("Appels et porteurs de projet"),
    "enterprises": gettext_lazy("Projets, entreprises et emplois"),
    "partners": gettext_lazy("Partenaires et financements"),
}

TERRITORY_KINDS = ("commune", "epci", "departement", "qpv")


@dataclass(frozen=True)
class Territory:
    """A territory filter: a commune (INSEE code), an EPCI (SIREN), a département (code) or a QPV."""

    kind: str
    code: str

    def __post_init__(self) -> None:
        if self.kind not in TERRITORY_KINDS:
            raise ValueError(f"unknown territory kind {self.kind!r}")


@dataclass(frozen=True)
class Filters:
    """The reporting filters; every field None means "no filter"."""

    workstream_id: int | None = None
    territory: Territory | None = None
    funder_id: int | None = None
    # one agreement: the rows it covers (as the funder filter, restricted to this agreement)
    agreement_id: int | None = None

    @property
    def is_empty(self) -> bool:
        return (
            self.workstream_id is None
            and self.territory is None
            and self.funder_id is None
            and self.agreement_id is None
        )


NO_FILTERS = Filters()


@dataclass(frozen=True)
class Bucket:
    """One value of a breakdown: its raw value (a code, "" when unknown), its French label, its figure."""

    value: str
    label: str
    count: Value


@dataclass(frozen=True)
class Breakdown:
    """A dimension an indicator can be split by, in ONE grouped query.

    `expression` is a field path or an expression over the indicator's rows; `labels` turns a raw
    value into its French label (choices, or the value itself); `limit` keeps the largest buckets
    (the rest is summed into "autres")."""

    key: str
    label: Label
    expression: Callable[[], Any]
    labels: Callable[[Any], str] = str
    limit: int = 0


class NotApplicable(Exception):
    """A filter this indicator cannot apply (its rows have no such dimension)."""


# funder filter: set by the funding app (the domain of agreements),
# (indicator, funder id or None, agreement id or None) -> Q
FunderFilter = Callable[["Indicator", int | None, int | None], Q]
_FUNDER_FILTER: list[FunderFilter] = []


def register_funder_filter(func: FunderFilter) -> None:
    _FUNDER_FILTER[:] = [func]


def _multi_valued(model: Any, q: Q) -> bool:
    """Whether a lookup of `q` goes through a many-to-many or reverse relation (a row could then
    match several times, or two conditions match different related rows)."""
    for child in q.children:
        if isinstance(child, Q):
            if _multi_valued(model, child):
                return True
            continue
        if not isinstance(child, tuple):
            continue  # an expression: no join
        current = model
        for part in str(child[0]).split("__"):
            if part == "pk":
                break
            try:
                found = current._meta.get_field(part)
            except FieldDoesNotExist:
                break  # a lookup ("in", "gte"…)
            if not found.is_relation:
                break
            if found.many_to_many or found.one_to_many:
                return True
            current = found.related_model
    return False


def _row_condition(rows: QuerySet[Any], q: Q) -> Q:
    """`q` as a condition on `rows`: as it is when it only follows foreign keys, else
    `pk IN (the rows matching q)` so that a row is counted once. An OR (the funder filter: the
    fabrique's programme, its chantiers, its studies, its support plans) is split: each part on its
    own, so that PostgreSQL hashes small subqueries instead of joining every row to every path."""
    if not _multi_valued(rows.model, q):
        return q
    if q.connector == Q.OR and not q.negated and len(q.children) > 1:
        condition = Q()
        for child in q.children:
            condition |= _row_condition(rows, child if isinstance(child, Q) else Q(child))
        return condition
    return Q(pk__in=rows.filter(q).values("pk"))


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
    # the label next to 0, 1 or a value under 2 (French: "1 besoin", "0 appel ouvert", "1,5 emploi")
    singular: Label = ""
    singular_for: Callable[[Any], str] | None = None
    # --- reporting (periods and filters) ----------------------------------------------------------
    reporting: bool = False  # one of the programme's indicators (reporting page, funder reports)
    section: str = ""  # reporting section key (see SECTIONS)
    unit: str = ""  # "" (a count), "€" or "ETP"
    # what places a row in a period: a date or datetime field path, or a function returning an
    # expression of a date (annotated); "" = the indicator ignores periods
    date: str | Callable[[], Any] = ""
    date_is_datetime: bool = False
    # filter paths from a row ("" = the filter does not apply: the value is None)
    workstream_field: str = ""
    commune_field: str = ""  # territory filters commune / EPCI / département go through the commune
    epci_field: str = ""  # a direct EPCI (needs recorded at the EPCI level), OR-ed with the commune's
    qpv_field: str = ""
    # paths to what a funding agreement can fund (the funder filter)
    study_field: str = ""
    project_field: str = ""
    breakdowns: tuple[Breakdown, ...] = ()
    # the rows for one period when the period cannot be a filter on the rows themselves
    # (e.g. organisations involved in a step during the period): (period) -> queryset
    period_rows: Callable[[Period], QuerySet[Any]] | None = None
    # a short French description of a drilled row (defaults to str(row))
    describe: Callable[[Any], str] | None = None

    # --- the base queryset --------------------------------------------------------------------------
    @property
    def is_stock(self) -> bool:
        """A figure that ignores periods (no date): shown as it stands today, whatever the period."""
        return not self.date and self.period_rows is None

    def _period_q(self, period: Period) -> Q:
        """The rows whose date falls in `period` (over `rows()`, annotated by `_dated` when the date
        is an expression). A datetime is compared with the bounds of the local days, so that an
        index on the column can serve the range."""
        path = "_indicator_date" if callable(self.date) else str(self.date)
        q = Q()
        if self.date_is_datetime and not callable(self.date):
            tz = timezone.get_current_timezone()
            if period.start:
                q &= Q(**{f"{path}__gte": datetime.datetime.combine(period.start, datetime.time.min, tz)})
            if period.end:
                after = period.end + datetime.timedelta(days=1)
                q &= Q(**{f"{path}__lt": datetime.datetime.combine(after, datetime.time.min, tz)})
            return q
        if self.date_is_datetime:
            path = f"{path}__date"
        if period.start:
            q &= Q(**{f"{path}__gte": period.start})
        if period.end:
            q &= Q(**{f"{path}__lte": period.end})
        return q

    def _dated(self, rows: QuerySet[Any]) -> QuerySet[Any]:
        return rows.annotate(_indicator_date=self.date()) if callable(self.date) else rows

    def _base(self, period: Period | None) -> QuerySet[Any]:
        if period is not None and self.period_rows is not None:
            return self.period_rows(period)
        rows = self.rows()
        if period is None or period.is_open or not self.date:
            return rows
        return self._dated(rows).filter(self._period_q(period))

    def _filter_q(self, filters: Filters) -> Q | None:
        q = Q()
        if filters.workstream_id is not None:
            if not self.workstream_field:
                raise NotApplicable
            q &= Q(**{self.workstream_field: filters.workstream_id})
        if filters.territory is not None:
            q &= self._territory_q(filters.territory)
        if filters.funder_id is not None or filters.agreement_id is not None:
            if not _FUNDER_FILTER:
                raise NotApplicable
            q &= _FUNDER_FILTER[0](self, filters.funder_id, filters.agreement_id)
        return q if q else None

    def _territory_q(self, territory: Territory) -> Q:
        kind, code = territory.kind, territory.code
        if kind == "qpv":
            if not self.qpv_field:
                raise NotApplicable
            return Q(**{self.qpv_field: code})
        if not self.commune_field:
            raise NotApplicable
        c = self.commune_field
        if kind == "commune":
            # a commune and its delegated communes / arrondissements
            return Q(**{f"{c}__code": code}) | Q(**{f"{c}__parent__code": code})
        if kind == "epci":
            q = Q(**{f"{c}__epci": code}) | Q(**{f"{c}__parent__epci": code})
            return q | Q(**{self.epci_field: code}) if self.epci_field else q
        return Q(**{f"{c}__departement": code}) | Q(**{f"{c}__parent__departement": code})

    def filtered(
        self,
        *,
        period: Period | None = None,
        filters: Filters | None = None,
        base: QuerySet[Any] | None = None,
        fabrique: Any = None,
        fabriques: Iterable[Any] | None = None,
    ) -> QuerySet[Any]:
        """The rows in the period matching the filters (of `fabrique`, of `fabriques`, else of every
        fabrique; raises NotApplicable). The filters are `pk IN (subquery)` over the same rows (same
        period, same fabriques: conditions on the row itself, so the same result), which keeps the
        subquery's joins to the rows counted instead of every row of the table."""
        rows = self._base(period) if base is None else base
        if fabrique is not None:
            rows = rows.filter(**{self.fabrique_field: fabrique})
        if fabriques is not None:
            rows = rows.filter(**{f"{self.fabrique_field}__in": list(fabriques)})
        q = self._filter_q(filters) if filters is not None and not filters.is_empty else None
        if q is not None:
            rows = rows.filter(_row_condition(rows, q))
        return rows

    # --- values ---------------------------------------------------------------------------------------
    @overload
    def value(self, fabrique: Any, *, period: Period | None = None, filters: None = None) -> Value: ...

    @overload
    def value(self, fabrique: Any, *, period: Period | None = None, filters: Filters) -> Value | None: ...

    def value(
        self, fabrique: Any, *, period: Period | None = None, filters: Filters | None = None
    ) -> Value | None:
        """This fabrique's value (one query); None when a filter does not apply."""
        try:
            rows = self.filtered(period=period, filters=filters, fabrique=fabrique)
        except NotApplicable:
            return None
        value: Value = rows.aggregate(value=self.aggregate())["value"] or 0
        return value

    def by_fabrique(
        self,
        fabriques: Iterable[Any] | None = None,
        *,
        period: Period | None = None,
        filters: Filters | None = None,
    ) -> dict[int, Value]:
        """{fabrique id: value} of every fabrique that has rows, in ONE grouped query ({} when a
        filter does not apply)."""
        try:
            rows = self.filtered(period=period, filters=filters, fabriques=fabriques)
        except NotApplicable:
            return {}
        grouped = rows.order_by().values(self.fabrique_field).annotate(value=self.aggregate())
        return {row[self.fabrique_field]: row["value"] or 0 for row in grouped}

    def by_fabrique_and_period(
        self,
        periods: list[Period],
        fabriques: Iterable[Any] | None = None,
        *,
        filters: Filters | None = None,
    ) -> list[dict[int, Value]]:
        """For each period, {fabrique id: value}, in ONE grouped query whatever the number of periods
        (each period is a filtered aggregate, `COUNT(...) FILTER (WHERE date in period)`). A stock
        has today's value for every period; an indicator whose rows depend on the period
        (`period_rows`) costs one query per period. [{}…] when a filter does not apply."""
        if self.is_stock:
            now = self.by_fabrique(fabriques, filters=filters)
            return [now for _period in periods]
        if not periods:
            return []
        if self.period_rows is not None or any(p.start is None or p.end is None for p in periods):
            return [self.by_fabrique(fabriques, period=p, filters=filters) for p in periods]
        # only the rows of the span of the periods (the same figures, fewer rows read)
        span = Period(min(p.start for p in periods if p.start), max(p.end for p in periods if p.end))
        try:
            rows = self.filtered(period=span, filters=filters, fabriques=fabriques)
        except NotApplicable:
            return [{} for _period in periods]
        aggregates = {}
        for i, period in enumerate(periods):
            aggregate = self.aggregate().copy()
            condition = self._period_q(period)
            aggregate.filter = condition if aggregate.filter is None else aggregate.filter & condition
            aggregates[f"_p{i}"] = aggregate
        grouped = rows.order_by().values(self.fabrique_field).annotate(**aggregates)
        found: list[dict[int, Value]] = [{} for _period in periods]
        for row in grouped:
            for i in range(len(periods)):
                found[i][row[self.fabrique_field]] = row[f"_p{i}"] or 0
        return found

    def _year_expression(self) -> Any:
        if not self.date:
            raise NotApplicable
        if callable(self.date):
            return ExtractYear(self.date())
        return ExtractYear(F(self.date))

    def by_year(
        self, fabrique: Any, *, period: Period | None = None, filters: Filters | None = None
    ) -> dict[int, Value]:
        """{year: value} for one fabrique over the period, in ONE grouped query."""
        try:
            rows = self.filtered(period=period, filters=filters, fabrique=fabrique)
            grouped = (
                rows.annotate(_year=self._year_expression())
                .order_by()
                .values("_year")
                .annotate(value=self.aggregate())
            )
        except NotApplicable:
            return {}
        return {row["_year"]: row["value"] or 0 for row in grouped if row["_year"] is not None}

    def by_fabrique_and_year(
        self,
        fabriques: Iterable[Any] | None = None,
        *,
        period: Period | None = None,
        filters: Filters | None = None,
    ) -> dict[tuple[int, int], Value]:
        """{(fabrique id, year): value}, in ONE grouped query (the network's trends)."""
        try:
            rows = self.filtered(period=period, filters=filters, fabriques=fabriques)
            grouped = (
                rows.annotate(_year=self._year_expression())
                .order_by()
                .values(self.fabrique_field, "_year")
                .annotate(value=self.aggregate())
            )
        except NotApplicable:
            return {}
        return {
            (row[self.fabrique_field], row["_year"]): row["value"] or 0
            for row in grouped
            if row["_year"] is not None
        }

    def breakdown_of(self, key: str) -> Breakdown:
        for b in self.breakdowns:
            if b.key == key:
                return b
        raise KeyError(key)

    def breakdown(
        self, fabrique: Any, key: str, *, period: Period | None = None, filters: Filters | None = None
    ) -> list[Bucket]:
        """The indicator split by one of its breakdowns, largest first, in ONE grouped query."""
        dimension = self.breakdown_of(key)
        try:
            rows = self.filtered(period=period, filters=filters, fabrique=fabrique)
        except NotApplicable:
            return []
        grouped = (
            rows.annotate(_bucket=dimension.expression())
            .order_by()
            .values("_bucket")
            .annotate(value=self.aggregate())
        )
        buckets = [
            Bucket(
                value="" if row["_bucket"] is None else str(row["_bucket"]),
                label=dimension.labels(row["_bucket"])
                if row["_bucket"] not in (None, "")
                else _("non renseigné"),
                count=row["value"] or 0,
            )
            for row in grouped
        ]
        buckets.sort(key=lambda b: (-b.count, b.label))
        if dimension.limit and len(buckets) > dimension.limit:
            kept, rest = buckets[: dimension.limit], buckets[dimension.limit :]
            total: Value = sum((b.count for b in rest), 0)
            kept.append(Bucket(value="*", label=_("autres"), count=total))
            buckets = kept
        return buckets

    def drill_rows(
        self,
        fabrique: Any,
        *,
        period: Period | None = None,
        filters: Filters | None = None,
        breakdown: str = "",
        bucket: str | None = None,
    ) -> QuerySet[Any]:
        """The rows behind `value()` (or behind one bucket of a breakdown), for the drill-down list."""
        rows = self.filtered(period=period, filters=filters, fabrique=fabrique)
        if breakdown and bucket is not None and bucket != "*":
            rows = rows.annotate(_bucket=self.breakdown_of(breakdown).expression())
            empty = Q(_bucket__isnull=True) | Q(_bucket="")
            rows = rows.filter(empty) if bucket == "" else rows.filter(_bucket=bucket)
        return rows

    def describe_row(self, row: Any) -> str:
        return self.describe(row) if self.describe else str(row)

    # --- links and labels ---------------------------------------------------------------------------
    def url(self, fabrique: Any) -> str:
        """The list of exactly the rows counted, or "" when the indicator has no drill-down."""
        if not self.url_name:
            return ""
        url = reverse(self.url_name, kwargs={"fabrique_slug": fabrique.slug})
        query = self.url_query() if callable(self.url_query) else self.url_query
        return f"{url}?{urlencode(query)}" if query else url

    def label_of(self, fabrique: Any, value: int | Decimal | None = None) -> str:
        """The label for `fabrique`; next to `value`, singular under 2 (the French rule) when the
        indicator has a singular."""
        if value is not None and value < 2:
            if self.singular_for is not None:
                return str(self.singular_for(fabrique))
            if self.singular:
                return str(self.singular)
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


def indicators(
    *,
    dashboard: bool | None = None,
    network: bool | None = None,
    reporting: bool | None = None,
    section: str | None = None,
) -> list[Indicator]:
    """The registered indicators in registration order (apps' order in INSTALLED_APPS)."""
    found = list(_INDICATORS.values())
    if reporting is not None:
        found = [i for i in found if i.reporting == reporting]
    if section is not None:
        found = [i for i in found if i.section == section]
    if dashboard is not None:
        found = [i for i in found if i.dashboard == dashboard]
    if network is not None:
        found = [i for i in found if i.network == network]
    return found


def values_of(found: Sequence[Indicator], fabrique: Any) -> dict[str, Value]:
    """{key: value} of each indicator for `fabrique` today, in ONE query: a scalar subquery per
    indicator (the dashboard's twenty tiles were twenty round trips)."""
    from django.db.models import Subquery

    from fabrique.fabriques.models import Fabrique

    if not found:
        return {}
    columns = {}
    for n, item in enumerate(found):
        rows = item.filtered(fabrique=fabrique).order_by()
        grouped = rows.values(item.fabrique_field).annotate(_value=item.aggregate()).values("_value")
        columns[f"_i{n}"] = Subquery(grouped[:1])
    row: Mapping[str, Any] = Fabrique.objects.filter(pk=fabrique.pk).values(**columns).first() or {}
    result: dict[str, Value] = {item.key: row.get(f"_i{n}") or 0 for n, item in enumerate(found)}
    return result


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


# --- breakdowns shared by the domain apps ---------------------------------------------------------------


def choice_labels(choices: Iterable[tuple[Any, Any]]) -> Callable[[Any], str]:
    mapping = {str(k): str(v) for k, v in choices}
    return lambda value: mapping.get(str(value), str(value))


def territory_breakdowns(
    *, commune_field: str, qpv_field: str, epci_field: str = "", rural_max_population: int = 2000
) -> tuple[Breakdown, ...]:
    """Commune, EPCI, in / outside a QPV, rural / urban: each one grouped query over the rows.

    Rural = a commune of fewer than `rural_max_population` inhabitants (the approximation the territorial
    intelligence uses); urban = a commune at least that large; unknown = no commune or no population."""
    from django.db.models import Case as _Case
    from django.db.models import CharField, Value, When
    from django.db.models.functions import Coalesce, Concat

    c = commune_field

    def commune() -> Any:
        return Concat(
            F(f"{c}__name"), Value(" ("), F(f"{c}__departement"), Value(")"), output_field=CharField()
        )

    def epci() -> Any:
        if epci_field:
            return Coalesce(F(f"{c}__epci__name"), F(f"{epci_field}__name"), output_field=CharField())
        return F(f"{c}__epci__name")

    def qpv() -> Any:
        return _Case(
            When(**{f"{qpv_field}__isnull": False}, then=Value("qpv")),
            When(**{f"{c}__isnull": False}, then=Value("outside")),
            default=Value(""),
            output_field=CharField(),
        )

    def rurality() -> Any:
        return _Case(
            When(**{f"{c}__population__lt": rural_max_population}, then=Value("rural")),
            When(**{f"{c}__population__isnull": False}, then=Value("urban")),
            default=Value(""),
            output_field=CharField(),
        )

    return (
        Breakdown("commune", gettext_lazy("commune"), commune, limit=15),
        Breakdown("epci", gettext_lazy("intercommunalité"), epci, limit=15),
        Breakdown(
            "qpv",
            gettext_lazy("quartier prioritaire"),
            qpv,
            choice_labels([("qpv", gettext_lazy("en QPV")), ("outside", gettext_lazy("hors QPV"))]),
        ),
        Breakdown(
            "rurality",
            gettext_lazy("rural / urbain"),
            rurality,
            choice_labels(
                [
                    ("rural", gettext_lazy("commune rurale (moins de 2 000 habitants)")),
                    ("urban", gettext_lazy("commune urbaine")),
                ]
            ),
        ),
    )
