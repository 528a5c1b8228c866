"""The programme's composite figures, built on the indicator registry (`fabrique.core.indicators`):
the funnel report → need → study → project → enterprise with its conversion rates, the median
duration of each stage, yearly trends, and the whole reporting table of a fabrique.

Every function takes a period and filters; the number of queries depends on the number of
indicators and years, never on the data. Definitions: docs/indicators.md."""

from __future__ import annotations

import datetime
import statistics
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import DateField, F, OuterRef, Subquery
from django.db.models.functions import Cast, Coalesce, TruncDate
from django.utils.translation import gettext_lazy

from fabrique.core.indicators import (
    SECTIONS,
    Filters,
    Indicator,
    Label,
    NotApplicable,
    Period,
    Value,
    indicator,
    indicators,
)

# the funnel, in order: each step's indicator key
FUNNEL_KEYS = (
    "needs.reports_received",
    "needs.detected",
    "studies.launched",
    "projects.launched",
    "projects.enterprises_created",
)


@dataclass(frozen=True)
class FunnelStep:
    key: str
    label: str
    value: Value | None
    rate: Decimal | None  # percent of the previous step's value (None for the first step or a 0)


def rate(part: Value | None, whole: Value | None) -> Decimal | None:
    """`part` as a percentage of `whole`, one decimal (None when undefined)."""
    if part is None or not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"))


def funnel(
    fabrique: Any,
    *,
    period: Period | None = None,
    filters: Filters | None = None,
    known: dict[str, Value | None] | None = None,
) -> list[FunnelStep]:
    """Flow counts of the period (each step counted at its own date) and the rate of each step to the
    previous one. One query per step."""
    steps: list[FunnelStep] = []
    previous: Value | None = None
    for position, key in enumerate(FUNNEL_KEYS):
        ind = indicator(key)
        value: Value | None
        if known is not None and key in known:
            value = known[key]  # already computed with the same period and filters (no query)
        elif filters:
            value = ind.value(fabrique, period=period, filters=filters)
        else:
            value = ind.value(fabrique, period=period)
        steps.append(
            FunnelStep(
                key=key,
                label=str(ind.label),
                value=value,
                rate=rate(value, previous) if position else None,
            )
        )
        previous = value
    return steps


# --- durations ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Duration:
    """A stage's duration: each row of `indicator` (placed in the period by its END date) gives
    end - start in days; the figure is the median."""

    key: str
    label: Label
    definition: Label
    indicator: Indicator
    start: Callable[[], Any]
    end: Callable[[], Any]


@dataclass(frozen=True)
class DurationFigure:
    key: str
    label: str
    definition: str
    median_days: float | None
    count: int


def _as_date(path: str) -> Any:
    return Cast(F(path), output_field=DateField())


def _durations() -> list[Duration]:
    from fabrique.committees.models import Decision
    from fabrique.needs.models import Need, NeedReport, ReportStage
    from fabrique.projects.models import Enterprise, Project
    from fabrique.studies.models import Study
    from fabrique.studies.selectors import CONCLUDED

    def need_decided_on() -> Any:
        return Subquery(
            Decision.objects.filter(
                target_type=ContentType.objects.get_for_model(Need),
                target_id=OuterRef("pk"),
                outcome__in=("retained", "not_retained"),
            )
            .order_by("decided_on", "pk")
            .values("decided_on")[:1]
        )

    reports = Indicator(
        key="durations.report_to_need",
        label="",
        definition="",
        rows=lambda: NeedReport.objects.filter(stage=ReportStage.ATTACHED, stage_changed_at__isnull=False),
        date="stage_changed_at",
        date_is_datetime=True,
        workstream_field="need__workstream",
        commune_field="commune",
        qpv_field="qpv",
        study_field="need__studies",
        project_field="need__projects",
    )
    needs = Indicator(
        key="durations.need_to_decision",
        label="",
        definition="",
        rows=lambda: Need.objects.annotate(_decided=need_decided_on()).filter(_decided__isnull=False),
        date="_decided",
        workstream_field="workstream",
        commune_field="commune",
        epci_field="epci",
        qpv_field="qpv",
        study_field="studies",
        project_field="projects",
    )
    studies = Indicator(
        key="durations.study",
        label="",
        definition="",
        rows=lambda: Study.objects.filter(stage__in=CONCLUDED, stage_changed_at__isnull=False),
        date="stage_changed_at",
        date_is_datetime=True,
        workstream_field="workstream",
        commune_field="needs__commune",
        epci_field="needs__epci",
        qpv_field="needs__qpv",
        study_field="pk",
        project_field="projects",
    )
    leaders = Indicator(
        key="durations.leader_search",
        label="",
        definition="",
        rows=lambda: Project.objects.filter(leader_found_on__isnull=False),
        date="leader_found_on",
        workstream_field="workstream",
        commune_field="commune",
        study_field="study",
        project_field="pk",
    )
    support = Indicator(
        key="durations.support",
        label="",
        definition="",
        rows=lambda: Enterprise.objects.filter(
            project__deleted_at__isnull=True, project__support_plan__isnull=False
        ),
        fabrique_field="project__fabrique",
        date="created_on",
        workstream_field="project__workstream",
        commune_field="commune",
        study_field="project__study",
        project_field="project",
    )
    return [
        Duration(
            "report_to_need",
            gettext_lazy("du signalement au rattachement à un besoin"),
            gettext_lazy(
                "Jours entre la réception d'un signalement et son rattachement à un besoin, pour les "
                "signalements rattachés pendant la période."
            ),
            reports,
            start=lambda: TruncDate("created_at"),
            end=lambda: TruncDate("stage_changed_at"),
        ),
        Duration(
            "need_to_decision",
            gettext_lazy("de la détection du besoin à la décision"),
            gettext_lazy(
                "Jours entre la création d'un besoin et la première décision le retenant ou non, pour "
                "les décisions prises pendant la période."
            ),
            needs,
            start=lambda: TruncDate("created_at"),
            end=lambda: F("_decided"),
        ),
        Duration(
            "study",
            gettext_lazy("de l'étude d'opportunité"),
            gettext_lazy(
                "Jours entre le début d'une étude (à défaut, sa création) et sa conclusion (go ou no go), "
                "pour les études conclues pendant la période."
            ),
            studies,
            start=lambda: Coalesce(F("started_on"), TruncDate("created_at")),
            end=lambda: TruncDate("stage_changed_at"),
        ),
        Duration(
            "leader_search",
            gettext_lazy("de la recherche du porteur"),
            gettext_lazy(
                "Jours entre la création d'un projet et le choix de son porteur, pour les porteurs "
                "trouvés pendant la période."
            ),
            leaders,
            start=lambda: TruncDate("created_at"),
            end=lambda: F("leader_found_on"),
        ),
        Duration(
            "support",
            gettext_lazy("de l'accompagnement jusqu'à la création"),
            gettext_lazy(
                "Jours entre le début de l'accompagnement et la création de l'entreprise, pour les "
                "entreprises créées pendant la période."
            ),
            support,
            start=lambda: F("project__support_plan__started_on"),
            end=lambda: F("created_on"),
        ),
    ]


def _days(start: Any, end: Any) -> int | None:
    if start is None or end is None:
        return None
    if isinstance(start, datetime.datetime):
        start = start.date()
    if isinstance(end, datetime.datetime):
        end = end.date()
    if isinstance(start, str):
        start = datetime.date.fromisoformat(start[:10])
    if isinstance(end, str):
        end = datetime.date.fromisoformat(end[:10])
    days: int = (end - start).days
    return max(0, days)


def durations(
    fabrique: Any, *, period: Period | None = None, filters: Filters | None = None
) -> list[DurationFigure]:
    """The median duration (in days) of each stage: one query per stage."""
    figures = []
    for duration in _durations():
        ind = duration.indicator
        try:
            rows = ind.filtered(period=period, filters=filters, fabrique=fabrique)
        except NotApplicable:
            figures.append(
                DurationFigure(duration.key, str(duration.label), str(duration.definition), None, 0)
            )
            continue
        pairs = rows.annotate(_start=duration.start(), _end=duration.end()).values_list("_start", "_end")
        days = [d for d in (_days(s, e) for s, e in pairs) if d is not None]
        figures.append(
            DurationFigure(
                key=duration.key,
                label=str(duration.label),
                definition=str(duration.definition),
                median_days=float(statistics.median(days)) if days else None,
                count=len(days),
            )
        )
    return figures


# --- the reporting table --------------------------------------------------------------------------------


@dataclass
class Row:
    indicator: Indicator
    value: Value | None
    trend: dict[int, Value] = field(default_factory=dict)


@dataclass
class Section:
    key: str
    label: str
    rows: list[Row]


def trend_years(period: Period | None) -> list[int]:
    """The years shown as a trend: those of the period (at most the last six; a period within one year
    shows that year and the two before), else the last three calendar years."""
    years = period.years() if period else []
    if len(years) == 1:  # one year (or part of it): with the two before, for comparison
        years = [years[0] - 2, years[0] - 1, years[0]]
    if not years:
        this_year = datetime.date.today().year
        years = [this_year - 2, this_year - 1, this_year]
    return years[-6:]


def _whole_years(period: Period | None) -> list[int]:
    """The years of a period made of whole calendar years ([] otherwise)."""
    if period is None or period.start is None or period.end is None:
        return []
    if (period.start.month, period.start.day) != (1, 1) or (period.end.month, period.end.day) != (12, 31):
        return []
    return list(range(period.start.year, period.end.year + 1))


def _applicable_sum(
    ind: Indicator, trend: dict[int, Value], years: list[int], filters: Filters | None
) -> Value | None:
    """The sum of `years` of a grouped trend, or None when a filter does not apply (no query)."""
    try:
        ind.filtered(filters=filters)  # builds the queryset only: raises when a filter does not apply
    except NotApplicable:
        return None
    total: Value = sum((trend.get(y, 0) for y in years), 0)
    return total


def reporting_table(
    fabrique: Any,
    *,
    period: Period | None = None,
    filters: Filters | None = None,
    keys: list[str] | None = None,
    trends: bool = True,
) -> list[Section]:
    """Every reporting indicator (or those of `keys`) grouped by section, with its value over the period
    and its value per year (one grouped query per indicator; indicators without a date field, one
    query per year)."""
    years = trend_years(period)
    span = Period(datetime.date(years[0], 1, 1), datetime.date(years[-1], 12, 31))
    chosen = [i for i in indicators(reporting=True) if keys is None or i.key in keys]
    whole_years = _whole_years(period)
    sections = []
    for key, label in SECTIONS.items():
        rows = []
        for ind in (i for i in chosen if i.section == key):
            trend: dict[int, Value] = {}
            grouped = trends and bool(ind.date) and ind.period_rows is None
            if grouped:
                trend = ind.by_year(fabrique, period=span, filters=filters)
            elif trends:
                for year in years:
                    v = ind.value(fabrique, period=Period.year(year), filters=filters or Filters())
                    if v is not None:
                        trend[year] = v
            value: Value | None
            if grouped and whole_years and set(whole_years) <= set(years):
                # the period is whole calendar years of the trend: its value is their sum (no query);
                # only for rows placed by one date (a distinct count over a period is no sum of years)
                value = _applicable_sum(ind, trend, whole_years, filters)
            else:
                value = (
                    ind.value(fabrique, period=period, filters=filters)
                    if filters
                    else ind.value(fabrique, period=period)
                )
            rows.append(Row(ind, value, {year: trend.get(year, 0) for year in years} if trends else {}))
        if rows:
            sections.append(Section(key, str(label), rows))
    return sections
