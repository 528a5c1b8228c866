"""Geometry helpers: distances between commune centres, shipped boundaries, a small SVG map.

Boundaries come from `fabrique/intelligence/data/` (built by `build_boundaries.py`, provenance in
SOURCES.md there): the communes of Loire-Atlantique (COG 2026 codes) and the metropolitan
départements. Elsewhere, communes are drawn as circles at their centre point.
"""

from __future__ import annotations

import functools
import gzip
import json
import math
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.utils.html import escape

DATA_DIR = Path(__file__).resolve().parent / "data"
EARTH_RADIUS_KM = 6371.0


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance (haversine)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


@functools.lru_cache(maxsize=2)
def _features(name: str) -> dict[str, dict[str, Any]]:
    path = DATA_DIR / name
    if not path.exists():
        return {}
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        data = json.load(fh)
    return {f["properties"]["code"]: f for f in data["features"]}


def commune_boundaries(codes: Iterable[str]) -> dict[str, dict[str, Any]]:
    """{code: GeoJSON geometry} of the communes whose boundary is shipped."""
    shipped = _features("communes44.geojson.gz")
    return {code: shipped[code]["geometry"] for code in codes if code in shipped}


def departement_boundaries(codes: Iterable[str]) -> dict[str, dict[str, Any]]:
    shipped = _features("departements.geojson.gz")
    return {code: shipped[code]["geometry"] for code in codes if code in shipped}


def _rings(geometry: dict[str, Any]) -> list[list[Any]]:
    if not geometry:
        return []
    if geometry["type"] == "Polygon":
        return list(geometry["coordinates"])
    if geometry["type"] == "MultiPolygon":
        return [ring for polygon in geometry["coordinates"] for ring in polygon]
    return []


def geometry_centre(geometry: dict[str, Any]) -> tuple[float, float] | None:
    """(lat, lon) of the centre of the outer rings' bounding box (good enough to place a marker)."""
    points = [p for ring in _rings(geometry) for p in ring]
    if not points:
        return None
    lons, lats = [p[0] for p in points], [p[1] for p in points]
    return (min(lats) + max(lats)) / 2, (min(lons) + max(lons)) / 2


# --- a small SVG map for pages and PDF documents ----------------------------------------------------------


@dataclass
class SvgShape:
    geometry: dict[str, Any] | None  # polygons, or None for a circle at (lat, lon)
    lat: float | None = None
    lon: float | None = None
    fill: str = "#ffffff"
    stroke: str = "#6b7680"
    width: float = 0.6
    dash: str = ""
    radius: float = 4.0
    title: str = ""
    text: str = ""  # a label written at (lat, lon) instead of a shape


def svg_map(shapes: list[SvgShape], *, width: int = 640, height: int = 480, label: str = "") -> str:
    """An inline SVG of `shapes`, projected (equirectangular, scaled by the cosine of the latitude)
    to fit `width` × `height`. Returns "" when nothing has coordinates."""
    points = []
    for shape in shapes:
        if shape.geometry:
            points += [(p[1], p[0]) for ring in _rings(shape.geometry) for p in ring]
        elif shape.lat is not None and shape.lon is not None:
            points.append((shape.lat, shape.lon))
    if not points:
        return ""
    lats, lons = [p[0] for p in points], [p[1] for p in points]
    min_lat, max_lat, min_lon, max_lon = min(lats), max(lats), min(lons), max(lons)
    kx = math.cos(math.radians((min_lat + max_lat) / 2))
    span_x = max((max_lon - min_lon) * kx, 1e-4)
    span_y = max(max_lat - min_lat, 1e-4)
    margin = 12
    scale = min((width - 2 * margin) / span_x, (height - 2 * margin) / span_y)
    used_w, used_h = span_x * scale, span_y * scale
    off_x, off_y = (width - used_w) / 2, (height - used_h) / 2

    def xy(lat: float, lon: float) -> tuple[float, float]:
        return off_x + (lon - min_lon) * kx * scale, off_y + (max_lat - lat) * scale

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'role="img" aria-label="{escape(label)}" class="zone-map">'
    ]
    for shape in shapes:
        title = f"<title>{escape(shape.title)}</title>" if shape.title else ""
        dash = f' stroke-dasharray="{shape.dash}"' if shape.dash else ""
        if shape.geometry:
            d = []
            for ring in _rings(shape.geometry):
                coords = [xy(p[1], p[0]) for p in ring]
                d.append("M" + "L".join(f"{x:.1f},{y:.1f}" for x, y in coords) + "Z")
            parts.append(
                f'<path d="{"".join(d)}" fill="{shape.fill}" stroke="{shape.stroke}" '
                f'stroke-width="{shape.width}"{dash} fill-rule="evenodd">{title}</path>'
            )
        elif shape.text and shape.lat is not None and shape.lon is not None:
            x, y = xy(shape.lat, shape.lon)
            text = escape(shape.text)
            font = 'text-anchor="middle" font-family="DejaVu Sans, Arial, sans-serif" font-size="11" font-weight="bold"'
            # a white halo drawn first, then the text: readable on any fill, in browsers and WeasyPrint
            parts.append(
                f'<text x="{x:.1f}" y="{y:.1f}" {font} fill="#ffffff" stroke="#ffffff" stroke-width="3" '
                f'aria-hidden="true">{text}</text>'
            )
            parts.append(f'<text x="{x:.1f}" y="{y:.1f}" {font} fill="#1b1f24">{text}</text>')
        elif shape.lat is not None and shape.lon is not None:
            x, y = xy(shape.lat, shape.lon)
            parts.append(
                f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{shape.radius:.1f}" fill="{shape.fill}" '
                f'stroke="{shape.stroke}" stroke-width="{shape.width}"{dash}>{title}</circle>'
            )
    parts.append("</svg>")
    return "".join(parts)


# Sequential palette (light to dark blue), readable in print; 0 stays white.
CHOROPLETH = ["#ffffff", "#dbe8f5", "#a9c8e6", "#6c9fcf", "#3b73ad", "#1f4e79"]


def choropleth_classes(values: Iterable[int]) -> list[int]:
    """Upper bounds of up to 5 classes for positive counts (0 has its own class)."""
    positive = sorted({v for v in values if v > 0})
    if not positive:
        return []
    if len(positive) <= 5:
        return positive
    step = len(positive) / 5
    bounds = [positive[min(len(positive) - 1, int(round(step * (i + 1))) - 1)] for i in range(5)]
    return sorted(set(bounds))


def choropleth_colour(value: int, bounds: list[int]) -> str:
    if value <= 0 or not bounds:
        return CHOROPLETH[0]
    for i, bound in enumerate(bounds):
        if value <= bound:
            return CHOROPLETH[min(i + 1, len(CHOROPLETH) - 1)]
    return CHOROPLETH[-1]
