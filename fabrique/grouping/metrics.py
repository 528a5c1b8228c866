"""Clustering quality: pairwise precision/recall/F1 and B-cubed precision/recall/F1."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class Scores:
    precision: float
    recall: float
    f1: float


def _f1(p: float, r: float) -> float:
    return 2 * p * r / (p + r) if p + r else 0.0


def _pairs(n: int) -> int:
    return n * (n - 1) // 2


def pairwise(truth: Mapping[str, str], pred: Mapping[str, str]) -> Scores:
    """Pairwise scores over the ids of ``truth`` (every id must be in ``pred``).

    A pair is positive when both reports share a cluster.  With no positive pair on one side the
    corresponding precision or recall is 1.0 (nothing to get wrong).
    """
    ids = list(truth)
    both = Counter((truth[i], pred[i]) for i in ids)
    tp = sum(_pairs(c) for c in both.values())
    t_pos = sum(_pairs(c) for c in Counter(truth[i] for i in ids).values())
    p_pos = sum(_pairs(c) for c in Counter(pred[i] for i in ids).values())
    precision = tp / p_pos if p_pos else 1.0
    recall = tp / t_pos if t_pos else 1.0
    return Scores(precision, recall, _f1(precision, recall))


def bcubed(truth: Mapping[str, str], pred: Mapping[str, str]) -> Scores:
    """B-cubed scores: per-report precision and recall of its cluster, averaged over reports."""
    ids = list(truth)
    if not ids:
        return Scores(1.0, 1.0, 1.0)
    both = Counter((truth[i], pred[i]) for i in ids)
    t_size = Counter(truth[i] for i in ids)
    p_size = Counter(pred[i] for i in ids)
    precision = sum(both[(truth[i], pred[i])] / p_size[pred[i]] for i in ids) / len(ids)
    recall = sum(both[(truth[i], pred[i])] / t_size[truth[i]] for i in ids) / len(ids)
    return Scores(precision, recall, _f1(precision, recall))
