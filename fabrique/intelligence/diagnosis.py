"""The territorial diagnosis of a zone: the starting document of a detection campaign.

Built live from the data of the day: the zone (communes, population, rural communes, priority
neighbourhoods), key indicators against the département and France, needs reported there by stage
and theme, studies and projects, the existing offer by theme (organisations of the directory and
projects), and the gaps: themes with needs but no offer, communes and QPVs that reported nothing,
indicators notably worse than their references.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from fabrique.core.choices import Theme
from fabrique.territories.models import QPV, Commune

from .geo import CHOROPLETH, SvgShape, choropleth_classes, choropleth_colour, commune_boundaries, svg_map
from .loader import MEDIAN_INCOME, POVERTY_RATE
from .models import DiagnosisZone, Indicator, IndicatorValue, Level
from .selectors import (
    NOT_OFFER_KINDS,
    Reading,
    format_number,
    format_value,
    is_rural,
    project_themes,
    zone_readings,
)
from .themes import themes_of_text

# need stages grouped for the diagnosis table
STAGE_GROUPS = (
    ("open", gettext_lazy("en cours d'examen"), ("new", "qualifying", "more_evidence")),
    ("retained", gettext_lazy("retenus ou à l'étude"), ("retained", "in_study")),
    ("answered", gettext_lazy("un projet y répond"), ("answered",)),
    ("closed", gettext_lazy("non retenus ou clos"), ("not_retained", "closed")),
)


@dataclass
class CommuneRow:
    commune: Commune
    rural: bool
    qpvs: int
    needs: int
    reports: int
    median: str
    poverty: str


@dataclass
class ThemeRow:
    theme: str
    label: str
    counts: dict[str, int]
    total: int
    organizations: list[Any] = field(default_factory=list)
    projects: list[Any] = field(default_factory=list)

    @property
    def offer(self) -> int:
        return len(self.organizations) + len(self.projects)

    @property
    def cells(self) -> list[tuple[str, int]]:
        """(stage group label, count) in the order of STAGE_GROUPS."""
        return [(str(label), self.counts.get(key, 0)) for key, label, _stages in STAGE_GROUPS]


@dataclass
class Diagnosis:
    zone: DiagnosisZone
    generated_at: object
    communes: list[Commune]
    population: int
    epcis: list[Any]
    departements: list[Any]
    rural_communes: list[Commune]
    rural_population: int
    qpvs: list[QPV]
    readings: list[Reading]
    commune_rows: list[CommuneRow]
    needs: list[Any]
    themes: list[ThemeRow]
    stage_groups: list[tuple[str, str]]
    studies: list[Any]
    projects: list[Any]
    gaps: list[str]
    silent_communes: list[Commune]
    svg: str
    legend: list[tuple[str, str]]

    @property
    def rural_share(self) -> str:
        return format_number(100 * self.rural_population / self.population, 0) if self.population else "0"

    @property
    def needs_total(self) -> int:
        return len(self.needs)


def zone_communes(zone: DiagnosisZone) -> list[Commune]:
    """The communes actuelles of the zone: chosen ones plus every commune of the chosen EPCIs (today)."""
    return list(
        Commune.objects.filter(kind=Commune.Kind.CURRENT)
        .filter(Q(pk__in=zone.communes.values("pk")) | Q(epci__in=zone.epcis.all()))
        .select_related("epci", "departement")
        .order_by("-population", "name")
    )


def _indicator_values(
    fabrique: Any, codes: list[str], indicator_code: str
) -> tuple[Indicator | None, dict[str, IndicatorValue]]:
    indicator = Indicator.objects.filter(fabrique__isnull=True, code=indicator_code).first()
    if indicator is None:
        return None, {}
    values = IndicatorValue.objects.filter(indicator=indicator, level=Level.COMMUNE, code__in=codes)
    return indicator, {v.code: v for v in values}


def diagnosis_build(*, zone: DiagnosisZone) -> Diagnosis:
    from fabrique.directory.models import Organization
    from fabrique.needs.models import Need, NeedReport
    from fabrique.projects.models import Project, ProjectStage
    from fabrique.studies.models import Study

    fabrique = zone.fabrique
    communes = zone_communes(zone)
    ids = [c.pk for c in communes]
    codes = [c.code for c in communes]
    population = sum(c.population or 0 for c in communes)
    rural = [c for c in communes if is_rural(c)]
    qpvs = list(QPV.objects.filter(communes__in=ids).distinct().order_by("name"))
    qpv_codes = {q.code for q in qpvs}

    # the commune of a need: its commune actuelle (a déléguée counts for its commune nouvelle)
    in_zone = (
        Q(commune__in=ids) | Q(commune__parent__in=ids) | Q(qpv__in=qpv_codes) | Q(epci__in=zone.epcis.all())
    )
    needs = list(
        Need.objects.filter(fabrique=fabrique)
        .filter(in_zone)
        .distinct()
        .select_related("commune__parent", "qpv", "workstream")
        .order_by("stage", "reference")
    )
    reports = NeedReport.objects.filter(fabrique=fabrique).filter(
        Q(commune__in=ids) | Q(commune__parent__in=ids)
    )
    reports_per_commune: Counter[int | None] = Counter()
    for commune_id, parent_id in reports.values_list("commune_id", "commune__parent_id"):
        reports_per_commune[commune_id if commune_id in ids else parent_id] += 1
    needs_per_commune: Counter[int | None] = Counter()
    for need in needs:
        if need.commune_id:
            holder = need.commune_id if need.commune_id in ids else getattr(need.commune, "parent_id", None)
            needs_per_commune[holder] += 1
    qpv_count = Counter(
        QPV.communes.through.objects.filter(commune_id__in=ids).values_list("commune_id", flat=True)
    )

    median_indicator, medians = _indicator_values(fabrique, codes, MEDIAN_INCOME)
    poverty_indicator, poverties = _indicator_values(fabrique, codes, POVERTY_RATE)

    def show(indicator: Indicator | None, value: IndicatorValue | None) -> str:
        if indicator is None or value is None or value.value is None:
            return "—"
        return format_value(value.value, indicator.decimals, indicator.unit)

    commune_rows = [
        CommuneRow(
            commune=c,
            rural=is_rural(c),
            qpvs=qpv_count.get(c.pk, 0),
            needs=needs_per_commune.get(c.pk, 0),
            reports=reports_per_commune.get(c.pk, 0),
            median=show(median_indicator, medians.get(c.code)),
            poverty=show(poverty_indicator, poverties.get(c.code)),
        )
        for c in communes
    ]

    # themes: needs by stage group, and the offer located in the zone
    group_of = {stage: key for key, _label, stages in STAGE_GROUPS for stage in stages}
    by_theme: dict[str, Counter[str]] = defaultdict(Counter)
    for need in needs:
        by_theme[need.theme or "other"][group_of.get(need.stage, "open")] += 1

    organizations = list(
        Organization.objects.filter(fabrique=fabrique, commune__in=ids)
        .exclude(kind__in=NOT_OFFER_KINDS)
        .select_related("commune")
        .prefetch_related("workstreams", "led_projects__needs")
    )
    offer_orgs: dict[str, list[Any]] = defaultdict(list)
    for org in organizations:
        org_themes = set(themes_of_text(org.name, org.description))
        org_themes |= set(themes_of_text(*[ws.name for ws in org.workstreams.all()]))
        for project in org.led_projects.all():
            org_themes |= project_themes(project)
        for theme in org_themes:
            offer_orgs[theme].append(org)
    studies = list(
        Study.objects.filter(fabrique=fabrique, needs__in=[n.pk for n in needs])
        .distinct()
        .order_by("-created_at")
    )
    projects = list(
        Project.objects.filter(fabrique=fabrique)
        .filter(Q(commune__in=ids) | Q(needs__in=[n.pk for n in needs]))
        .distinct()
        .select_related("commune", "enterprise")
        .prefetch_related("needs")
        .order_by("-created_at")
    )
    offer_projects: dict[str, list[Any]] = defaultdict(list)
    for project in projects:
        if project.stage == ProjectStage.STOPPED:
            continue
        for theme in project_themes(project) | set(themes_of_text(project.title, project.summary)):
            offer_projects[theme].append(project)

    labels = dict(Theme.choices)
    theme_keys = [t for t in Theme.values if t in by_theme or t in offer_orgs or t in offer_projects]
    themes = [
        ThemeRow(
            theme=t,
            label=str(labels[t]),
            counts={key: by_theme[t][key] for key, _l, _s in STAGE_GROUPS},
            total=sum(by_theme[t].values()),
            organizations=sorted(offer_orgs.get(t, []), key=lambda o: o.name),
            projects=offer_projects.get(t, []),
        )
        for t in theme_keys
    ]
    themes.sort(key=lambda row: (-row.total, row.label))

    readings = zone_readings(fabrique=fabrique, communes=communes)

    # gaps
    gaps: list[str] = []
    for row in themes:
        open_needs = row.counts["open"] + row.counts["retained"]
        if open_needs and not row.offer:
            gaps.append(
                ngettext(
                    "%(theme)s : %(n)s besoin signalé et aucune offre repérée dans la zone.",
                    "%(theme)s : %(n)s besoins signalés et aucune offre repérée dans la zone.",
                    open_needs,
                )
                % {"theme": row.label.capitalize(), "n": open_needs}
            )
    silent = [c for c in communes if not reports_per_commune.get(c.pk) and not needs_per_commune.get(c.pk)]
    if silent:
        silent_population = sum(c.population or 0 for c in silent)
        names = _listing([c.name for c in silent])
        gaps.append(
            ngettext(
                "%(n)s commune (%(pop)s habitants) n'a encore fait remonter aucun signalement : %(names)s.",
                "%(n)s communes (%(pop)s habitants) n'ont encore fait remonter aucun signalement : %(names)s.",
                len(silent),
            )
            % {"n": len(silent), "pop": format_number(silent_population), "names": names}
        )
    qpvs_with_needs = {n.qpv_id for n in needs if n.qpv_id}
    quiet_qpvs = [q for q in qpvs if q.code not in qpvs_with_needs]
    if quiet_qpvs:
        gaps.append(
            _("Aucun besoin rattaché aux quartiers prioritaires : %(names)s.")
            % {"names": _listing([q.name for q in quiet_qpvs])}
        )
    for reading in readings:
        if reading.worse:
            gaps.append(f"{reading.indicator.name} : {reading.worse_text}.")

    label = _("Carte de la zone %(name)s : besoins signalés par commune et quartiers prioritaires") % {
        "name": zone.name
    }
    svg, legend = zone_svg(communes, needs_per_commune, qpvs, label)
    return Diagnosis(
        zone=zone,
        generated_at=timezone.now(),
        communes=communes,
        population=population,
        epcis=sorted({c.epci for c in communes if c.epci_id}, key=lambda e: e.name),
        departements=sorted({c.departement for c in communes if c.departement_id}, key=lambda d: d.code),
        rural_communes=rural,
        rural_population=sum(c.population or 0 for c in rural),
        qpvs=qpvs,
        readings=readings,
        commune_rows=commune_rows,
        needs=needs,
        themes=themes,
        stage_groups=[(key, str(label)) for key, label, _s in STAGE_GROUPS],
        studies=studies,
        projects=projects,
        gaps=gaps,
        silent_communes=silent,
        svg=svg,
        legend=legend,
    )


def _listing(names: list[str], shown: int = 8) -> str:
    if len(names) <= shown:
        return ", ".join(names)
    rest = len(names) - shown
    return ngettext("%(names)s et %(n)s autre", "%(names)s et %(n)s autres", rest) % {
        "names": ", ".join(names[:shown]),
        "n": rest,
    }


def zone_svg(
    communes: list[Commune],
    needs_per_commune: Mapping[Any, int],
    qpvs: list[QPV],
    label: str,
    *,
    width: int = 640,
    height: int = 440,
    labels: bool = True,
) -> tuple[str, list[tuple[str, str]]]:
    """An SVG map of `communes` coloured by their number of needs (by commune pk), with the QPV
    outlines and, when `labels`, the names of the communes that have needs. Returns (svg, legend)."""
    counts = [needs_per_commune.get(c.pk, 0) for c in communes]
    bounds = choropleth_classes(counts)
    shapes_of = commune_boundaries(c.code for c in communes)
    shapes = []
    for commune, count in zip(communes, counts, strict=True):
        title = ngettext("%(name)s : %(n)s besoin", "%(name)s : %(n)s besoins", count) % {
            "name": commune.name,
            "n": count,
        }
        geometry = shapes_of.get(commune.code)
        if geometry:
            shapes.append(SvgShape(geometry, fill=choropleth_colour(count, bounds), title=title))
        elif commune.latitude is not None:
            shapes.append(
                SvgShape(
                    None,
                    lat=commune.latitude,
                    lon=commune.longitude,
                    fill=choropleth_colour(count, bounds),
                    radius=4 + min(count, 10),
                    title=title,
                )
            )
    for qpv in qpvs:
        if qpv.geometry:
            shapes.append(
                SvgShape(qpv.geometry, fill="none", stroke="#a3201a", width=1.2, dash="3,2", title=qpv.name)
            )
    if labels:  # names of the communes where needs were reported, above the shapes
        for commune, count in zip(communes, counts, strict=True):
            if count and commune.latitude is not None:
                shapes.append(SvgShape(None, lat=commune.latitude, lon=commune.longitude, text=commune.name))
    svg = svg_map(shapes, width=width, height=height, label=label)
    legend = [(CHOROPLETH[0], _("aucun besoin"))]
    low = 1
    for i, bound in enumerate(bounds):
        text = str(bound) if low == bound else f"{low} – {bound}"
        legend.append((CHOROPLETH[min(i + 1, len(CHOROPLETH) - 1)], text))
        low = bound + 1
    return svg, legend
