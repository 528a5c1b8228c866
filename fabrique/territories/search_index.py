"""The territory search index: one `SearchEntry` per commune, EPCI, département and QPV, and its
`SearchTerm` rows (name words, codes) that the search matches by prefix through a B-tree index.

Derived data: `search_index_rebuild()` recomputes it from the reference tables and writes only the
difference, so it is cheap to call after every load. See docs/territories.md for the design.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, fields

from django.db import transaction
from django.db.models import Sum

from .models import EPCI, QPV, Commune, Departement, SearchEntry, SearchTerm

BATCH = 2000

# Words indexed next to their canonical abbreviation, so that "sain" finds "Saint-Herblain" too.
_EXPANSIONS = {"st": "saint", "ste": "sainte", "sts": "saints", "stes": "saintes"}
# What people type for the EPCI kinds that their names abbreviate ("CC du Pays d'Ancenis").
_EPCI_KIND_WORDS: dict[str, tuple[str, ...]] = {
    EPCI.Kind.METROPOLE: ("metropole",),
    EPCI.Kind.METROPOLE_LYON: ("metropole",),
    EPCI.Kind.URBAINE: ("communaute", "urbaine", "cu"),
    EPCI.Kind.AGGLOMERATION: ("communaute", "agglomeration", "ca"),
    EPCI.Kind.COMMUNES: ("communaute", "communes", "cc"),
}
# Order of the kinds of result at equal match quality (lower first).
TIER_MAIN, TIER_QPV, TIER_SECONDARY = 0, 1, 2
MAX_TERM = 60


@dataclass
class _Entry:
    kind: str
    code: str
    commune_kind: str = ""
    name: str = ""
    search_name: str = ""
    search_code: str = ""
    population: int | None = None
    departement_code: str = ""
    departement_name: str = ""
    epci_siren: str = ""
    epci_name: str = ""
    parent_code: str = ""
    parent_name: str = ""
    rank: int = 0

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.kind, self.code, self.commune_kind)


_ENTRY_FIELDS = [f.name for f in fields(_Entry)]
_UPDATE_FIELDS = [name for name in _ENTRY_FIELDS if name not in ("kind", "code", "commune_kind")]


def name_terms(search_name: str) -> dict[str, bool]:
    """Terms of a normalised name -> whether the term is (the expansion of) its first word."""
    terms: dict[str, bool] = {}
    for position, word in enumerate(search_name.split()):
        for term in (word, _EXPANSIONS.get(word)):
            if term:
                term = term[:MAX_TERM]
                terms[term] = terms.get(term, False) or position == 0
    return terms


def _with_codes(terms: dict[str, bool], codes: Iterable[str]) -> dict[str, bool]:
    for code in codes:
        terms.setdefault(code, False)
    return terms


def _tier(entry: _Entry) -> int:
    if entry.kind == SearchEntry.Kind.QPV:
        return TIER_QPV
    if entry.commune_kind in (Commune.Kind.DELEGATED, Commune.Kind.ASSOCIATED):
        return TIER_SECONDARY
    return TIER_MAIN


def _desired() -> tuple[list[_Entry], dict[tuple[str, str, str], dict[str, bool]]]:
    entries: list[_Entry] = []
    terms: dict[tuple[str, str, str], dict[str, bool]] = {}
    dep_names = dict(Departement.objects.values_list("code", "name"))

    communes = Commune.objects.select_related("epci", "parent").only(
        "code",
        "kind",
        "name",
        "search_name",
        "population",
        "departement_id",
        "epci__siren",
        "epci__name",
        "parent__code",
        "parent__name",
        "postal_codes",
    )
    for c in communes.iterator(chunk_size=5000):
        e = _Entry(
            kind=SearchEntry.Kind.COMMUNE,
            code=c.code,
            commune_kind=c.kind,
            name=c.name,
            search_name=c.search_name,
            search_code=c.code.lower(),
            population=c.population,
            departement_code=c.departement_id or "",
            departement_name=dep_names.get(c.departement_id or "", ""),
            epci_siren=c.epci.siren if c.epci else "",
            epci_name=c.epci.name if c.epci else "",
            parent_code=c.parent.code if c.parent else "",
            parent_name=c.parent.name if c.parent else "",
        )
        entries.append(e)
        terms[e.key] = _with_codes(name_terms(c.search_name), [c.code.lower(), *c.postal_codes.split()])

    epci_deps: dict[str, list[str]] = defaultdict(list)
    for siren, dep_code in EPCI.departements.through.objects.values_list(
        "epci_id", "departement_id"
    ).order_by("departement_id"):
        epci_deps[siren].append(dep_code)
    for epci in EPCI.objects.all():
        deps = epci_deps.get(epci.siren, [])
        e = _Entry(
            kind=SearchEntry.Kind.EPCI,
            code=epci.siren,
            name=epci.name,
            search_name=epci.search_name,
            search_code=epci.siren,
            population=epci.population,
            departement_code=deps[0] if len(deps) == 1 else "",
            departement_name=", ".join(dep_names.get(d, d) for d in deps),
        )
        entries.append(e)
        terms[e.key] = _with_codes(
            name_terms(epci.search_name), [epci.siren, *_EPCI_KIND_WORDS.get(epci.kind, ())]
        )

    populations = dict(
        Commune.objects.filter(kind=Commune.Kind.CURRENT)
        .values("departement_id")
        .annotate(total=Sum("population"))
        .values_list("departement_id", "total")
    )
    for departement in Departement.objects.select_related("region"):
        e = _Entry(
            kind=SearchEntry.Kind.DEPARTEMENT,
            code=departement.code,
            name=departement.name,
            search_name=departement.search_name,
            search_code=departement.code.lower(),
            population=populations.get(departement.code),
            departement_code=departement.code,
            departement_name=departement.name,
            parent_code=departement.region_id,
            parent_name=departement.region.name,
        )
        entries.append(e)
        terms[e.key] = _with_codes(name_terms(departement.search_name), [departement.code.lower()])

    qpv_communes: dict[str, list[tuple[str, str, str]]] = defaultdict(list)
    links = QPV.communes.through.objects.values_list(
        "qpv_id", "commune__code", "commune__name", "commune__departement_id"
    ).order_by("commune__code")
    for qpv_code, code, name, dep in links:
        qpv_communes[qpv_code].append((code, name, dep or ""))
    for qpv in QPV.objects.only("code", "name", "search_name"):
        linked = qpv_communes.get(qpv.code, [])
        dep = linked[0][2] if linked else ""
        e = _Entry(
            kind=SearchEntry.Kind.QPV,
            code=qpv.code,
            name=qpv.name,
            search_name=qpv.search_name,
            search_code=qpv.code.lower(),
            departement_code=dep,
            departement_name=dep_names.get(dep, ""),
            parent_code=linked[0][0] if len(linked) == 1 else "",
            parent_name=", ".join(name for _code, name, _dep in linked),
        )
        entries.append(e)
        terms[e.key] = _with_codes(name_terms(qpv.search_name), [qpv.code.lower()])

    entries.sort(
        key=lambda e: (_tier(e), -(e.population or 0), e.search_name, e.kind, e.code, e.commune_kind)
    )
    for position, e in enumerate(entries):
        e.rank = position
    return entries, terms


def search_index_rebuild() -> tuple[int, int, int]:
    """Bring SearchEntry/SearchTerm in line with the reference tables. Returns (created, updated, deleted)
    entries; an entry whose terms changed counts as updated."""
    with transaction.atomic():
        entries, wanted_terms = _desired()
        existing = {(o.kind, o.code, o.commune_kind): o for o in SearchEntry.objects.all()}
        wanted_keys = {e.key for e in entries}

        stale = [o.pk for key, o in existing.items() if key not in wanted_keys]
        for i in range(0, len(stale), BATCH):
            SearchEntry.objects.filter(pk__in=stale[i : i + BATCH]).delete()

        to_create, to_update = [], []
        for e in entries:
            old = existing.get(e.key)
            if old is None:
                to_create.append(SearchEntry(**{name: getattr(e, name) for name in _ENTRY_FIELDS}))
                continue
            changed = False
            for name in _UPDATE_FIELDS:
                value = getattr(e, name)
                if getattr(old, name) != value:
                    setattr(old, name, value)
                    changed = True
            if changed:
                to_update.append(old)
        SearchEntry.objects.bulk_create(to_create, batch_size=BATCH)
        SearchEntry.objects.bulk_update(to_update, _UPDATE_FIELDS, batch_size=BATCH)

        ids = {
            (kind, code, ck): pk
            for pk, kind, code, ck in SearchEntry.objects.values_list("pk", "kind", "code", "commune_kind")
        }
        desired_terms = {
            (ids[e.key], term): (e.kind, e.rank, first)
            for e in entries
            for term, first in wanted_terms[e.key].items()
        }
        current = {
            (entry_id, term): (pk, kind, rank, first)
            for pk, entry_id, term, kind, rank, first in SearchTerm.objects.values_list(
                "pk", "entry_id", "term", "kind", "rank", "first"
            )
        }
        old_pairs = [pair for pair in current if pair not in desired_terms]
        old_terms = [current[pair][0] for pair in old_pairs]
        for i in range(0, len(old_terms), BATCH):
            SearchTerm.objects.filter(pk__in=old_terms[i : i + BATCH]).delete()
        new_terms, changed_terms = [], []
        for (entry_id, term), (kind, rank, first) in desired_terms.items():
            row = current.get((entry_id, term))
            if row is None:
                new_terms.append(SearchTerm(entry_id=entry_id, term=term, kind=kind, rank=rank, first=first))
            elif row[1:] != (kind, rank, first):
                changed_terms.append(SearchTerm(pk=row[0], kind=kind, rank=rank, first=first))
        SearchTerm.objects.bulk_create(new_terms, batch_size=BATCH)
        SearchTerm.objects.bulk_update(changed_terms, ["kind", "rank", "first"], batch_size=BATCH)

        created_ids = {ids[(o.kind, o.code, o.commune_kind)] for o in to_create}
        touched = {t.entry_id for t in new_terms} | {entry_id for entry_id, _term in old_pairs}
        updated_ids = {o.pk for o in to_update} | (touched - created_ids)
    return len(to_create), len(updated_ids), len(stale)
