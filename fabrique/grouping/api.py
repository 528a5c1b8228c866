"""The stable entry points of the grouping engine (see docs/grouping.md)."""

from fabrique.grouping.engine import (
    Suggestion,
    candidate_filter,
    group_features,
    group_reports,
    pair_score,
    suggest,
)
from fabrique.grouping.features import Features, featurize

__all__ = [
    "Features",
    "Suggestion",
    "candidate_filter",
    "featurize",
    "group_features",
    "group_reports",
    "pair_score",
    "suggest",
]
