"""Pairwise and B-cubed clustering scores."""

import pytest

from fabrique.grouping.metrics import bcubed, pairwise


def test_perfect_clustering():
    truth = {"a": "1", "b": "1", "c": "2"}
    pred = {"a": "x", "b": "x", "c": "y"}
    assert pairwise(truth, pred).f1 == 1.0
    assert bcubed(truth, pred).f1 == 1.0


def test_pairwise_counts():
    truth = {"a": "1", "b": "1", "c": "1", "d": "2"}
    pred = {"a": "x", "b": "x", "c": "y", "d": "y"}
    s = pairwise(truth, pred)
    # true pairs ab ac bc; predicted ab cd; one in common
    assert s.precision == pytest.approx(1 / 2)
    assert s.recall == pytest.approx(1 / 3)
    assert s.f1 == pytest.approx(2 * (1 / 2) * (1 / 3) / (1 / 2 + 1 / 3))


def test_bcubed_values():
    truth = {"a": "1", "b": "1", "c": "1", "d": "2"}
    pred = {"a": "x", "b": "x", "c": "y", "d": "y"}
    s = bcubed(truth, pred)
    assert s.precision == pytest.approx((1 + 1 + 0.5 + 0.5) / 4)
    assert s.recall == pytest.approx((2 / 3 + 2 / 3 + 1 / 3 + 1) / 4)


def test_all_singletons():
    truth = {"a": "1", "b": "2"}
    pred = {"a": "x", "b": "x"}
    s = pairwise(truth, pred)
    assert s.precision == 0.0 and s.recall == 1.0 and s.f1 == 0.0
    assert pairwise(truth, {"a": "x", "b": "y"}).f1 == 1.0
