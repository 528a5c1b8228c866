"""The directory of the network's fabriques and their map: status, territory covered, chantiers, contact.

Public information about each fabrique (what its own web site would say), never about people: the
contact is the fabrique's own address. The map is drawn on the server (an SVG of the metropolitan
départements, a dot per fabrique) so that it works without JavaScript, prints, and costs a fixed
number of queries: one per kind of territory, whatever the number of fabriques or communes.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.core.cache import cache
from django.db.models import Avg, Count, Q
from django.utils.translation import ngettext

from fabrique.fabriques.models import Fabrique, NetworkStatus
from fabrique.intelligence.geo import SvgShape, _features, geometry_centre, svg_map
from fabrique.workstreams.models import Workstream, WorkstreamStatus

MAX_CHANTIERS_SHOWN = 8
MAX_RING_POINTS = 60  # département outlines are thinned for the page
STATUS_COLOURS: dict[str, str] = {
    NetworkStatus.ESTABLISHED: "#1f4e79",
    NetworkStatus.EXPERIMENTING: "#c25e00",
}
STATUS_TINTS: dict[str, str] = {NetworkStatus.ESTABLISHED: "#dbe8f5", NetworkStatus.EXPERIMENTING: "#fbe3cc"}
MAP_TIMEOUT = 3600


@dataclass
class DirectoryEntry:
    fabrique: Fabrique
    departements: list[str] = field(default_factory=list)
    departement_codes: list[str] = field(default_factory=list)
    epcis: int = 0
    communes: int = 0
    chantiers: list[str] = field(default_factory=list)
    more_chantiers: int = 0
    lat: float | None = None
    lon: float | None = None

    @property
    def status_label(self) -> str:
        return str(self.fabrique.get_network_status_display())

    @property
    def territory_label(self) -> str:
        parts = []
        if self.departements:
            parts.append(", ".join(self.departements))
        if self.epcis:
            parts.append(
                ngettext("%(n)s intercommunalité", "%(n)s intercommunalités", self.epcis) % {"n": self.epcis}
            )
        if self.communes:
            parts.append(ngettext("%(n)s commune", "%(n)s communes", self.communes) % {"n": self.communes})
        return " · ".join(parts)


def network_directory(*, status: str = "") -> list[DirectoryEntry]:
    """Every active fabrique (optionally of one status), with its territory and active chantiers."""
    fabriques = Fabrique.objects.filter(is_active=True)
    if status in NetworkStatus.values:
        fabriques = fabriques.filter(network_status=status)
    rows = list(
        fabriques.annotate(
            n_communes=Count("communes", distinct=True), n_epcis=Count("epcis", distinct=True)
        ).order_by("name", "pk")
    )
    entries = {f.pk: DirectoryEntry(fabrique=f, epcis=f.n_epcis, communes=f.n_communes) for f in rows}
    ids = list(entries)
    through_deps = Fabrique.departements.through.objects.filter(fabrique_id__in=ids).select_related(
        "departement"
    )
    for link in through_deps.order_by("departement__code"):
        entries[link.fabrique_id].departements.append(f"{link.departement.name} ({link.departement.code})")
        entries[link.fabrique_id].departement_codes.append(link.departement.code)
    chantiers: dict[int, list[str]] = defaultdict(list)
    for fabrique_id, name in (
        Workstream.objects.filter(fabrique_id__in=ids, status=WorkstreamStatus.ACTIVE)
        .order_by("fabrique_id", "name")
        .values_list("fabrique_id", "name")
    ):
        chantiers[fabrique_id].append(name)
    for fabrique_id, names in chantiers.items():
        entries[fabrique_id].chantiers = names[:MAX_CHANTIERS_SHOWN]
        entries[fabrique_id].more_chantiers = max(0, len(names) - MAX_CHANTIERS_SHOWN)
    _place(entries)
    return list(entries.values())


def _place(entries: dict[int, DirectoryEntry]) -> None:
    """A point for each fabrique: the mean centre of its communes, else of its intercommunalities'
    communes, else the centre of its first département."""
    ids = list(entries)
    by_communes = (
        Fabrique.communes.through.objects.filter(fabrique_id__in=ids, commune__latitude__isnull=False)
        .values("fabrique_id")
        .annotate(lat=Avg("commune__latitude"), lon=Avg("commune__longitude"))
    )
    by_epcis = (
        Fabrique.epcis.through.objects.filter(fabrique_id__in=ids)
        .filter(Q(epci__communes__latitude__isnull=False))
        .values("fabrique_id")
        .annotate(lat=Avg("epci__communes__latitude"), lon=Avg("epci__communes__longitude"))
    )
    for source in (by_communes, by_epcis):
        for row in source:
            entry = entries[row["fabrique_id"]]
            if entry.lat is None and row["lat"] is not None:
                entry.lat, entry.lon = row["lat"], row["lon"]
    shapes = _features("departements.geojson.gz")
    for entry in entries.values():
        if entry.lat is None and entry.departement_codes:
            feature = shapes.get(entry.departement_codes[0])
            centre = geometry_centre(feature["geometry"]) if feature else None
            if centre:
                entry.lat, entry.lon = centre


def _thin(geometry: dict[str, Any]) -> dict[str, Any]:
    polygons = geometry["coordinates"] if geometry["type"] == "MultiPolygon" else [geometry["coordinates"]]
    thinned = []
    for polygon in polygons:
        rings = []
        for ring in polygon:
            step = max(1, len(ring) // MAX_RING_POINTS)
            points = ring[::step]
            if len(points) >= 4:
                rings.append(points + [points[0]])
        if rings:
            thinned.append(rings)
    return {"type": "MultiPolygon", "coordinates": thinned}


def network_map_svg(entries: list[DirectoryEntry], *, label: str) -> str:
    """The metropolitan départements, those covered tinted by status, one dot per fabrique (cached)."""
    key_data = repr(
        sorted(
            (
                e.fabrique.pk,
                e.fabrique.name,
                e.fabrique.network_status,
                e.lat,
                e.lon,
                tuple(e.departement_codes),
            )
            for e in entries
        )
    )
    key = "network-map:" + hashlib.sha1((key_data + label).encode()).hexdigest()[:20]
    svg: str | None = cache.get(key)
    if svg is not None:
        return svg
    tint: dict[str, str] = {}
    for entry in entries:
        for code in entry.departement_codes:
            tint.setdefault(code, STATUS_TINTS.get(entry.fabrique.network_status, "#eeeeee"))
    shapes = [
        SvgShape(
            geometry=_thin(feature["geometry"]),
            fill=tint.get(code, "#f6f7f8"),
            stroke="#9aa3ab",
            width=0.5,
            title=feature["properties"].get("name", code),
        )
        for code, feature in sorted(_features("departements.geojson.gz").items())
    ]
    for entry in entries:
        if entry.lat is None or entry.lon is None:
            continue
        shapes.append(
            SvgShape(
                geometry=None,
                lat=entry.lat,
                lon=entry.lon,
                radius=6,
                fill=STATUS_COLOURS.get(entry.fabrique.network_status, "#1f4e79"),
                stroke="#ffffff",
                width=1.5,
                title=f"{entry.fabrique.name} — {entry.status_label}",
            )
        )
    svg = svg_map(shapes, width=560, height=560, label=label)
    cache.set(key, svg, MAP_TIMEOUT)
    return svg
