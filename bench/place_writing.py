#!/usr/bin/env python
"""How much the grouping of each dev-set territory depends on how its places are written.

    .venv/bin/python bench/place_writing.py        # about 1 min

Each territory of bench/data/devset_fr is grouped by the shipped engine (in sample: the figures compare ways of
writing, they are not the leave-one-territory-out headline) as written, then with every coded report's place
written another way, the way other fabriques write theirs:

* "name, no code": the commune field empty, the commune's name (or 'Marseille 3e' for an arrondissement)
  before the label;
* "postal code": the commune field holds the commune's postal code (an arrondissement's for an arrondissement
  code), as typed by hand; a city's own code is kept (13055 has no single postal code);
* "label (dept)": the commune's département code in brackets after the label;
* "UPPER label": the label in capitals;
* "arr. as '3e'": an arrondissement code replaced by its ordinal in the label ('3e Belle de Mai'), no code;
* "arr. → city code": an arrondissement code replaced by its city's (13055: the arrondissement is lost).

Prints one Markdown table of pairwise F1; a way of writing that loses more than a point or two shows a place the
engine reads wrongly (eighth round: postal codes cost Marseille 0.778 -> 0.341 before the postal reading).
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fabrique.settings.base")

Report = dict


def variants(terr) -> dict[str, Callable[[Report], Report]]:
    postal: dict[str, str] = {}
    for code, communes in terr.by_postcode.items():
        for commune in communes:
            postal.setdefault(commune, code)
    for code, arrs in terr.arr_by_postcode.items():
        for arr in arrs:
            postal.setdefault(arr, code)
    for city in terr.arr_of:
        postal[city] = city

    def name_of(code: str) -> str:
        if code in terr.communes:
            return terr.communes[code].name
        if code in terr.parent:
            city = terr.parent[code]
            number = next(n for n, arr in terr.arr_of[city].items() if arr == code)
            return f"{terr.communes[city].name} {number}e"
        return ""

    def arr_number(code: str) -> int:
        return next(n for n, arr in terr.arr_of[terr.parent[code]].items() if arr == code)

    def dept_of(code: str) -> str:
        actual = terr.parent.get(code, code)
        return terr.communes[actual].dept if actual in terr.communes else ""

    def label(r: Report) -> str:
        return str(r.get("territory_label") or "")

    return {
        "as written": lambda r: r,
        "name, no code": lambda r: (
            {**r, "commune": "", "territory_label": f"{name_of(r['commune'])} {label(r)}".strip()}
            if r.get("commune") and name_of(r["commune"])
            else r
        ),
        "postal code": lambda r: (
            {**r, "commune": postal.get(r["commune"], r["commune"])} if r.get("commune") else r
        ),
        "label (dept)": lambda r: (
            {**r, "territory_label": f"{label(r)} ({dept_of(r['commune'])})"}
            if r.get("commune") and dept_of(r["commune"])
            else r
        ),
        "UPPER label": lambda r: {**r, "territory_label": label(r).upper()},
        "arr. as '3e'": lambda r: (
            {**r, "commune": "", "territory_label": f"{arr_number(r['commune'])}e {label(r)}".strip()}
            if r.get("commune") in terr.parent
            else r
        ),
        "arr. → city code": lambda r: (
            {**r, "commune": terr.parent[r["commune"]]} if r.get("commune") in terr.parent else r
        ),
    }


def main() -> None:
    from fabrique.grouping.engine import group_reports
    from fabrique.grouping.metrics import pairwise
    from fabrique.grouping.territory import territories

    ways = variants(territories())
    print("| territory | " + " | ".join(ways) + " |")
    print("|---|" + "---:|" * len(ways))
    for path in sorted((ROOT / "bench" / "data" / "devset_fr").glob("*.jsonl")):
        rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
        truth = {r["id"]: r["label"] for r in rows}
        cells = [
            f"{pairwise(truth, group_reports([way(dict(r)) for r in rows])).f1:.3f}" for way in ways.values()
        ]
        print(f"| {path.stem} | " + " | ".join(cells) + " |", flush=True)


if __name__ == "__main__":
    main()
