#!/usr/bin/env python3
"""Build bench/data/devset.jsonl from the hand-written devset_source_*.txt files (standard library only).

Source format: '= label' starts a cluster (one need); each following line is one report:
``commune | territory_label | public | theme | reporter_type | title | description`` ("\\n" = line break).
Ids are shuffled (seeded) so that file order tells nothing; dates are drawn in 2023-2025, some left empty.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

HERE = Path(__file__).resolve().parent
FIELDS = ["commune", "territory_label", "public", "theme", "reporter_type", "title", "description"]


def parse(paths: list[Path]) -> list[dict]:
    reports: list[dict] = []
    label = ""
    for path in paths:
        for lineno, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            line = raw.strip()
            if not line or line.startswith("#"):
                continue
            if line.startswith("= "):
                label = line[2:].strip()
                continue
            parts = [p.strip() for p in raw.split(" | ")]
            if len(parts) != len(FIELDS):
                raise SystemExit(f"{path.name}:{lineno}: {len(parts)} fields")
            rec = dict(zip(FIELDS, parts, strict=True))
            rec["description"] = rec["description"].replace("\\n", "\n")
            rec["label"] = label
            reports.append(rec)
    return reports


def main() -> None:
    rng = random.Random(20240611)
    reports = parse(sorted(HERE.glob("devset_source_*.txt")))
    order = list(range(len(reports)))
    rng.shuffle(order)
    out = []
    for new_pos, idx in enumerate(order):
        rec = reports[idx]
        day = rng.randrange(0, 1000)
        date = (
            ""
            if rng.random() < 0.1
            else f"{2023 + day // 365}-{1 + (day % 365) // 31:02d}-{1 + day % 28:02d}"
        )
        row = {"id": f"r{new_pos + 1:04d}"}
        row.update({k: rec[k] for k in FIELDS})
        row["date"] = date
        # a few reports omit empty optional fields entirely, as real exports do
        if rng.random() < 0.15:
            row = {k: v for k, v in row.items() if v != "" or k == "id"}
        row["label"] = rec["label"]
        out.append(row)
    out.sort(key=lambda r: r["id"])
    with open(HERE / "devset.jsonl", "w", encoding="utf-8") as fh:
        for row in out:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    sizes: dict[str, int] = {}
    for r in out:
        sizes[r["label"]] = sizes.get(r["label"], 0) + 1
    hist: dict[int, int] = {}
    for s in sizes.values():
        hist[s] = hist.get(s, 0) + 1
    print(f"{len(out)} reports, {len(sizes)} needs; cluster sizes: {dict(sorted(hist.items()))}")


if __name__ == "__main__":
    main()
