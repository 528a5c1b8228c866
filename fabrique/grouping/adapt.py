"""Learning from a team's decisions: a per-fabrique calibration of the pair model, with a guard that judges
groupings.

Every merge, split, accepted or rejected proposal of a fabrique is a labelled pair of reports (same need or
not).  They are hard constraints of the fabrique's groupings (``constraints.py``); on top of that, ``adapt``
calibrates the shipped model to the fabrique with two numbers:

* an **offset** added to the first stage's logit (its intercept): a team that merges more readily than the
  dev set's labellers gets higher first-stage scores; the second stage reads them as it reads any scores,
  so both stages stay consistent;
* the **threshold** at which the average linkage cuts (on second-stage scores).

The guard judges what the team sees: groupings.  The fabrique's reports are grouped (one score matrix, the
batch's link level, second stage, average linkage) with the decisions of all folds but one as constraints,
and the held-out fold's decided pairs are read off the grouping: "together" or not.  The agreement is the
F1 of "same need" over the out-of-fold decisions (also the accuracy).  The shipped model gets this
cross-validated figure; the adaptation gets a **nested** one (in each outer fold the calibration is chosen by
cross-validation on the other folds only), so choosing among the calibrations does not flatter it.  The
adapted model is used only with at least ``MIN_EACH`` decisions of each kind, ``MIN_DECISIONS`` in all, and
an agreement at least ``MARGIN`` above the shipped model's, and when it respects significantly more decided
pairs than the shipped model (paired: pairs it gets right that the shipped model broke, minus the reverse, at
least ``SIGNIFICANCE`` standard deviations, a one-sided McNemar test at 95 %); otherwise the shipped one is.

Pure numpy and the engine's own clustering pieces; no corpus-wide state.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from fabrique.grouping.constraints import Constraints, resolve
from fabrique.grouping.engine import Matrix, PairModel, flat_clusters, linkage_tree, prob_matrix
from fabrique.grouping.features import Features

MIN_DECISIONS = 20  # fewer decisions: the shipped model is kept (cross-validation on fewer is noise)
MIN_EACH = 5  # and at least this many of each kind ("same need" and "not the same")
MARGIN = 0.02  # the adapted model's agreement must beat the shipped model's by this much
SIGNIFICANCE = 1.64  # and respect significantly more decided pairs (paired McNemar test, one-sided 95 %)
FOLDS = 5
OFFSETS = (-0.75, 0.0, 0.75)  # first-stage logit offsets tried
THRESHOLD_STEPS = (-0.15, -0.10, -0.05, 0.0, 0.05, 0.10, 0.15)  # around the shipped threshold
MAX_REPORTS = 800  # reports grouped by the guard (one dense score matrix; the product picks them)

Decision = tuple[int, int, bool]  # (report index, report index, same need), latest first
Candidate = tuple[float, float]  # (offset, threshold)


@dataclass(frozen=True)
class Adaptation:
    """Outcome of an adaptation on a fabrique's decisions, for the grouping page."""

    decisions: int
    same: int
    shipped_agreement: float | None  # F1 of "same need" on the decided pairs, out of fold, shipped model
    adapted_agreement: float | None  # the same for the calibration (nested cross-validation)
    shipped_accuracy: float | None  # share of decided pairs the grouping respects, out of fold
    adapted_accuracy: float | None
    offset: float | None  # the calibration chosen on every decision
    threshold: float | None
    used: bool
    model: PairModel | None  # the calibrated model when ``used``


def agreement(pred: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """(F1 of "same need", accuracy) of grouped-together predictions against the decisions."""
    tp = float(np.sum(pred & y))
    f1 = 2 * tp / (float(pred.sum()) + float(y.sum())) if tp else 0.0
    return f1, float(np.mean(pred == y)) if len(y) else 0.0


def calibrated(pm: PairModel, offset: float, threshold: float) -> PairModel:
    """The shipped model with a first-stage logit offset and another clustering threshold."""
    return replace(pm, intercept=pm.intercept + offset, threshold=threshold)


def _shift(p: np.ndarray, offset: float) -> np.ndarray:
    if not offset:
        return p
    logit = np.log(np.clip(p, 1e-9, 1.0) / np.clip(1.0 - p, 1e-9, 1.0))
    return np.where(p > 0.0, 1.0 / (1.0 + np.exp(-np.clip(logit + offset, -30, 30))), 0.0)


class _Grouper:
    """Groups one set of reports at several calibrations and constraint sets, from one score matrix."""

    def __init__(self, pm: PairModel, feats: Sequence[Features], thresholds: Sequence[float]) -> None:
        self.pm = pm
        self.n = len(feats)
        self.thresholds = list(thresholds)
        m = Matrix(feats)
        idx = np.arange(self.n)
        p = prob_matrix(m, idx, idx, pm)
        links = prob_matrix(m, idx, idx, pm, links_only=True)  # what the batch's candidate search links
        self.p = {o: _shift(np.maximum(p, p.T), o) for o in OFFSETS}
        self.links = {o: _shift(np.maximum(links, links.T), o) for o in OFFSETS}
        for q in (*self.p.values(), *self.links.values()):
            np.fill_diagonal(q, 0.0)

    def labels(self, offset: float, cons: Constraints) -> list[np.ndarray]:
        """Cluster labels of the reports at each threshold, with ``cons`` as hard constraints."""
        p, link = self.p[offset], self.links[offset] >= self.pm.link_threshold
        a, b = np.nonzero(np.triu(link, 1))
        keep = ~cons.apart_keys(a, b)
        ma, mb = cons.must_edges()
        a, b = np.concatenate([a[keep], ma]), np.concatenate([b[keep], mb])
        graph = coo_matrix((np.ones(len(a)), (a, b)), shape=(self.n, self.n))
        _count, comp = connected_components(graph, directed=False)
        out = [np.full(self.n, -1, dtype=np.int64) for _ in self.thresholds]
        next_label = [0] * len(self.thresholds)
        for c in np.unique(comp).tolist():
            members = np.flatnonzero(comp == c)
            if len(members) == 1:
                for k in range(len(self.thresholds)):
                    out[k][members] = next_label[k]
                    next_label[k] += 1
                continue
            z = linkage_tree(p[np.ix_(members, members)], self.pm, cons.local(members))
            for k, thr in enumerate(self.thresholds):
                local = flat_clusters(z, len(members), 1.0 - thr)
                out[k][members] = next_label[k] + local
                next_label[k] += int(local.max()) + 1
        return out


def adapt(pm: PairModel, feats: Sequence[Features], decisions: Sequence[Decision]) -> Adaptation:
    """Calibrate ``pm`` to a fabrique's decisions on pairs of ``feats`` (indexes, latest first), with the
    guard described in the module."""
    latest: dict[tuple[int, int], bool] = {}
    for a, b, decided_same in decisions:
        if a != b:
            latest.setdefault((min(a, b), max(a, b)), bool(decided_same))
    pairs = list(latest)
    y = np.array([latest[pair] for pair in pairs], dtype=bool)
    n, same = len(y), int(y.sum())
    if n < MIN_DECISIONS or same < MIN_EACH or n - same < MIN_EACH:
        return Adaptation(n, same, None, None, None, None, None, None, False, None)
    thresholds = sorted({round(min(0.85, max(0.2, pm.threshold + s)), 3) for s in THRESHOLD_STEPS})
    grouper = _Grouper(pm, feats, thresholds)
    ia = np.array([a for a, _b in pairs])
    ib = np.array([b for _a, b in pairs])
    fold = np.arange(n) % FOLDS  # decisions interleaved over time
    candidates: list[Candidate] = [(o, t) for o in OFFSETS for t in thresholds]

    def predict(train: np.ndarray, held: np.ndarray) -> dict[Candidate, np.ndarray]:
        """Whether each held-out decided pair is grouped together, per calibration, with the training
        decisions as constraints."""
        cons = resolve(grouper.n, [(int(ia[i]), int(ib[i]), bool(y[i])) for i in np.flatnonzero(train)])
        out = {}
        for o in OFFSETS:
            for t, labels in zip(thresholds, grouper.labels(o, cons), strict=True):
                out[(o, t)] = labels[ia[held]] == labels[ib[held]]
        return out

    outer: dict[Candidate, np.ndarray] = {c: np.zeros(n, dtype=bool) for c in candidates}
    chosen = np.zeros(
        n, dtype=bool
    )  # nested: each outer fold predicted by the calibration its training chose
    for k in range(FOLDS):
        held = fold == k
        for c, pred in predict(~held, held).items():
            outer[c][held] = pred
    shipped_c: Candidate = (0.0, min(thresholds, key=lambda t: abs(t - pm.threshold)))

    def best(preds: dict[Candidate, np.ndarray], truth: np.ndarray) -> Candidate:
        # the best F1; ties: the smallest change (the shipped model first)
        return max(
            candidates,
            key=lambda c: (
                round(agreement(preds[c], truth)[0], 9),
                -abs(c[0]) - abs(c[1] - shipped_c[1]),
            ),
        )

    for k in range(FOLDS):
        train = fold != k
        inner: dict[Candidate, np.ndarray] = {c: np.zeros(n, dtype=bool) for c in candidates}
        for j in range(FOLDS):
            if j == k:
                continue
            held = fold == j
            for c, pred in predict(train & ~held, held).items():
                inner[c][held] = pred
        pick = best({c: v[train] for c, v in inner.items()}, y[train])
        chosen[~train] = outer[pick][~train]
    shipped_f1, shipped_acc = agreement(outer[shipped_c], y)
    adapted_f1, adapted_acc = agreement(chosen, y)
    offset, threshold = best(outer, y)
    # better on "same need" by the margin, and more decided pairs respected than broken anew, by a paired
    # (McNemar) margin: fixed - broken >= SIGNIFICANCE x sqrt(fixed + broken)
    shipped_right = outer[shipped_c] == y
    fixed = int(np.sum((chosen == y) & ~shipped_right))
    broken = int(np.sum((chosen != y) & shipped_right))
    used = (
        (offset, threshold) != shipped_c
        and adapted_f1 >= shipped_f1 + MARGIN
        and fixed - broken >= SIGNIFICANCE * np.sqrt(fixed + broken)
    )
    return Adaptation(
        n,
        same,
        shipped_f1,
        adapted_f1,
        shipped_acc,
        adapted_acc,
        offset,
        threshold,
        used,
        calibrated(pm, offset, threshold) if used else None,
    )


__all__ = ["Adaptation", "adapt", "agreement", "calibrated"]
