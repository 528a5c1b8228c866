"""Reference indicators shared by every fabrique: INSEE Filosofi 2021 by commune and by IRIS.

`reference_indicators_load()` reads the files shipped in `fabrique/territories/data/`
(`filosofi2021_communes.json.gz`, `filosofi2021_iris.json.gz`, provenance in SOURCES.md there),
computes the EPCI, département and France references (method in `references.py` and
docs/intelligence.md) from the whole of France — whatever départements are loaded — and syncs the
`IndicatorValue` rows: only the difference is written, so a second run writes nothing.
"""

from __future__ import annotations

import functools
import gzip
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from .models import FRANCE_CODE, Aggregation, Indicator, IndicatorValue, Level, ValueOrigin, ValueStatus
from .references import Geography, Item, commune_of, computed_values

DATA_DIR = Path(__file__).resolve().parent.parent / "territories" / "data"
BATCH = 2000

FILOSOFI_SOURCE = _(
    "INSEE, Filosofi 2021 (revenus localisés sociaux et fiscaux), fichier communal via data.gouv.fr"
)
FILOSOFI_IRIS_SOURCE = _("INSEE, Filosofi 2021 par IRIS (BASE_TD_FILO_IRIS_2021_DISP)")
FILOSOFI_LICENCE = _("Conditions de réutilisation de l'INSEE : réutilisation libre, mention de la source")
METHOD_MEDIAN = _(
    "Communes : valeur publiée par l'INSEE. Intercommunalité, département et France : médiane du mélange des "
    "distributions de revenus des communes pondérées par leur population, chacune supposée log-normale autour "
    "de son revenu médian avec la dispersion nationale (rapport interdécile 3,4) ; approximation de la médiane "
    "exacte, que le fichier communal ne permet pas de calculer."
)
METHOD_MINIMA = _(
    "Communes : valeur publiée (communes hors secret statistique, surtout les plus peuplées). Intercommunalité, "
    "département et France : moyenne des communes publiées pondérée par leur population."
)
METHOD_POVERTY = _(
    "IRIS : valeur publiée (IRIS des communes de 5 000 habitants ou plus, hors secret). Commune, "
    "intercommunalité, département et France : moyenne simple des IRIS publiés, faute de population par IRIS "
    "dans le fichier ; les petites communes, sans IRIS publié, n'y figurent pas."
)
METHOD_IRIS_ONLY = _("Valeur publiée par IRIS ; pas de calcul pour les territoires plus larges.")


@dataclass(frozen=True)
class Spec:
    code: str
    name: str | Promise
    description: str | Promise
    file: str  # "communes" or "iris"
    key: str
    level: str
    unit: str
    higher_is_worse: bool | None
    aggregation: str
    decimals: int
    order: int
    method: str | Promise


SPECS = [
    Spec(
        "filosofi-2021-revenu-median",
        _("Revenu disponible médian par unité de consommation"),
        _(
            "La moitié des habitants vit dans un ménage dont le revenu disponible par unité de consommation "
            "(après impôts et prestations) est inférieur à ce montant annuel."
        ),
        "communes",
        "median_eur",
        Level.COMMUNE,
        "€",
        False,
        Aggregation.WEIGHTED_MEDIAN,
        0,
        10,
        METHOD_MEDIAN,
    ),
    Spec(
        "filosofi-2021-taux-pauvrete",
        _("Taux de pauvreté (seuil à 60 % du revenu médian)"),
        _(
            "Part des habitants vivant sous le seuil de pauvreté monétaire (60 % du revenu disponible médian)."
        ),
        "iris",
        "poverty_rate_pct",
        Level.IRIS,
        "%",
        True,
        Aggregation.MEAN,
        1,
        20,
        METHOD_POVERTY,
    ),
    Spec(
        "filosofi-2021-part-minima-sociaux",
        _("Part des minima sociaux dans le revenu disponible"),
        _("Part du revenu disponible des ménages qui vient des minima sociaux (RSA, minimum vieillesse…)."),
        "communes",
        "minima_pct",
        Level.COMMUNE,
        "%",
        True,
        Aggregation.WEIGHTED_MEAN,
        1,
        30,
        METHOD_MINIMA,
    ),
    Spec(
        "filosofi-2021-revenu-median-iris",
        _("Revenu disponible médian par unité de consommation (IRIS)"),
        _(
            "Revenu disponible médian par unité de consommation à l'échelle de l'IRIS (quartier de 2 000 habitants environ)."
        ),
        "iris",
        "median_eur",
        Level.IRIS,
        "€",
        False,
        Aggregation.NONE,
        0,
        40,
        METHOD_IRIS_ONLY,
    ),
    Spec(
        "filosofi-2021-gini-iris",
        _("Indice de Gini du revenu disponible (IRIS)"),
        _("Inégalité des revenus disponibles : 0 quand tous ont le même revenu, 1 quand un seul a tout."),
        "iris",
        "gini",
        Level.IRIS,
        "",
        True,
        Aggregation.NONE,
        3,
        50,
        METHOD_IRIS_ONLY,
    ),
]

REFERENCE_CODES = tuple(spec.code for spec in SPECS)
MEDIAN_INCOME = SPECS[0].code
POVERTY_RATE = SPECS[1].code


@dataclass
class LoadReport:
    indicators: dict[str, int] = field(default_factory=lambda: {"created": 0, "updated": 0})
    values: dict[str, int] = field(default_factory=lambda: {"created": 0, "updated": 0, "deleted": 0})

    @property
    def changed(self) -> bool:
        return any(self.indicators.values()) or any(self.values.values())


def _read(name: str) -> dict[str, Any]:
    with gzip.open(DATA_DIR / name, "rb") as fh:
        data: dict[str, Any] = json.load(fh)
    return data


def _indicator_fields(spec: Spec, meta: dict[str, Any]) -> dict[str, Any]:
    source = FILOSOFI_SOURCE if spec.file == "communes" else FILOSOFI_IRIS_SOURCE
    url = (
        "https://www.data.gouv.fr/fr/datasets/revenu-des-francais-a-la-commune/"
        if spec.file == "communes"
        else "https://www.insee.fr/fr/statistiques/8229323"
    )
    return {
        "name": str(spec.name),
        "description": str(spec.description),
        "source": str(source),
        "source_url": url,
        "vintage": str(meta.get("data_year", 2021)),
        "unit": spec.unit,
        "licence": str(FILOSOFI_LICENCE),
        "level": spec.level,
        "higher_is_worse": spec.higher_is_worse,
        "aggregation": spec.aggregation,
        "decimals": spec.decimals,
        "order": spec.order,
        "method_note": str(spec.method),
    }


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def reference_indicators_load(*, departements: list[str] | None = None) -> LoadReport:
    """Create or refresh the Filosofi reference indicators and their values (idempotent).

    `departements` limits the commune, IRIS and EPCI values to those départements; département and
    France references are always computed from the whole of France.
    """
    only = frozenset(code.strip().upper().zfill(2) for code in departements) if departements else None
    report = LoadReport()
    metas, rows = _reference_rows(only)
    with transaction.atomic():
        desired: dict[tuple[int, str, str], tuple[Any, ...]] = {}
        indicators = []
        for spec in SPECS:
            indicator = _upsert_indicator(spec, metas[spec.file], report)
            indicators.append(indicator)
            for (level, code), row in rows[spec.code].items():
                desired[(indicator.pk, level, code)] = row
        _sync_values(indicators, desired, report, full=only is None)
    return report


@functools.lru_cache(maxsize=4)
def _reference_rows(
    only: frozenset[str] | None,
) -> tuple[dict[str, Any], dict[str, dict[tuple[str, str], tuple[Any, ...]]]]:
    """File metadata and, per indicator code, {(level, code): (value, status, weight, origin)}.

    Pure function of the shipped files (cached: tests reload the same data after each flush).
    """
    files = {"communes": _read("filosofi2021_communes.json.gz"), "iris": _read("filosofi2021_iris.json.gz")}
    rows_of = {"communes": files["communes"]["communes"], "iris": files["iris"]["iris"]}
    geography = Geography.from_files()
    epcis_in_scope = (
        {epci for commune, epci in geography.epci_of.items() if geography.departement_of.get(commune) in only}
        if only is not None
        else set()
    )

    def in_scope(level: str, code: str) -> bool:
        if only is None or level in (Level.DEPARTEMENT, Level.FRANCE):
            return True
        if level == Level.EPCI:
            return code in epcis_in_scope
        commune = geography.current(commune_of(code, level))
        departement = geography.departement_of.get(commune) or (
            code[:3] if code.startswith("97") else code[:2]
        )
        return departement in only

    out: dict[str, dict[tuple[str, str], tuple[Any, ...]]] = {}
    for spec in SPECS:
        weighted = spec.aggregation in (Aggregation.WEIGHTED_MEAN, Aggregation.WEIGHTED_MEDIAN)
        items = []
        for code, values in rows_of[spec.file].items():
            population = geography.population.get(code) if weighted and spec.level == Level.COMMUNE else None
            weight = float(population) if population else None
            if spec.key in values:
                items.append(Item(code, float(values[spec.key]), ValueStatus.OK, weight))
            else:  # in the file but not published for this variable: a statistical secret
                items.append(Item(code, None, ValueStatus.SECRET, weight))
        rows: dict[tuple[str, str], tuple[Any, ...]] = {}
        for item in items:
            if item.status == ValueStatus.OK and in_scope(spec.level, item.code):
                rows[(spec.level, item.code)] = (
                    _round(item.value),
                    item.status,
                    item.weight,
                    ValueOrigin.FILE,
                )
        for level, code, combined in computed_values(
            items=items, level=spec.level, aggregation=spec.aggregation, geography=geography
        ):
            if in_scope(level, code):
                rows[(level, code)] = (
                    _round(combined.value),
                    combined.status,
                    _round(combined.weight),
                    ValueOrigin.COMPUTED,
                )
        out[spec.code] = rows
    return {name: data["meta"] for name, data in files.items()}, out


def _upsert_indicator(spec: Spec, meta: dict[str, Any], report: LoadReport) -> Indicator:
    fields = _indicator_fields(spec, meta)
    indicator = Indicator.all_objects.filter(fabrique__isnull=True, code=spec.code).first()
    if indicator is None:
        report.indicators["created"] += 1
        return Indicator.all_objects.create(fabrique=None, code=spec.code, **fields)
    changed = [name for name, value in fields.items() if getattr(indicator, name) != value]
    if indicator.deleted_at is not None:
        indicator.deleted_at = None
        changed.append("deleted_at")
    if changed:
        for name in changed:
            if name != "deleted_at":
                setattr(indicator, name, fields[name])
        indicator.save(update_fields=[*changed, "updated_at"])
        report.indicators["updated"] += 1
    return indicator


def _sync_values(
    indicators: list[Indicator],
    desired: dict[tuple[int, str, str], tuple[Any, ...]],
    report: LoadReport,
    *,
    full: bool,
) -> None:
    existing = {
        (indicator_id, level, code): (pk, (value, status, weight, origin))
        for pk, indicator_id, level, code, value, status, weight, origin in IndicatorValue.objects.filter(
            indicator__in=indicators
        ).values_list("pk", "indicator_id", "level", "code", "value", "status", "weight", "origin")
    }
    to_create, to_update = [], []
    for key, row in desired.items():
        value, status, weight, origin = row
        found = existing.get(key)
        if found is None:
            to_create.append(
                IndicatorValue(
                    indicator_id=key[0],
                    level=key[1],
                    code=key[2],
                    value=value,
                    status=status,
                    weight=weight,
                    origin=origin,
                )
            )
        elif found[1] != row:
            to_update.append(
                IndicatorValue(
                    pk=found[0],
                    indicator_id=key[0],
                    level=key[1],
                    code=key[2],
                    value=value,
                    status=status,
                    weight=weight,
                    origin=origin,
                )
            )
    stale = [pk for key, (pk, _row) in existing.items() if key not in desired] if full else []
    if to_create:
        IndicatorValue.objects.bulk_create(to_create, batch_size=BATCH)
    if to_update:
        IndicatorValue.objects.bulk_update(
            to_update, ["value", "status", "weight", "origin"], batch_size=BATCH
        )
    for i in range(0, len(stale), BATCH):
        IndicatorValue.objects.filter(pk__in=stale[i : i + BATCH]).delete()
    report.values["created"] += len(to_create)
    report.values["updated"] += len(to_update)
    report.values["deleted"] += len(stale)


def reference_indicator(code: str) -> Indicator | None:
    return Indicator.objects.filter(fabrique__isnull=True, code=code).first()


__all__ = ["FRANCE_CODE", "REFERENCE_CODES", "reference_indicators_load", "reference_indicator"]
