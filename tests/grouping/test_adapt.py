"""Per-fabrique adaptation of the pair model: used only when it beats the shipped model out of sample."""

import numpy as np

from fabrique.grouping.adapt import MIN_DECISIONS, adapt
from fabrique.grouping.engine import PAIR_FEATURES, model


def _pairs(n: int, seed: int = 0):
    rng = np.random.default_rng(seed)
    x = rng.uniform(0, 1, size=(n, len(PAIR_FEATURES)))
    return x


def test_few_decisions_keep_the_shipped_model():
    pm = model()
    x = _pairs(MIN_DECISIONS - 1)
    y = pm.proba(x) > 0.5
    y[0] = not y[0]
    result = adapt(pm, x, y)
    assert not result.used and result.model is None
    assert result.decisions == MIN_DECISIONS - 1


def test_a_team_that_disagrees_consistently_gets_an_adapted_model():
    pm = model()
    x = _pairs(200, seed=1)
    # this team merges far more readily than the shipped model: "same" whenever the probability is > 0.1
    y = pm.proba(x) > 0.1
    result = adapt(pm, x, y)
    assert result.used and result.model is not None
    assert result.adapted_log_loss < result.shipped_log_loss
    assert np.mean((result.model.proba(x) >= pm.threshold) == y) > np.mean((pm.proba(x) >= pm.threshold) == y)


def test_the_guard_compares_the_out_of_sample_losses():
    pm = model()
    x = _pairs(200, seed=2)
    rng = np.random.default_rng(3)
    y = rng.uniform(size=len(x)) < pm.proba(x)  # decisions drawn from the shipped probabilities
    result = adapt(pm, x, y)
    assert result.shipped_log_loss is not None and result.adapted_log_loss is not None
    assert result.used == (result.adapted_log_loss < result.shipped_log_loss)
