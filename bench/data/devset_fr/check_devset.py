#!/usr/bin/env python3
"""Check the national development set (bench/data/devset_fr/*.jsonl) and print its counts.

Checks: every line is a JSON object with a non-empty ``id`` unique across all files, a non-empty
``label`` and a ``territory`` equal to the file's name; a non-empty ``commune`` is a code of the
reference file (communes and municipal arrondissements, COG); every label lives in one territory;
every label named in ``hard_negatives.json`` exists. Exit status 1 when a check fails.

Usage: python bench/data/devset_fr/check_devset.py [directory]
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import sys
from collections import Counter, defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
COMMUNES = HERE.parents[2] / "fabrique" / "territories" / "data" / "communes.csv.gz"
KINDS = ("neighbour", "theme", "public", "twin")
KNOWN_FIELDS = {
    "id",
    "commune",
    "territory_label",
    "public",
    "theme",
    "reporter_type",
    "title",
    "description",
    "date",
    "label",
    "territory",
}


def commune_codes() -> set[str]:
    with gzip.open(COMMUNES, "rb") as fh:
        return {row["code"] for row in csv.DictReader(io.TextIOWrapper(fh, encoding="utf-8"))}


def load(directory: Path) -> tuple[list[dict], list[str]]:
    rows: list[dict] = []
    errors: list[str] = []
    for path in sorted(directory.glob("*.jsonl")):
        for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            where = f"{path.name}:{lineno}"
            try:
                row = json.loads(line)
            except json.JSONDecodeError as exc:
                errors.append(f"{where}: invalid JSON ({exc})")
                continue
            if not isinstance(row, dict):
                errors.append(f"{where}: not an object")
                continue
            row["_where"] = where
            row["_file"] = path.stem
            rows.append(row)
    return rows, errors


def check(directory: Path = HERE) -> tuple[list[str], dict[str, dict[str, int]]]:
    """Return (errors, counts per territory)."""
    rows, errors = load(directory)
    codes = commune_codes()
    seen: set[str] = set()
    label_territories: dict[str, set[str]] = defaultdict(set)
    for row in rows:
        where = row["_where"]
        unknown = set(row) - KNOWN_FIELDS - {"_where", "_file"}
        if unknown:
            errors.append(f"{where}: unknown fields {sorted(unknown)}")
        rid = row.get("id")
        if not isinstance(rid, str) or not rid.strip():
            errors.append(f"{where}: missing id")
        elif rid in seen:
            errors.append(f"{where}: duplicate id {rid}")
        else:
            seen.add(rid)
        label = row.get("label")
        if not isinstance(label, str) or not label.strip():
            errors.append(f"{where}: missing label")
        territory = row.get("territory")
        if territory != row["_file"]:
            errors.append(f"{where}: territory {territory!r} differs from the file name")
        commune = row.get("commune") or ""
        if commune and commune not in codes:
            errors.append(f"{where}: unknown commune code {commune!r}")
        if not (row.get("title") or row.get("description")):
            errors.append(f"{where}: no text")
        if isinstance(label, str) and label:
            label_territories[label].add(str(territory))
    for label, terrs in sorted(label_territories.items()):
        if len(terrs) > 1:
            errors.append(f"label {label!r} spans several territories: {sorted(terrs)}")

    negatives_path = directory / "hard_negatives.json"
    negative_labels: set[str] = set()
    kinds_of: dict[str, set[str]] = defaultdict(set)
    if negatives_path.exists():
        for lineno, entry in enumerate(json.loads(negatives_path.read_text(encoding="utf-8")), 1):
            labels = entry["labels"]
            if entry.get("kind") not in KINDS:
                errors.append(f"hard_negatives.json #{lineno}: unknown kind {entry.get('kind')!r}")
            if len(set(labels)) < 2:
                errors.append(f"hard_negatives.json #{lineno}: fewer than two distinct labels")
            for label in labels:
                if label not in label_territories:
                    errors.append(f"hard_negatives.json #{lineno}: unknown label {label!r}")
                kinds_of[label].add(entry.get("kind", ""))
            negative_labels.update(labels)

    counts: dict[str, dict[str, int]] = {}
    by_territory: dict[str, list[dict]] = defaultdict(list)
    for row in rows:
        by_territory[str(row.get("territory"))].append(row)
    for territory, trows in sorted(by_territory.items()):
        sizes = Counter(r.get("label") for r in trows)
        grouped = sum(n for n in sizes.values() if n > 1)
        counts[territory] = {
            "reports": len(trows),
            "needs": len(sizes),
            "groups": sum(1 for n in sizes.values() if n > 1),
            "singletons": sum(1 for n in sizes.values() if n == 1),
            "in_groups": grouped,
            "hard_negative_reports": sum(1 for r in trows if r.get("label") in negative_labels),
        }
        for kind in KINDS:
            counts[territory][f"hn_{kind}"] = sum(
                1 for r in trows if kind in kinds_of.get(r.get("label"), ())
            )
    return errors, counts


def main() -> int:
    directory = Path(sys.argv[1]) if len(sys.argv) > 1 else HERE
    errors, counts = check(directory)
    header = ["territory", "reports", "needs", "groups", "singletons", "in groups", "hard neg."]
    header += [f"hn {kind}" for kind in KINDS]
    print(" | ".join(header))
    total = Counter()
    for territory, c in counts.items():
        total.update(c)
        print(
            f"{territory} | {c['reports']} | {c['needs']} | {c['groups']} | {c['singletons']} | "
            f"{c['in_groups']} ({c['in_groups'] / c['reports']:.0%}) | "
            f"{c['hard_negative_reports']} ({c['hard_negative_reports'] / c['reports']:.0%}) | "
            + " | ".join(str(c[f"hn_{kind}"]) for kind in KINDS)
        )
    if total["reports"]:
        print(
            f"total | {total['reports']} | {total['needs']} | {total['groups']} | {total['singletons']} | "
            f"{total['in_groups']} ({total['in_groups'] / total['reports']:.0%}) | "
            f"{total['hard_negative_reports']} ({total['hard_negative_reports'] / total['reports']:.0%}) | "
            + " | ".join(str(total[f"hn_{kind}"]) for kind in KINDS)
        )
    for error in errors:
        print("ERROR", error, file=sys.stderr)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
