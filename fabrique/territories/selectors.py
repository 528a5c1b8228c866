"""Reads of the territory tables: search (autocomplete) and what the detail pages show."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Any

from django.db import connection
from django.db.models import Case, Exists, F, IntegerField, Min, OuterRef, Q, QuerySet, Value, When
from django.utils.translation import gettext as _
from unidecode import unidecode

from fabrique.core.text import normalize

from .models import EPCI, QPV, Commune, Departement, SearchEntry, SearchTerm

KINDS = tuple(SearchEntry.Kind.values)  # ("commune", "epci", "departement", "qpv")
MAX_TOKENS = 6
MAX_QUERY = 100
_NON_ALNUM = re.compile(r"[^a-z0-9]+")


@dataclass(frozen=True)
class TerritoryHit:
    """One search result, ready for a template or a JSON answer."""

    kind: str  # "commune", "epci", "departement", "qpv"
    code: str  # INSEE code, EPCI SIREN, département code, QPV code
    name: str
    label: str  # "Saint-Herblain (44) — commune"
    population: int | None
    context: str  # "Nantes Métropole · Loire-Atlantique"
    kind_label: str = ""  # "commune", "commune déléguée", "EPCI", "département", "quartier prioritaire"
    commune_kind: str = ""  # Commune.Kind value for communes
    departement_code: str = ""
    departement_name: str = ""
    epci_siren: str = ""
    epci_name: str = ""
    parent_code: str = ""  # commune actuelle of a déléguée/arrondissement, région of a département
    parent_name: str = ""

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _kind_label(entry: SearchEntry) -> str:
    if entry.kind == SearchEntry.Kind.COMMUNE:
        return str(Commune.Kind(entry.commune_kind).label) if entry.commune_kind else _("commune")
    labels: dict[str, str] = {
        SearchEntry.Kind.EPCI: _("EPCI"),
        SearchEntry.Kind.DEPARTEMENT: _("département"),
        SearchEntry.Kind.QPV: _("quartier prioritaire"),
    }
    return labels[entry.kind]


def _hit(entry: SearchEntry) -> TerritoryHit:
    kind_label = _kind_label(entry)
    if entry.kind == SearchEntry.Kind.COMMUNE:
        label = f"{entry.name} ({entry.departement_code}) — {kind_label}"
        parts = [entry.parent_name, entry.epci_name, entry.departement_name]
    elif entry.kind == SearchEntry.Kind.DEPARTEMENT:
        label = f"{entry.name} ({entry.code}) — {kind_label}"
        parts = [entry.parent_name]
    elif entry.kind == SearchEntry.Kind.QPV:
        dep = f" ({entry.departement_code})" if entry.departement_code else ""
        label = f"{entry.name}{dep} — {kind_label}"
        parts = [entry.parent_name, entry.departement_name]
    else:
        label = f"{entry.name} — {kind_label}"
        parts = [entry.departement_name]
    return TerritoryHit(
        kind=entry.kind,
        code=entry.code,
        name=entry.name,
        label=label,
        population=entry.population,
        context=" · ".join(p for p in parts if p),
        kind_label=kind_label,
        commune_kind=entry.commune_kind,
        departement_code=entry.departement_code,
        departement_name=entry.departement_name,
        epci_siren=entry.epci_siren,
        epci_name=entry.epci_name,
        parent_code=entry.parent_code,
        parent_name=entry.parent_name,
    )


def _prefix(field: str, prefix: str) -> Q:
    """`field` starts with `prefix`, written so that the B-tree index on `field` is used.

    Terms and names only hold [a-z0-9 ], so on SQLite (binary collation) the range
    [prefix, prefix + "{") is exact and indexable, whereas LIKE is not (case-insensitive there).
    On PostgreSQL, LIKE 'prefix%' uses the indexes declared with `varchar_pattern_ops`.
    """
    if connection.vendor == "sqlite":
        return Q(**{f"{field}__gte": prefix, f"{field}__lt": prefix + "{"})
    return Q(**{f"{field}__startswith": prefix})


_SAINT_WORDS = ("saint", "sainte")
_SMALL_WORDS = frozenset(
    {"a", "au", "aux", "d", "de", "des", "du", "en", "et", "l", "la", "le", "les", "sur", "sous"}
)


def search_tokens(query: str) -> list[str]:
    """Words of a query to match against the terms by prefix, de-duplicated, the most selective
    first (it drives the search): the longest, "saint" and small words last.

    Like `normalize` but a full "saint" stays "saint": terms hold both "st" and "saint" for a
    Saint-… name, and the prefix "saint" must not match "strasbourg" as "st" would.
    """
    words = _NON_ALNUM.sub(" ", unidecode((query or "")[:MAX_QUERY]).lower()).split()
    unique = list(dict.fromkeys(words))
    # Articles and linking words ("communauté de communes du pays d'Ancenis") need not all be in
    # the name; they still count for the "name starts with the query" ranking.
    meaningful = [w for w in unique if w not in _SMALL_WORDS]
    if meaningful and max(len(w) for w in meaningful) >= 2:
        unique = meaningful
    return sorted(unique[:MAX_TOKENS], key=lambda w: (len(w) < 2, _is_common(w), -len(w)))


def _is_common(word: str) -> bool:
    """Words that thousands of names contain: a poor choice to drive the search."""
    return (
        word in _SMALL_WORDS
        or word in ("st", "ste", "sts", "stes")
        or (len(word) >= 3 and any(full.startswith(word) for full in _SAINT_WORDS))
    )


def _phrase_prefixes(query: str) -> list[str]:
    """Prefixes of `search_name` that make a "name starts with the query" match.

    A word being typed that begins "saint"/"sainte" ("sai", "sain") stands for "st"/"ste", the
    form names are held in: "sain" gives "st …" and "ste …" too, "sai h" gives "st h".
    """
    words = normalize(query[:MAX_QUERY]).split()
    variants = [words]
    for i, word in enumerate(words):
        if len(word) >= 3 and any(full.startswith(word) for full in _SAINT_WORDS):
            last = i == len(words) - 1
            variants = [v[:i] + [abbr] + v[i + 1 :] for v in variants for abbr in ("st", "ste")]
            variants = [[*v[:-1], v[-1] + " "] if last else v for v in variants]
    prefixes = [" ".join(v) for v in variants[:8]]
    return list(dict.fromkeys([" ".join(words), *prefixes]))


def territory_search(
    *, query: str, kinds: Iterable[str] = ("commune", "epci", "departement", "qpv"), limit: int = 10
) -> list[TerritoryHit]:
    """Territories whose name words (or INSEE/postal/SIREN/QPV code) start with every word of `query`.

    Accent-, case-, hyphen- and "saint"/"st"-insensitive. Order: exact name or code, then name
    prefix, then word prefix; within each, communes actuelles, EPCI and départements by population,
    then QPVs, then communes déléguées/associées (`SearchEntry.rank`).
    """
    kinds = [k for k in kinds if k in KINDS]
    tokens = search_tokens(query)
    if not kinds or not tokens or max(len(t) for t in tokens) < 2:
        return []
    limit = max(1, min(int(limit), 50))
    phrase, *alternatives = _phrase_prefixes(query)
    of_kinds = Q(kind__in=kinds) if len(kinds) < len(KINDS) else Q()
    exact = Q(search_name=phrase) | Q(search_code=phrase.replace(" ", ""))
    starts = _prefix("search_name", phrase)
    for prefix in alternatives:
        starts |= _prefix("search_name", prefix)

    if len(tokens) == 1 and " " not in phrase:
        ids = _one_word(tokens[0], exact=exact, of_kinds=of_kinds, limit=limit)
    else:
        # Names starting with the query (few, through the name index) usually fill the page;
        # otherwise every entry having all the words, ranked.
        ids = _ranked_ids(SearchEntry.objects.filter(of_kinds, exact | starts), exact, starts, limit)
        if len(ids) < limit:
            ids = _ranked_ids(_all_words(tokens).filter(of_kinds), exact, starts, limit)
    entries = SearchEntry.objects.in_bulk(ids)
    return [_hit(entries[pk]) for pk in ids if pk in entries]


_NOT_FIRST = 10_000_000  # more than there are entries


def _one_word(token: str, *, exact: Q, of_kinds: Q, limit: int) -> list[int]:
    """Ids for a one-word query, read from the term index alone: exact name/code first, then the
    entries whose first word starts with the token, then the others, each by rank."""
    exact_ids = list(
        SearchEntry.objects.filter(of_kinds, exact).order_by("rank").values_list("pk", flat=True)[:limit]
    )
    ranked = (
        SearchTerm.objects.filter(of_kinds, _prefix("term", token))
        .values("entry_id")
        .annotate(key=Min(Case(When(first=True, then=F("rank")), default=F("rank") + _NOT_FIRST)))
        .order_by("key")
        .values_list("entry_id", flat=True)[: limit + len(exact_ids)]
    )
    return list(dict.fromkeys([*exact_ids, *ranked]))[:limit]


def _all_words(tokens: list[str]) -> QuerySet[SearchEntry]:
    """Entries having a term starting with each token (the first token drives the scan)."""
    driving, *others = tokens
    qs = SearchEntry.objects.filter(
        pk__in=SearchTerm.objects.filter(_prefix("term", driving)).values("entry_id")
    )
    for token in others:
        qs = qs.filter(Exists(SearchTerm.objects.filter(_prefix("term", token), entry_id=OuterRef("pk"))))
    return qs


def _ranked_ids(qs: QuerySet[SearchEntry], exact: Q, starts: Q, limit: int) -> list[int]:
    match = Case(
        When(exact, then=Value(0)), When(starts, then=Value(1)), default=Value(2), output_field=IntegerField()
    )
    return list(qs.annotate(match=match).order_by("match", "rank").values_list("pk", flat=True)[:limit])


# --- detail pages ---------------------------------------------------------------------------


def commune_for_code(code: str, kind: str | None = None) -> Commune | None:
    """The commune a code designates: the commune actuelle (or arrondissement) first, else the
    commune déléguée/associée of that code; `kind` picks one Commune.Kind explicitly."""
    rows = Commune.objects.filter(code=code).select_related("departement__region", "region", "epci", "parent")
    if kind:
        rows = rows.filter(kind=kind)
    order: list[str] = [
        Commune.Kind.CURRENT,
        Commune.Kind.ARRONDISSEMENT,
        Commune.Kind.DELEGATED,
        Commune.Kind.ASSOCIATED,
    ]
    found = sorted(rows, key=lambda c: order.index(c.kind) if c.kind in order else len(order))
    return found[0] if found else None


def commune_detail(*, code: str, kind: str | None = None) -> dict[str, Any] | None:
    commune = commune_for_code(code, kind)
    if commune is None:
        return None
    holder = commune if commune.is_current or commune.parent is None else commune.parent
    return {
        "commune": commune,
        "postal_codes": sorted(set(commune.postal_codes.split())),
        "children": list(commune.children.order_by("kind", "name")),
        "siblings": list(Commune.objects.filter(code=code).exclude(pk=commune.pk).order_by("kind")),
        # QPVs are linked to communes actuelles: a déléguée or an arrondissement shows its commune's.
        "qpvs": list(holder.qpvs.defer("geometry").order_by("name")),
        "qpvs_holder": holder,
    }


def epci_detail(*, siren: str) -> dict[str, Any] | None:
    epci = EPCI.objects.filter(siren=siren).prefetch_related("departements__region").first()
    if epci is None:
        return None
    communes = list(
        epci.communes.filter(kind=Commune.Kind.CURRENT)
        .order_by("-population", "name")
        .only("code", "name", "population", "departement_id", "epci_id", "postal_codes")
    )
    return {
        "epci": epci,
        "communes": communes,
        "departements": list(epci.departements.all()),
        "qpvs": list(QPV.objects.filter(communes__epci=epci).distinct().defer("geometry").order_by("name")),
        "communes_population": sum(c.population or 0 for c in communes),
    }


def departement_detail(*, code: str) -> dict[str, Any] | None:
    departement = Departement.objects.filter(code=code).select_related("region").first()
    if departement is None:
        return None
    communes = list(
        departement.communes.filter(kind=Commune.Kind.CURRENT)
        .select_related("epci")
        .order_by("-population", "name")
        .only("code", "name", "population", "departement_id", "epci__siren", "epci__name")
    )
    return {
        "departement": departement,
        "communes": communes,
        "population": sum(c.population or 0 for c in communes),
        "epcis": list(departement.epcis.order_by("-population", "name")),
        "qpvs": list(
            QPV.objects.filter(communes__departement=departement)
            .distinct()
            .order_by("name")
            .defer("geometry")
        ),
    }


def qpv_detail(*, code: str) -> dict[str, Any] | None:
    qpv = QPV.objects.filter(code=code).first()
    if qpv is None:
        return None
    communes = list(qpv.communes.select_related("departement", "epci").order_by("name"))
    return {"qpv": qpv, "communes": communes}


# --- resolving what a user typed (forms without JavaScript) ----------------------------------

_EXPLICIT = re.compile(r"^(commune|epci|departement|qpv)\s*:\s*([0-9A-Za-z]{2,12})$")
_TRAILING_CODE = re.compile(r"\(([0-9A-Za-z]{2,12})\)\s*$")
_QPV_CODE = re.compile(r"^Q[A-Z]\d{5}[A-Z]$")


@dataclass(frozen=True)
class TerritoryRef:
    """A territory designated by its kind and code (and Commune.Kind for a commune)."""

    kind: str
    code: str
    commune_kind: str = ""


def _code_refs(code: str, kinds: Iterable[str], *, postal: bool) -> list[TerritoryRef]:
    code = code.upper()
    refs: list[TerritoryRef] = []
    if "commune" in kinds and len(code) == 5:
        refs += [
            TerritoryRef("commune", c, k)
            for c, k in Commune.objects.filter(code=code).values_list("code", "kind")
        ]
        if postal and code.isdigit():
            refs += [
                TerritoryRef("commune", c, k)
                for c, k in Commune.objects.filter(postal_code_rows__code=code).values_list("code", "kind")
            ]
    if "epci" in kinds and len(code) == 9 and code.isdigit() and EPCI.objects.filter(siren=code).exists():
        refs.append(TerritoryRef("epci", code))
    if "departement" in kinds and len(code) in (2, 3) and Departement.objects.filter(code=code).exists():
        refs.append(TerritoryRef("departement", code))
    if "qpv" in kinds and _QPV_CODE.match(code) and QPV.objects.filter(code=code).exists():
        refs.append(TerritoryRef("qpv", code))
    return list(dict.fromkeys(refs))


def territory_resolve(*, text: str, kinds: Iterable[str] = KINDS) -> list[TerritoryRef]:
    """The territories a typed text designates, for forms used without JavaScript.

    Accepted: "commune:44109" (what the autocomplete sends), "Saint-Herblain (44162)" (what a form
    shows back: the code in brackets is an INSEE code, SIREN or département code), a bare INSEE code,
    postal code, SIREN, département or QPV code, or an exact name ("saint herblain"). Several refs
    mean the text is ambiguous; none, unknown.
    """
    kinds = [k for k in kinds if k in KINDS]
    text = (text or "").strip()[:MAX_QUERY]
    if not text or not kinds:
        return []
    explicit = _EXPLICIT.match(text)
    if explicit:
        kind, code = explicit.groups()
        return _code_refs(code, [kind], postal=False) if kind in kinds else []
    trailing = _TRAILING_CODE.search(text)
    if trailing:
        return _code_refs(trailing.group(1), kinds, postal=False)
    if re.fullmatch(r"[0-9A-Za-z]{2,9}", text) and any(ch.isdigit() for ch in text):
        return _code_refs(text, kinds, postal=True)
    name = normalize(text)
    rows = SearchEntry.objects.filter(search_name=name, kind__in=kinds).order_by("rank")
    return [
        TerritoryRef(kind, code, ck) for kind, code, ck in rows.values_list("kind", "code", "commune_kind")
    ]
