"""The neighbourhood of many needs at once: nearby needs and existing offer for every need of a fabrique,
without comparing every need with every other row.

`selectors.nearby_needs` and `selectors.existing_offer` answer for one need (its page); the priority
ranking and the stored insights (`insights.py`) need them for thousands. Here:

- needs are grouped by place (commune, QPV, EPCI): the nearness of two places is computed once per pair
  of places, not once per pair of needs;
- organisations and projects are indexed by the themes and workstreams that can give them a reason to
  be listed (workstream membership, projects led, theme words in their presentation, themes of the
  needs they answer): each need looks only at the candidates of its theme and workstream, and the
  exact rules of `existing_offer` are then applied to that short list — same result, a fraction of the
  work.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .selectors import (
    ExistingOffer,
    NearbyNeed,
    Nearness,
    OfferCandidates,
    Place,
    existing_offer,
    nearness,
    place_of_need,
    project_themes,
)
from .themes import themes_found

if TYPE_CHECKING:
    from fabrique.directory.models import Organization
    from fabrique.needs.models import Need
    from fabrique.projects.models import Project

PlaceKey = tuple[int | None, str | None, str | None]


def place_key(need: Need) -> PlaceKey:
    return (need.commune_id, need.qpv_id, need.epci_id)


@dataclass
class _Group:
    place: Place
    needs: list[Need]
    themes: Counter[str]
    by_theme: dict[str, list[Need]]


class NearbyIndex:
    """The located needs of a fabrique, grouped by place."""

    def __init__(self, needs: Iterable[Need]):
        self.groups: dict[PlaceKey, _Group] = {}
        for need in needs:
            key = place_key(need)
            group = self.groups.get(key)
            if group is None:
                group = self.groups[key] = _Group(place_of_need(need), [], Counter(), defaultdict(list))
            group.needs.append(need)
            group.by_theme[need.theme].append(need)
            if need.theme:
                group.themes[need.theme] += 1
        self._near: dict[tuple[PlaceKey, PlaceKey], Nearness] = {}

    def _nearness(self, a: PlaceKey, b: PlaceKey, place: Place) -> Nearness:
        found = self._near.get((a, b))
        if found is None:
            found = self._near[(a, b)] = nearness(place, self.groups[b].place)
        return found

    def near_groups(self, need: Need, radius_km: float) -> list[tuple[Nearness, _Group]]:
        here_key = place_key(need)
        here = self.groups[here_key].place if here_key in self.groups else place_of_need(need)
        if not (here.located or here.epci_id):
            return []
        found = []
        for key, group in self.groups.items():
            near = (
                self._nearness(here_key, key, here)
                if here_key in self.groups
                else nearness(here, group.place)
            )
            if near.within(radius_km):
                found.append((near, group))
        return found

    def same_theme_count(self, need: Need, radius_km: float) -> int:
        """Other needs of the same theme within the radius (the "nearby" priority component)."""
        if not need.theme:
            return 0
        total = sum(group.themes[need.theme] for _near, group in self.near_groups(need, radius_km))
        if place_key(need) in self.groups and any(
            n.pk == need.pk for n in self.groups[place_key(need)].needs
        ):
            total -= 1  # the need itself
        return max(0, total)

    def nearby(self, need: Need, radius_km: float, limit: int = 20) -> tuple[list[NearbyNeed], int]:
        """The `limit` nearest other needs (same theme first, then by distance) and how many there are
        in all — what `selectors.nearby_needs` gives for one need. Only the groups needed to fill
        `limit` rows are read."""
        groups = self.near_groups(need, radius_km)
        total = sum(len(group.needs) for _near, group in groups)
        if any(
            other.pk == need.pk for _near, group in groups for other in group.by_theme.get(need.theme, ())
        ):
            total -= 1

        def distance(pair: tuple[Nearness, _Group]) -> float:
            return pair[0].distance if pair[0].distance is not None else 999

        groups.sort(key=distance)
        rows: list[NearbyNeed] = []
        for same_theme in (True, False):
            found: list[NearbyNeed] = []
            for near, group in groups:
                if len(found) >= limit and (near.distance or 0) > (found[-1].nearness.distance or 0):
                    break
                if same_theme:
                    members: Iterable[Need] = group.by_theme.get(need.theme, ()) if need.theme else ()
                else:
                    members = (n for n in group.needs if not (need.theme and n.theme == need.theme))
                for other in members:
                    if other.pk != need.pk:
                        found.append(NearbyNeed(other, near, same_theme))
            found.sort(
                key=lambda n: (
                    n.nearness.distance if n.nearness.distance is not None else 999,
                    n.need.pk,  # type: ignore[attr-defined]
                )
            )
            rows.extend(found[: limit - len(rows)])
            if len(rows) >= limit:
                break
        return rows, max(0, total)


class OfferIndex:
    """The offer candidates of a fabrique, indexed by the themes and workstreams that may list them."""

    def __init__(self, candidates: OfferCandidates):
        self.candidates = candidates
        self.org_by_theme: dict[str, list[Organization]] = defaultdict(list)
        self.org_by_ws: dict[int, list[Organization]] = defaultdict(list)
        for org in candidates.organizations:
            themes = themes_found(org.name, org.description)
            workstreams = {ws.pk for ws in org.workstreams.all() if not ws.is_deleted}
            for project in org.led_projects.all():
                if project.is_deleted or project.stage == "stopped":
                    continue
                themes |= project_themes(project)
                if project.workstream_id:
                    workstreams.add(project.workstream_id)
            for theme in themes:
                self.org_by_theme[theme].append(org)
            for ws_id in workstreams:
                self.org_by_ws[ws_id].append(org)
        self.project_by_theme: dict[str, list[Project]] = defaultdict(list)
        self.project_by_ws: dict[int, list[Project]] = defaultdict(list)
        for project in candidates.projects:
            for theme in project_themes(project) | themes_found(project.title, project.summary):
                self.project_by_theme[theme].append(project)
            if project.workstream_id:
                self.project_by_ws[project.workstream_id].append(project)
        self.network_by_theme: dict[str, list[Project]] = defaultdict(list)
        for project in candidates.network:
            for theme in project_themes(project) | themes_found(project.title, project.public_summary):
                self.network_by_theme[theme].append(project)

    @staticmethod
    def _union(*lists: list[Any]) -> list[Any]:
        seen: set[int] = set()
        out = []
        for rows in lists:
            for row in rows:
                if row.pk not in seen:
                    seen.add(row.pk)
                    out.append(row)
        return out

    def offer(self, need: Need, radius_km: float) -> ExistingOffer:
        theme, ws = need.theme, need.workstream_id
        subset = OfferCandidates(
            organizations=self._union(
                self.org_by_theme.get(theme, []) if theme else [], self.org_by_ws.get(ws, []) if ws else []
            ),
            projects=self._union(
                self.project_by_theme.get(theme, []) if theme else [],
                self.project_by_ws.get(ws, []) if ws else [],
            ),
            network=list(self.network_by_theme.get(theme, [])) if theme else [],
        )
        return existing_offer(need=need, radius_km=radius_km, candidates=subset)
