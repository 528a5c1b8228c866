"""What the map of a fabrique shows: needs and projects as points, needs per commune (choropleth),
QPV outlines and the département outlines, filtered by theme, stage and workstream.

`map_layers()` returns plain data (for the JSON endpoint and the accessible table): only the
fabrique's own needs and projects; boundaries and QPVs are public reference data.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.db.models import Q
from django.urls import reverse

from fabrique.core.choices import Theme
from fabrique.territories.models import QPV, Commune, Departement

from .geo import choropleth_classes, commune_boundaries, departement_boundaries
from .selectors import place_of_commune, place_of_need, project_place, project_themes

MAX_QPV_POINTS = 400  # rings longer than this are thinned for the map


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

    def feature(self) -> dict:
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
    communes: list[dict] = field(default_factory=list)  # code, name, needs, lat, lon, geometry
    classes: list[int] = field(default_factory=list)
    qpvs: list[dict] = field(default_factory=list)
    departements: list[dict] = field(default_factory=list)

    @property
    def unlocated(self) -> list[MapPoint]:
        return [p for p in self.needs + self.projects if not p.located]

    def as_geojson(self) -> dict:
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


def fabrique_communes(*, fabrique, extra: Sequence[Commune] = ()) -> list[Commune]:
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


def _stage_label(obj, fabrique) -> str:
    from fabrique.core.templatetags.fabrique_tags import _stage_label as label

    return label(obj, fabrique)


def map_layers(*, fabrique, filters: MapFilters) -> MapLayers:
    from fabrique.needs.models import Need
    from fabrique.projects.models import Project

    layers = MapLayers()
    slug = fabrique.slug
    themes = dict(Theme.choices)

    needs = Need.objects.filter(fabrique=fabrique).select_related(
        "commune__parent", "commune__epci", "qpv", "epci"
    )
    if filters.theme:
        needs = needs.filter(theme=filters.theme)
    if filters.need_stage:
        needs = needs.filter(stage=filters.need_stage)
    if filters.workstream_id:
        needs = needs.filter(workstream_id=filters.workstream_id)
    all_needs = list(needs.order_by("reference", "pk"))
    if filters.show in ("all", "needs"):
        for need in all_needs:
            place = place_of_need(need)
            layers.needs.append(
                MapPoint(
                    "need",
                    need.pk,
                    need.reference,
                    need.title,
                    need.theme,
                    str(themes.get(need.theme, "")),
                    need.stage,
                    _stage_label(need, fabrique),
                    place.commune.code if place.commune else "",
                    place.commune.name if place.commune else (need.epci.name if need.epci else ""),
                    place.lat,
                    place.lon,
                    reverse("backoffice:need_detail", kwargs={"fabrique_slug": slug, "pk": need.pk}),
                )
            )

    projects = (
        Project.objects.filter(fabrique=fabrique)
        .select_related("commune__parent")
        .prefetch_related("needs__commune__parent")
    )
    if filters.project_stage:
        projects = projects.filter(stage=filters.project_stage)
    if filters.workstream_id:
        projects = projects.filter(workstream_id=filters.workstream_id)
    if filters.show in ("all", "projects"):
        for project in projects.order_by("reference", "pk"):
            project_theme = sorted(project_themes(project))
            if filters.theme and filters.theme not in project_theme:
                continue
            place = project_place(project)
            theme = project_theme[0] if project_theme else ""
            layers.projects.append(
                MapPoint(
                    "project",
                    project.pk,
                    project.reference,
                    project.title,
                    theme,
                    str(themes.get(theme, "")),
                    project.stage,
                    _stage_label(project, fabrique),
                    place.commune.code if place.commune else "",
                    place.commune.name if place.commune else "",
                    place.lat,
                    place.lon,
                    reverse("backoffice:project_detail", kwargs={"fabrique_slug": slug, "pk": project.pk}),
                )
            )

    # choropleth: needs per commune of the territory
    need_communes = [place_of_need(n).commune for n in all_needs]
    communes = fabrique_communes(fabrique=fabrique, extra=[c for c in need_communes if c is not None])
    counts = Counter(c.code for c in need_communes if c is not None)
    shapes = commune_boundaries(c.code for c in communes)
    for commune in sorted(communes, key=lambda c: c.name):
        place = place_of_commune(commune)
        layers.communes.append(
            {
                "code": commune.code,
                "name": commune.name,
                "needs": counts.get(commune.code, 0),
                "lat": place.lat,
                "lon": place.lon,
                "geometry": shapes.get(commune.code),
                "url": reverse(
                    "backoffice:commune_detail", kwargs={"fabrique_slug": slug, "code": commune.code}
                ),
            }
        )
    layers.classes = choropleth_classes(counts.get(c.code, 0) for c in communes)

    ids = [c.pk for c in communes]
    for qpv in QPV.objects.filter(communes__in=ids).distinct().order_by("name"):
        if not qpv.geometry:
            continue
        layers.qpvs.append(
            {
                "code": qpv.code,
                "name": qpv.name,
                "geometry": _thin(qpv.geometry),
                "url": reverse("backoffice:qpv_detail", kwargs={"fabrique_slug": slug, "code": qpv.code}),
            }
        )
    departements = sorted({c.departement_id for c in communes if c.departement_id})
    outlines = departement_boundaries(departements)
    names = dict(Departement.objects.filter(code__in=departements).values_list("code", "name"))
    layers.departements = [
        {"code": code, "name": names.get(code, code), "geometry": outlines[code]}
        for code in departements
        if code in outlines
    ]
    return layers


def _thin(geometry: dict) -> dict:
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
