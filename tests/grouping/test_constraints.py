"""The team's decisions are hard constraints of a grouping: a "same need" pair is a must-link, a "not the
same" pair a cannot-link, the latest decision on a pair wins."""

import json
from pathlib import Path

import numpy as np
import pytest

from fabrique.grouping import engine
from fabrique.grouping.constraints import resolve

TRANSPORT = {
    "title": "Pas de bus pour aller au marché",
    "description": "Les personnes âgées sans voiture ne peuvent pas aller au marché le samedi.",
    "commune": "44109",
    "public": "personnes âgées",
}
HOMEWORK = {
    "title": "Aide aux devoirs pour les collégiens",
    "description": "Personne pour aider les collégiens du quartier à faire leurs devoirs le soir.",
    "commune": "44109",
    "public": "jeunes",
}


DATA = Path(__file__).resolve().parents[2] / "bench" / "data" / "devset_fr"


@pytest.fixture(scope="module")
def dev_features_midsize():
    text = (DATA / "midsize.jsonl").read_text(encoding="utf-8")
    rows = [json.loads(line) for line in text.splitlines() if line.strip()]
    return engine.featurize_all(rows, workers=1), [r["label"] for r in rows]


def _feats(*reports):
    return engine.featurize_all([{**r, "id": f"r{k}"} for k, r in enumerate(reports)], workers=1)


def test_the_latest_decision_on_a_pair_wins():
    # latest first: "not the same" was said after "the same"
    cons = resolve(2, [(0, 1, False), (1, 0, True)])
    assert cons.root.tolist() == [0, 1] and cons.apart_keys(np.array([0]), np.array([1])).all()
    cons = resolve(2, [(1, 0, True), (0, 1, False)])
    assert cons.root.tolist() == [0, 0] and not cons.apart_keys(np.array([0]), np.array([1])).any()


def test_a_newer_decision_wins_over_an_older_one_it_contradicts_through_other_pairs():
    # newest: 0 != 2; then 0 = 1; the oldest, 1 = 2, would put 0 and 2 together: left out
    cons = resolve(3, [(0, 2, False), (0, 1, True), (1, 2, True)])
    assert cons.root[0] == cons.root[1] != cons.root[2]
    assert cons.apart_keys(np.array([1]), np.array([2])).all()  # 1 is with 0, which is apart from 2


def test_same_need_decisions_put_reports_in_one_group_whatever_the_engine_says():
    feats = _feats(TRANSPORT, HOMEWORK, TRANSPORT)
    free = engine.group_features(feats, workers=1)
    assert free[0] == free[2] != free[1]
    forced = engine.group_features(feats, workers=1, decisions=[(0, 1, True)])
    assert forced[0] == forced[1]
    # even across two départements, where the engine never computes a score
    far = _feats(TRANSPORT, {**HOMEWORK, "commune": "13055"})
    assert len(set(engine.group_features(far, workers=1))) == 2
    assert len(set(engine.group_features(far, workers=1, decisions=[(1, 0, True)]))) == 1


def test_not_the_same_decisions_keep_reports_apart_also_through_their_neighbours():
    feats = _feats(TRANSPORT, TRANSPORT, TRANSPORT, HOMEWORK)
    assert len(set(engine.group_features(feats, workers=1)[:3])) == 1
    labels = engine.group_features(feats, workers=1, decisions=[(0, 2, False)])
    assert labels[0] != labels[2]
    # 1 is the same need as 0 (decided): it goes with 0, never with 2
    labels = engine.group_features(feats, workers=1, decisions=[(0, 2, False), (1, 0, True)])
    assert labels[0] == labels[1] != labels[2]
    labels = engine.group_features(feats, workers=1, decisions=[(1, 0, True), (2, 1, False)])
    assert labels[0] == labels[1] != labels[2]


def test_a_pair_alone_in_its_component_follows_the_decision():
    feats = _feats(TRANSPORT, TRANSPORT)
    assert len(set(engine.group_features(feats, workers=1))) == 1
    assert len(set(engine.group_features(feats, workers=1, decisions=[(0, 1, False)]))) == 2


@pytest.mark.parametrize("workers", [1, 2])
def test_every_decision_is_respected_on_a_dev_territory(dev_features_midsize, monkeypatch, workers):
    feats, labels = dev_features_midsize
    rng = np.random.default_rng(4)
    n = len(feats)
    decisions = []
    for i, j in rng.integers(0, n, size=(200, 2)).tolist():
        if i != j:
            decisions.append((i, j, labels[i] == labels[j]))
    if workers > 1:  # the clustering on the fork pool gets the constraints too
        monkeypatch.setattr(engine, "FORK_MIN_REPORTS", 0)
    grouped = engine.group_features(feats, workers=workers, decisions=decisions, max_component=20)
    assert sorted(set(grouped)) == list(range(len(set(grouped))))
    assert all((grouped[i] == grouped[j]) == same for i, j, same in decisions)
