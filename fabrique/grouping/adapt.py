"""Learning from a team's decisions: a per-fabrique adaptation of the pair model, with a guard.

Every merge, split, accepted or rejected proposal of a fabrique is a labelled pair of reports (same need or
not).  From them, ``adapt`` refits the shipped logistic pair model with a prior that keeps it close to the
shipped weights (maximum a posteriori: log-loss on the decisions + ``strength`` x squared distance to the
shipped coefficients, in the model's standardised space), so a handful of decisions moves it a little and
hundreds move it more.  The adapted model is *used* only when it scores better than the shipped one on the
fabrique's own history, measured out of sample (k-fold cross-validation over the decisions: each fold's
decisions are predicted by a model adapted without them).

Pure numpy; no corpus-wide state: the adapted model is a ``PairModel`` with other coefficients.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np

from fabrique.grouping.engine import PAIR_FEATURES, Matrix, PairModel, pair_features, prob_pairs_inputs
from fabrique.grouping.features import Features

MIN_DECISIONS = 10  # fewer decisions (or only one kind): the shipped model is kept
STRENGTHS = (30.0, 10.0, 3.0)  # prior strengths tried, strongest first (chosen by cross-validation)
FOLDS = 5


@dataclass(frozen=True)
class Adaptation:
    """Outcome of an adaptation on a fabrique's decisions, for the grouping page."""

    decisions: int
    same: int
    shipped_log_loss: float | None  # mean log-loss of the shipped model on the decisions
    adapted_log_loss: float | None  # same, cross-validated, for the adapted model
    shipped_accuracy: float | None  # share of decisions the shipped model gets right (at its threshold)
    adapted_accuracy: float | None  # cross-validated
    strength: float | None
    used: bool
    model: PairModel | None  # the adapted model (fitted on every decision) when ``used``


def _sigmoid(z: np.ndarray) -> np.ndarray:
    out: np.ndarray = 1.0 / (1.0 + np.exp(-np.clip(z, -30, 30)))
    return out


def _log_loss(p: np.ndarray, y: np.ndarray, pos_weight: float = 1.0) -> float:
    """Mean log-loss, same-need decisions weighted like the shipped model's fit (``pos_weight``)."""
    p = np.clip(p, 1e-6, 1 - 1e-6)
    w = np.where(y > 0.5, pos_weight, 1.0)
    return float(-np.sum(w * (y * np.log(p) + (1 - y) * np.log(1 - p))) / np.sum(w))


def _fit(pm: PairModel, x: np.ndarray, y: np.ndarray, strength: float) -> PairModel:
    """MAP refit of (coef, intercept) around the shipped ones (Newton steps; a convex problem)."""
    z = np.column_stack([(x - pm.mean) / pm.scale, np.ones(len(x))])
    w0 = np.concatenate([pm.coef, [pm.intercept]])
    w = w0.copy()
    eye = np.eye(len(w))
    sw = np.where(y > 0.5, pm.pos_weight, 1.0)  # decisions weighted as the shipped model's pairs were
    for _ in range(25):
        p = _sigmoid(z @ w)
        grad = z.T @ (sw * (p - y)) + 2 * strength * (w - w0)
        hess = (z * (sw * p * (1 - p))[:, None]).T @ z + 2 * strength * eye
        step = np.linalg.solve(hess, grad)
        w -= step
        if np.abs(step).max() < 1e-6:
            break
    return replace(pm, coef=w[:-1], intercept=float(w[-1]))  # same scaling, thresholds and cannot-link


def _cross_validated(pm: PairModel, x: np.ndarray, y: np.ndarray, strength: float) -> np.ndarray:
    """Out-of-fold probabilities of the adapted model (folds interleaved over the decisions)."""
    out = np.zeros(len(y))
    folds = min(FOLDS, len(y))
    for k in range(folds):
        test = np.arange(len(y)) % folds == k
        out[test] = _fit(pm, x[~test], y[~test], strength).proba(x[test])
    return out


def adapt(pm: PairModel, x: np.ndarray, y: np.ndarray) -> Adaptation:
    """Adapt ``pm`` to decisions (pair inputs ``x``, ``y`` True = same need), with the guard."""
    y = np.asarray(y, dtype=np.float64)
    n, same = len(y), int(y.sum())
    if n == 0:
        return Adaptation(0, 0, None, None, None, None, None, False, None)
    shipped = pm.proba(x)
    shipped_loss = _log_loss(shipped, y, pm.pos_weight)
    shipped_acc = float(np.mean((shipped >= pm.threshold) == (y > 0.5)))
    if n < MIN_DECISIONS or same in (0, n):
        return Adaptation(n, same, shipped_loss, None, shipped_acc, None, None, False, None)
    best: tuple[float, float, float] | None = None  # (loss, accuracy, strength)
    for strength in STRENGTHS:
        oof = _cross_validated(pm, x, y, strength)
        loss = _log_loss(oof, y, pm.pos_weight)
        if best is None or loss < best[0]:
            best = (loss, float(np.mean((oof >= pm.threshold) == (y > 0.5))), strength)
    assert best is not None
    loss, acc, strength = best
    used = loss < shipped_loss
    return Adaptation(
        n,
        same,
        shipped_loss,
        loss,
        shipped_acc,
        acc,
        strength,
        used,
        _fit(pm, x, y, strength) if used else None,
    )


def pair_inputs(pairs: Sequence[tuple[Features, Features]]) -> tuple[np.ndarray, np.ndarray]:
    """Model inputs of report pairs and whether their territories are compatible at all."""
    if not pairs:
        return np.zeros((0, len(PAIR_FEATURES))), np.zeros(0, dtype=bool)
    feats: list[Features] = []
    index: dict[str, int] = {}
    r, c = [], []
    for a, b in pairs:
        for f in (a, b):
            if f.id not in index:
                index[f.id] = len(feats)
                feats.append(f)
        r.append(index[a.id])
        c.append(index[b.id])
    m = Matrix(feats)
    return prob_pairs_inputs(m, np.asarray(r, dtype=np.int64), np.asarray(c, dtype=np.int64))


__all__ = ["Adaptation", "adapt", "pair_features", "pair_inputs"]
