"""Readers of the reference files in `data/` (no Django): the one source of the territories.

Both the database loader (`loader.territories_load`) and the need-grouping engine's in-memory gazetteer
(`fabrique.grouping.territory`) read the files through these functions; see `data/SOURCES.md` for the
provenance of each file.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
from pathlib import Path
from typing import Any

DATA_DIR = Path(__file__).resolve().parent / "data"


def read_csv(name: str, data_dir: Path = DATA_DIR) -> list[dict[str, str]]:
    """Rows of a CSV file of `data/` (gzipped when the name ends in .gz)."""
    path = data_dir / name
    if name.endswith(".gz"):
        with gzip.open(path, "rt", encoding="utf-8", newline="") as fh:
            return list(csv.DictReader(fh))
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def read_json_gz(name: str, data_dir: Path = DATA_DIR) -> dict[str, Any]:
    with gzip.open(data_dir / name, "rb") as fh:
        data: dict[str, Any] = json.load(io.TextIOWrapper(fh, encoding="utf-8"))
    return data
