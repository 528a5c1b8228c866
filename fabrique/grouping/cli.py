"""Command-line contract shared by ``fabrique group_needs`` and ``python -m fabrique.grouping.cli``.

Input: JSON lines, one report per line (``id`` required; ``title, description, commune,
territory_label, public, theme, reporter_type, date`` optional).  Output: CSV ``id,group``, each input id
exactly once, written to a temporary file in the target folder and renamed at the end, so that a failed
run leaves no output file.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

try:  # user-facing messages are translatable when Django is configured
    from django.utils.translation import gettext as _gettext

    def _(message: str) -> str:
        try:
            return _gettext(message)
        except Exception:  # settings not configured: plain French
            return message
except ImportError:  # pragma: no cover - Django is a dependency of the project

    def _(message: str) -> str:
        return message


class InputError(ValueError):
    """A malformed input line; the message is in French and names the line number."""


def read_reports(path: str | os.PathLike[str]) -> list[dict[str, Any]]:
    """Read and validate the JSONL input. Blank lines are skipped; any other defect raises InputError."""
    reports: list[dict[str, Any]] = []
    seen: dict[str, int] = {}
    with open(path, encoding="utf-8-sig") as fh:
        for lineno, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as exc:
                raise InputError(
                    _("Ligne %(line)d : JSON invalide (%(error)s).") % {"line": lineno, "error": exc.msg}
                ) from exc
            if not isinstance(obj, dict):
                raise InputError(_("Ligne %(line)d : un objet JSON est attendu.") % {"line": lineno})
            raw_id = obj.get("id")
            if raw_id is None or isinstance(raw_id, dict | list | bool) or str(raw_id).strip() == "":
                raise InputError(
                    _("Ligne %(line)d : identifiant « id » manquant ou vide.") % {"line": lineno}
                )
            rid = str(raw_id).strip()
            if rid in seen:
                raise InputError(
                    _("Ligne %(line)d : identifiant « %(id)s » en double (déjà vu ligne %(first)d).")
                    % {"line": lineno, "id": rid, "first": seen[rid]}
                )
            seen[rid] = lineno
            obj["id"] = rid
            reports.append(obj)
    return reports


def write_groups(groups: dict[str, str], order: list[str], path: str | os.PathLike[str]) -> None:
    """Write ``id,group`` atomically (temporary file in the same folder, then rename)."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            writer = csv.writer(fh, lineterminator="\n")
            writer.writerow(["id", "group"])
            for rid in order:
                writer.writerow([rid, groups[rid]])
        os.replace(tmp, target)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def run(
    input_path: str,
    output_path: str,
    progress: Callable[[str], None] | None = None,
    threshold: float | None = None,
) -> int:
    """Read, group, write. Returns the number of reports. Raises InputError on malformed input."""
    from fabrique.grouping.engine import group_reports  # heavy imports only when running

    start = time.monotonic()
    reports = read_reports(input_path)
    if progress:
        progress(_("%(n)d signalements lus.") % {"n": len(reports)})
    verbose = progress if progress and len(reports) >= 2000 else None
    groups = group_reports(reports, threshold=threshold, progress=verbose)
    write_groups(groups, [r["id"] for r in reports], output_path)
    if progress:
        progress(
            _("%(n)d signalements regroupés en %(g)d besoins en %(s).1f s.")
            % {"n": len(reports), "g": len(set(groups.values())), "s": time.monotonic() - start}
        )
    return len(reports)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="group_needs", description="Regroupe des signalements en besoins.")
    parser.add_argument("--input", required=True, help="fichier JSONL des signalements")
    parser.add_argument("--output", required=True, help="fichier CSV id,group à écrire")
    parser.add_argument("--threshold", type=float, default=None, help="seuil de regroupement (0-1)")
    parser.add_argument("--quiet", action="store_true")
    args = parser.parse_args(argv)

    def progress(msg: str) -> None:
        print(msg, file=sys.stderr, flush=True)

    try:
        run(args.input, args.output, None if args.quiet else progress, args.threshold)
    except InputError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    except OSError as exc:
        print(_("Erreur de fichier : %(error)s") % {"error": exc}, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
