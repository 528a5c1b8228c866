"""The stable entry points of the grouping engine (see docs/grouping.md)."""

from fabrique.grouping.adapt import Adaptation, adapt, calibrated
from fabrique.grouping.engine import (
    PairModel,
    Suggestion,
    arrondissements_from_batch,
    candidate_filter,
    group_features,
    group_reports,
    model,
    pair_score,
    pair_scores,
    suggest,
)
from fabrique.grouping.features import Features, featurize


def warm() -> None:
    """Load what the engine reads on first use (gazetteer, lexicon, word vectors, pair model) into this
    process: a server calls it once before forking its workers, so no request pays seconds for it."""
    features = featurize({"id": "warm", "title": "Pas de laverie", "description": "", "commune": "44109"})
    candidate_filter(features)
    model()


__all__ = [
    "Adaptation",
    "Features",
    "PairModel",
    "adapt",
    "arrondissements_from_batch",
    "model",
    "calibrated",
    "Suggestion",
    "candidate_filter",
    "featurize",
    "group_features",
    "group_reports",
    "pair_score",
    "pair_scores",
    "suggest",
    "warm",
]
