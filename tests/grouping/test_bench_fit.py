"""The benchmark's fit of the pair model (bench/group_needs.py): every dev-set territory weighs the same."""

import importlib.util
import random
import sys
from pathlib import Path

import numpy as np
import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench" / "group_needs.py"


@pytest.fixture(scope="module")
def bench():
    spec = importlib.util.spec_from_file_location("bench_group_needs", BENCH)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up
    try:
        spec.loader.exec_module(module)
        yield module
    finally:
        del sys.modules[spec.name]


def test_each_territory_weighs_the_same(bench):
    # a large territory (6 pairs) and a small one (2 pairs), one same-need pair each
    y = np.array([True, False, False, False, False, False, True, False])
    t = np.array(["big"] * 6 + ["small"] * 2)
    w = bench.sample_weights(y, t, balance=True)
    # the territory factor averages 1 over the pairs (the class weight comes on top)
    assert bench.sample_weights(np.zeros(8, dtype=bool), t, balance=True).mean() == pytest.approx(1.0)
    assert w[t == "big"].sum() / w[t == "small"].sum() == pytest.approx((3 + 5) / (3 + 1) * 2 / 6)
    # inside one territory a same-need pair still weighs POS_WEIGHT times a different-need pair
    assert w[0] / w[1] == pytest.approx(bench.POS_WEIGHT)
    assert w[6] / w[7] == pytest.approx(bench.POS_WEIGHT)
    # each pair of the small territory weighs three times a pair of the large one (6 pairs against 2)
    assert w[7] / w[1] == pytest.approx(3.0)


def test_without_balance_each_pair_weighs_the_same(bench):
    y = np.array([True, False, False, True])
    t = np.array(["a", "a", "a", "b"])
    assert bench.sample_weights(y, t, balance=False).tolist() == [
        bench.POS_WEIGHT,
        1.0,
        1.0,
        bench.POS_WEIGHT,
    ]


def test_the_shipped_fit_balances_territories(bench):
    assert bench.BALANCE is True
    assert bench.BALANCE_CONTEXT is False


def test_data_curve_never_trains_on_the_held_out_territory(bench):
    terrs = [f"t{i}" for i in range(10)]
    rng = random.Random(bench.CURVE_SEED)
    for size in bench.CURVE_SIZES:
        draws = bench.curve_draws(terrs, "t3", size, bench.CURVE_DRAWS, rng)
        assert len(draws) == bench.CURVE_DRAWS
        for train in draws:
            assert len(train) == len(set(train)) == size
            assert "t3" not in train
    # all the others: one training set, the leave-one-territory-out one
    assert bench.curve_draws(terrs, "t3", 9, bench.CURVE_DRAWS, rng) == [[t for t in terrs if t != "t3"]]
