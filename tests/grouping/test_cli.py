"""The group_needs command-line contract (no database)."""

import csv
import json
import subprocess
import sys
from pathlib import Path

import pytest

from fabrique.grouping.cli import InputError, main, read_reports

ROOT = Path(__file__).resolve().parents[2]


def write_lines(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def report(rid: str, **fields: str) -> str:
    return json.dumps({"id": rid, **fields}, ensure_ascii=False)


def read_output(path: Path) -> list[dict]:
    with open(path, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def test_header_and_each_id_once(tmp_path):
    inp = write_lines(
        tmp_path / "in.jsonl",
        [
            report("1", title="Pas de bus pour les personnes âgées", commune="44026"),
            report("2", title="Transport des aînés", territory_label="Carquefou", public="seniors"),
            "",  # blank lines are skipped
            report("3"),  # only the id
            json.dumps({"id": 4, "title": None, "commune": None}),  # numeric id, null fields
        ],
    )
    out = tmp_path / "out.csv"
    assert main(["--input", str(inp), "--output", str(out), "--quiet"]) == 0
    text = out.read_text(encoding="utf-8")
    assert text.splitlines()[0] == "id,group"
    rows = read_output(out)
    assert [r["id"] for r in rows] == ["1", "2", "3", "4"]
    assert all(r["group"] for r in rows)


@pytest.mark.parametrize(
    ("lines", "bad_line", "words"),
    [
        ([report("1"), '{"id": "2", "title": '], 2, "JSON invalide"),
        ([report("1"), "", "[1, 2]"], 3, "objet JSON"),
        ([report("1"), json.dumps({"title": "sans id"})], 2, "id"),
        ([json.dumps({"id": "  "})], 1, "id"),
        ([report("1"), report("2"), report("1")], 3, "double"),
    ],
)
def test_malformed_line_stops_without_output(tmp_path, capsys, lines, bad_line, words):
    inp = write_lines(tmp_path / "in.jsonl", lines)
    out = tmp_path / "out.csv"
    assert main(["--input", str(inp), "--output", str(out)]) != 0
    err = capsys.readouterr().err
    assert f"Ligne {bad_line} " in err
    assert words in err
    assert not out.exists()
    assert list(tmp_path.iterdir()) == [inp]  # no temporary file left either


def test_existing_output_untouched_on_error(tmp_path):
    out = tmp_path / "out.csv"
    out.write_text("previous\n")
    inp = write_lines(tmp_path / "in.jsonl", ["not json"])
    assert main(["--input", str(inp), "--output", str(out), "--quiet"]) == 2
    assert out.read_text() == "previous\n"


def test_read_reports_error_is_french_with_line_number(tmp_path):
    inp = write_lines(tmp_path / "in.jsonl", [report("a"), "{oops"])
    with pytest.raises(InputError, match=r"^Ligne 2 : JSON invalide"):
        read_reports(inp)


def test_module_entry_point_exit_code(tmp_path):
    inp = write_lines(tmp_path / "in.jsonl", ['{"id": "x"}', "{bad"])
    out = tmp_path / "out.csv"
    proc = subprocess.run(
        [sys.executable, "-m", "fabrique.grouping.cli", "--input", str(inp), "--output", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode != 0
    assert "Ligne 2" in proc.stderr
    assert not out.exists()


def _django_app_ready() -> bool:
    try:
        from django.apps import apps

        return apps.ready and apps.is_installed("fabrique.grouping")
    except Exception:  # noqa: BLE001
        return False


@pytest.mark.skipif(not _django_app_ready(), reason="fabrique.grouping not installed in the Django project")
def test_management_command(tmp_path):
    from django.core.management import CommandError, call_command

    inp = write_lines(tmp_path / "in.jsonl", [report("1", title="x"), report("2", title="y")])
    out = tmp_path / "out.csv"
    call_command("group_needs", "--input", str(inp), "--output", str(out), verbosity=0)
    assert [r["id"] for r in read_output(out)] == ["1", "2"]
    bad = write_lines(tmp_path / "bad.jsonl", [report("1"), report("1")])
    with pytest.raises(CommandError, match="Ligne 2"):
        call_command("group_needs", "--input", str(bad), "--output", str(tmp_path / "o2.csv"), verbosity=0)
    assert not (tmp_path / "o2.csv").exists()


def test_arrondissement_codes_and_empty_communes(tmp_path):
    need = {
        "title": "Pas de médecin traitant",
        "description": "Les familles n'ont plus de médecin généraliste, les cabinets sont complets.",
    }
    inp = write_lines(
        tmp_path / "in.jsonl",
        [
            report("a", commune="13215", **need),  # Marseille 15e, COG code
            report("b", commune="", territory_label="Marseille 15e", **need),  # empty commune
            report("c", commune="13216", **need),  # Marseille 16e: another need
            report("d", commune="75111", **need),  # Paris 11e
            report("e", commune="", **need),  # no place at all
        ],
    )
    out = tmp_path / "out.csv"
    assert main(["--input", str(inp), "--output", str(out), "--quiet"]) == 0
    rows = read_output(out)
    assert [r["id"] for r in rows] == ["a", "b", "c", "d", "e"]
    group = {r["id"]: r["group"] for r in rows}
    assert group["a"] == group["b"]
    assert group["c"] != group["a"] and group["d"] not in (group["a"], group["c"])
