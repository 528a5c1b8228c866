"""The national development set (bench/data/devset_fr) passes its own consistency check."""

import importlib.util
from pathlib import Path

DEVSET = Path(__file__).resolve().parents[2] / "bench" / "data" / "devset_fr"


def load_checker():
    spec = importlib.util.spec_from_file_location("check_devset", DEVSET / "check_devset.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_devset_fr_is_consistent():
    errors, counts = load_checker().check(DEVSET)
    assert errors == []
    assert counts, "no territory file found"
    for territory, c in counts.items():
        assert c["groups"] > 0 and c["singletons"] > 0, territory


def test_checker_catches_bad_files(tmp_path):
    (tmp_path / "a.jsonl").write_text(
        '{"id": "x-1", "commune": "99999", "label": "n1", "territory": "a", "title": "t"}\n'
        '{"id": "x-1", "commune": "13215", "label": "", "territory": "a", "title": "t"}\n',
        encoding="utf-8",
    )
    (tmp_path / "b.jsonl").write_text(
        '{"id": "y-1", "commune": "", "label": "n1", "territory": "b", "title": "t"}\n', encoding="utf-8"
    )
    errors, _ = load_checker().check(tmp_path)
    text = "\n".join(errors)
    assert "unknown commune code '99999'" in text
    assert "duplicate id x-1" in text
    assert "missing label" in text
    assert "spans several territories" in text
