"""What the map of a fabrique shows: needs and projects as points, needs per commune (choropleth),
QPV outlines and the département outlines, filtered by theme, stage and workstream.

`map_layers()` returns plain data (for the JSON endpoint and the accessible table): only the
fabrique's own needs and projects; boundaries and QPVs are public reference data.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Sequence, Set
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db.models import Q
from django.urls import reverse

from fabrique.core.choices import Theme
from fabrique.core.urls import pk_url_maker
from fabrique.territories.models import QPV, Commune, Departement

from .geo import choropleth_classes, commune_boundaries, departement_boundaries
from .selectors import place_of_commune

if TYPE_CHECKING:
    from fabrique.fabriques.models import Fabrique

MAX_QPV_POINTS = 400  # rings longer than this are thinned for the map
MAX_POINTS = 200  # more needs or projects than this: counts per commune only, until a filter narrows them


@dataclass
class MapFilters:
    theme: str = ""
    need_stage: str = ""
    project_stage: str = ""
    workstream_id: int | None = None
    show: str = "all"  # "all", "needs", "projects"


@dataclass
class MapPoint:
    kind: str  # "need" or "project"
    pk: int
    reference: str
    title: str
    theme: str
    theme_label: str
    stage: str
    stage_label: str
    commune_code: str
    commune_name: str
    lat: float | None
    lon: float | None
    url: str

    @property
    def located(self) -> bool:
        return self.lat is not None and self.lon is not None

    def feature(self) -> dict[str, Any]:
        assert self.lat is not None and self.lon is not None  # only located points are drawn
        return {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [round(self.lon, 5), round(self.lat, 5)]},
            "properties": {
                "kind": self.kind,
                "id": self.pk,
                "reference": self.reference,
                "title": self.title,
                "theme": self.theme,
                "theme_label": self.theme_label,
                "stage": self.stage,
                "stage_label": self.stage_label,
                "commune": self.commune_name,
                "url": self.url,
            },
        }


@dataclass
class MapLayers:
    needs: list[MapPoint] = field(default_factory=list)
    projects: list[MapPoint] = field(default_factory=list)
    communes: list[dict[str, Any]] = field(default_factory=list)  # code, name, needs, lat, lon, geometry
    classes: list[int] = field(default_factory=list)
    qpvs: list[dict[str, Any]] = field(default_factory=list)
    departements: list[dict[str, Any]] = field(default_factory=list)
    total_needs: int = 0
    total_projects: int = 0
    points_limited: bool = False  # more than MAX_POINTS: only the first ones are listed

    @property
    def unlocated(self) -> list[MapPoint]:
        return [p for p in self.needs + self.projects if not p.located]

    def as_geojson(self) -> dict[str, Any]:
        return {
            "needs": {
                "type": "FeatureCollection",
                "features": [p.feature() for p in self.needs if p.located],
            },
            "projects": {
                "type": "FeatureCollection",
                "features": [p.feature() for p in self.projects if p.located],
            },
            "communes": {
                "type": "FeatureCollection",
                "features": [
                    {
                        "type": "Feature",
                        "geometry": c["geometry"]
                        or {"type": "Point", "coordinates": [round(c["lon"], 5), round(c["lat"], 5)]},
                        "properties": {"code": c["code"], "name": c["name"], "needs": c["needs"]},
                    }
                    for c in self.communes
                    if c["geometry"] or c["lat"] is not None
                ],
            },
            "classes": self.classes,
            "total_needs": self.total_needs,
            "total_projects": self.total_projects,
            "points_limited": self.points_limited,
            "qpvs": {
                "type": "FeatureCollection",
                "features": [
                    {
                        "type": "Feature",
                        "geometry": q["geometry"],
                        "properties": {"code": q["code"], "name": q["name"], "url": q["url"]},
                    }
                    for q in self.qpvs
                ],
            },
            "departements": {
                "type": "FeatureCollection",
                "features": [
                    {
                        "type": "Feature",
                        "geometry": d["geometry"],
                        "properties": {"code": d["code"], "name": d["name"]},
                    }
                    for d in self.departements
                ],
            },
        }


def fabrique_communes(*, fabrique: Fabrique, extra: Sequence[Commune] = ()) -> list[Commune]:
    """The communes actuelles of the fabrique's territory (its communes, EPCI and départements); when it
    declared none, the EPCIs where its needs and projects are."""
    current = Commune.objects.filter(kind=Commune.Kind.CURRENT)
    match = (
        Q(pk__in=fabrique.communes.values("pk"))
        | Q(epci__in=fabrique.epcis.all())
        | Q(departement__in=fabrique.departements.all())
    )
    communes = list(current.filter(match).select_related("parent"))
    if not communes:
        epcis = {c.epci_id for c in extra if c.epci_id}
        ids = {c.pk for c in extra}
        communes = list(current.filter(Q(epci__in=epcis) | Q(pk__in=ids)).select_related("parent"))
    return communes


def _located(
    row: dict[str, Any], prefix: str, qpv_centres: dict[str, tuple[float, float]]
) -> tuple[str, str, float | None, float | None]:
    """(commune code, commune name, lat, lon) of a row read with `values()`: the QPV's centre when the
    row names one, else the commune's (its parent's for a commune déléguée without coordinates)."""
    code, name = row.get(f"{prefix}commune__code") or "", row.get(f"{prefix}commune__name") or ""
    lat, lon = row.get(f"{prefix}commune__latitude"), row.get(f"{prefix}commune__longitude")
    if lat is None and row.get(f"{prefix}commune__parent_id"):
        lat, lon = (
            row.get(f"{prefix}commune__parent__latitude"),
            row.get(f"{prefix}commune__parent__longitude"),
        )
        code = row.get(f"{prefix}commune__parent__code") or code
        name = row.get(f"{prefix}commune__parent__name") or name
    centre = qpv_centres.get(row.get("qpv_id") or "")
    if centre:
        lat, lon = centre
    return code, name, lat, lon


PLACE_FIELDS = [
    f"commune__{f}"
    for f in (
        "code",
        "name",
        "latitude",
        "longitude",
        "parent_id",
        "parent__code",
        "parent__name",
        "parent__latitude",
        "parent__longitude",
    )
]


def map_layers(*, fabrique: Fabrique, filters: MapFilters) -> MapLayers:
    """The map's data in a bounded number of queries whatever the size of the fabrique: counts per
    commune aggregated in the database; points (needs, projects) only when the selection holds at most
    MAX_POINTS of them (a filter narrows it), else `points_limited` and the first MAX_POINTS; boundaries
    and QPV outlines cached (`map_shapes`)."""
    from django.db.models import Count

    from fabrique.needs.models import Need
    from fabrique.projects.models import Project

    layers = MapLayers()
    themes = dict(Theme.choices)
    need_url = pk_url_maker("backoffice:need_detail", fabrique.slug)
    project_url = pk_url_maker("backoffice:project_detail", fabrique.slug)

    needs = Need.objects.filter(fabrique=fabrique)
    if filters.theme:
        needs = needs.filter(theme=filters.theme)
    if filters.need_stage:
        needs = needs.filter(stage=filters.need_stage)
    if filters.workstream_id:
        needs = needs.filter(workstream_id=filters.workstream_id)

    # choropleth: needs per commune (communes déléguées counted in their commune actuelle)
    counts: Counter[int] = Counter()
    located_communes: set[int] = set()
    for commune_id, parent_id, n in (
        needs.filter(commune__isnull=False)
        .values_list("commune_id", "commune__parent_id")
        .annotate(n=Count("id"))
    ):
        commune_id = parent_id or commune_id
        counts[commune_id] += n
        located_communes.add(commune_id)
    layers.total_needs = sum(counts.values()) + needs.filter(commune__isnull=True).count()

    if filters.show in ("all", "needs"):
        rows = list(
            needs.order_by("reference", "pk").values(
                "pk", "reference", "title", "theme", "stage", "qpv_id", "epci__name", *PLACE_FIELDS
            )[: MAX_POINTS + 1]
        )
        layers.points_limited |= len(rows) > MAX_POINTS
        rows = rows[:MAX_POINTS]
        centres = _qpv_centres({r["qpv_id"] for r in rows if r["qpv_id"]})
        for row in rows:
            code, name, lat, lon = _located(row, "", centres)
            layers.needs.append(
                MapPoint(
                    "need",
                    row["pk"],
                    row["reference"],
                    row["title"],
                    row["theme"],
                    str(themes.get(row["theme"], "")),
                    row["stage"],
                    fabrique.stage_label("needs.need", row["stage"], Need.workflow.label(row["stage"])),
                    code,
                    name or row["epci__name"] or "",
                    lat,
                    lon,
                    need_url(row["pk"]),
                )
            )

    projects = Project.objects.filter(fabrique=fabrique)
    if filters.project_stage:
        projects = projects.filter(stage=filters.project_stage)
    if filters.workstream_id:
        projects = projects.filter(workstream_id=filters.workstream_id)
    if filters.theme:
        projects = projects.filter(needs__theme=filters.theme).distinct()
    layers.total_projects = projects.count()
    if filters.show in ("all", "projects"):
        rows = list(
            projects.order_by("reference", "pk").values("pk", "reference", "title", "stage", *PLACE_FIELDS)[
                : MAX_POINTS + 1
            ]
        )
        layers.points_limited |= len(rows) > MAX_POINTS
        rows = rows[:MAX_POINTS]
        # themes and places of projects without a commune come from their needs: one query for the page
        need_rows = Need.objects.filter(projects__pk__in=[r["pk"] for r in rows]).values(
            "projects__pk", "theme", *PLACE_FIELDS
        )
        by_project: dict[int, list[dict[str, Any]]] = {}
        for nr in need_rows.order_by("pk"):
            by_project.setdefault(nr["projects__pk"], []).append(nr)
        for row in rows:
            linked = by_project.get(row["pk"], [])
            project_themes_ = sorted({n["theme"] for n in linked if n["theme"]})
            if filters.theme and filters.theme not in project_themes_:
                continue
            code, name, lat, lon = _located(row, "", {})
            if not code:
                for n in linked:
                    if n["commune__code"]:
                        code, name, lat, lon = _located(n, "", {})
                        break
            theme = project_themes_[0] if project_themes_ else ""
            layers.projects.append(
                MapPoint(
                    "project",
                    row["pk"],
                    row["reference"],
                    row["title"],
                    theme,
                    str(themes.get(theme, "")),
                    row["stage"],
                    fabrique.stage_label(
                        "projects.project", row["stage"], Project.workflow.label(row["stage"])
                    ),
                    code,
                    name,
                    lat,
                    lon,
                    project_url(row["pk"]),
                )
            )

    shapes = map_shapes(fabrique=fabrique, extra_ids=located_communes)
    commune_url = reverse(
        "backoffice:commune_detail", kwargs={"fabrique_slug": fabrique.slug, "code": "00000"}
    )
    for commune in shapes["communes"]:
        layers.communes.append(
            {
                **commune,
                "needs": counts.get(commune["id"], 0),
                "url": commune_url.replace("00000", commune["code"]),
            }
        )
    layers.classes = choropleth_classes(counts.get(c["id"], 0) for c in shapes["communes"])
    qpv_url = reverse("backoffice:qpv_detail", kwargs={"fabrique_slug": fabrique.slug, "code": "QPV0"})
    layers.qpvs = [{**q, "url": qpv_url.replace("QPV0", q["code"])} for q in shapes["qpvs"]]
    layers.departements = shapes["departements"]
    return layers


def _qpv_centres(codes: set[str]) -> dict[str, tuple[float, float]]:
    if not codes:
        return {}
    from .geo import geometry_centre

    centres = {}
    for code, geometry in QPV.objects.filter(code__in=codes).values_list("code", "geometry"):
        centre = geometry_centre(geometry) if geometry else None
        if centre:
            centres[code] = centre
    return centres


SHAPES_TIMEOUT = 24 * 3600
# Each worker also keeps the shapes it read, unpickled: reading them from the shared cache costs ~25 ms of
# CPU a request (they weigh megabytes). Keyed like the shared cache (a digest of the inputs), so a change
# of territory or of the communes with needs is a new key; bounded in count and in age, and used only while
# the shared cache still holds the key (`has_key` reads no value), so clearing the cache clears them all.
_LOCAL_SHAPES: dict[str, tuple[float, dict[str, Any]]] = {}
_LOCAL_SHAPES_MAX = 32
_LOCAL_SHAPES_TIMEOUT = 3600


def map_shapes(*, fabrique: Fabrique, extra_ids: Set[int] = frozenset()) -> dict[str, Any]:
    """The communes of the fabrique's territory (with their boundaries where shipped), the QPV outlines
    (thinned) and the département outlines — reference data, computed once and cached (a day, or until
    the territory or the set of communes with needs changes)."""
    import hashlib

    from django.core.cache import cache

    territory = (
        sorted(fabrique.communes.values_list("pk", flat=True)),
        sorted(fabrique.epcis.values_list("pk", flat=True)),
        sorted(fabrique.departements.values_list("pk", flat=True)),
    )
    digest = hashlib.sha1(repr((territory, sorted(extra_ids))).encode()).hexdigest()[:16]
    key = f"map-shapes:{fabrique.pk}:{digest}"
    now = time.monotonic()
    local = _LOCAL_SHAPES.get(key)
    if local is not None and local[0] > now and cache.has_key(key):
        return local[1]
    shapes = cache.get(key)
    if shapes is None:
        shapes = _build_shapes(fabrique=fabrique, extra_ids=extra_ids)
        cache.set(key, shapes, SHAPES_TIMEOUT)
    _LOCAL_SHAPES.pop(key, None)
    while len(_LOCAL_SHAPES) >= _LOCAL_SHAPES_MAX:  # the oldest go first
        _LOCAL_SHAPES.pop(min(_LOCAL_SHAPES, key=lambda k: _LOCAL_SHAPES[k][0]))
    _LOCAL_SHAPES[key] = (now + _LOCAL_SHAPES_TIMEOUT, shapes)
    return shapes  # type: ignore[no-any-return]  # the cache holds what this function stored


def _build_shapes(*, fabrique: Fabrique, extra_ids: Set[int]) -> dict[str, Any]:
    extra = list(Commune.objects.filter(pk__in=extra_ids).select_related("parent")) if extra_ids else []
    communes = fabrique_communes(fabrique=fabrique, extra=extra)
    boundaries = commune_boundaries(c.code for c in communes)
    rows = []
    for commune in sorted(communes, key=lambda c: c.name):
        place = place_of_commune(commune)
        rows.append(
            {
                "id": commune.pk,
                "code": commune.code,
                "name": commune.name,
                "lat": place.lat,
                "lon": place.lon,
                "geometry": boundaries.get(commune.code),
            }
        )
    ids = [c.pk for c in communes]
    qpvs = [
        {"code": qpv.code, "name": qpv.name, "geometry": _thin(qpv.geometry)}
        for qpv in QPV.objects.filter(communes__in=ids).distinct().order_by("name")
        if qpv.geometry
    ]
    departements = sorted({c.departement_id for c in communes if c.departement_id})
    outlines = departement_boundaries(departements)
    names = dict(Departement.objects.filter(code__in=departements).values_list("code", "name"))
    shapes = {
        "communes": rows,
        "qpvs": qpvs,
        "departements": [
            {"code": code, "name": names.get(code, code), "geometry": outlines[code]}
            for code in departements
            if code in outlines
        ],
    }
    return shapes


def _thin(geometry: dict[str, Any]) -> dict[str, Any]:
    """Keep at most MAX_QPV_POINTS points per ring (QPV outlines are detailed)."""
    polygons = geometry["coordinates"] if geometry["type"] == "MultiPolygon" else [geometry["coordinates"]]
    out = []
    for polygon in polygons:
        rings = []
        for ring in polygon:
            step = max(1, len(ring) // MAX_QPV_POINTS)
            thinned = ring[::step]
            if thinned[-1] != ring[-1]:
                thinned.append(ring[-1])
            rings.append(thinned)
        out.append(rings)
    return {"type": "MultiPolygon", "coordinates": out}
