"""What a fabrique does on a territory (commune, EPCI, département, QPV): needs reported there by stage
and theme, studies and projects, organisations of its directory located there, and a small map.

Only the fabrique's own rows: the territory pages are shared reference pages, the activity is private.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db.models import Count, Q
from django.utils.translation import gettext as _

from fabrique.core.choices import Theme
from fabrique.territories.models import EPCI, QPV, Commune, Departement

from .diagnosis import STAGE_GROUPS, zone_svg

if TYPE_CHECKING:
    from fabrique.fabriques.models import Fabrique

MAX_LISTED = 12


@dataclass
class ThemeCount:
    theme: str
    label: str
    cells: list[tuple[str, int]]
    total: int


@dataclass
class TerritoryActivity:
    kind: str
    name: str
    needs_total: int = 0
    themes: list[ThemeCount] = field(default_factory=list)
    stage_groups: list[str] = field(default_factory=list)
    latest_needs: list[Any] = field(default_factory=list)
    studies: list[Any] = field(default_factory=list)
    projects: list[Any] = field(default_factory=list)
    organizations: list[Any] = field(default_factory=list)
    organizations_total: int = 0
    more_studies_or_projects: bool = False  # only the MAX_LISTED latest studies and projects are listed
    map_query: str = ""  # filter of the fabrique map


def _communes_of(territory: Any) -> tuple[list[Commune], Q]:
    """The communes actuelles of a territory and the filter of the needs located there."""
    current = Commune.objects.filter(kind=Commune.Kind.CURRENT)
    if isinstance(territory, Commune):
        holder = territory.parent if not territory.is_current and territory.parent is not None else territory
        communes = [holder]
    elif isinstance(territory, EPCI):
        communes = list(current.filter(epci=territory))
    elif isinstance(territory, Departement):
        communes = list(current.filter(departement=territory))
    elif isinstance(territory, QPV):
        communes = list(territory.communes.filter(kind=Commune.Kind.CURRENT))
        return communes, Q(qpv=territory)
    else:
        raise TypeError(f"Not a territory: {territory!r}")
    ids = [c.pk for c in communes]
    # the communes and their delegated communes / arrondissements, as a subquery on the territories:
    # `commune IN (…)` uses the needs' index, where an OR across the join to the communes read every
    # need of the fabrique
    located = Commune.objects.filter(Q(pk__in=ids) | Q(parent__in=ids)).values("pk")
    match = Q(commune__in=located)
    if isinstance(territory, EPCI):
        match |= Q(epci=territory)
    return communes, match


def territory_activity(*, fabrique: Fabrique, territory: Any) -> TerritoryActivity:
    from fabrique.directory.models import Organization
    from fabrique.needs.models import Need
    from fabrique.projects.models import Project
    from fabrique.studies.models import Study

    communes, match = _communes_of(territory)
    ids = [c.pk for c in communes]
    kind = type(territory).__name__.lower()
    activity = TerritoryActivity(kind=kind, name=territory.name)
    # bounded whatever the territory's size (a département holds thousands of needs): the counts by
    # theme and stage in one grouped query, then the latest rows only (the filters follow foreign keys
    # forward, so no row is counted twice)
    needs = Need.objects.filter(fabrique=fabrique).filter(match)
    group_of = {stage: key for key, _label, stages in STAGE_GROUPS for stage in stages}
    by_theme: dict[str, Counter[str]] = defaultdict(Counter)
    for row in needs.order_by().values("theme", "stage").annotate(n=Count("pk")):
        by_theme[row["theme"] or "other"][group_of.get(row["stage"], "open")] += row["n"]
    activity.needs_total = sum(sum(counts.values()) for counts in by_theme.values())
    activity.latest_needs = list(needs.select_related("commune").order_by("-created_at", "-pk")[:MAX_LISTED])
    labels = dict(Theme.choices)
    activity.stage_groups = [str(label) for _key, label, _stages in STAGE_GROUPS]
    activity.themes = sorted(
        (
            ThemeCount(
                theme=theme,
                label=str(labels.get(theme, theme)),
                cells=[(str(label), counts[key]) for key, label, _s in STAGE_GROUPS],
                total=sum(counts.values()),
            )
            for theme, counts in by_theme.items()
        ),
        key=lambda row: (-row.total, row.label),
    )
    need_ids = needs.values("pk")
    studies = list(
        Study.objects.filter(fabrique=fabrique, needs__in=need_ids)
        .distinct()
        .order_by("-created_at", "-pk")[: MAX_LISTED + 1]
    )
    projects = list(
        Project.objects.filter(fabrique=fabrique)
        .filter(Q(needs__in=need_ids) | Q(commune__in=ids))
        .distinct()
        .select_related("commune")
        .order_by("-created_at", "-pk")[: MAX_LISTED + 1]
    )
    activity.studies, activity.projects = studies[:MAX_LISTED], projects[:MAX_LISTED]
    activity.more_studies_or_projects = len(studies) > MAX_LISTED or len(projects) > MAX_LISTED
    organizations = Organization.objects.filter(fabrique=fabrique, commune__in=ids).select_related("commune")
    activity.organizations_total = organizations.count()
    activity.organizations = list(organizations.order_by("name")[:MAX_LISTED])
    return activity


def territory_svg(*, fabrique: Fabrique, territory: Any) -> tuple[str, list[tuple[str, str]]]:
    """A small map of the territory: its communes coloured by the fabrique's needs, its QPV outlines."""
    from fabrique.needs.models import Need

    communes, match = _communes_of(territory)
    ids = {c.pk for c in communes}
    counts: Counter[Any] = Counter()
    for commune_id, parent_id in (
        Need.objects.filter(fabrique=fabrique).filter(match).values_list("commune_id", "commune__parent_id")
    ):
        holder = commune_id if commune_id in ids else parent_id
        if holder:
            counts[holder] += 1
    qpvs = (
        [territory] if isinstance(territory, QPV) else list(QPV.objects.filter(communes__in=ids).distinct())
    )
    label = _("Carte de %(name)s : besoins signalés par commune et quartiers prioritaires") % {
        "name": territory.name
    }
    return zone_svg(communes, counts, qpvs, label, width=360, height=300, labels=len(communes) <= 30)
