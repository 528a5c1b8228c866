"""Per-fabrique calibration of the pair model: used only when the groupings it makes agree with the team's
decisions better than the shipped model's, out of fold, by a margin, with enough decisions of each kind."""

import json
from pathlib import Path

import numpy as np
import pytest

from fabrique.grouping import engine
from fabrique.grouping.adapt import MARGIN, MIN_DECISIONS, MIN_EACH, adapt, agreement, calibrated

DATA = Path(__file__).resolve().parents[2] / "bench" / "data" / "devset_fr"


@pytest.fixture(scope="module")
def territory():
    text = (DATA / "midsize.jsonl").read_text(encoding="utf-8")
    rows = [json.loads(line) for line in text.splitlines() if line.strip()]
    feats = engine.featurize_all(rows, workers=1)
    return feats, np.array(engine.group_features(feats, workers=1))


def _compatible_pairs(feats, seed: int, count: int, floor: float = 0.02) -> list[tuple[int, int, float]]:
    """Pairs of one territory the engine scores (first-stage probability above ``floor``), seeded order."""
    m = engine.Matrix(feats)
    idx = np.arange(len(feats))
    p = engine.prob_matrix(m, idx, idx)
    r, c = np.nonzero(np.triu(p > floor, 1))
    order = np.random.default_rng(seed).permutation(len(r))[:count]
    return [(int(r[k]), int(c[k]), float(p[r[k], c[k]])) for k in order]


def test_agreement_is_the_f1_of_same_need_and_the_accuracy():
    pred = np.array([True, True, False, False])
    y = np.array([True, False, True, False])
    assert agreement(pred, y) == (0.5, 0.5)
    assert agreement(np.zeros(3, dtype=bool), np.zeros(3, dtype=bool)) == (0.0, 1.0)


def test_too_few_decisions_or_of_one_kind_keep_the_shipped_model(territory):
    feats, _grouped = territory
    pm = engine.model()
    pairs = _compatible_pairs(feats, 0, 200)
    few = [(a, b, k % 2 == 0) for k, (a, b, _p) in enumerate(pairs[: MIN_DECISIONS - 1])]
    one_kind = [(a, b, k < MIN_EACH - 1) for k, (a, b, _p) in enumerate(pairs[:60])]
    for decisions in (few, one_kind):
        result = adapt(pm, feats, decisions)
        assert not result.used and result.model is None and result.adapted_agreement is None


def test_a_team_stricter_than_the_shipped_model_gets_a_calibrated_model(territory):
    feats, _grouped = territory
    pm = engine.model()
    # this team merges only what a stricter model groups (lower scores, the highest threshold the calibration
    # may choose), over a history of 300 decisions on the pairs a duplicates queue shows (scored at least the
    # link level, 0.1; pairs drawn among all scored ones hold too few "same need" pairs to pass the guard's
    # margin and significance test, and the count moves with each refit of the shipped model)
    strict = np.array(engine.group_features(feats, pm=calibrated(pm, -0.75, 0.65), workers=1))
    pairs = _compatible_pairs(feats, 1, 300, floor=0.1)
    decisions = [(a, b, bool(strict[a] == strict[b])) for a, b, _p in pairs]
    result = adapt(pm, feats, decisions)
    assert result.used and result.model is not None
    assert result.adapted_agreement >= result.shipped_agreement + MARGIN
    assert result.adapted_accuracy > result.shipped_accuracy
    assert result.offset < 0 or result.threshold > pm.threshold  # it merges less
    assert result.model.threshold == result.threshold
    assert result.model.intercept == pytest.approx(pm.intercept + result.offset)
    assert np.array_equal(result.model.coef, pm.coef) and result.model.context == pm.context


def test_a_team_that_decides_like_the_shipped_grouping_keeps_the_shipped_model(territory):
    feats, grouped = territory
    pm = engine.model()
    decisions = [(a, b, bool(grouped[a] == grouped[b])) for a, b, _p in _compatible_pairs(feats, 2, 150)]
    result = adapt(pm, feats, decisions)
    assert result.shipped_agreement > 0.9
    assert not result.used and result.model is None


def test_decisions_that_follow_no_rule_do_not_pass_the_guard(territory):
    feats, _grouped = territory
    rng = np.random.default_rng(5)
    decisions = [(a, b, bool(rng.uniform() < 0.3)) for a, b, _p in _compatible_pairs(feats, 3, 150)]
    result = adapt(engine.model(), feats, decisions)
    assert not result.used


def test_the_calibration_keeps_the_shipped_model_but_its_intercept_and_threshold():
    pm = engine.model()
    adapted = calibrated(pm, 0.5, 0.4)
    assert adapted.intercept == pm.intercept + 0.5 and adapted.threshold == 0.4
    assert adapted.cannot_link == pm.cannot_link and adapted.pos_weight == pm.pos_weight
