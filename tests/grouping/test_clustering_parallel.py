"""The clustering of linked components: run on the fork pool it gives the same groups as in one process, its
flat cut is scipy's, and components packed into one product are scored as if each was alone."""

import json
from pathlib import Path

import numpy as np
import pytest
from scipy.cluster.hierarchy import fcluster, linkage

from fabrique.grouping import engine

DATA = Path(__file__).resolve().parents[2] / "bench" / "data"


def _partition(labels) -> set[frozenset[int]]:
    groups: dict[int, set[int]] = {}
    for i, label in enumerate(labels):
        groups.setdefault(int(label), set()).add(i)
    return {frozenset(g) for g in groups.values()}


@pytest.fixture(scope="module")
def dev_features():
    rows = []
    for path in [DATA / "devset.jsonl", *sorted((DATA / "devset_fr").glob("*.jsonl"))]:
        rows += [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return engine.featurize_all([r for r in rows if "id" in r], workers=1)


@pytest.mark.parametrize("max_component", [800, 12])
def test_clustering_on_the_fork_pool_gives_the_groups_of_one_process(
    dev_features, monkeypatch, max_component
):
    # given: the national dev set; max_component 12 also sends components through the re-linking at stricter
    # levels and the commune-by-commune cut of components still huge at the threshold
    serial = engine.group_features(dev_features, max_component=max_component, workers=1)
    monkeypatch.setattr(engine, "FORK_MIN_REPORTS", 0)
    # when
    forked = engine.group_features(dev_features, max_component=max_component, workers=2)
    # then
    assert _partition(forked) == _partition(serial)
    assert sorted(set(forked)) == list(range(len(set(forked))))  # dense numbering


def test_flat_clusters_cut_like_fcluster():
    rng = np.random.default_rng(15)
    for _ in range(300):
        n = int(rng.integers(2, 40))
        p = np.round(rng.uniform(0, 1, (n, n)) ** 2, 1)  # rounded: many ties
        p = np.maximum(p, p.T)
        np.fill_diagonal(p, 1.0)
        dist = 1.0 - p
        dist[p <= 0] = engine.CANNOT_LINK
        z = linkage(dist[np.triu_indices(n, 1)], method="average")
        for cut in (0.3, 0.55, 0.9):
            ours = engine.flat_clusters(z, n, cut)
            assert _partition(ours) == _partition(fcluster(z, t=cut, criterion="distance"))


def test_components_packed_in_one_product_score_as_if_alone(dev_features):
    m = engine.Matrix(dev_features[:300])
    comps = [np.arange(0, 40), np.arange(40, 41), np.arange(41, 150), np.arange(150, 300)]
    rows = np.concatenate(comps)
    groups = np.repeat(np.arange(len(comps)), [len(c) for c in comps])
    packed = engine.prob_matrix(m, rows, rows, groups=groups)
    for comp in comps:
        start, end = comp[0], comp[-1] + 1
        alone = engine.prob_matrix(m, comp, comp)
        assert np.array_equal(packed[start:end, start:end], alone)
        packed[start:end, start:end] = 0.0
    assert not packed.any()  # pairs across components are not scored
