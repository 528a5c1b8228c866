"""Stored insights: each need's priority components, nearby needs and existing offer, computed in the
background and read in one query.

At network scale the territorial context of a need (the needs around it, the organisations and projects
that already answer its theme, the indicators of its commune) is too much work for a request: the
priorities page ranked 6,000 needs by recomputing it per need (minutes), the need's page read a thousand
organisations. So `insights_refresh(fabrique)` computes it for every need of one fabrique at once (with
the indexes of `neighbourhood.py`: seconds) and stores one `NeedInsight` row per need; the pages read those
rows and apply the fabrique's weights in SQL.

When it runs:
- after every action that changes an input (a need, a report, a score, an organisation, a project, a
  workstream, the weights, an indicator): the event handlers below, in the worker (never in a web
  request); a burst of events refreshes once — a handler whose event is older than the fabrique's last
  refresh does nothing;
- every night (`register_daily`), for the public projects of the other fabriques of the network;
- `fabrique refresh_insights [--fabrique slug]` (after an import, or the network generator).

A page that finds needs without insight (just created, the worker not yet passed) shows them at the end
and asks for a refresh; a small fabrique (≤ INLINE_LIMIT needs) is computed in the request instead, so
that a fresh installation never shows an empty ranking.
"""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import F, QuerySet, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import override

from fabrique.core.events import on_action
from fabrique.core.schedule import register_daily

from .models import NeedInsight, PriorityWeights
from .priorities import COMPONENT_LABELS, Component, RankedNeed, priorities_rank, weights_of
from .selectors import ExistingOffer, NearbyNeed, Nearness, OfferItem

if TYPE_CHECKING:
    from fabrique.audit.models import AuditEntry
    from fabrique.fabriques.models import Fabrique
    from fabrique.needs.models import Need

logger = logging.getLogger(__name__)

INLINE_LIMIT = 300  # a fabrique with at most this many needs is computed in the request when rows are missing
OFFER_ITEMS = 30  # items kept per kind of offer (the counts are kept whole)
NEARBY_ITEMS = 20
COMMIT_MARGIN = datetime.timedelta(seconds=2)  # an event's transaction commits within this after its entry


# --- computing and storing -------------------------------------------------------------------------------


def _nearness_data(near: Nearness | None) -> dict[str, Any] | None:
    if near is None:
        return None
    return {"distance": near.distance, "same_commune": near.same_commune, "same_epci": near.same_epci}


def offer_to_data(offer: ExistingOffer) -> dict[str, Any]:
    def items(rows: list[OfferItem]) -> list[dict[str, Any]]:
        return [
            {
                "kind": item.kind,
                "id": getattr(item.obj, "pk", None),
                "enterprise": bool(getattr(item.obj, "enterprise_id", None)),
                "title": item.title,
                "place": str(item.place),
                "nearness": _nearness_data(item.nearness),
                "reasons": [str(r) for r in item.reasons],
                "fabrique_name": item.fabrique_name,
                "summary": item.summary[:600],
            }
            for item in rows[:OFFER_ITEMS]
        ]

    return {
        "theme": offer.theme,
        "radius_km": offer.radius_km,
        "located": offer.located,
        "missing_theme": offer.missing_theme,
        "organizations": items(offer.organizations),
        "projects": items(offer.projects),
        "network_projects": items(offer.network_projects),
        "counts": [len(offer.organizations), len(offer.projects), len(offer.network_projects)],
    }


def _insight_of(row: RankedNeed, fabrique: Fabrique, radius_km: int, now: datetime.datetime) -> NeedInsight:
    values = {c.key: c.value for c in row.components}
    offer = row.offer
    assert isinstance(offer, ExistingOffer)
    return NeedInsight(
        need_id=row.need.pk,
        fabrique=fabrique,
        computed_at=now,
        radius_km=radius_km,
        qualification_total=row.qualification_total,
        details={c.key: str(c.detail) for c in row.components},
        nearby_needs=[
            {"id": n.need.pk, "same_theme": n.same_theme, **(_nearness_data(n.nearness) or {})}
            for n in row.nearby[:NEARBY_ITEMS]
        ],
        nearby_count=row.nearby_count,
        offer=offer_to_data(offer),
        **{key: values.get(key, 0.0) for key in PriorityWeights.COMPONENTS},
    )


def insights_refresh(*, fabrique: Fabrique, since: datetime.datetime | None = None) -> int:
    """Compute and store the insights of every need of `fabrique`. With `since` (the time of the event
    that asked for it), do nothing when a refresh started after it already covered it. Returns the
    number of rows written."""
    if since is not None:
        last = (
            NeedInsight.objects.filter(fabrique=fabrique)
            .order_by("-computed_at")
            .values_list("computed_at", flat=True)
            .first()
        )
        # a refresh that started well after the event (its transaction had committed) covered it
        if last is not None and last >= since + COMMIT_MARGIN and not _missing(fabrique).exists():
            return 0
    started = timezone.now()
    weights = weights_of(fabrique)
    with override("fr"):  # the explanations are stored in the interface's language
        ranked = priorities_rank(fabrique=fabrique, weights=weights, stages=None, context=True)
        rows = [_insight_of(row, fabrique, weights.radius_km, started) for row in ranked]
    fields = ["fabrique", "computed_at", "radius_km", "qualification_total", "details", "nearby_needs"]
    fields += ["nearby_count", "offer", *PriorityWeights.COMPONENTS]
    with transaction.atomic():
        NeedInsight.objects.bulk_create(
            rows, batch_size=500, update_conflicts=True, unique_fields=["need"], update_fields=fields
        )
        # needs deleted since the last run
        NeedInsight.objects.filter(fabrique=fabrique, computed_at__lt=started).delete()
    logger.info(
        "Insights of %s: %s needs in %.1f s",
        fabrique.slug,
        len(rows),
        (timezone.now() - started).total_seconds(),
    )
    return len(rows)


def _missing(fabrique: Fabrique) -> QuerySet[Need]:
    from fabrique.needs.models import Need

    return Need.objects.filter(fabrique=fabrique, insight__isnull=True)


def insights_ensure(*, fabrique: Fabrique, needs: QuerySet[Need]) -> int:
    """How many of `needs` have no stored insight yet. A small fabrique is computed now (a page never
    shows an empty ranking on a fresh installation); a big one is left to the worker (a refresh is
    queued) and the page says so."""
    missing = needs.filter(insight__isnull=True).count()
    if not missing:
        return 0
    from fabrique.needs.models import Need

    if Need.objects.filter(fabrique=fabrique).count() <= INLINE_LIMIT:
        insights_refresh(fabrique=fabrique)
        return needs.filter(insight__isnull=True).count()
    transaction.on_commit(lambda: refresh_fabrique_insights.enqueue(fabrique_id=fabrique.pk))
    return missing


# --- reading ---------------------------------------------------------------------------------------------


def score_expression(weights: PriorityWeights) -> Any:
    """100 × Σ(weight × component) / Σ weights, over the stored components (0 for a need without insight)."""
    total = sum(weights.as_dict().values()) or 1
    expression: Any = Value(0.0)
    for key in PriorityWeights.COMPONENTS:
        weight = getattr(weights, key)
        if weight:
            expression = expression + Coalesce(F(f"insight__{key}"), Value(0.0)) * Value(float(weight))
    return expression * Value(100.0 / total)


def ranked_needs(
    *, fabrique: Fabrique, weights: PriorityWeights, stages: Any, theme: str = ""
) -> QuerySet[Need]:
    """The fabrique's needs in `stages`, best score first, each with its `score` and its insight (one
    query a page)."""
    from fabrique.needs.models import Need

    qs = Need.objects.filter(fabrique=fabrique, stage__in=stages)
    if theme:
        qs = qs.filter(theme=theme)
    return (
        qs.select_related("insight", "commune")
        .annotate(
            score=score_expression(weights), _scored=Coalesce(F("insight__qualification_total"), Value(0))
        )
        .order_by("-score", "-_scored", "reference", "pk")
    )


def ranked_row(need: Need, weights: PriorityWeights, rank: int) -> RankedNeed:
    """A page's row of the priorities list, from the need and its stored insight."""
    insight: NeedInsight | None = getattr(need, "insight", None)
    total = sum(weights.as_dict().values()) or 1
    components = []
    for key in PriorityWeights.COMPONENTS:
        weight = getattr(weights, key)
        value = getattr(insight, key) if insight is not None else 0.0
        detail = insight.details.get(key, "") if insight is not None else ""
        component = Component(key, str(COMPONENT_LABELS[key]), weight, value, detail)
        component.points = 100 * weight * value / total
        components.append(component)
    row = RankedNeed(
        need=need, score=float(getattr(need, "score", 0.0) or 0.0), components=components, rank=rank
    )
    row.computed = insight is not None  # type: ignore[attr-defined]
    return row


@dataclass
class StoredContext:
    """The stored part of a need's context: nearby needs (with the needs read in one query) and offer."""

    nearby: list[NearbyNeed] = field(default_factory=list)
    nearby_count: int = 0
    offer: ExistingOffer | None = None
    computed_at: datetime.datetime | None = None


@dataclass
class _Obj:
    pk: int | None
    enterprise: bool = False


def _nearness(data: dict[str, Any] | None) -> Nearness | None:
    if not data:
        return None
    return Nearness(data.get("distance"), bool(data.get("same_commune")), bool(data.get("same_epci")))


class StoredOffer(ExistingOffer):
    """An `ExistingOffer` read back from its stored data, with the whole counts."""

    counts: tuple[int, int, int] = (0, 0, 0)

    @property
    def count(self) -> int:
        return sum(self.counts)

    @property
    def local_count(self) -> int:
        return self.counts[0] + self.counts[1]


def offer_from_data(data: dict[str, Any], limit: int | None = None) -> StoredOffer:
    def items(rows: list[dict[str, Any]]) -> list[OfferItem]:
        return [
            OfferItem(
                row["kind"],
                _Obj(row.get("id"), bool(row.get("enterprise"))),
                row["title"],
                row.get("place", ""),
                _nearness(row.get("nearness")),
                list(row.get("reasons", [])),
                fabrique_name=row.get("fabrique_name", ""),
                summary=row.get("summary", ""),
            )
            for row in rows[:limit]
        ]

    offer = StoredOffer(
        theme=data.get("theme", ""),
        radius_km=data.get("radius_km", 0),
        located=bool(data.get("located")),
        organizations=items(data.get("organizations", [])),
        projects=items(data.get("projects", [])),
        network_projects=items(data.get("network_projects", [])),
        missing_theme=bool(data.get("missing_theme")),
    )
    counts = data.get("counts") or [  # rows stored before the counts were: their whole lists
        len(data.get("organizations", [])),
        len(data.get("projects", [])),
        len(data.get("network_projects", [])),
    ]
    offer.counts = (int(counts[0]), int(counts[1]), int(counts[2]))
    return offer


def stored_context(
    *, need: Need, radius_km: int | None = None, limit: int | None = None
) -> StoredContext | None:
    """The stored nearby needs and offer of `need` (None when not computed yet, or computed for another
    radius than `radius_km`): two queries. `limit`: only the first nearby needs and offer items of each
    kind (the counts stay those of the whole)."""
    from fabrique.needs.models import Need

    if "insight" in need._state.fields_cache:  # read with the need (`select_related("insight")`)
        insight = need._state.fields_cache["insight"]
    else:
        insight = NeedInsight.objects.filter(need=need).first()
    if insight is None or (radius_km is not None and insight.radius_km != radius_km):
        return None
    rows = insight.nearby_needs[:limit]
    ids = [row["id"] for row in rows]
    others = Need.objects.filter(fabrique_id=need.fabrique_id, pk__in=ids).select_related("commune", "epci")
    by_id = {other.pk: other for other in others}
    nearby = [
        NearbyNeed(
            by_id[row["id"]], _nearness(row) or Nearness(None, False, False), bool(row.get("same_theme"))
        )
        for row in rows
        if row["id"] in by_id
    ]
    return StoredContext(
        nearby=nearby,
        nearby_count=insight.nearby_count,
        offer=offer_from_data(insight.offer, limit),
        computed_at=insight.computed_at,
    )


# --- when it runs ----------------------------------------------------------------------------------------

from django_tasks import task  # noqa: E402 - after the helpers the task calls


@task()
def refresh_fabrique_insights(*, fabrique_id: int, attempt: int = 1) -> str:
    from fabrique.fabriques.models import Fabrique

    fabrique = Fabrique.objects.filter(pk=fabrique_id).first()
    if fabrique is None:
        return "missing fabrique"
    return (
        f"{insights_refresh(fabrique=fabrique, since=timezone.now() - datetime.timedelta(seconds=5))} needs"
    )


INPUT_ACTIONS = (
    "needs.need.*",
    "needs.needreport.*",
    "needs.criterion.*",
    "directory.organization.*",
    "projects.project.*",
    "workstreams.workstream.*",
    "intelligence.priorityweights.*",
    "intelligence.indicator.*",
)


def insights_on_change(entry: AuditEntry) -> None:
    """Event handler: an input of the insights of `entry.fabrique` changed; refresh them (once for a
    burst of events: an event older than the last refresh is already covered)."""
    if entry.fabrique is None:
        return
    insights_refresh(fabrique=entry.fabrique, since=entry.created_at)


for _pattern in INPUT_ACTIONS:
    on_action(_pattern)(insights_on_change)


def nightly_refresh(*, day: datetime.date) -> int:
    """Every fabrique, every night: the public projects of the rest of the network change too."""
    from fabrique.fabriques.models import Fabrique

    total = 0
    for fabrique in Fabrique.objects.order_by("pk"):
        total += insights_refresh(fabrique=fabrique)
    return total


register_daily("intelligence.insights", nightly_refresh)
