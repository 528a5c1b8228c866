"""Combining the values of small territories into larger ones: EPCI, département, France, or a zone.

Methods (documented in docs/intelligence.md):
- sum: the sum of the values (counts);
- weighted_mean: the mean weighted by each territory's population (rates and shares); without
  populations (IRIS) it is the plain mean;
- ratio: Σ(value × denominator) / Σ denominator — i.e. Σ numerators / Σ denominators × 100;
- weighted_median: the median of the population-weighted mixture of the territories' income
  distributions, each taken as log-normal around its published median with the national dispersion
  (D9/D1 ≈ 3.4). It approximates the true median of the larger territory, which would need the
  individual incomes INSEE does not publish at every level;
- mean: the plain mean of the territories' values.

A larger territory gets a computed value only when the file covers at least COVERAGE_MIN of its
population (commune or EPCI sources; a secret value counts as covered): a sum over half of a
département would be wrong. IRIS are only
published for communes of 5,000 inhabitants or more: values from IRIS are combined over the IRIS
published, whatever the coverage, and the indicator's method note says so.
"""

from __future__ import annotations

import csv
import gzip
import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from .models import FRANCE_CODE, Aggregation, Level, ValueStatus

COVERAGE_MIN = 0.95
# Dispersion of the log of disposable income per consumption unit: the interdecile ratio D9/D1 of about
# 3.4 (INSEE, France, 2021) gives sigma = ln(3.4) / (2 × 1.2816) ≈ 0.48.
SIGMA = math.log(3.4) / (2 * 1.2816)
TERRITORIES_DATA = Path(__file__).resolve().parent.parent / "territories" / "data"


@dataclass(frozen=True)
class Item:
    code: str
    value: float | None
    status: str
    weight: float | None = None


@dataclass(frozen=True)
class Combined:
    value: float | None
    status: str
    weight: float | None
    count: int  # territories with a value
    coverage: float | None  # share of the population covered (None when unknown)


def combine(items: Iterable[Item], aggregation: str) -> Combined:
    """Combine `items` with `aggregation`; secret and missing items are left out."""
    items = list(items)
    usable = [i for i in items if i.status == ValueStatus.OK and i.value is not None]
    if aggregation == Aggregation.NONE or not usable:
        status = (
            ValueStatus.SECRET if any(i.status == ValueStatus.SECRET for i in items) else ValueStatus.MISSING
        )
        return Combined(None, status if items else ValueStatus.MISSING, None, 0, None)
    values = [float(i.value) for i in usable if i.value is not None]
    weights = [i.weight or 0.0 for i in usable]
    weighted = all(i.weight is not None and i.weight > 0 for i in usable)
    total_weight = sum(weights) if weighted else None
    value: float
    if aggregation == Aggregation.SUM:
        value = sum(values)
    elif aggregation in (Aggregation.WEIGHTED_MEAN, Aggregation.RATIO) and weighted and total_weight:
        value = sum(v * w for v, w in zip(values, weights, strict=True)) / total_weight
    elif aggregation == Aggregation.WEIGHTED_MEDIAN:
        value = _weighted_median(list(zip(values, weights if weighted else [1.0] * len(values), strict=True)))
    else:  # mean, or a weighted aggregation without weights
        value = sum(values) / len(values)
    return Combined(value, ValueStatus.OK, total_weight, len(usable), None)


def _weighted_median(pairs: list[tuple[float, float]]) -> float:
    """Median of a population-weighted mixture of log-normal distributions centred on each median.

    Each territory's income distribution is taken as log-normal around its published median with the
    national dispersion (SIGMA). The median of the mixture is found by bisection on its cumulative
    distribution. Unlike the plain weighted median of the medians, it does not jump to the value of the
    largest commune (Nantes would otherwise be "the" median of Loire-Atlantique).
    """
    pairs = [(v, w) for v, w in pairs if v > 0 and w > 0]
    if not pairs:
        return 0.0
    if len(pairs) == 1:
        return pairs[0][0]
    total = sum(w for _v, w in pairs)
    logs = [(math.log(v), w / total) for v, w in pairs]
    low, high = min(v for v, _w in pairs), max(v for v, _w in pairs)
    root2 = math.sqrt(2.0) * SIGMA

    def cdf(x: float) -> float:
        lx = math.log(x)
        return sum(w * 0.5 * (1.0 + math.erf((lx - m) / root2)) for m, w in logs)

    for _step in range(40):
        middle = (low + high) / 2
        if cdf(middle) < 0.5:
            low = middle
        else:
            high = middle
    return (low + high) / 2


# --- geography: which commune belongs where, with its population ----------------------------------------


@dataclass
class Geography:
    """Where each commune code belongs, with populations; totals per EPCI, département and France.

    `population` and `current_of` know every code a file may use: communes actuelles, arrondissements
    municipaux (Paris, Lyon and Marseille are published by arrondissement) and communes déléguées or
    associées (files of an older geography), each mapped to its commune actuelle. Totals only count
    communes actuelles, so nothing is counted twice.
    """

    population: dict[str, int]
    current_of: dict[str, str]
    epci_of: dict[str, str]  # commune actuelle -> EPCI SIREN
    departement_of: dict[str, str]  # commune actuelle -> département code
    france_population: int
    epci_population: dict[str, int] | None = None

    def current(self, code: str) -> str:
        return self.current_of.get(code, code)

    def totals(self, level: str) -> dict[str, int]:
        if level == Level.EPCI and self.epci_population:
            return self.epci_population
        mapping = self.epci_of if level == Level.EPCI else self.departement_of
        out: dict[str, int] = defaultdict(int)
        for code, parent in mapping.items():
            if parent:
                out[parent] += self.population.get(code, 0)
        return dict(out)

    @classmethod
    def from_db(cls) -> Geography:
        from django.db.models import Sum

        from fabrique.territories.models import EPCI, Commune

        population, current_of, epci_of, departement_of = {}, {}, {}, {}
        rows = Commune.objects.values_list(
            "code", "kind", "population", "parent__code", "epci_id", "departement_id"
        ).order_by("code", "kind")
        others = []
        for code, kind, pop, parent, epci, dep in rows:
            if kind == Commune.Kind.CURRENT:
                population[code] = pop or 0
                epci_of[code] = epci or ""
                departement_of[code] = dep or ""
            else:
                others.append((code, pop, parent))
        for code, pop, parent in others:
            if code in epci_of:  # a commune déléguée sharing its commune nouvelle's code
                continue
            population.setdefault(code, pop or 0)
            if parent:
                current_of[code] = parent
        # Only some départements may be loaded: France is the sum of every EPCI (all are loaded).
        epci_population = {siren: pop or 0 for siren, pop in EPCI.objects.values_list("siren", "population")}
        epci_total = EPCI.objects.aggregate(n=Sum("population"))["n"] or 0
        france = max(epci_total, sum(population[c] for c in epci_of))
        return cls(population, current_of, epci_of, departement_of, france, epci_population=epci_population)

    @classmethod
    def from_files(cls) -> Geography:
        """From the COG extract shipped with the territories app (the whole of France, whatever is loaded)."""
        population, current_of, epci_of, departement_of = {}, {}, {}, {}
        with (TERRITORIES_DATA / "communes_parents.csv").open(encoding="utf-8", newline="") as fh:
            parents = {(r["code"], r["type"]): r["parent"] for r in csv.DictReader(fh)}
        others = []
        with gzip.open(TERRITORIES_DATA / "communes.csv.gz", "rt", encoding="utf-8", newline="") as fh:
            for row in csv.DictReader(fh):
                code, kind = row["code"], row["type"]
                if kind == "commune-actuelle":
                    population[code] = int(row["population"] or 0)
                    epci_of[code] = row["epci"]
                    departement_of[code] = row["departement"]
                else:
                    others.append((code, kind, int(row["population"] or 0)))
        for code, kind, pop in others:
            if code in epci_of:
                continue
            population.setdefault(code, pop)
            parent = parents.get((code, kind))
            if parent:
                current_of[code] = parent
        return cls(population, current_of, epci_of, departement_of, sum(population[c] for c in epci_of))


def commune_of(code: str, level: str) -> str:
    return code[:5] if level == Level.IRIS else code


def computed_values(
    *,
    items: list[Item],
    level: str,
    aggregation: str,
    geography: Geography,
    skip: frozenset[tuple[str, str]] | set[tuple[str, str]] = frozenset(),
) -> list[tuple[str, str, Combined]]:
    """(level, code, combined value) of the larger territories `items` (of `level`) add up to.

    Commune sources give EPCI, département and France values; IRIS sources give commune values too;
    EPCI and département sources give France. `skip` holds (level, code) that the file itself provides.
    """
    if aggregation == Aggregation.NONE or not items:
        return []
    targets: list[tuple[str, dict[str, str], bool]] = []  # (level, code -> parent, check coverage)
    if level in (Level.COMMUNE, Level.IRIS):
        check = level == Level.COMMUNE
        if level == Level.IRIS:
            targets.append((Level.COMMUNE, {}, False))
        targets += [
            (Level.EPCI, geography.epci_of, check),
            (Level.DEPARTEMENT, geography.departement_of, check),
            (Level.FRANCE, {}, check),
        ]
    elif level in (Level.EPCI, Level.DEPARTEMENT):
        targets.append((Level.FRANCE, {}, True))

    results = []
    for target, parent_of, check in targets:
        groups: dict[str, list[Item]] = defaultdict(list)
        for item in items:
            commune = geography.current(commune_of(item.code, level))
            if target == Level.COMMUNE:
                key = commune
            elif target == Level.FRANCE:
                key = FRANCE_CODE
            else:
                key = parent_of.get(commune, "")
            if key:
                groups[key].append(item)
        totals = geography.totals(target) if target in (Level.EPCI, Level.DEPARTEMENT) else {}
        source_totals = geography.totals(level) if level in (Level.EPCI, Level.DEPARTEMENT) else {}
        for code, group in groups.items():
            if (target, code) in skip:
                continue
            combined = combine(group, aggregation)
            coverage = None
            if check:
                covered = _covered_population(group, level, geography, source_totals)
                total = geography.france_population if target == Level.FRANCE else totals.get(code, 0)
                coverage = covered / total if total else 0.0
                if coverage < COVERAGE_MIN:
                    continue
            results.append(
                (
                    target,
                    code,
                    Combined(combined.value, combined.status, combined.weight, combined.count, coverage),
                )
            )
    return results


def _covered_population(
    group: list[Item], level: str, geography: Geography, source_totals: dict[str, int]
) -> int:
    """Population of the territories the file covers (a secret value still covers its territory)."""
    seen = {i.code for i in group}
    if level == Level.COMMUNE:
        return sum(geography.population.get(code, 0) for code in seen)
    return sum(source_totals.get(code, 0) for code in seen)
