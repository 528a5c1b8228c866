"""Load the reference tables of the French administrative division from the files in `data/`.

`territories_load()` is idempotent: it reads every file, compares with what the database holds
and only inserts, updates or deletes the difference (in bulk), inside one transaction. A second
run writes nothing. See docs/territories.md.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from django.db import connection, models, transaction

from fabrique.core.text import normalize

from .models import EPCI, QPV, Commune, Departement, PostalCode, Region, SearchEntry, SearchTerm
from .reference import read_csv, read_json_gz
from .search_index import search_index_rebuild

DATA_DIR = Path(__file__).resolve().parent / "data"
M = TypeVar("M", bound=models.Model)

# epci.csv spells the kinds as the source does; the model keeps shorter values.
EPCI_KINDS = {
    "METRO": EPCI.Kind.METROPOLE,
    "MET69": EPCI.Kind.METROPOLE_LYON,
    "CU": EPCI.Kind.URBAINE,
    "CA": EPCI.Kind.AGGLOMERATION,
    "CC": EPCI.Kind.COMMUNES,
}
BATCH = 2000


@dataclass
class LoadReport:
    """What a load changed, per table: {"communes": {"created": 3, "updated": 0, "deleted": 0}, ...}."""

    counts: dict[str, dict[str, int]] = field(default_factory=dict)

    def add(self, table: str, *, created: int = 0, updated: int = 0, deleted: int = 0) -> None:
        row = self.counts.setdefault(table, {"created": 0, "updated": 0, "deleted": 0})
        row["created"] += created
        row["updated"] += updated
        row["deleted"] += deleted

    @property
    def changed(self) -> bool:
        return any(any(v.values()) for v in self.counts.values())


def _read_csv(name: str) -> list[dict[str, str]]:
    return read_csv(name, DATA_DIR)


def _read_json_gz(name: str) -> dict[str, Any]:
    return read_json_gz(name, DATA_DIR)


def _departement_of(insee_code: str) -> str:
    return insee_code[:3] if insee_code.startswith("97") else insee_code[:2]


def _int_or_none(value: str) -> int | None:
    return int(value) if value not in ("", None) else None


def _sync(
    model: type[M],
    *,
    existing: Iterable[M],
    desired: dict[Any, M],
    key: Callable[[M], object],
    fields: list[str],
) -> tuple[int, int]:
    """Insert the `desired` instances missing from `existing`, update those whose `fields` differ.

    `desired` maps a natural key to an unsaved instance. Rows absent from `desired` are kept
    (other tables may point at them). Returns (created, updated).
    """
    current = {key(obj): obj for obj in existing}
    to_create: list[M] = []
    to_update: list[M] = []
    for k, new in desired.items():
        old = current.get(k)
        if old is None:
            to_create.append(new)
            continue
        changed = False
        for name in fields:
            value = getattr(new, name)
            if getattr(old, name) != value:
                setattr(old, name, value)
                changed = True
        if changed:
            to_update.append(old)
    if to_create:
        model._default_manager.bulk_create(to_create, batch_size=BATCH)
    if to_update:
        model._default_manager.bulk_update(to_update, fields, batch_size=BATCH)
    return len(to_create), len(to_update)


def _sync_pairs(
    through: type[models.Model],
    *,
    left: str,
    right: str,
    scope: models.QuerySet[Any],
    desired: set[tuple[Any, Any]],
) -> tuple[int, int]:
    """Make the rows of a link table within `scope` equal to `desired` (pairs of ids). Returns (created, deleted)."""
    current = {(a, b): pk for pk, a, b in scope.values_list("pk", left, right)}
    stale = [pk for pair, pk in current.items() if pair not in desired]
    new = [through(**{left: a, right: b}) for a, b in desired if (a, b) not in current]
    if stale:
        for i in range(0, len(stale), BATCH):
            through._default_manager.filter(pk__in=stale[i : i + BATCH]).delete()
    if new:
        through._default_manager.bulk_create(new, batch_size=BATCH)
    return len(new), len(stale)


def territories_load(*, departements: Iterable[str] | None = None) -> LoadReport:
    """Load régions, départements, EPCI (all of them) and communes, postal codes, QPVs.

    `departements` restricts communes, postal codes and QPVs to those département codes; rows of
    other départements already in the database are left as they are.
    """
    only = {code.strip().upper() for code in departements} if departements else None
    if only is not None:
        only = {code.zfill(2) if code.isdigit() else code for code in only}
    report = LoadReport()
    with transaction.atomic():
        _load_regions(report)
        _load_departements(report)
        _load_epcis(report)
        _load_communes(report, only)
        _load_qpvs(report, only)
        created, updated, deleted = search_index_rebuild()
        report.add("search_index", created=created, updated=updated, deleted=deleted)
        if report.changed:
            _analyze()
    return report


def _analyze() -> None:
    """Refresh the planner statistics of the tables just filled (the search relies on them)."""
    tables = [m._meta.db_table for m in (Commune, PostalCode, QPV, SearchEntry, SearchTerm)]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"ANALYZE {', '.join(tables)}")
        elif connection.vendor == "sqlite":
            for table in tables:
                cursor.execute(f"ANALYZE {table}")


def _load_regions(report: LoadReport) -> None:
    desired = {r["code"]: Region(code=r["code"], name=r["nom"]) for r in _read_csv("regions.csv")}
    created, updated = _sync(
        Region, existing=Region.objects.all(), desired=desired, key=lambda o: o.code, fields=["name"]
    )
    report.add("regions", created=created, updated=updated)


def _load_departements(report: LoadReport) -> None:
    desired = {
        r["code"]: Departement(
            code=r["code"], name=r["nom"], region_id=r["region"], search_name=normalize(r["nom"])
        )
        for r in _read_csv("departements.csv")
    }
    created, updated = _sync(
        Departement,
        existing=Departement.objects.all(),
        desired=desired,
        key=lambda o: o.code,
        fields=["name", "region_id", "search_name"],
    )
    report.add("departements", created=created, updated=updated)


def _load_epcis(report: LoadReport) -> None:
    rows = _read_csv("epci.csv")
    desired = {
        r["code"]: EPCI(
            siren=r["code"],
            name=r["nom"],
            kind=EPCI_KINDS[r["type"]],
            population=_int_or_none(r["population_municipale"]),
            search_name=normalize(r["nom"]),
        )
        for r in rows
    }
    created, updated = _sync(
        EPCI,
        existing=EPCI.objects.all(),
        desired=desired,
        key=lambda o: o.siren,
        fields=["name", "kind", "population", "search_name"],
    )
    report.add("epcis", created=created, updated=updated)
    through = EPCI.departements.through
    pairs = {(r["code"], dep) for r in rows for dep in r["departements"].split("|") if dep}
    created, deleted = _sync_pairs(
        through, left="epci_id", right="departement_id", scope=through.objects.all(), desired=pairs
    )
    report.add("epci_departements", created=created, deleted=deleted)


def _load_communes(report: LoadReport, only: set[str] | None) -> None:
    rows = _read_csv("communes.csv.gz")
    if only is not None:
        rows = [r for r in rows if r["departement"] in only]
    centres = {r["insee"]: (float(r["lon"]), float(r["lat"])) for r in _read_csv("communes_centroids.csv.gz")}
    parents = {(r["code"], r["type"]): r["parent"] for r in _read_csv("communes_parents.csv")}
    epcis = set(EPCI.objects.values_list("siren", flat=True))
    with_centre = {Commune.Kind.CURRENT, Commune.Kind.ARRONDISSEMENT}

    desired: dict[tuple[str, str], Commune] = {}
    for r in rows:
        kind = r["type"]
        lon, lat = centres.get(r["code"], (None, None)) if kind in with_centre else (None, None)
        desired[(r["code"], kind)] = Commune(
            code=r["code"],
            kind=kind,
            name=r["nom"],
            population=_int_or_none(r["population"]),
            departement_id=r["departement"] or None,
            region_id=r["region"] or None,
            epci_id=r["epci"] if r["epci"] in epcis else None,
            postal_codes=" ".join(pc for pc in r["codes_postaux"].split("|") if pc),
            longitude=lon,
            latitude=lat,
            search_name=normalize(r["nom"]),
        )
    scope = Commune.objects.all() if only is None else Commune.objects.filter(departement_id__in=only)
    fields = [
        "name",
        "population",
        "departement_id",
        "region_id",
        "epci_id",
        "postal_codes",
        "longitude",
        "latitude",
        "search_name",
    ]
    created, updated = _sync(
        Commune, existing=scope, desired=desired, key=lambda o: (o.code, o.kind), fields=fields
    )

    # Second pass: parents (commune actuelle of a déléguée/associée/arrondissement), by id.
    ids = {(code, kind): pk for pk, code, kind in Commune.objects.values_list("pk", "code", "kind")}
    current_id = {code: pk for (code, kind), pk in ids.items() if kind == Commune.Kind.CURRENT}
    to_update = []
    for obj in scope.only("pk", "code", "kind", "parent_id"):
        key = (obj.code, obj.kind)
        if key not in desired:
            continue
        parent_id = None
        if obj.kind != Commune.Kind.CURRENT:
            # The extract gives the chef-lieu; without it, a déléguée sharing its commune
            # nouvelle's code belongs to that commune.
            parent_id = current_id.get(parents.get(key, obj.code))
        if obj.parent_id != parent_id:
            obj.parent_id = parent_id
            to_update.append(obj)
    if to_update:
        Commune.objects.bulk_update(to_update, ["parent_id"], batch_size=BATCH)
    report.add("communes", created=created, updated=updated)
    report.add("commune_parents", updated=len(to_update))

    # Postal codes: one row per (code, commune) for the communes of the file.
    loaded_ids = [ids[key] for key in desired]
    wanted = {(pc, ids[key]) for key, obj in desired.items() for pc in obj.postal_codes.split()}
    pc_scope = (
        PostalCode.objects.all() if only is None else PostalCode.objects.filter(commune_id__in=loaded_ids)
    )
    created, deleted = _sync_pairs(
        PostalCode, left="code", right="commune_id", scope=pc_scope, desired=wanted
    )
    report.add("postal_codes", created=created, deleted=deleted)


def _load_qpvs(report: LoadReport, only: set[str] | None) -> None:
    qpvs = _read_json_gz("qpv2024.json.gz")["qpvs"]
    # Commune code -> id of the commune actuelle holding it (a déléguée code resolves to its parent).
    holder: dict[str, int] = {}
    for pk, code, kind, parent_id in Commune.objects.values_list("pk", "code", "kind", "parent_id"):
        if kind == Commune.Kind.CURRENT:
            holder[code] = pk
        elif kind != Commune.Kind.ARRONDISSEMENT and parent_id:
            holder.setdefault(code, parent_id)
    dep_of = dict(Commune.objects.filter(kind=Commune.Kind.CURRENT).values_list("code", "departement_id"))

    def in_scope(q: dict[str, Any]) -> bool:
        return only is None or any(dep_of.get(code, _departement_of(code)) in only for code in q["insee"])

    selected = [q for q in qpvs if in_scope(q)]
    desired = {
        q["code"]: QPV(
            code=q["code"],
            name=q["label"],
            search_name=normalize(q["label"]),
            geometry={"type": "MultiPolygon", "coordinates": q["g"]},
        )
        for q in selected
    }
    scope = QPV.objects.all() if only is None else QPV.objects.filter(code__in=list(desired))
    created, updated = _sync(
        QPV, existing=scope, desired=desired, key=lambda o: o.code, fields=["name", "search_name", "geometry"]
    )
    report.add("qpvs", created=created, updated=updated)

    through = QPV.communes.through
    pairs = {(q["code"], holder[code]) for q in selected for code in q["insee"] if code in holder}
    link_scope = (
        through.objects.filter(qpv_id__in=list(desired)) if only is not None else through.objects.all()
    )
    created, deleted = _sync_pairs(
        through, left="qpv_id", right="commune_id", scope=link_scope, desired=pairs
    )
    report.add("qpv_communes", created=created, deleted=deleted)
