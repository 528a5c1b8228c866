#!/usr/bin/env python3
"""Turn the hand-written sources in src/<territory>.txt into <territory>.jsonl (standard library only).

This script only changes the layout: every title and description is written by hand in the source
file; nothing is generated, combined or paraphrased here.

Source format (one file per territory):
  ``= label``                        starts a need (every following report shares this label);
  ``commune | territory_label | public | theme | reporter_type | title | description``
                                     one report per line ("\\n" in the description = line break);
  ``~ kind: label label ...``        a hard-negative set: these needs look alike but are different
                                     (kind: neighbour, theme, public, twin); labels may belong to
                                     other territories (``twin``);
  ``#`` comment lines and blank lines are ignored.

Output: ``<territory>.jsonl`` with ids ``<prefix>-NNNN`` in a seeded shuffled order (file order tells
nothing), a date drawn in 2023-2025 (about one in ten left empty), a ``territory`` field, and
``hard_negatives.json`` (the list of hard-negative sets).
"""

from __future__ import annotations

import json
import random
import sys
import zlib
from pathlib import Path

HERE = Path(__file__).resolve().parent
FIELDS = ["commune", "territory_label", "public", "theme", "reporter_type", "title", "description"]
PREFIX = {
    "marseille": "mrs",
    "lille": "lil",
    "creuse": "crz",
    "tourist": "alp",
    "midsize": "mlu",
    "overseas": "reu",
    "lyon": "lyo",
    "paris": "par",
    "mulhouse": "mul",
}


def parse(path: Path) -> tuple[list[dict], list[dict]]:
    reports: list[dict] = []
    negatives: list[dict] = []
    label = ""
    for lineno, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("= "):
            label = line[2:].strip()
            continue
        if line.startswith("~ "):
            kind, _, rest = line[2:].partition(":")
            labels = rest.split()
            if not labels or len(labels) < 2:
                raise SystemExit(f"{path.name}:{lineno}: a hard-negative set needs two labels")
            negatives.append({"kind": kind.strip(), "labels": labels, "source": path.stem})
            continue
        parts = [p.strip() for p in raw.split("|")]
        if len(parts) != len(FIELDS):
            raise SystemExit(f"{path.name}:{lineno}: {len(parts)} fields instead of {len(FIELDS)}")
        if not label:
            raise SystemExit(f"{path.name}:{lineno}: report before any '= label' line")
        rec = dict(zip(FIELDS, parts, strict=True))
        rec["description"] = rec["description"].replace("\\n", "\n")
        rec["label"] = label
        reports.append(rec)
    return reports, negatives


def build(territory: str, seed: int) -> list[dict]:
    reports, _ = parse(HERE / "src" / f"{territory}.txt")
    rng = random.Random(seed)
    order = list(range(len(reports)))
    rng.shuffle(order)
    out = []
    for pos, idx in enumerate(order, 1):
        rec = reports[idx]
        day = rng.randrange(0, 1000)
        date = (
            ""
            if rng.random() < 0.1
            else f"{2023 + day // 365}-{1 + (day % 365) // 31:02d}-{1 + day % 28:02d}"
        )
        row = {"id": f"{PREFIX[territory]}-{pos:04d}"}
        row.update({k: rec[k] for k in FIELDS})
        row["date"] = date
        if rng.random() < 0.15:  # some exports drop empty optional fields entirely
            row = {k: v for k, v in row.items() if v != "" or k == "id"}
        row["label"] = rec["label"]
        row["territory"] = territory
        out.append(row)
    return out


def main() -> None:
    names = sys.argv[1:] or sorted(p.stem for p in (HERE / "src").glob("*.txt"))
    for territory in names:
        rows = build(territory, zlib.crc32(territory.encode()))
        with open(HERE / f"{territory}.jsonl", "w", encoding="utf-8") as fh:
            for row in rows:
                fh.write(json.dumps(row, ensure_ascii=False) + "\n")
        print(f"{territory}: {len(rows)} reports, {len({r['label'] for r in rows})} needs")
    negatives = []
    for src in sorted((HERE / "src").glob("*.txt")):
        negatives.extend(parse(src)[1])
    # .json, not .jsonl: every *.jsonl file of this directory is a territory's reports
    (HERE / "hard_negatives.json").write_text(
        "[\n" + ",\n".join(json.dumps(neg, ensure_ascii=False) for neg in negatives) + "\n]\n",
        encoding="utf-8",
    )


if __name__ == "__main__":
    main()
