"""The stable entry points of the grouping engine (see docs/grouping.md)."""

from fabrique.grouping.adapt import Adaptation, adapt, pair_inputs
from fabrique.grouping.engine import (
    PairModel,
    Suggestion,
    candidate_filter,
    group_features,
    group_reports,
    model,
    pair_score,
    suggest,
)
from fabrique.grouping.features import Features, featurize


def pair_scores(
    features: "list[Features]", pairs: "list[tuple[int, int]]", pm: "PairModel | None" = None
) -> list[float]:
    """`pair_score` of many pairs (indexes into `features`) at once: one feature matrix over the reports
    involved instead of one per pair (a regrouping run scored 44,000 pairs one by one: 15 minutes)."""
    import numpy as np

    from fabrique.grouping.engine import Matrix, prob_matrix

    if not pairs:
        return []
    involved = sorted({i for pair in pairs for i in pair})
    position = {index: k for k, index in enumerate(involved)}
    matrix = Matrix([features[i] for i in involved])
    everything = np.arange(len(involved))
    probabilities = prob_matrix(matrix, everything, everything, pm)
    return [float(probabilities[position[a], position[b]]) for a, b in pairs]


__all__ = [
    "Adaptation",
    "Features",
    "PairModel",
    "adapt",
    "model",
    "pair_inputs",
    "Suggestion",
    "candidate_filter",
    "featurize",
    "group_features",
    "group_reports",
    "pair_score",
    "pair_scores",
    "suggest",
]
