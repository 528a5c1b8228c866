"""Reads of territorial intelligence: indicator readings of a territory or a zone with their
references, the context of a need (flags, nearby needs, existing offer).

Every read takes the fabrique: a fabrique sees the shared reference indicators and its own imports,
its own needs, organisations and projects, and of the other fabriques only the public projects of
their portfolio (title, public presentation, fabrique).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db.models import Q
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from fabrique.core.choices import Theme
from fabrique.territories.models import EPCI, QPV, Commune, Departement

from .geo import distance_km, geometry_centre
from .models import FRANCE_CODE, Aggregation, Indicator, IndicatorValue, Level, PriorityWeights, ValueStatus
from .references import COVERAGE_MIN, Item, combine
from .themes import theme_words_found

if TYPE_CHECKING:
    from fabrique.directory.models import Organization
    from fabrique.fabriques.models import Fabrique
    from fabrique.needs.models import Need
    from fabrique.projects.models import Project

NOTABLY_WORSE = 0.10  # a value 10 % worse than its reference is flagged
RURAL_MAX_POPULATION = 2000  # communes under 2,000 inhabitants are counted rural (approximation)
DEFAULT_RADIUS_KM = 15
# kinds of organisations that fund, support or govern rather than offer a service to the public
NOT_OFFER_KINDS = frozenset(
    {"municipality", "epci", "departement", "funder", "support-network", "foundation"}
)


# --- formatting ------------------------------------------------------------------------------------------


def format_number(value: float | None, decimals: int = 0) -> str:
    if value is None:
        return "—"
    return number_format(round(value, decimals), decimals, use_l10n=True, force_grouping=True)


def format_value(value: float | None, decimals: int = 0, unit: str = "") -> str:
    if value is None:
        return "—"
    text = format_number(value, decimals)
    if not unit:
        return text
    return f"{text}\u00a0{unit}" if unit in {"%", "€"} or len(unit) <= 3 else f"{text} {unit}"


# --- readings ---------------------------------------------------------------------------------------------


@dataclass
class Reading:
    """One indicator for one territory, with its département and France references."""

    indicator: Indicator
    value: float | None
    status: str  # ValueStatus, or "absent" when the territory has no row
    computed: bool = False
    departement: float | None = None
    departement_label: str = ""
    france: float | None = None
    coverage: float | None = None
    gap: float | None = None  # relative difference with the reference used for the flag
    worse: bool = False
    compared_with: str = ""

    @property
    def display(self) -> str:
        if self.value is None:
            labels: dict[str, str] = {
                ValueStatus.SECRET: _("secret statistique"),
                ValueStatus.MISSING: _("non disponible"),
            }
            return labels.get(self.status, _("non publié"))
        return format_value(self.value, self.indicator.decimals, self.indicator.unit)

    @property
    def departement_display(self) -> str:
        return format_value(self.departement, self.indicator.decimals, self.indicator.unit)

    @property
    def france_display(self) -> str:
        return format_value(self.france, self.indicator.decimals, self.indicator.unit)

    @property
    def gap_display(self) -> str:
        if self.gap is None:
            return ""
        sign = "+" if self.gap > 0 else ("\u2212" if self.gap < 0 else "")
        return f"{sign}{format_number(abs(self.gap) * 100, 0)}\u00a0%"

    @property
    def worse_text(self) -> str:
        if not self.worse:
            return ""
        if self.indicator.higher_is_worse:
            return _("nettement plus élevé que %(ref)s (%(gap)s)") % {
                "ref": self.compared_with,
                "gap": self.gap_display,
            }
        return _("nettement plus bas que %(ref)s (%(gap)s)") % {
            "ref": self.compared_with,
            "gap": self.gap_display,
        }


def visible_indicators(*, fabrique: Fabrique) -> list[Indicator]:
    return list(Indicator.objects.visible_to(fabrique).select_related("fabrique"))


def _flag(reading: Reading) -> None:
    """Compare with the département, else France; flag a notably worse value."""
    direction = reading.indicator.higher_is_worse
    for ref, label in ((reading.departement, reading.departement_label), (reading.france, _("la France"))):
        if ref is None or reading.value is None:
            continue
        if ref == 0:
            break
        reading.gap = (reading.value - ref) / abs(ref)
        reading.compared_with = label
        if direction is True:
            reading.worse = reading.gap >= NOTABLY_WORSE
        elif direction is False:
            reading.worse = reading.gap <= -NOTABLY_WORSE
        break


def _values(
    indicators: list[Indicator], places: Iterable[tuple[str, str]]
) -> dict[tuple[int, str, str], IndicatorValue]:
    places = list(set(places))
    if not indicators or not places:
        return {}
    match = Q()
    by_level: dict[str, set[str]] = defaultdict(set)
    for level, code in places:
        by_level[level].add(code)
    for level, codes in by_level.items():
        match |= Q(level=level, code__in=list(codes))
    rows = IndicatorValue.objects.filter(match, indicator__in=indicators)
    return {(v.indicator_id, v.level, v.code): v for v in rows}


def readings_for(
    *,
    fabrique: Fabrique,
    level: str,
    code: str,
    departement_code: str = "",
    indicators: list[Indicator] | None = None,
) -> list[Reading]:
    """Readings of every visible indicator that has a row for (level, code), with references."""
    indicators = indicators if indicators is not None else visible_indicators(fabrique=fabrique)
    places = [(level, code), (Level.FRANCE, FRANCE_CODE)]
    if departement_code and level != Level.DEPARTEMENT:
        places.append((Level.DEPARTEMENT, departement_code))
    values = _values(indicators, places)
    dep_label = _departement_label(departement_code)
    readings = []
    for indicator in indicators:
        own = values.get((indicator.pk, level, code))
        if own is None:
            continue
        dep = (
            values.get((indicator.pk, Level.DEPARTEMENT, departement_code))
            if level != Level.DEPARTEMENT
            else None
        )
        fr = values.get((indicator.pk, Level.FRANCE, FRANCE_CODE))
        reading = Reading(
            indicator=indicator,
            value=own.value,
            status=own.status,
            computed=own.origin == "computed",
            departement=dep.value if dep else None,
            departement_label=dep_label,
            france=fr.value if fr else None,
        )
        _flag(reading)
        readings.append(reading)
    return readings


def _departement_label(code: str) -> str:
    if not code:
        return ""
    departement = Departement.objects.filter(code=code).only("name").first()
    return departement.name if departement else code


def _main_departement(communes: Iterable[Commune]) -> str:
    population: dict[str, int] = defaultdict(int)
    for commune in communes:
        if commune.departement_id:
            population[commune.departement_id] += commune.population or 1
    return max(population, key=lambda code: population[code]) if population else ""


@dataclass
class TerritoryIndicators:
    """What `{% territory_indicators %}` shows for one territory."""

    kind: str
    code: str
    name: str
    readings: list[Reading] = field(default_factory=list)
    iris: list[dict[str, Any]] = field(default_factory=list)  # commune pages: one row per IRIS
    iris_indicators: list[Indicator] = field(default_factory=list)
    communes_readings: list[Reading] = field(default_factory=list)  # QPV pages: its main commune's
    communes_label: str = ""

    @property
    def worse(self) -> list[Reading]:
        return [r for r in self.readings if r.worse]


def territory_indicators(
    *, fabrique: Fabrique, territory: Commune | EPCI | Departement | QPV
) -> TerritoryIndicators:
    """Readings for a Commune, EPCI, Departement or QPV instance."""
    indicators = visible_indicators(fabrique=fabrique)
    if isinstance(territory, Commune):
        holder = territory.parent if not territory.is_current and territory.parent is not None else territory
        result = TerritoryIndicators("commune", territory.code, territory.name)
        result.readings = readings_for(
            fabrique=fabrique,
            level=Level.COMMUNE,
            code=holder.code,
            departement_code=territory.departement_id or "",
            indicators=indicators,
        )
        result.iris_indicators = [i for i in indicators if i.level == Level.IRIS]
        result.iris = commune_iris(code=holder.code, indicators=result.iris_indicators)
        return result
    if isinstance(territory, EPCI):
        communes = list(
            territory.communes.filter(kind=Commune.Kind.CURRENT).only(
                "departement_id", "epci_id", "population"
            )
        )
        result = TerritoryIndicators("epci", territory.siren, territory.name)
        result.readings = readings_for(
            fabrique=fabrique,
            level=Level.EPCI,
            code=territory.siren,
            departement_code=_main_departement(communes),
            indicators=indicators,
        )
        return result
    if isinstance(territory, Departement):
        result = TerritoryIndicators("departement", territory.code, territory.name)
        result.readings = readings_for(
            fabrique=fabrique, level=Level.DEPARTEMENT, code=territory.code, indicators=indicators
        )
        return result
    if isinstance(territory, QPV):
        communes = list(territory.communes.filter(kind=Commune.Kind.CURRENT).order_by("-population"))
        departement = _main_departement(communes)
        result = TerritoryIndicators("qpv", territory.code, territory.name)
        result.readings = readings_for(
            fabrique=fabrique,
            level=Level.QPV,
            code=territory.code,
            departement_code=departement,
            indicators=indicators,
        )
        if communes:
            result.communes_label = communes[0].name
            result.communes_readings = readings_for(
                fabrique=fabrique,
                level=Level.COMMUNE,
                code=communes[0].code,
                departement_code=communes[0].departement_id or "",
                indicators=indicators,
            )
        return result
    raise TypeError(f"Not a territory: {territory!r}")


def commune_iris(*, code: str, indicators: list[Indicator]) -> list[dict[str, Any]]:
    """[{"code": IRIS code, "cells": [{"label": indicator name, "value": display}]}] for the IRIS of a commune."""
    if not indicators:
        return []
    rows: dict[str, dict[int, IndicatorValue]] = defaultdict(dict)
    for row in IndicatorValue.objects.filter(
        indicator__in=indicators, level=Level.IRIS, code__startswith=code
    ):
        rows[row.code][row.indicator_id] = row
    out = []
    for iris_code in sorted(rows):
        cells = []
        for indicator in indicators:
            value = rows[iris_code].get(indicator.pk)
            shown = (
                format_value(value.value, indicator.decimals, indicator.unit)
                if value and value.value is not None
                else (_("secret") if value and value.status == ValueStatus.SECRET else "—")
            )
            cells.append({"label": indicator.name, "value": shown})
        out.append({"code": iris_code, "cells": cells})
    return out


def zone_readings(*, fabrique: Fabrique, communes: list[Commune]) -> list[Reading]:
    """Readings of a set of communes: each indicator combined over them with its own method."""
    indicators = [
        i
        for i in visible_indicators(fabrique=fabrique)
        if i.level in (Level.COMMUNE, Level.IRIS) and i.aggregation != Aggregation.NONE
    ]
    codes = {c.code for c in communes}
    if not indicators or not codes:
        return []
    if len(codes) == 1:
        only = communes[0]
        return list(
            readings_for(
                fabrique=fabrique,
                level=Level.COMMUNE,
                code=only.code,
                departement_code=only.departement_id or "",
                indicators=indicators,
            )
        )
    population = {c.code: c.population or 0 for c in communes}
    total_population = sum(population.values()) or 1
    departement = _main_departement(communes)
    references = _values(
        indicators,
        [(Level.DEPARTEMENT, departement), (Level.FRANCE, FRANCE_CODE)]
        if departement
        else [(Level.FRANCE, FRANCE_CODE)],
    )
    base: dict[int, list[IndicatorValue]] = defaultdict(list)
    commune_level = [i.pk for i in indicators if i.level == Level.COMMUNE]
    iris_level = [i.pk for i in indicators if i.level == Level.IRIS]
    if commune_level:
        for value in IndicatorValue.objects.filter(
            indicator__in=commune_level, level=Level.COMMUNE, code__in=codes
        ):
            base[value.indicator_id].append(value)
    if iris_level:
        for value in IndicatorValue.objects.filter(indicator__in=iris_level, level=Level.IRIS).filter(
            _prefix_q("code", codes)
        ):
            base[value.indicator_id].append(value)
    dep_label = _departement_label(departement)
    readings = []
    for indicator in indicators:
        values = base.get(indicator.pk, [])
        if not values:
            continue
        combined = combine([Item(v.code, v.value, v.status, v.weight) for v in values], indicator.aggregation)
        covered = {v.code[:5] for v in values}
        coverage = sum(population.get(code, 0) for code in covered) / total_population
        if (
            indicator.level == Level.COMMUNE
            and indicator.aggregation == Aggregation.SUM
            and coverage < COVERAGE_MIN
        ):
            continue
        dep = references.get((indicator.pk, Level.DEPARTEMENT, departement))
        fr = references.get((indicator.pk, Level.FRANCE, FRANCE_CODE))
        reading = Reading(
            indicator=indicator,
            value=combined.value,
            status=combined.status,
            computed=True,
            departement=dep.value if dep else None,
            departement_label=dep_label,
            france=fr.value if fr else None,
            coverage=coverage,
        )
        _flag(reading)
        readings.append(reading)
    return readings


def _prefix_q(field_name: str, prefixes: Iterable[str]) -> Q:
    match = Q()
    for prefix in prefixes:
        match |= Q(**{f"{field_name}__startswith": prefix})
    return match


# --- the context of a need ------------------------------------------------------------------------------


def is_rural(commune: Commune | None) -> bool:
    return bool(commune and commune.population is not None and commune.population < RURAL_MAX_POPULATION)


def radius_of(fabrique: Fabrique) -> int:
    weights = PriorityWeights.objects.filter(fabrique=fabrique).only("radius_km").first()
    return weights.radius_km if weights else DEFAULT_RADIUS_KM


@dataclass
class Place:
    """Where a need, an organisation or a project is: its commune (centre point) and EPCI."""

    commune: Commune | None = None
    epci_id: str = ""
    lat: float | None = None
    lon: float | None = None

    @property
    def located(self) -> bool:
        return self.lat is not None and self.lon is not None

    def distance_to(self, other: Place) -> float | None:
        if not (self.located and other.located):
            return None
        assert (
            self.lat is not None and self.lon is not None and other.lat is not None and other.lon is not None
        )
        return distance_km(self.lat, self.lon, other.lat, other.lon)


def place_of_commune(commune: Commune | None) -> Place:
    if commune is None:
        return Place()
    if commune.latitude is None and commune.parent is not None:
        commune = commune.parent
    return Place(commune=commune, epci_id=commune.epci_id or "", lat=commune.latitude, lon=commune.longitude)


def place_of_need(need: Need) -> Place:
    place = place_of_commune(need.commune)
    if not place.epci_id and need.epci_id:
        place.epci_id = need.epci_id
    if need.qpv_id and need.qpv and need.qpv.geometry:
        centre = geometry_centre(need.qpv.geometry)
        if centre:
            place.lat, place.lon = centre
    return place


@dataclass
class Nearness:
    distance: float | None
    same_commune: bool
    same_epci: bool

    def within(self, radius_km: float) -> bool:
        return (
            self.same_commune or self.same_epci or (self.distance is not None and self.distance <= radius_km)
        )

    @property
    def reason(self) -> str:
        if self.same_commune:
            return _("même commune")
        parts = []
        if self.distance is not None:
            parts.append(
                _("à %(km)s km") % {"km": format_number(self.distance, 0 if self.distance >= 10 else 1)}
            )
        if self.same_epci:
            parts.append(_("même intercommunalité"))
        return ", ".join(parts)


def nearness(a: Place, b: Place) -> Nearness:
    same_commune = bool(a.commune and b.commune and a.commune.pk == b.commune.pk)
    same_epci = bool(a.epci_id and a.epci_id == b.epci_id)
    return Nearness(0.0 if same_commune else a.distance_to(b), same_commune, same_epci)


def near_q(here: Place, radius_km: float, commune: str = "commune") -> Q:
    """A superset, in the database, of the rows whose `commune` is `nearness(...).within(radius_km)` of
    `here`: same commune, same EPCI, or a commune centre inside the bounding box of the radius (a commune
    déléguée without coordinates is placed at its parent's). The exact distance is checked in Python on
    this bounded set: a page never reads every row of the fabrique, or of the network."""
    match = Q(pk__in=[])
    if here.commune is not None:
        match |= Q(**{f"{commune}_id": here.commune.pk}) | Q(**{f"{commune}__parent_id": here.commune.pk})
    if here.epci_id:
        match |= Q(**{f"{commune}__epci_id": here.epci_id}) | Q(
            **{f"{commune}__parent__epci_id": here.epci_id}
        )
    if here.lat is not None and here.lon is not None:
        dlat = radius_km / 110.574
        dlon = radius_km / max(1e-6, 111.320 * math.cos(math.radians(here.lat)))
        box = {
            "latitude__range": (here.lat - dlat, here.lat + dlat),
            "longitude__range": (here.lon - dlon, here.lon + dlon),
        }
        match |= Q(**{f"{commune}__{k}": v for k, v in box.items()})
        match |= Q(**{f"{commune}__latitude__isnull": True}) & Q(
            **{f"{commune}__parent__{k}": v for k, v in box.items()}
        )
    return match


@dataclass
class NearbyNeed:
    need: object
    nearness: Nearness
    same_theme: bool


def nearby_needs(*, need: Need, radius_km: float | None = None, limit: int = 20) -> list[NearbyNeed]:
    """Other needs of the fabrique in the same commune or EPCI, or whose commune centre is within
    `radius_km` of the need's, nearest first."""
    from fabrique.needs.models import Need

    radius_km = radius_km or radius_of(need.fabrique)
    here = place_of_need(need)
    if not (here.located or here.epci_id):
        return []
    # QPV centres move a need a little from its commune's centre: the box is widened by a QPV's size
    neighbourhood = near_q(here, radius_km + 5)
    if here.epci_id:
        neighbourhood |= Q(epci_id=here.epci_id)
    others = (
        Need.objects.filter(fabrique_id=need.fabrique_id)
        .exclude(pk=need.pk)
        .filter(Q(commune__isnull=False) | Q(epci__isnull=False))
        .filter(neighbourhood)
        .select_related("commune__parent", "qpv", "epci")
    )
    found = []
    for other in others:
        near = nearness(here, place_of_need(other))
        if near.within(radius_km):
            found.append(NearbyNeed(other, near, bool(need.theme and other.theme == need.theme)))
    found.sort(
        key=lambda n: (not n.same_theme, n.nearness.distance if n.nearness.distance is not None else 999)
    )
    return found[:limit]


@dataclass
class OfferItem:
    kind: str  # "organization", "project", "network_project"
    obj: object
    title: str
    place: str
    nearness: Nearness | None
    reasons: list[str]
    fabrique_name: str = ""
    summary: str = ""


@dataclass
class ExistingOffer:
    theme: str
    radius_km: float
    located: bool
    organizations: list[OfferItem] = field(default_factory=list)
    projects: list[OfferItem] = field(default_factory=list)
    network_projects: list[OfferItem] = field(default_factory=list)
    missing_theme: bool = False

    @property
    def theme_label(self) -> str:
        return str(Theme(self.theme).label) if self.theme in Theme.values else ""

    @property
    def count(self) -> int:
        return len(self.organizations) + len(self.projects) + len(self.network_projects)

    @property
    def local_count(self) -> int:
        return len(self.organizations) + len(self.projects)

    @property
    def listed(self) -> int:
        """The items in the lists (fewer than `count` when the offer was limited)."""
        return len(self.organizations) + len(self.projects) + len(self.network_projects)


def _sort_key(item: OfferItem) -> tuple[float, str]:
    distance = item.nearness.distance if item.nearness and item.nearness.distance is not None else 999
    return (distance, item.title.lower())


def project_themes(project: Project) -> set[str]:
    return {n.theme for n in project.needs.all() if n.theme}


def project_place(project: Project) -> Place:
    if project.commune_id:
        return place_of_commune(project.commune)
    for need in project.needs.all():
        if need.commune_id:
            return place_of_commune(need.commune)
    return Place()


@dataclass
class OfferCandidates:
    """Organisations and projects an offer is looked for in, fetched once for many needs."""

    organizations: list[Organization]
    projects: list[Project]
    network: list[Project]


def offer_candidates(
    *,
    fabrique: Fabrique,
    here: Place | None = None,
    radius_km: float | None = None,
    workstream_id: int | None = None,
) -> OfferCandidates:
    """Organisations and projects an offer may be found in. With `here` (one need's place), only those
    that can be near it (`near_q`), the members of its workstream, and projects without a place: a need's
    page reads a neighbourhood, not the whole fabrique and network."""
    from fabrique.directory.models import Organization
    from fabrique.projects.models import Project, ProjectStage

    org_filter = project_filter = network_filter = Q()
    if here is not None and radius_km is not None and (here.located or here.epci_id):
        org_filter = near_q(here, radius_km)
        if workstream_id:
            org_filter |= Q(workstreams__pk=workstream_id)
        project_filter = near_q(here, radius_km) | Q(commune__isnull=True)
        if workstream_id:
            project_filter |= Q(workstream_id=workstream_id)
        network_filter = near_q(here, radius_km)
    organizations = list(
        Organization.objects.filter(fabrique=fabrique)
        .filter(org_filter)
        .distinct()
        .exclude(kind__in=NOT_OFFER_KINDS)
        .select_related("commune__parent")
        .prefetch_related("workstreams", "led_projects__needs")
    )
    projects = list(
        Project.objects.filter(fabrique=fabrique)
        .filter(project_filter)
        .exclude(stage=ProjectStage.STOPPED)
        .select_related("commune__parent", "workstream", "enterprise")
        .prefetch_related("needs__commune__parent")
    )
    network = list(
        Project.objects.filter(is_public=True, commune__isnull=False)
        .filter(network_filter)
        .exclude(fabrique=fabrique)
        .exclude(stage=ProjectStage.STOPPED)
        .select_related("commune__parent", "fabrique")
        .prefetch_related("needs")
    )
    return OfferCandidates(organizations, projects, network)


def existing_offer(
    *, need: Need, radius_km: float | None = None, candidates: OfferCandidates | None = None
) -> ExistingOffer:
    """Organisations of the directory and projects of the fabrique — and public projects of the network —
    working on the need's theme (or its workstream) in its commune, its EPCI or within `radius_km`."""
    from fabrique.projects.models import ProjectStage

    radius_km = radius_km or radius_of(need.fabrique)
    here = place_of_need(need)
    offer = ExistingOffer(theme=need.theme, radius_km=radius_km, located=here.located or bool(here.epci_id))
    if not need.theme and not need.workstream_id:
        offer.missing_theme = True
        return offer
    theme, workstream_id = need.theme, need.workstream_id
    candidates = candidates or offer_candidates(
        fabrique=need.fabrique, here=here, radius_km=radius_km, workstream_id=workstream_id
    )

    # organisations
    for org in candidates.organizations:
        reasons = []
        in_workstream = False
        if workstream_id:
            for ws in org.workstreams.all():
                if ws.pk == workstream_id and not ws.is_deleted:
                    reasons.append(_("membre du chantier « %(name)s »") % {"name": ws.name})
                    in_workstream = True
        for project in org.led_projects.all():
            if project.is_deleted or project.stage == ProjectStage.STOPPED:
                continue
            if (theme and theme in project_themes(project)) or (
                workstream_id and project.workstream_id == workstream_id
            ):
                reasons.append(_("porte le projet « %(title)s »") % {"title": project.title})
        if theme:
            words = theme_words_found(theme, org.name, org.description)
            if words:
                reasons.append(_("mots « %(words)s » dans sa fiche") % {"words": ", ".join(words[:3])})
        if not reasons:
            continue
        there = place_of_commune(org.commune)
        if org.commune_id is None:
            if in_workstream:
                offer.organizations.append(
                    OfferItem("organization", org, org.name, _("commune non renseignée"), None, reasons)
                )
            continue
        near = nearness(here, there)
        if offer.located and not near.within(radius_km):
            continue
        offer.organizations.append(
            OfferItem(
                "organization", org, org.name, there.commune.name if there.commune else "", near, reasons
            )
        )

    # projects of the fabrique (not those answering this very need)
    for project in candidates.projects:
        if any(n.pk == need.pk for n in project.needs.all()):
            continue
        reasons = []
        if theme and theme in project_themes(project):
            reasons.append(_("répond à un besoin du même thème"))
        if workstream_id and project.workstream_id == workstream_id and project.workstream is not None:
            reasons.append(_("chantier « %(name)s »") % {"name": project.workstream.name})
        if theme and theme_words_found(theme, project.title, project.summary):
            reasons.append(_("thème cité dans sa présentation"))
        if not reasons:
            continue
        there = project_place(project)
        near = nearness(here, there)
        if offer.located and there.commune is not None and not near.within(radius_km):
            continue
        offer.projects.append(
            OfferItem(
                "project",
                project,
                project.title,
                there.commune.name if there.commune else _("commune non renseignée"),
                near if there.commune else None,
                reasons,
            )
        )

    # public projects of the other fabriques of the network: public fields only
    if theme and offer.located:
        for project in candidates.network:
            if theme not in project_themes(project) and not theme_words_found(
                theme, project.title, project.public_summary
            ):
                continue
            there = place_of_commune(project.commune)
            near = nearness(here, there)
            if not near.within(radius_km):
                continue
            offer.network_projects.append(
                OfferItem(
                    "network_project",
                    None,
                    project.title,
                    there.commune.name if there.commune else "",
                    near,
                    [_("projet public d'une autre fabrique du réseau")],
                    fabrique_name=project.fabrique.name,
                    summary=project.public_summary,
                )
            )

    for items in (offer.organizations, offer.projects, offer.network_projects):
        items.sort(key=_sort_key)
    return offer


@dataclass
class Flag:
    label: str
    tone: str = ""  # "", "amber", "red", "green": badge colours


@dataclass
class NeedContext:
    need: object
    commune: Commune | None
    epci: EPCI | None
    qpv: QPV | None
    place: Place
    radius_km: float
    readings: list[Reading] = field(default_factory=list)
    qpv_readings: list[Reading] = field(default_factory=list)
    flags: list[Flag] = field(default_factory=list)
    commune_qpvs: list[QPV] = field(default_factory=list)
    nearby: list[NearbyNeed] = field(default_factory=list)
    nearby_count: int = 0
    offer: ExistingOffer | None = None
    rural: bool = False
    computed_at: Any = None  # when the stored part was computed (None: computed for this page)

    @property
    def territory_label(self) -> str:
        parts = [p.name for p in (self.qpv, self.commune) if p is not None]
        if self.epci is not None:
            parts.append(self.epci.name)
        return " · ".join(parts)

    @property
    def located(self) -> bool:
        return self.commune is not None or self.epci is not None or self.qpv is not None

    @property
    def place_name(self) -> str:
        """The territory the readings describe: the commune, else the EPCI."""
        if self.commune is not None:
            return self.commune.name
        return self.epci.name if self.epci is not None else ""


def need_context(
    *, need: Need, radius_km: float | None = None, stored: bool = True, limit: int | None = None
) -> NeedContext:
    """Everything the context panel of a need shows (`stored=False`: nearby needs and offer computed now,
    not read from the stored insight). `limit`: at most that many nearby needs and items of each kind of
    offer are read and listed (the panel of the need page); the counts stay those of the whole."""
    radius_km = radius_km or radius_of(need.fabrique)
    commune = need.commune
    if commune is not None and not commune.is_current and commune.parent_id:
        commune = commune.parent
    epci = need.epci or (commune.epci if commune is not None else None)
    context = NeedContext(
        need=need, commune=commune, epci=epci, qpv=need.qpv, place=place_of_need(need), radius_km=radius_km
    )
    indicators = visible_indicators(fabrique=need.fabrique)
    if commune is not None:
        context.readings = readings_for(
            fabrique=need.fabrique,
            level=Level.COMMUNE,
            code=commune.code,
            departement_code=commune.departement_id or "",
            indicators=indicators,
        )
        context.commune_qpvs = list(commune.qpvs.defer("geometry").order_by("name"))
    elif epci is not None:
        communes = list(
            epci.communes.filter(kind=Commune.Kind.CURRENT).only("departement_id", "epci_id", "population")
        )
        context.readings = readings_for(
            fabrique=need.fabrique,
            level=Level.EPCI,
            code=epci.siren,
            departement_code=_main_departement(communes),
            indicators=indicators,
        )
    if need.qpv_id:
        context.qpv_readings = readings_for(
            fabrique=need.fabrique,
            level=Level.QPV,
            code=need.qpv_id,
            departement_code=(commune.departement_id or "") if commune else "",
            indicators=indicators,
        )
    context.rural = is_rural(commune)
    if need.qpv is not None:
        context.flags.append(Flag(_("quartier prioritaire : %(name)s") % {"name": need.qpv.name}, "amber"))
    elif context.commune_qpvs:
        context.flags.append(
            Flag(
                ngettext(
                    "la commune compte %(n)s quartier prioritaire",
                    "la commune compte %(n)s quartiers prioritaires",
                    len(context.commune_qpvs),
                )
                % {"n": len(context.commune_qpvs)}
            )
        )
    if context.rural and commune is not None:
        context.flags.append(
            Flag(
                _("commune rurale (%(pop)s habitants)") % {"pop": format_number(commune.population, 0)},
                "amber",
            )
        )
    for reading in context.readings + context.qpv_readings:
        if reading.worse:
            context.flags.append(Flag(f"{reading.indicator.name} : {reading.worse_text}", "red"))
    # nearby needs and offer: stored by the background refresh (`insights.py`) when computed for this
    # radius; otherwise (a need just created, another radius asked) computed on its neighbourhood now
    from .insights import stored_context

    saved = stored_context(need=need, radius_km=int(radius_km), limit=limit) if stored else None
    if saved is not None:
        context.nearby, context.nearby_count, context.offer = saved.nearby, saved.nearby_count, saved.offer
        context.computed_at = saved.computed_at
    else:
        context.nearby = nearby_needs(need=need, radius_km=radius_km)
        context.nearby_count = len(context.nearby)
        context.offer = existing_offer(need=need, radius_km=radius_km)
        if limit is not None:
            context.nearby = context.nearby[:limit]
            context.offer = limited_offer(context.offer, limit)
    return context


def limited_offer(offer: ExistingOffer, limit: int) -> ExistingOffer:
    """The offer with at most `limit` items of each kind; its counts stay those of the whole."""
    from .insights import StoredOffer

    counts = (len(offer.organizations), len(offer.projects), len(offer.network_projects))
    short = StoredOffer(
        theme=offer.theme,
        radius_km=offer.radius_km,
        located=offer.located,
        organizations=offer.organizations[:limit],
        projects=offer.projects[:limit],
        network_projects=offer.network_projects[:limit],
        missing_theme=offer.missing_theme,
    )
    short.counts = getattr(offer, "counts", counts)
    return short
