"""The map of needs per territory on the Rapports page: the needs detected over the period (the
indicator `needs.detected`, with the page's period and filters) counted per commune and per EPCI.

ONE grouped query (per commune of the need, with its name, département, centre and EPCI), whatever
the number of needs: its rows are bounded by the number of communes where needs were recorded. The
map is drawn on the server (`intelligence.diagnosis.zone_svg`: the shipped boundaries of
Loire-Atlantique, a circle at the commune's centre elsewhere) so that it works without JavaScript and
prints; its data tables (communes, EPCIs) are the accessible alternative, each count leading to the
drill-down list of the commune's or EPCI's needs (the `commune` / `epci` breakdowns of the page).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.db.models import F
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from fabrique.core.indicators import Filters, NotApplicable, Period, Value, indicator

MAP_KEY = "needs.detected"
MAX_MAP_COMMUNES = 300  # circles drawn at most (the largest counts); the tables say the rest
MAX_TABLE_ROWS = 25  # rows of each data table; the others are summed into "autres"
LABELLED_COMMUNES = 12  # names written on the map when there are few communes


@dataclass(frozen=True)
class Place:
    """A commune drawn on the map (what `zone_svg` reads)."""

    pk: int
    code: str
    name: str
    latitude: float | None
    longitude: float | None


@dataclass(frozen=True)
class TerritoryCount:
    label: str
    count: Value
    bucket: str  # the value of the page's breakdown (drill-down), "" for "autres"


@dataclass
class NeedsMap:
    svg: str = ""
    legend: list[tuple[str, str]] = field(default_factory=list)
    communes: list[TerritoryCount] = field(default_factory=list)
    epcis: list[TerritoryCount] = field(default_factory=list)
    total: Value = 0
    without_commune: Value = 0
    not_applicable: bool = False
    drawn: int = 0  # communes drawn
    located: int = 0  # communes with needs

    @property
    def tables(self) -> list[tuple[str, list[TerritoryCount], str]]:
        """The map's data tables: (caption, rows, breakdown key of the drill-down)."""
        return [
            (_("Besoins détectés par commune"), self.communes, "commune"),
            (_("Besoins détectés par intercommunalité"), self.epcis, "epci"),
        ]


def _table(counts: Counter[str], labels: dict[str, str]) -> list[TerritoryCount]:
    ordered = sorted(counts.items(), key=lambda item: (-item[1], labels.get(item[0], item[0])))
    rows = [TerritoryCount(labels.get(key, key), n, key) for key, n in ordered[:MAX_TABLE_ROWS]]
    rest = sum(n for _key, n in ordered[MAX_TABLE_ROWS:])
    if rest:
        rows.append(TerritoryCount(_("autres"), rest, ""))
    return rows


def needs_map(fabrique: Any, *, period: Period | None = None, filters: Filters | None = None) -> NeedsMap:
    """Needs detected over the period per commune and EPCI, with their map (one query)."""
    from fabrique.intelligence.diagnosis import zone_svg

    ind = indicator(MAP_KEY)
    try:
        rows = ind.filtered(period=period, filters=filters, fabrique=fabrique)
    except NotApplicable:
        return NeedsMap(not_applicable=True)
    grouped = (
        rows.order_by()
        .values(
            "commune_id",
            "commune__code",
            "commune__name",
            "commune__departement_id",
            "commune__latitude",
            "commune__longitude",
        )
        # the EPCI as the page's `epci` breakdown says it: the commune's, else the one recorded
        .annotate(_epci=Coalesce(F("commune__epci__name"), F("epci__name")), n=ind.aggregate())
    )
    result = NeedsMap()
    places: dict[int, Place] = {}
    per_commune: Counter[int] = Counter()
    commune_labels: dict[int, str] = {}
    per_epci: Counter[str] = Counter()
    for row in grouped:
        n = row["n"] or 0
        result.total += n
        if row["_epci"]:
            per_epci[row["_epci"]] += n
        commune_id = row["commune_id"]
        if commune_id is None:
            result.without_commune += n
            continue
        per_commune[commune_id] += n
        # the bucket of the `commune` breakdown: "name (département)"
        commune_labels[commune_id] = f"{row['commune__name']} ({row['commune__departement_id'] or ''})"
        places[commune_id] = Place(
            commune_id,
            row["commune__code"],
            row["commune__name"],
            row["commune__latitude"],
            row["commune__longitude"],
        )
    result.located = len(per_commune)
    drawn = [places[pk] for pk, _n in per_commune.most_common(MAX_MAP_COMMUNES)]
    result.drawn = len(drawn)
    if drawn:
        label = _("Carte des besoins détectés par commune")
        result.svg, result.legend = zone_svg(
            drawn,  # type: ignore[arg-type]
            per_commune,
            [],
            label,
            width=560,
            height=420,
            labels=len(drawn) <= LABELLED_COMMUNES,
        )
    by_label: Counter[str] = Counter()
    for pk, n in per_commune.items():
        by_label[commune_labels[pk]] += n
    result.communes = _table(by_label, {})
    result.epcis = _table(per_epci, {})
    return result
