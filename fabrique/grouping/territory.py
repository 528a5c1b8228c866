"""In-memory gazetteer (communes, arrondissements, postal codes, EPCI, QPV) and place resolution.

Built once per process from the reference files of ``fabrique/territories/data``, read through
``fabrique.territories.reference`` (the same source as the territories tables; no database, no download).
A report's place is resolved from its ``commune`` field (INSEE code, tolerating postal codes,
arrondissement codes, communes déléguées, EPCI SIREN or département codes) and its free
``territory_label`` (commune name, EPCI name or acronym, QPV or neighbourhood name, arrondissement).

The municipal arrondissements of Paris, Lyon and Marseille are sub-areas of their commune: a report
resolves to the commune with ``arrs`` = the arrondissement(s) it can be in, whether it gave the
arrondissement's code, its postal code, "3e", "Marseille 15e" or "15ème arrondissement" (in the label;
in the text only with the city's name or the word arrondissement, since "au 4ème" may be a floor).
Two reports in different arrondissements are never the same need.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass, field, replace
from functools import cached_property, lru_cache
from pathlib import Path

from fabrique.core.text import fold
from fabrique.territories.reference import DATA_DIR, read_csv, read_json_gz

# "3e", "15ème", "1er", "2nd", "10 eme" (folded); an arrondissement number is at most 20.
_ORDINAL = re.compile(r"\b([1-9]|1[0-9]|20) ?(?:e|er|ere|eme|ieme|em|nd|nde)\b")
# Roman ordinals ('Paris XVIIe', 'Lyon IIIème'): read in labels, and in texts only after the city's name
_ROMAN_ORDINAL = re.compile(r"\b([ivx]{1,5}) ?(?:e|er|eme|ieme)\b")
_ROMAN = {"i": 1, "v": 5, "x": 10}


def _roman(text: str) -> int:
    total = 0
    for k, ch in enumerate(text):
        value = _ROMAN[ch]
        total += -value if k + 1 < len(text) and _ROMAN[text[k + 1]] > value else value
    return total


_ARR_WORD = re.compile(r"\b(?:arrondissements?|arrdt|arrt|arr)\b")
_ARR_NUMBER = re.compile(r"\b(?:arrondissements?|arrdt|arrt|arr) ?([1-9]|1[0-9]|20)\b")
_FIVE_DIGITS = re.compile(r"\b\d{5}\b")
# inhabitants: a town of this size named alone is the town, not the homonymous département
NOTABLE_COMMUNE = 10_000
# a code that is an INSEE code and a postal code is the postal code's town when the label names another place and
# that town (or arrondissement) has this many inhabitants and this many times the INSEE commune's
POSTAL_TOWN = 20_000
POSTAL_RATIO = 10
NEAR_DEPT_KM = (
    25.0  # a commune named without code is looked for in the fabrique's département and this far around
)

# Words that say a label names an intercommunality rather than a commune.
_EPCI_WORDS = {
    "cc",
    "ca",
    "cu",
    "communaute",
    "communautes",
    "communes",
    "agglo",
    "agglomeration",
    "metropole",
    "interco",
    "intercommunalite",
    "intercommunal",
    "intercommunale",
    "comcom",
    "com",
    "territoire",
    "epci",
    "pays",
}
_EPCI_PREFIX = re.compile(
    r"^(communaute (de |d )?(communes|agglomeration|urbaine)|metropole|cc|ca|cu|comcom|com com|agglo)\b"
)
_STOP = {"de", "du", "des", "la", "le", "les", "l", "d", "et", "en", "sur", "a", "au", "aux"}
# Words that introduce a neighbourhood inside a commune.
_SUB_WORDS = {
    "quartier",
    "quartiers",
    "qpv",
    "cite",
    "secteur",
    "residence",
    "lotissement",
    "hameau",
    "bourg",
    "centre",
    "ville",
    "zone",
    "ilot",
    "rue",
    "avenue",
    "place",
    "village",
    "prioritaire",
    "quart",
}


def norm_name(text: str | None) -> str:
    """Fold a place name: 'St-Herblain' -> 'saint herblain', "L'Île-d'Yeu" -> 'l ile d yeu'."""
    words = fold(text).split()
    out = []
    for w in words:
        if w == "st":
            w = "saint"
        elif w == "ste":
            w = "sainte"
        elif w == "sts":
            w = "saints"
        out.append(w)
    return " ".join(out)


def _without_article(name: str) -> str:
    for art in ("le ", "la ", "les ", "l "):
        if name.startswith(art):
            return name[len(art) :]
    return name


_CONNECTORS = re.compile(r" (sur|sous|en|de|des|du|les|la|le|lez|aux|saint|sainte|et) ")


_GENERIC_SHORT = {
    "saint",
    "sainte",
    "pays",
    "val",
    "vallee",
    "bois",
    "mont",
    "mons",
    "port",
    "pont",
    "grand",
    "grande",
    "petit",
    "petite",
    "haut",
    "haute",
    "hauts",
    "bas",
    "basse",
    "ile",
    "mer",
    "lac",
    "roche",
    "chateau",
    "champ",
    "champs",
    "fontaine",
    "fontaines",
    "moulin",
    "moulins",
    "vieux",
    "vieille",
    "neuf",
    "neuve",
    "bourg",
    "ville",
    "villa",
    "foret",
    "plaine",
    "terres",
    "rives",
    "coeur",
    "porte",
    "portes",
    "marais",
    "bords",
    "cote",
    "cotes",
}


_EPCI_KIND = {"cc", "ca", "cu"}  # kept whole in an acronym: 'CA du Pays Basque' is the CAPB
_EPCI_KIND_WORDS = {
    "metropole",
    "eurometropole",
    "agglomeration",
    "agglo",
    "communaute",
    "communes",
    "urbaine",
}


def _epci_acronyms(name: str) -> set[str]:
    """Acronyms an intercommunality is usually known by, built from its reference name (folded, at least three
    letters): 'Métropole Européenne de Lille' -> 'mel', 'CU de Dunkerque' -> 'cud', 'CA du Pays Basque' ->
    'capb', 'CA de Cergy-Pontoise' -> 'cacp', "Métropole d'Aix-Marseille-Provence" -> 'mamp', 'amp', 'ampm',
    'Saint-Étienne Métropole' -> 'sem', 'Tours Métropole Val de Loire' -> 'tmvl'. One in brackets in the name
    ('CC de l'Est Lyonnais (CCEL)') is one too."""
    acronyms = {norm_name(inner).replace(" ", "") for inner in re.findall(r"\(([^)]+)\)", name)}
    words = [w for w in norm_name(re.sub(r"\([^)]*\)", " ", name)).split() if w not in _STOP]
    acronyms.add("".join(w if w in _EPCI_KIND else w[0] for w in words))
    core = [w for w in words if w not in _EPCI_KIND and w not in _EPCI_KIND_WORDS]
    if core != words:
        acronyms.add("".join(w[0] for w in core))
        if "metropole" in words:
            acronyms.add("".join(w[0] for w in core) + "m")
    return {a for a in acronyms if len(a) >= 3 and a.isalnum()}


def _strip_accents(text: str) -> str:
    return "".join(ch for ch in unicodedata.normalize("NFKD", text or "") if not unicodedata.combining(ch))


# A département code in brackets or closing the label after a comma ('Marseille (13)', 'Marseille, 13').
_DEPT_AFTER = re.compile(r"\(\s*(\d{2})\s*\)|,\s*(\d{2})\s*$")

# The words that open many QPV names ('Quartier du Haut-Gap', 'Quartiers Nord', 'Cité des Fleurs').
_QPV_PREFIX = re.compile(r"^(?:quartiers?|cite|residence)(?: (?:du|de la|de l|des|de|d))? ")

# Capitalised words of a label that may be acronyms ('MEL', 'CAPB'), accents removed, case kept.
_CAPITALS = re.compile(r"\b[A-Z][A-Z0-9]{2,7}\b")


def _short_name(name: str) -> str:
    """Usual short form of a compound name: 'ancenis saint gereon' -> 'ancenis', 'nort sur erdre' -> 'nort'."""
    match = _CONNECTORS.search(name)
    if not match:
        return ""
    short = name[: match.start()]
    if (
        len(short) < 4
        or short in _GENERIC_SHORT
        or short in _EPCI_WORDS
        or short in _SUB_WORDS
        or short == name
    ):
        return ""
    return short


@dataclass(frozen=True)
class Commune:
    code: str
    name: str
    dept: str
    epci: str
    population: int
    lon: float | None
    lat: float | None


@dataclass(frozen=True)
class Place:
    """Resolved territory of a report. ``level`` is the finest level known."""

    level: str = "unknown"  # "qpv", "quartier", "commune", "epci", "dept", "unknown"
    commune: str = ""  # INSEE code of the commune actuelle (or of a commune déléguée without parent)
    epci: str = ""  # SIREN
    dept: str = ""
    qpv: str = ""
    sub: str = ""  # folded neighbourhood name, when not a known QPV
    communes: frozenset[str] = field(default_factory=frozenset)  # all communes the place may cover
    lon: float | None = None
    lat: float | None = None
    arrs: frozenset[str] = field(default_factory=frozenset)  # arrondissement codes it may be in (PLM)

    def block_keys(self) -> list[str]:
        if self.commune:
            return [f"C:{self.commune}"]
        if self.epci:
            return [f"E:{self.epci}"]
        if self.dept:
            return [f"D:{self.dept}"]
        return []


class Territories:
    """In-memory gazetteer of French communes, EPCI and QPV."""

    def __init__(self, data_dir: Path = DATA_DIR) -> None:
        self.communes: dict[str, Commune] = {}
        self.parent: dict[str, str] = {}  # arrondissement / déléguée code -> commune actuelle code
        self.deleg_epci: dict[str, tuple[str, str]] = {}  # déléguée code without parent -> (epci, dept)
        # former commune (déléguée or associée) with a code of its own -> (its commune actuelle, its folded name):
        # 'Belligné' (44011) is a part of Loireauxence (44213), 'Lomme' (59355) of Lille (59350)
        self.former: dict[str, tuple[str, str]] = {}
        self.by_name: dict[str, list[str]] = {}
        self.by_postcode: dict[str, list[str]] = {}
        self.epci_name: dict[str, str] = {}
        self.epci_by_name: dict[str, list[str]] = {}
        self.epci_strong: set[str] = set()  # full names and acronyms: enough on their own
        # 'mel' -> SIREN(s); read only when written in capitals
        self.epci_by_acronym: dict[str, list[str]] = {}
        self.epci_members: dict[str, list[str]] = {}
        self.dept_members: dict[str, set[str]] = {}
        self.qpv_label: dict[str, str] = {}
        self.qpv_communes: dict[str, tuple[str, ...]] = {}
        self.qpv_by_name: dict[str, list[str]] = {}
        self.depts: dict[str, str] = {}
        self.dept_by_name: dict[str, list[str]] = {}
        self.arr_of: dict[
            str, dict[int, str]
        ] = {}  # Paris / Lyon / Marseille -> {number: arrondissement code}
        self.arr_by_postcode: dict[str, set[str]] = {}
        self.arr_population: dict[str, int] = {}
        self.qpv_arrs: dict[str, frozenset[str]] = {}
        self._resolved: dict[tuple[str, str, str], Place] = {}
        self._load(data_dir)

    # ------------------------------------------------------------------ loading
    def _load(self, data_dir: Path) -> None:
        centroids: dict[str, tuple[float, float]] = {}
        for row in read_csv("communes_centroids.csv.gz", data_dir):
            try:
                centroids[row["insee"]] = (float(row["lon"]), float(row["lat"]))
            except (TypeError, ValueError):
                continue
        parents = {(r["code"], r["type"]): r["parent"] for r in read_csv("communes_parents.csv", data_dir)}
        rows = read_csv("communes.csv.gz", data_dir)
        for row in rows:
            if row["type"] != "commune-actuelle":
                continue
            lonlat = centroids.get(row["code"])
            com = Commune(
                code=row["code"],
                name=row["nom"],
                dept=row["departement"],
                epci=row["epci"],
                population=int(row["population"] or 0),
                lon=lonlat[0] if lonlat else None,
                lat=lonlat[1] if lonlat else None,
            )
            self.communes[com.code] = com
            self.epci_members.setdefault(com.epci, []).append(com.code)
            self.dept_members.setdefault(com.dept, set()).add(com.code)
            for pc in row["codes_postaux"].split("|"):
                if pc:
                    self.by_postcode.setdefault(pc, []).append(com.code)
        for row in rows:
            code, kind = row["code"], row["type"]
            if kind == "commune-actuelle":
                self._add_name(row["nom"], code)
                short = _short_name(norm_name(row["nom"]))
                if short:
                    self._add_name(short, code, weak=True)
            elif kind == "arrondissement-municipal":
                parent = parents.get((code, kind), "")
                if parent in self.communes:
                    self.parent[code] = parent
                    number = re.search(r"(\d+)", row["nom"])
                    if number:
                        self.arr_of.setdefault(parent, {})[int(number.group(1))] = code
                    self._add_name(row["nom"], parent)
                    self.arr_population[code] = int(row["population"] or 0)
                    for pc in row["codes_postaux"].split("|"):
                        if pc:
                            self.arr_by_postcode.setdefault(pc, set()).add(code)
            elif code in self.communes:  # commune déléguée sharing its code with the commune nouvelle
                self._add_name(row["nom"], code, weak=True)
            elif parents.get((code, kind), "") in self.communes:
                parent = parents[(code, kind)]
                # 'Hellemmes-Lille' is the part 'hellemmes' of Lille
                own = _without(norm_name(row["nom"]).split(), norm_name(self.communes[parent].name).split())
                name = " ".join(own) or norm_name(row["nom"])
                self.former[code] = (parent, name)
                self._add_name(row["nom"], code, weak=True)
                if len(name) >= 4 and name != norm_name(row["nom"]):
                    self._add_name(name, code, weak=True)
            else:
                self.deleg_epci[code] = (row["epci"], row["departement"])
                self._add_name(row["nom"], code, weak=True)
        for row in read_csv("epci.csv", data_dir):
            self.epci_name[row["code"]] = row["nom"]
            for inner in re.findall(r"\(([^)]+)\)", row["nom"]):
                self.epci_strong.add(norm_name(inner))
            self.epci_strong.add(norm_name(re.sub(r"\([^)]*\)", " ", row["nom"])))
            for acronym in _epci_acronyms(row["nom"]):
                self.epci_by_acronym.setdefault(acronym, []).append(row["code"])
            for alias in self._epci_aliases(row["nom"]):
                if len(alias.split()) >= 3:  # 'Quimper Bretagne Occidentale' without its 'CA'
                    self.epci_strong.add(alias)
                lst = self.epci_by_name.setdefault(alias, [])
                if row["code"] not in lst:
                    lst.append(row["code"])
        for row in read_csv("departements.csv", data_dir):
            self.depts[row["code"]] = row["nom"]
            bare = _without_article(norm_name(row["nom"]))
            # 'Creuse', 'la Creuse', 'le Nord', "l'Ain": with or without its article (whichever it takes)
            for alias in {
                norm_name(row["nom"]),
                bare,
                *(f"{art} {bare}" for art in ("le", "la", "les", "l")),
            }:
                self.dept_by_name.setdefault(alias, []).append(row["code"])
        for q in read_json_gz("qpv2024.json.gz", data_dir)["qpvs"]:
            self.qpv_label[q["code"]] = q["label"]
            self.qpv_communes[q["code"]] = tuple(q["insee"])
            # 'Quartier du Haut-Gap' is also 'Haut-Gap', 'Cité des Fleurs' 'Fleurs'
            bare = _QPV_PREFIX.sub("", norm_name(q["label"]))
            for alias in {
                norm_name(q["label"]),
                _without_article(norm_name(q["label"])),
                bare if len(bare) >= 5 else "",
            }:
                if alias and q["code"] not in self.qpv_by_name.get(alias, ()):
                    self.qpv_by_name.setdefault(alias, []).append(q["code"])
            # composite labels 'Bout des landes - Bout des pavés' also match by their parts
            for part in re.split(r"\s[-/]\s|/|,", q["label"]):
                alias = norm_name(part)
                if alias and alias != norm_name(q["label"]) and len(alias) >= 5:
                    self.qpv_by_name.setdefault(alias, []).append(q["code"])
            arrs = self._qpv_arrondissements(q)
            if arrs:
                self.qpv_arrs[q["code"]] = arrs

    def _qpv_arrondissements(self, qpv: dict) -> frozenset[str]:
        """Arrondissements a QPV of Paris, Lyon or Marseille names in its label ('Centre Ville 3e
        Arrondissement').  Others stay unknown: the centre points of the arrondissements are too coarse to
        place a QPV (measured on Marseille: the nearest centre is often the neighbouring arrondissement's),
        and an arrondissement is a hard boundary."""
        city = next((c for c in qpv["insee"] if c in self.arr_of), "")
        if not city:
            return frozenset()
        return frozenset(self._ordinals(norm_name(qpv["label"]), city))

    @cached_property
    def _arr_cities(self) -> frozenset[str]:
        """Folded names of the communes divided into arrondissements ('paris', 'lyon', 'marseille')."""
        return frozenset(norm_name(self.communes[c].name) for c in self.arr_of if c in self.communes)

    def _ordinals(self, words: str, city: str) -> list[str]:
        """Arrondissement codes of ``city`` named in folded text: '3e', '15eme arrondissement', 'arr 4'."""
        found = [int(m.group(1)) for m in _ORDINAL.finditer(words)]
        found += [int(m.group(1)) for m in _ARR_NUMBER.finditer(words)]
        found += [_roman(m.group(1)) for m in _ROMAN_ORDINAL.finditer(words)]
        arrs = self.arr_of.get(city, {})
        return sorted({arrs[n] for n in found if n in arrs})

    def arrondissements_in_text(self, text: str, city: str) -> frozenset[str]:
        """Arrondissements of ``city`` named explicitly in a free text: 'Marseille 15e', 'le 3e
        arrondissement', '13015' (a bare '4eme' may be a floor: not enough on its own)."""
        if city not in self.arr_of:
            return frozenset()
        words = norm_name(text)
        found: set[str] = set()
        city_name = norm_name(self.communes[city].name)
        arrs = self.arr_of[city]
        for m in re.finditer(
            rf"\b{re.escape(city_name)} ?([1-9]|1[0-9]|20)(?: ?(?:e|er|eme|ieme|em))?\b", words
        ):
            if int(m.group(1)) in arrs:
                found.add(arrs[int(m.group(1))])
        # 'Paris XVIIe', 'Lyon IX' (after the city's name the suffix may be left out)
        for m in re.finditer(rf"\b{re.escape(city_name)} ([ivx]{{1,5}})(?: ?(?:e|er|eme|ieme))?\b", words):
            if _roman(m.group(1)) in arrs:
                found.add(arrs[_roman(m.group(1))])
        if city_name == "paris" and re.search(r"\bparis centre\b", words):
            # 'Paris Centre', the 1st to 4th arrondissements as one sector since 2020
            found.update(arrs[n] for n in (1, 2, 3, 4) if n in arrs)
        for m in _ORDINAL.finditer(words):
            after = words[m.end() : m.end() + 20]
            if _ARR_WORD.match(after.strip()) and int(m.group(1)) in arrs:
                found.add(arrs[int(m.group(1))])
        for m in _ARR_NUMBER.finditer(words):
            if int(m.group(1)) in arrs:
                found.add(arrs[int(m.group(1))])
        for m in _FIVE_DIGITS.finditer(words):
            found.update(a for a in self.arr_by_postcode.get(m.group(0), ()) if self.parent[a] == city)
        return frozenset(found)

    def _add_name(self, name: str, code: str, weak: bool = False) -> None:
        n = norm_name(name)
        for alias in {n, _without_article(n)}:
            lst = self.by_name.setdefault(alias, [])
            if code not in lst:
                if weak:
                    lst.append(code)
                else:
                    lst.insert(0, code)

    @staticmethod
    def _epci_aliases(name: str) -> set[str]:
        aliases = set()
        for inner in re.findall(r"\(([^)]+)\)", name):
            aliases.add(norm_name(inner))
        base = norm_name(re.sub(r"\([^)]*\)", " ", name))
        aliases.add(base)
        core = _EPCI_PREFIX.sub("", base).strip()
        core_words = [w for w in core.split() if w not in _STOP and w not in {"agglo", "agglomeration"}]
        if core_words:
            aliases.add(" ".join(core_words))
        return {a for a in aliases if a}

    # ------------------------------------------------------------------ lookups
    def commune_place(self, code: str, **extra: object) -> Place:
        com = self.communes[code]
        kw: dict = {
            "level": "commune",
            "commune": code,
            "epci": com.epci,
            "dept": com.dept,
            "communes": frozenset([code]),
            "lon": com.lon,
            "lat": com.lat,
        }
        kw.update(extra)
        return Place(**kw)

    def epci_place(self, siren: str) -> Place:
        members = self.epci_members.get(siren, [])
        depts = {self.communes[c].dept for c in members}
        lons = [self.communes[c].lon for c in members if self.communes[c].lon is not None]
        lats = [self.communes[c].lat for c in members if self.communes[c].lat is not None]
        return Place(
            level="epci",
            epci=siren,
            dept=next(iter(depts)) if len(depts) == 1 else "",
            communes=frozenset(members),
            lon=sum(lons) / len(lons) if lons else None,
            lat=sum(lats) / len(lats) if lats else None,
        )

    def _code_place(self, raw: str) -> Place | None:
        code = raw.strip().upper().replace(" ", "")
        if not code:
            return None
        if code.isdigit() and len(code) == 4:  # spreadsheet ate the leading zero
            code = "0" + code
        if code in self.communes:
            return self.commune_place(code)
        if code in self.parent:
            return self.commune_place(self.parent[code], arrs=frozenset([code]))
        if code in self.former:  # a former commune is a part of its commune actuelle, like a neighbourhood
            parent, name = self.former[code]
            return self.commune_place(parent, level="quartier", sub=name)
        if code in self.deleg_epci:
            epci, dept = self.deleg_epci[code]
            return Place(level="commune", commune=code, epci=epci, dept=dept, communes=frozenset([code]))
        if code in self.by_postcode:
            cands = self.by_postcode[code]
            best = max(cands, key=lambda c: self.communes[c].population)
            return self.commune_place(best, arrs=self._code_arrs(code, best))
        if code.isdigit() and len(code) == 9 and code in self.epci_name:
            return self.epci_place(code)
        if code in self.depts:
            return Place(level="dept", dept=code)
        return None

    def _find(
        self, index: dict[str, list[str]], words: list[str], min_len: int = 3
    ) -> list[tuple[int, int, str]]:
        """All (start, end, key) n-grams of ``words`` present in ``index``, longest first."""
        found = []
        n = len(words)
        for size in range(min(n, 10), 0, -1):
            for start in range(0, n - size + 1):
                key = " ".join(words[start : start + size])
                if len(key) >= min_len and key in index:
                    found.append((start, start + size, key))
        return found

    def _actual(self, code: str) -> str:
        """The commune actuelle a code stands for (a former commune's is its commune nouvelle's)."""
        return self.former[code][0] if code in self.former else code

    def _pick_commune(self, codes: list[str], dept_hint: str, near: tuple[str, ...] = ()) -> str:
        """The commune a name stands for: one of the hint's département, else one near the fabrique's
        départements ('La Madeleine' in Eure-et-Loir is not La Madeleine of the Nord), else the largest."""
        if dept_hint:
            inside = [
                c
                for c in codes
                if self._actual(c) in self.communes and self.communes[self._actual(c)].dept == dept_hint
            ]
            if not inside and near:
                inside = [c for c in codes if any(self._near_dept(c, d) for d in near)]
            if inside:
                codes = inside
        real = [c for c in codes if c in self.communes]
        if real:
            return max(real, key=lambda c: self.communes[c].population)
        return codes[0]

    def resolve(self, commune: str | None, label: str | None, dept_hint: str = "") -> Place:
        """Resolve a report's place from its commune code and territory label (both may be empty)."""
        key = (commune or "", label or "", dept_hint or "")
        place = self._resolved.get(key)
        if place is None:
            # ``dept_hint`` may list several départements ('59,13,23'): the first is the main one, all of
            # them are where a commune named without a code is looked for; it may end with the batch's cities
            # with arrondissements ('13,84,13055': a Marseille batch, see ``engine._batch_cities``)
            parts = [d for d in (dept_hint or "").split(",") if d]
            depts = tuple(d for d in parts if len(d) <= 3)
            cities = tuple(d for d in parts if d in self.arr_of)
            place = self._resolve(key[0], key[1], depts[0] if depts else "", depts, cities)
            if len(self._resolved) < 200_000:
                self._resolved[key] = place
        return place

    def _code_arrs(self, code: str, city: str) -> frozenset[str]:
        """Arrondissements of ``city`` that a code field means (its own code or its postal code)."""
        if code in self.parent and self.parent[code] == city:
            return frozenset([code])
        return frozenset(a for a in self.arr_by_postcode.get(code, ()) if self.parent[a] == city)

    def _names_city(self, label: str, city: str) -> bool:
        """Does a label point to a city with arrondissements (its name, an arrondissement, one of its QPV)?"""
        words = norm_name(label)
        if not words:
            return False
        if re.search(rf"\b{re.escape(norm_name(self.communes[city].name))}\b", words):
            return True
        if _ORDINAL.search(words) or _ARR_WORD.search(words) or _ROMAN_ORDINAL.search(words):
            return True
        return any(
            city in self.qpv_communes[q]
            for _s, _e, key in self._find(self.qpv_by_name, words.split(), min_len=4)
            for q in self.qpv_by_name[key]
        )

    def _resolve(
        self,
        commune: str,
        label: str,
        dept_hint: str,
        near: tuple[str, ...] = (),
        cities: tuple[str, ...] = (),
    ) -> Place:
        raw = (commune or "").strip().upper().replace(" ", "")
        if not raw:  # a code written in the label ('Les Olives 13013') is a postal code first
            for token in _FIVE_DIGITS.findall(fold(label)):
                if token in self.arr_by_postcode:
                    raw = commune = token
                    city = self.parent[next(iter(self.arr_by_postcode[token]))]
                    commune = city
                    break
                if token in self.by_postcode:
                    # a postal code first, even when it is also an INSEE code ('59100' is Roubaix's postal
                    # code and the INSEE code of another commune of the Nord)
                    raw = token
                    commune = max(self.by_postcode[token], key=lambda c: self.communes[c].population)
                    break
                if token in self.communes:
                    raw = token
                    break
            if (
                not raw
                and (near or dept_hint)
                and label
                and (_ARR_WORD.search(fold(label)) or _ORDINAL.search(fold(label)))
            ):
                # '13e arrondissement' in a fabrique of the Bouches-du-Rhône: Marseille; in a batch of several
                # départements, the one city of them that has that arrondissement ('19e': Paris, not Lyon)
                having = [
                    c
                    for c in self.arr_of
                    if self.communes[c].dept in (near or (dept_hint,)) and self._ordinals(norm_name(label), c)
                ]
                if len(having) == 1:
                    commune = having[0]
        if (raw in self.communes or raw in self.former) and commune == raw and label:
            # '13003 | Belle de Mai' is Marseille 3e, not Alleins; '59100 | Epeule' Roubaix, not Bousignies
            commune = self._postal_reading(raw, label, near, cities) or commune
        if (
            raw in self.arr_by_postcode
            and raw in self.communes
            and commune != self.parent.get(next(iter(self.arr_by_postcode[raw])), "")
        ):
            # '13003' is Alleins's INSEE code and the postal code of Marseille 3e: the label decides
            city = self.parent[next(iter(self.arr_by_postcode[raw]))]
            if self._names_city(label, city):
                commune = city
            else:
                place = self._resolve_base(raw, label, dept_hint, near)
                if place.commune == raw and not norm_name(label).replace(raw, "").strip():
                    # no label either way: the INSEE commune, with the arrondissement as second candidate
                    place = replace(place, communes=place.communes | {city}, arrs=self._code_arrs(raw, city))
                return place
        elif raw and not commune:
            commune = raw
        place = self._resolve_base(commune, label, dept_hint, near)
        city = place.commune
        if city not in self.arr_of:
            return place
        arrs = self._code_arrs(raw, city) if raw else frozenset()
        # 'Marseille (13)', 'Marseille, 13': the city's département in brackets or after a comma, not the 13e
        label = _DEPT_AFTER.sub(
            lambda m: " " if (m.group(1) or m.group(2)) == self.communes[city].dept else m.group(0), label
        )
        if not arrs and label:
            arrs = frozenset(self._ordinals(norm_name(label), city)) | self.arrondissements_in_text(
                label, city
            )
        if not arrs and place.qpv:
            arrs = self.qpv_arrs.get(place.qpv, frozenset())
        if arrs != place.arrs:
            place = replace(place, arrs=arrs)
        return place

    def _resolve_base(self, commune: str, label: str, dept_hint: str, near: tuple[str, ...] = ()) -> Place:
        base = self._code_place(commune or "") if commune else None
        words = norm_name(label).split()
        if not words:
            return base or Place()
        label_dept = ""
        for i, w in enumerate(words):
            # 'Paris 18', 'Marseille 15': after a city with arrondissements a number is the arrondissement
            if (
                w in self.depts
                and len(w) in (2, 3)
                and w.isdigit()
                and (i == 0 or words[i - 1] not in self._arr_cities)
            ):
                label_dept = w
        hint = (base.dept if base and base.dept else "") or label_dept or dept_hint
        has_epci_word = any(w in _EPCI_WORDS for w in words)

        # 1. intercommunality named in the label (matched without stop words: 'CC Erdre et Gesvres')
        content = [w for w in words if w not in _STOP]
        epci = ""
        for _s, _e, key in self._find(self.epci_by_name, content, min_len=4):
            cands = self.epci_by_name[key]
            if has_epci_word or key in self.epci_strong:
                if base and base.epci in cands:
                    epci = base.epci
                elif hint:
                    inside = [c for c in cands if hint in self._epci_depts(c)]
                    epci = inside[0] if inside else cands[0]
                else:
                    epci = cands[0]
                if epci:
                    break
        depts = near or ((hint,) if hint else ())  # the départements the place is looked for in
        acronym_words: set[str] = set()
        if not epci:
            epci, acronym_words = self._epci_by_capitals(label, base, depts)
        # 2. communes (and départements) named in the label; generic words never name a commune
        com_code = ""
        com_span = (0, 0)
        dept_hits = self._find(self.dept_by_name, words, min_len=3)
        named_depts = tuple(self.dept_by_name[key][0] for _s, _e, key in dept_hits)
        hits = [
            (e - s, s, e, key)
            for s, e, key in self._find(self.by_name, words, min_len=2)
            if key not in _SUB_WORDS
            and key not in _STOP
            and key not in acronym_words
            # a short word is a commune only alone, or a town of the fabrique's départements ('Gap Saint-Joseph')
            and not (
                e - s == 1
                and len(key) < 4
                and len(words) > 1
                and not self._short_town(key, depts + named_depts)
            )
            # nor is a name inside a longer département name ('Calais' in 'Arras, Pas-de-Calais')
            and not any(de - ds > e - s and ds <= s and e <= de for ds, de, _k in dept_hits)
        ]
        if hits and not base and (near or hint):
            # without a code, a commune far from the fabrique's départements is a homonym of a neighbourhood
            # ('Castellane' in a Marseille report is not Castellane, 04)
            hits = [
                h
                for h in hits
                if any(self._near_dept(c, d) for c in self.by_name[h[3]] for d in near or (hint,))
            ]
        if hits:
            # a name inside a longer one is part of it ('Nort' in 'Nort-sur-Erdre'); of two names side by side
            # the commune is the one of the fabrique's départements, then the larger ('Roubaix Saint-Michel' is
            # Roubaix, not Saint-Michel-sur-Orge; 'Villeurbanne Saint-Jean' is Villeurbanne)
            hits = [h for h in hits if not any(o[0] > h[0] and o[1] <= h[1] and h[2] <= o[2] for o in hits)]
            best = max(hits, key=lambda h: (*self._name_weight(h[3], depts or named_depts), h[0]))
            com_code = self._pick_commune(self.by_name[best[3]], hint, () if base else depts)
            com_span = (best[1], best[2])
        if com_code and not base and hint and self._outside(com_code, hint) and self._qpv_in(words, hint):
            # a QPV of the fabrique's département beats a commune of a neighbouring one ('La Madeleine' in
            # Chartres, not La Madeleine of the Eure; 'Ranguin - Saint Pierre - …' in Cannes)
            com_code, com_span = "", (0, 0)
        former_sub = ""
        if com_code in self.former:  # 'Lomme', 'Belligné': that part of the commune nouvelle
            com_code, former_sub = self.former[com_code]
        dept_span = (0, 0)
        if dept_hits and com_code and depts and self._actual(com_code) in self.communes:
            # a département far away beside a commune of the fabrique's is a neighbourhood's name
            # ('Toulouse Saint-Martin' is not the collectivité of Saint-Martin)
            own_dept = self.communes[self._actual(com_code)].dept
            if own_dept in depts:
                dept_hits = [h for h in dept_hits if self.dept_by_name[h[2]][0] in (own_dept, *depts)]
        if dept_hits:
            ds, de, dkey = dept_hits[0]
            dept_code = self.dept_by_name[dkey][0]
            in_dept = (
                [
                    c
                    for c in self.by_name[best[3]]
                    if c in self.communes and self.communes[c].dept == dept_code
                ]
                if com_code
                else []
            )
            if (
                in_dept
                and (de <= com_span[0] or ds >= com_span[1])
                and not (ds and words[ds - 1] in _SUB_WORDS)
            ):
                # 'Briançon, Hautes-Alpes', 'St-Louis (Haut-Rhin)': the département is context of the commune
                # named beside it, not a neighbourhood nor the place itself
                com_code = com_code if com_code in in_dept else self._pick_commune(in_dept, dept_code)
                dept_span = (ds, de)
            elif (
                not com_code
                or de - ds > com_span[1] - com_span[0]
                or (
                    de - ds == com_span[1] - com_span[0]
                    and (
                        {"departement", "dept", "dpt"} & set(words)
                        or ((ds, de) == com_span and not self._notable_commune(self.by_name[best[3]], depts))
                    )
                )
            ):
                label_dept = self.dept_by_name[dkey][0]
                if not base and not epci:
                    return Place(level="dept", dept=label_dept)
                com_code, com_span = "", (0, 0)
        if com_code and com_span[0] > 0 and words[com_span[0] - 1] == "grand":
            has_epci_word = True  # 'Grand Lyon', 'Grand Paris': the intercommunality of that city
        if com_code and not epci and has_epci_word and com_code in self.communes:
            # 'Pornic agglo': the intercommunality named after its main commune
            siren = self.communes[com_code].epci
            if siren and norm_name(self.communes[com_code].name) in norm_name(self.epci_name.get(siren, "")):
                epci = siren
        if (
            com_code
            and base
            and base.dept
            and com_code in self.communes
            and self.communes[com_code].dept != base.dept
        ):
            com_code, com_span = (
                "",
                (0, 0),
            )  # 'Bellevue' next to code 44162 is the QPV, not a commune of the 43
        if com_code and base and base.commune and com_code not in base.communes:
            # a QPV of the coded commune named in the label wins over a homonymous commune (but the label
            # 'Le Port' next to Le Port's code is the commune, not its QPV 'Le Port - Secteur Ouest')
            for _s, _e, key in self._find(self.qpv_by_name, words, min_len=4):
                if any(base.commune in self.qpv_communes[q] for q in self.qpv_by_name[key]):
                    com_code, com_span = "", (0, 0)
                    break
        # 3. QPV / neighbourhood
        qpv = ""
        area = set(base.communes) if base else set()
        if com_code:
            area.add(com_code)
        if epci and not area:
            area = set(self.epci_members.get(epci, []))
        rest = [
            w
            for i, w in enumerate(words)
            if not com_span[0] <= i < com_span[1] and not dept_span[0] <= i < dept_span[1]
        ]
        if com_code:
            # a QPV whose name holds the commune's ('Haut-Gap', 'quartier du Haut Gap' in Gap)
            for s, e, key in self._find(self.qpv_by_name, words, min_len=4):
                if s <= com_span[0] and com_span[1] <= e and e - s > com_span[1] - com_span[0]:
                    inside = [q for q in self.qpv_by_name[key] if area.intersection(self.qpv_communes[q])]
                    if inside:
                        qpv = inside[0]
                        break
        for _s, _e, key in [] if qpv else self._find(self.qpv_by_name, rest, min_len=4):
            cands = self.qpv_by_name[key]
            inside = [q for q in cands if area.intersection(self.qpv_communes[q])]
            if inside:
                qpv = inside[0]
                break
            generic = all(w in _SUB_WORDS or w in _STOP for w in key.split())
            if not area and hint and len(key) >= 5 and not generic:
                # a QPV of the fabrique's (or the batch's) départements, if only one has that name
                in_dept = [
                    q
                    for q in cands
                    if any(
                        c in self.communes and self.communes[c].dept in (near or (hint,))
                        for c in self.qpv_communes[q]
                    )
                ]
                if len(in_dept) == 1:
                    qpv = in_dept[0]
                    break
            if not area and len(cands) == 1 and len(key) >= 8 and not generic:
                qpv = cands[0]
                break
        sub = ""
        if not qpv:
            # after Paris, Lyon or Marseille a roman numeral is the arrondissement ('Lyon IX'), not a neighbourhood
            own_city = ((base.commune if base else "") or com_code) in self.arr_of
            leftover = _place_words(rest, own_city)
            own = (base.commune if base else "") or com_code
            if leftover and own in self.communes:
                # the commune's own name is not a neighbourhood of it ('05000 Gap' is Gap), nor part of one's
                # name: 'Lille-Sud', 'Lille Sud' and 'Lille, quartier Lille-Sud' are all 'sud' (the commune's name
                # may have been read as the commune or not), 'Gap, Haut-Gap' and 'Haut-Gap' both 'haut'
                name = [w for w in norm_name(self.communes[own].name).split() if w not in _STOP]
                if leftover == name or (len("".join(leftover)) >= 4 and name[: len(leftover)] == leftover):
                    leftover = []  # the whole name, or its first words ('Chamonix' for Chamonix-Mont-Blanc)
                elif name:
                    leftover = _without(leftover, name) or leftover
            # a neighbourhood that is not a QPV: 'Wazemmes' next to Lille's code, 'Lille - Wazemmes'
            if leftover and (com_code or base) and not epci:
                sub = _sub_name(leftover)
            sub = sub or former_sub

        # combine
        if qpv:
            q_communes = self.qpv_communes[qpv]
            main = base.commune if base and base.commune in q_communes else ""
            if not main and com_code in q_communes:
                main = com_code
            if not main:
                main = q_communes[0]
            if main in self.communes:
                return self.commune_place(main, level="qpv", qpv=qpv, communes=frozenset(q_communes))
        if (
            base
            and base.level == "commune"
            and com_code
            and com_code != base.commune
            and com_code in self.communes
        ):
            codes = [(commune or "").strip(), *_FIVE_DIGITS.findall(fold(label))]
            if any(com_code in self.by_postcode.get(code, ()) for code in codes):
                # '44150' is Ancenis's postal code, not INSEE 44150; 'Villard 05100' is that commune of
                # the postal code, not its most populous one
                base = self.commune_place(com_code)
        if base and base.level in ("commune", "quartier") and base.commune:
            extra_communes = {base.commune}
            if com_code and com_code != base.commune and com_code in self.communes:
                extra_communes.add(com_code)  # inconsistent fields: keep both candidates
            if base.commune in self.communes:
                if epci and epci == base.epci and has_epci_word and not sub:
                    # 'Nantes Métropole' written by a member commune: the need is intercommunal
                    return self.epci_place(epci)
                return self.commune_place(
                    base.commune,
                    level="quartier" if sub else "commune",
                    sub=sub,
                    communes=frozenset(extra_communes),
                )
            return base
        if epci and (not com_code or has_epci_word):
            return self.epci_place(epci)
        if com_code:
            if com_code in self.communes:
                return self.commune_place(com_code, level="quartier" if sub else "commune", sub=sub)
            epci_d, dept = self.deleg_epci.get(com_code, ("", ""))
            return Place(
                level="commune", commune=com_code, epci=epci_d, dept=dept, communes=frozenset([com_code])
            )
        if base:
            return base
        if label_dept:
            return Place(level="dept", dept=label_dept)
        return Place()

    def _name_weight(self, key: str, depts: tuple[str, ...]) -> tuple[bool, int]:
        """How likely a name of the label is the report's commune: (a commune of that name, or a former commune
        of one, is in ``depts``; the largest population of a commune of that name there). All of France without
        ``depts``. A former commune counts no inhabitants: the population is its commune nouvelle's."""
        codes = self.by_name[key]
        local = [c for c in codes if self._actual(c) in self.communes and self._in(self._actual(c), depts)]
        return bool(local), max((self.communes[c].population for c in local if c in self.communes), default=0)

    def _short_town(self, key: str, depts: tuple[str, ...]) -> bool:
        """A name of under four letters is read as a commune beside other words only for a town of the
        fabrique's départements ('Gap', 'Dax', 'Hem', 'Pau'), never a village ('Bar', 'Y')."""
        return bool(depts) and any(
            c in self.communes and self.communes[c].dept in depts and self.communes[c].population >= 2_000
            for c in self.by_name[key]
        )

    def _outside(self, code: str, dept: str) -> bool:
        actual = self._actual(code)
        return actual not in self.communes or self.communes[actual].dept != dept

    def _qpv_in(self, words: list[str], dept: str) -> bool:
        """Does the label name a QPV of the département?"""
        return any(
            c in self.communes and self.communes[c].dept == dept
            for _s, _e, key in self._find(self.qpv_by_name, words, min_len=5)
            for q in self.qpv_by_name[key]
            for c in self.qpv_communes[q]
        )

    def _in(self, code: str, depts: tuple[str, ...]) -> bool:
        return not depts or self.communes[code].dept in depts

    def _postal_reading(self, code: str, label: str, near: tuple[str, ...], cities: tuple[str, ...]) -> str:
        """For a code that is a commune's INSEE code and also a postal code of other communes (or of an
        arrondissement of Paris, Lyon, Marseille): the commune of the postal code the label places the report in
        (its name, a QPV or a neighbourhood of it: '97410 | Ravine Blanche' is Saint-Pierre's QPV, not
        Saint-Benoît), else the postal code's town (or arrondissement) when it is ten times the INSEE commune
        and the label names another place ('13003 | Belle de Mai' is Marseille 3e, not Alleins; '59100 | Epeule'
        Roubaix, not Bousignies), or the arrondissement's city when the batch is that city's ('13015 | La
        Castellane' in a Marseille batch is the 15e, not Bouc-Bel-Air). "" = read the code as the INSEE code (a
        label naming that commune, or nothing to go by)."""
        arrs = self.arr_by_postcode.get(code, set())
        postal = {self.parent[a] for a in arrs} | {
            c for c in self.by_postcode.get(code, ()) if c != code and c in self.communes
        }
        if not postal:
            return ""
        rest = norm_name(label).replace(code, " ").split()
        if not rest or not [w for w in rest if w not in _STOP and w not in _SUB_WORDS]:
            return ""
        actual = self.communes[self._actual(code)]
        name = self.former[code][1] if code in self.former else norm_name(actual.name)
        first = _without_article(name).split()[0]
        if len(first) >= 3 and first not in _GENERIC_SHORT and first in rest:
            return ""  # 'Aix centre' next to 13001 is Aix-en-Provence
        named = self._resolve_base("", " ".join(rest), actual.dept, near)
        if actual.code in named.communes:
            return ""  # the label names the INSEE commune, a QPV or a part of it
        if named.commune in postal:
            return named.commune
        if arrs and self.parent[next(iter(arrs))] in cities:
            return self.parent[next(iter(arrs))]  # a batch of Marseille's reports: '13015' is the 15e
        if arrs:
            main = self.parent[next(iter(arrs))]
            size = max(self.arr_population.get(a, 0) for a in arrs)
        else:
            main = max(postal, key=lambda c: self.communes[c].population)
            size = self.communes[main].population
        own = 0 if code in self.former else actual.population  # a former commune: a village at most
        if size < POSTAL_TOWN or size < POSTAL_RATIO * own:
            return ""
        return main

    def _notable_commune(self, codes: list[str], depts: tuple[str, ...]) -> bool:
        """Is a name shared by a département and communes rather the commune's? Only for a town (10,000
        inhabitants: 'Vienne', 'Mayenne') or a commune of the fabrique's départements ('Indre' for a fabrique of
        Loire-Atlantique); 'Creuse', 'Gironde', 'Loire' alone are the départements."""
        return any(
            c in self.communes
            and (self.communes[c].population >= NOTABLE_COMMUNE or self.communes[c].dept in depts)
            for c in codes
        )

    def _epci_by_capitals(
        self, label: str, base: Place | None, depts: tuple[str, ...]
    ) -> tuple[str, set[str]]:
        """An intercommunality named by its acronym in capitals ('Roubaix (MEL)', 'CUD', 'AMP'), and the folded
        acronym. An acronym shared by several EPCI counts only where one of them is the coded commune's or in
        the fabrique's départements; a capitalised commune name of those départements stays a commune ('GAP')."""
        for token in _CAPITALS.findall(_strip_accents(label)):
            key = token.lower()
            cands = self.epci_by_acronym.get(key)
            if not cands:
                continue
            if base and base.epci:
                inside = [c for c in cands if c == base.epci]
            elif depts:
                inside = [c for c in cands if any(d in self._epci_depts(c) for d in depts)]
                if any(
                    c in self.communes and self.communes[c].dept in depts for c in self.by_name.get(key, ())
                ):
                    continue
            else:
                inside = cands if len(cands) == 1 and key not in self.by_name else []
            if len(inside) == 1:
                return inside[0], {key}
        return "", set()

    @staticmethod
    def neighbourhood_key(label: str) -> str:
        """A label read as a neighbourhood's name, as ``Place.sub`` writes it ('quartier de Fives' -> 'fives')."""
        return _sub_name(_place_words(norm_name(label).split()))

    def mentions(self, text: str, place: Place, dept_hint: str = "") -> frozenset[str]:
        """Communes named in a free text, among those the place may cover (all of a département if unknown)."""
        words = norm_name(text).split()
        if not words:
            return frozenset()
        if place.level == "epci":
            allowed = set(self.epci_members.get(place.epci, ()))
        else:
            # a place's own département, else the batch's (all of them: a batch may hold several)
            depts = (
                [place.dept] if place.dept else [d for d in (dept_hint or "").split(",") if 0 < len(d) <= 3]
            )
            if not depts:
                return frozenset()
            allowed = set().union(*(self.dept_members.get(dept, set()) for dept in depts))
        found = set()
        for _s, _e, key in self._find(self.by_name, words, min_len=4):
            if key in _SUB_WORDS or key in _EPCI_WORDS:
                continue
            # a former commune named in the text ('à Lomme') is its commune nouvelle
            found.update(self._actual(c) for c in self.by_name[key] if self._actual(c) in allowed)
        return frozenset(found)

    @lru_cache(maxsize=256)  # noqa: B019 - one gazetteer per process
    def _dept_box(self, dept: str) -> tuple[float, float, float, float] | None:
        pts = [
            (self.communes[c].lon, self.communes[c].lat)
            for c in self.dept_members.get(dept, ())
            if self.communes[c].lon is not None
        ]
        if not pts:
            return None
        lons = [p[0] for p in pts]
        lats = [p[1] for p in pts]
        return min(lons), min(lats), max(lons), max(lats)

    def _near_dept(self, code: str, dept: str, margin_km: float = NEAR_DEPT_KM) -> bool:
        """Is a commune in the département or within ``margin_km`` of its communes' bounding box?"""
        com = self.communes.get(self._actual(code))
        if com is None or com.dept == dept:
            return True
        box = self._dept_box(dept)
        if box is None or com.lon is None or com.lat is None:
            return True
        dlat = margin_km / 110.57
        dlon = margin_km / (111.32 * math.cos(math.radians(com.lat)))
        return box[0] - dlon <= com.lon <= box[2] + dlon and box[1] - dlat <= com.lat <= box[3] + dlat

    @lru_cache(maxsize=4096)  # noqa: B019 - one gazetteer per process
    def _epci_depts(self, siren: str) -> frozenset[str]:
        return frozenset(self.communes[c].dept for c in self.epci_members.get(siren, []))


def _place_words(words: list[str], own_city: bool = False) -> list[str]:
    """The words of a label that may name a neighbourhood: no stop word, number, intercommunality word or
    arrondissement ('3e', 'XVIIe', 'arrondissement'; after Paris, Lyon or Marseille a bare roman numeral)."""
    return [
        w
        for w in words
        if w not in _STOP
        and not w.isdigit()
        and w not in _EPCI_WORDS
        and not _ORDINAL.fullmatch(w)
        and not _ROMAN_ORDINAL.fullmatch(w)
        and not (own_city and re.fullmatch(r"[ivx]{1,5}", w))
        and not _ARR_WORD.fullmatch(w)
    ]


def _sub_name(words: list[str]) -> str:
    """A neighbourhood's name as ``Place.sub`` writes it: without 'quartier', 'cité'… unless that is all."""
    return " ".join(w for w in words if w not in _SUB_WORDS) or " ".join(words)


def _without(words: list[str], name: list[str]) -> list[str]:
    """``words`` with every occurrence of the word sequence ``name`` taken out."""
    kept, i = [], 0
    while i < len(words):
        if words[i : i + len(name)] == name:
            i += len(name)
        else:
            kept.append(words[i])
            i += 1
    return kept


@lru_cache(maxsize=1)
def territories() -> Territories:
    """The process-wide gazetteer (about 1 s to load, then cached)."""
    return Territories()


def distance_km(a: Place, b: Place) -> float | None:
    if a.lon is None or b.lon is None or a.lat is None or b.lat is None:
        return None
    dx = (a.lon - b.lon) * math.cos(math.radians((a.lat + b.lat) / 2)) * 111.32
    dy = (a.lat - b.lat) * 110.57
    return math.hypot(dx, dy)


def overlap(a: Place, b: Place) -> float:
    """How compatible two places are for being the same need.

    1.0  same commune, commune and a QPV/neighbourhood in it, commune and its EPCI, same EPCI;
    0.7  two different neighbourhoods of the same commune;
    0.5  one side unknown, or a département and a place inside it;
    0.0  disjoint places (two different communes, a commune and another EPCI, different départements).
    """
    if a.level == "unknown" or b.level == "unknown":
        return 0.5
    if a.level == "dept" or b.level == "dept":
        da, db = a.dept or "", b.dept or ""
        if not da or not db:
            return 0.5
        return 0.5 if da == db else 0.0
    if a.commune and b.commune:
        if a.commune != b.commune and not (a.communes & b.communes):
            return 0.0
        qa, qb = a.qpv or a.sub, b.qpv or b.sub
        if qa and qb and qa != qb:
            return 0.7
        return 1.0
    # at least one side is EPCI-level
    if a.communes & b.communes:
        return 1.0
    if a.epci and a.epci == b.epci:
        return 1.0
    return 0.0
