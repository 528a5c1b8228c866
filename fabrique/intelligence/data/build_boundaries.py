"""Rebuild the simplified boundaries the maps and diagnoses draw (see SOURCES.md in this folder).

    python fabrique/intelligence/data/build_boundaries.py

Reads, in `fabrique/territories/data/` (copies of the shared reference data, provenance there):
- `communes44_2018.geojson.gz`: commune boundaries of Loire-Atlantique, COG 2018 (IGN Admin Express);
- `departements_simplified_2018.geojson.gz`: the 96 metropolitan départements;
- `communes.csv.gz` and `communes_parents.csv`: today's communes (COG 2026) and former codes.

Writes, here:
- `communes44.geojson.gz`: one feature per commune actuelle of today (COG 2026): the 2018 polygons of
  the communes merged since are gathered under the code of the commune nouvelle (MultiPolygon);
  simplified (Douglas-Peucker, 0.0008° ≈ 60 m) and rounded to 4 decimals (≈ 10 m);
- `departements.geojson.gz`: the département outlines simplified to 0.004° (≈ 300 m).

Standard library only; deterministic output.
"""

from __future__ import annotations

import csv
import gzip
import json
from pathlib import Path
from typing import Any

Point = Any  # an [x, y] pair of the GeoJSON

HERE = Path(__file__).resolve().parent
SOURCE = HERE.parent.parent / "territories" / "data"
COMMUNE_TOLERANCE = 0.0008
DEPARTEMENT_TOLERANCE = 0.004
# 2018 codes of communes merged since without a commune déléguée (absent from communes_parents.csv)
MERGED_WITHOUT_DELEGATED = {"44160": "44003"}  # Saint-Géréon → Ancenis-Saint-Géréon (2019)


def _distance(point: Point, start: Point, end: Point) -> float:
    (x, y), (x1, y1), (x2, y2) = point, start, end
    dx, dy = x2 - x1, y2 - y1
    if dx == 0 and dy == 0:
        return float(((x - x1) ** 2 + (y - y1) ** 2) ** 0.5)
    t = max(0.0, min(1.0, ((x - x1) * dx + (y - y1) * dy) / (dx * dx + dy * dy)))
    px, py = x1 + t * dx, y1 + t * dy
    return float(((x - px) ** 2 + (y - py) ** 2) ** 0.5)


def simplify(points: list[Any], tolerance: float) -> list[Any]:
    """Douglas-Peucker on one ring (iterative)."""
    if len(points) < 4:
        return points
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        first, last = stack.pop()
        best, index = 0.0, None
        for i in range(first + 1, last):
            d = _distance(points[i], points[first], points[last])
            if d > best:
                best, index = d, i
        if index is not None and best > tolerance:
            keep[index] = True
            stack += [(first, index), (index, last)]
    return [p for p, k in zip(points, keep, strict=True) if k]


def _ring(ring: list[Any], tolerance: float) -> list[Any] | None:
    out = simplify(ring, tolerance)
    out = [[round(x, 4), round(y, 4)] for x, y in out]
    deduped = [p for i, p in enumerate(out) if i == 0 or p != out[i - 1]]
    if len(deduped) < 4:
        return None
    if deduped[0] != deduped[-1]:
        deduped.append(deduped[0])
    return deduped


def _polygons(geometry: dict[str, Any]) -> list[Any]:
    return [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]


def _simplified(polygons: list[Any], tolerance: float) -> list[Any]:
    result = []
    for polygon in polygons:
        rings = [r for r in (_ring(ring, tolerance) for ring in polygon) if r]
        if rings:
            result.append(rings)
    return result


def build_communes() -> dict[str, Any]:
    with gzip.open(SOURCE / "communes.csv.gz", "rt", encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    current = {r["code"]: r["nom"] for r in rows if r["type"] == "commune-actuelle"}
    with (SOURCE / "communes_parents.csv").open(encoding="utf-8", newline="") as fh:
        parents = {r["code"]: r["parent"] for r in csv.DictReader(fh) if r["parent"]}
    with gzip.open(SOURCE / "communes44_2018.geojson.gz", "rt", encoding="utf-8") as fh:
        source = json.load(fh)
    gathered: dict[str, list[Any]] = {}
    for feature in source["features"]:
        code = feature["properties"]["code"]
        target = code if code in current else parents.get(code) or MERGED_WITHOUT_DELEGATED.get(code)
        if target not in current:
            raise SystemExit(f"2018 code {code} has no commune actuelle")
        gathered.setdefault(target, []).extend(_simplified(_polygons(feature["geometry"]), COMMUNE_TOLERANCE))
    features = [
        {
            "type": "Feature",
            "properties": {"code": code, "name": current[code]},
            "geometry": {"type": "MultiPolygon", "coordinates": polygons},
        }
        for code, polygons in sorted(gathered.items())
    ]
    return {"type": "FeatureCollection", "features": features}


def build_departements() -> dict[str, Any]:
    with gzip.open(SOURCE / "departements_simplified_2018.geojson.gz", "rt", encoding="utf-8") as fh:
        source = json.load(fh)
    features = [
        {
            "type": "Feature",
            "properties": {"code": f["properties"]["code"], "name": f["properties"]["nom"]},
            "geometry": {
                "type": "MultiPolygon",
                "coordinates": _simplified(_polygons(f["geometry"]), DEPARTEMENT_TOLERANCE),
            },
        }
        for f in sorted(source["features"], key=lambda f: f["properties"]["code"])
    ]
    return {"type": "FeatureCollection", "features": features}


def _write(name: str, data: dict[str, Any]) -> None:
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    with gzip.GzipFile(HERE / name, "wb", mtime=0) as fh:
        fh.write(text.encode("utf-8"))
    print(f"{name}: {len(data['features'])} features, {len(text) // 1024} KiB uncompressed")


if __name__ == "__main__":
    _write("communes44.geojson.gz", build_communes())
    _write("departements.geojson.gz", build_departements())
