"""The neighbourhood of many needs at once: nearby needs and existing offer for every need of a fabrique,
without comparing every need with every other row.

`selectors.nearby_needs` and `selectors.existing_offer` answer for one need (its page); the priority
ranking and the stored insights (`insights.py`) need them for thousands. Here:

- needs are grouped by place (commune, QPV, EPCI): the nearness of two places is computed once per pair
  of places, not once per pair of needs;
- organisations and projects are read once, their facts (themes, workstreams, words, place) computed
  once, and indexed by the themes and workstreams that can give them a reason to be listed: each need
  looks only at the candidates of its theme and workstream and applies `existing_offer`'s rules to
  their precomputed facts — same result, a fraction of the work.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext as _

from fabrique.projects.models import ProjectStage

from .selectors import (
    ExistingOffer,
    NearbyNeed,
    Nearness,
    OfferCandidates,
    OfferItem,
    Place,
    _sort_key,
    nearness,
    place_of_commune,
    place_of_need,
    project_place,
    project_themes,
)
from .themes import theme_words_found, themes_found

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


@dataclass
class _Org:
    org: Organization
    place: Place
    has_commune: bool
    workstreams: dict[int, str]  # live workstreams it belongs to: pk -> name
    led: list[tuple[str, set[str], int | None]]  # live projects it leads: title, themes, workstream
    words: dict[str, list[str]]  # theme -> the theme's words found in its name and presentation


@dataclass
class _Project:
    project: Project
    place: Place
    need_pks: set[int]
    themes: set[str]
    workstream: tuple[int, str] | None
    word_themes: set[str]


class OfferIndex:
    """The offer candidates of a fabrique, read once: each candidate's facts (themes, workstreams, words,
    place) computed once, and indexed by the themes and workstreams that may list it. `offer(need)`
    applies the rules of `selectors.existing_offer` to the candidates of the need's theme and workstream
    only (same items, same reasons, same order — tests/intelligence/test_insights.py compares them)."""

    def __init__(self, candidates: OfferCandidates):
        self.org_by_theme: dict[str, list[_Org]] = defaultdict(list)
        self.org_by_ws: dict[int, list[_Org]] = defaultdict(list)
        for org in candidates.organizations:
            themes = themes_found(org.name, org.description)
            fact = _Org(
                org=org,
                place=place_of_commune(org.commune) if org.commune_id else Place(),
                has_commune=bool(org.commune_id),
                workstreams={ws.pk: ws.name for ws in org.workstreams.all() if not ws.is_deleted},
                led=[
                    (p.title, project_themes(p), p.workstream_id)
                    for p in org.led_projects.all()
                    if not p.is_deleted and p.stage != ProjectStage.STOPPED
                ],
                words={t: theme_words_found(t, org.name, org.description) for t in themes},
            )
            keys = set(themes) | {t for _title, led_themes, _ws in fact.led for t in led_themes}
            for theme in keys:
                self.org_by_theme[theme].append(fact)
            for ws_id in set(fact.workstreams) | {ws for _t, _th, ws in fact.led if ws}:
                self.org_by_ws[ws_id].append(fact)
        self.project_by_theme: dict[str, list[_Project]] = defaultdict(list)
        self.project_by_ws: dict[int, list[_Project]] = defaultdict(list)
        for project in candidates.projects:
            pfact = _Project(
                project=project,
                place=project_place(project),
                need_pks={n.pk for n in project.needs.all()},
                themes=project_themes(project),
                workstream=(project.workstream_id, project.workstream.name)
                if project.workstream_id and project.workstream is not None
                else None,
                word_themes=themes_found(project.title, project.summary),
            )
            for theme in pfact.themes | pfact.word_themes:
                self.project_by_theme[theme].append(pfact)
            if project.workstream_id:
                self.project_by_ws[project.workstream_id].append(pfact)
        self._nearness: dict[tuple[Any, ...], Nearness] = {}
        self._translated: dict[str, dict[str, str]] = {}
        self.network_by_theme: dict[str, list[_Project]] = defaultdict(list)
        for project in candidates.network:
            nfact = _Project(
                project=project,
                place=place_of_commune(project.commune),
                need_pks=set(),
                themes=project_themes(project),
                workstream=None,
                word_themes=themes_found(project.title, project.public_summary),
            )
            for theme in nfact.themes | nfact.word_themes:
                self.network_by_theme[theme].append(nfact)

    def _texts(self) -> dict[str, str]:
        """The reasons' wording, translated once per language (not once per candidate and need)."""
        from django.utils.translation import get_language

        language = get_language() or ""
        if language not in self._translated:
            self._translated[language] = {
                "member": _("membre du chantier « %(name)s »"),
                "leads": _("porte le projet « %(title)s »"),
                "words": _("mots « %(words)s » dans sa fiche"),
                "no_commune": _("commune non renseignée"),
                "same_theme": _("répond à un besoin du même thème"),
                "workstream": _("chantier « %(name)s »"),
                "cited": _("thème cité dans sa présentation"),
                "network": _("projet public d'une autre fabrique du réseau"),
            }
        return self._translated[language]

    def _near(self, need: Need, here: Place, there: Place) -> Nearness:
        """`nearness(here, there)`, once per pair of places (a need's place, a candidate's commune)."""
        key = (place_key(need), there.commune.pk if there.commune is not None else None, there.epci_id)
        found = self._nearness.get(key)
        if found is None:
            found = self._nearness[key] = nearness(here, there)
        return found

    @staticmethod
    def _union(*lists: list[Any]) -> list[Any]:
        seen: set[int] = set()
        out = []
        for rows in lists:
            for row in rows:
                if id(row) not in seen:
                    seen.add(id(row))
                    out.append(row)
        return out

    def offer(self, need: Need, radius_km: float) -> ExistingOffer:
        texts = self._texts()
        here = place_of_need(need)
        offer = ExistingOffer(
            theme=need.theme, radius_km=radius_km, located=here.located or bool(here.epci_id)
        )
        theme, workstream_id = need.theme, need.workstream_id
        if not theme and not workstream_id:
            offer.missing_theme = True
            return offer
        orgs: list[_Org] = self._union(
            self.org_by_theme.get(theme, []) if theme else [],
            self.org_by_ws.get(workstream_id, []) if workstream_id else [],
        )
        for o in orgs:
            # where first (cheap, cached): most candidates are out of the radius
            in_workstream = bool(workstream_id and workstream_id in o.workstreams)
            near = None
            if o.has_commune:
                near = self._near(need, here, o.place)
                if offer.located and not near.within(radius_km):
                    continue
            elif not in_workstream:
                continue
            reasons = []
            if in_workstream:
                reasons.append(texts["member"] % {"name": o.workstreams.get(workstream_id or 0, "")})
            for title, led_themes, led_ws in o.led:
                if (theme and theme in led_themes) or (workstream_id and led_ws == workstream_id):
                    reasons.append(texts["leads"] % {"title": title})
            if theme and o.words.get(theme):
                reasons.append(texts["words"] % {"words": ", ".join(o.words[theme][:3])})
            if not reasons:
                continue
            place = o.place.commune.name if near is not None and o.place.commune else ""
            offer.organizations.append(
                OfferItem(
                    "organization",
                    o.org,
                    o.org.name,
                    texts["no_commune"] if near is None else place,
                    near,
                    reasons,
                )
            )
        projects: list[_Project] = self._union(
            self.project_by_theme.get(theme, []) if theme else [],
            self.project_by_ws.get(workstream_id, []) if workstream_id else [],
        )
        for p in projects:
            if need.pk in p.need_pks:
                continue
            near = self._near(need, here, p.place)
            if offer.located and p.place.commune is not None and not near.within(radius_km):
                continue
            reasons = []
            if theme and theme in p.themes:
                reasons.append(texts["same_theme"])
            if workstream_id and p.workstream is not None and p.workstream[0] == workstream_id:
                reasons.append(texts["workstream"] % {"name": p.workstream[1]})
            if theme and theme in p.word_themes:
                reasons.append(texts["cited"])
            if not reasons:
                continue
            offer.projects.append(
                OfferItem(
                    "project",
                    p.project,
                    p.project.title,
                    p.place.commune.name if p.place.commune else texts["no_commune"],
                    near if p.place.commune else None,
                    reasons,
                )
            )
        if theme and offer.located:
            for p in self.network_by_theme.get(theme, []):
                near = self._near(need, here, p.place)
                if not near.within(radius_km):
                    continue
                offer.network_projects.append(
                    OfferItem(
                        "network_project",
                        None,
                        p.project.title,
                        p.place.commune.name if p.place.commune else "",
                        near,
                        [texts["network"]],
                        fabrique_name=p.project.fabrique.name,
                        summary=p.project.public_summary,
                    )
                )
        for items in (offer.organizations, offer.projects, offer.network_projects):
            items.sort(key=_sort_key)
        return offer
