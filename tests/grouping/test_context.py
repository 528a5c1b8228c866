"""Second stage of the pair model (pure numpy)."""

import numpy as np

from fabrique.grouping.context import CONTEXT_FEATURES, ContextModel, pair_context_inputs, rescore


def _model(coef):
    k = len(CONTEXT_FEATURES)
    return ContextModel(mean=np.zeros(k), scale=np.ones(k), coef=np.asarray(coef, dtype=float), intercept=0.0)


def test_incompatible_pairs_stay_at_zero_and_the_matrix_keeps_its_shape():
    p = np.array([[0.0, 0.8, 0.0], [0.8, 0.0, 0.3], [0.0, 0.3, 0.0]])
    out = rescore(p, _model([1, 0, 0, 0, 0, 1]))
    assert out.shape == (3, 3)
    assert out[0, 2] == 0.0 and out[2, 0] == 0.0
    assert np.allclose(out, out.T)


def test_a_pair_among_many_matches_ranks_lower_than_a_pair_alone():
    # one coefficient on the larger rank: the same first-stage score counts less among many matches
    model = _model([0, 0, -1, 0, 0, 1])
    alone = rescore(np.array([[0.0, 0.6], [0.6, 0.0]]), model)[0, 1]
    crowd = np.full((6, 6), 0.6)
    np.fill_diagonal(crowd, 0.0)
    crowd[0, 1] = crowd[1, 0] = 0.59
    assert rescore(crowd, model)[0, 1] < alone


def test_inputs_of_explicit_pairs_match_the_matrix_and_do_not_depend_on_non_matches():
    rng = np.random.default_rng(0)
    p = rng.random((7, 7))
    p = np.triu(p, 1)
    p = p + p.T
    r, c = np.triu_indices(7, 1)
    x = pair_context_inputs(p, r, c)
    assert x.shape == (len(r), len(CONTEXT_FEATURES))
    # adding a report that matches nobody changes no input of the others
    bigger = np.zeros((8, 8))
    bigger[:7, :7] = p
    bigger[7, :7] = bigger[:7, 7] = 0.01
    assert np.allclose(pair_context_inputs(bigger, r, c), x)


def test_a_model_of_other_features_is_ignored():
    assert (
        ContextModel.from_dict({"features": ["p"], "mean": [0], "scale": [1], "coef": [1], "intercept": 0})
        is None
    )
