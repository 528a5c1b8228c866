"""Second stage of the pair model: a pair's score read in its neighbourhood.

The first stage scores a pair of reports on its own.  In a dense town, several different needs of one theme
and one public all score high with each other; what tells them apart is relative: is this the best match of
each report, or one among many?  The second stage is a small logistic model over, for each pair (i, j) of a
set of reports scored by the first stage (a linked component of a batch, or a new report and its
candidates):

* the first-stage score and its logit,
* the rank of j among i's matches and of i among j's (log, smaller and larger),
* how many reports score at least ``DENSE_LEVEL`` with each of them (log, smaller and larger).

Only scores of at least ``MATCH_LEVEL`` (the batch grouping's link level) count as matches, so the inputs
of a pair depend only on the reports linked to it: the same whether computed on a linked component or on a
whole territory.  Pure numpy, no corpus statistics.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

CONTEXT_FEATURES = (
    "p",
    "rank_min",
    "rank_max",
    "dense_min",
    "dense_max",
    "logit",
)
MATCH_LEVEL = 0.1  # first-stage scores below this are not matches (the batch grouping's link level)
DENSE_LEVEL = 0.3  # a report's "close neighbours" score at least this with it
_CHUNK = 256  # rows of inputs built at once (a component of 3,000 reports stays within a few dozen MB)


@dataclass(frozen=True)
class ContextModel:
    mean: np.ndarray
    scale: np.ndarray
    coef: np.ndarray
    intercept: float

    def proba(self, x: np.ndarray) -> np.ndarray:
        z = ((x - self.mean) / self.scale) @ self.coef + self.intercept
        out: np.ndarray = 1.0 / (1.0 + np.exp(-np.clip(z, -30, 30)))
        return out

    def to_dict(self) -> dict[str, Any]:
        return {
            "features": list(CONTEXT_FEATURES),
            "mean": [round(float(v), 6) for v in self.mean],
            "scale": [round(float(v), 6) for v in self.scale],
            "coef": [round(float(v), 6) for v in self.coef],
            "intercept": round(float(self.intercept), 6),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ContextModel | None:
        if list(data.get("features", ())) != list(CONTEXT_FEATURES):
            return None  # a model of another version: first stage only
        return cls(
            mean=np.asarray(data["mean"], dtype=np.float64),
            scale=np.asarray(data["scale"], dtype=np.float64),
            coef=np.asarray(data["coef"], dtype=np.float64),
            intercept=float(data["intercept"]),
        )


def _prepare(p: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Log rank of each column in each row's matches, and each row's log density."""
    n = len(p)
    q = np.where(p >= MATCH_LEVEL, p, 0.0)
    np.fill_diagonal(q, 0.0)
    order = np.argsort(-q, axis=1, kind="stable")
    rank = np.empty((n, n), dtype=np.float64)
    rank[np.arange(n)[:, None], order] = np.log1p(np.arange(1, n + 1, dtype=np.float64))[None, :]
    matches = (q > 0).sum(axis=1)
    # a non-match ranks after every match of its row, whatever the size of the set scored
    rank = np.where(q > 0, rank, np.log1p(matches + 1.0)[:, None])
    dense = np.log1p((q >= DENSE_LEVEL).sum(axis=1).astype(np.float64))
    return rank, dense


def _inputs(p: np.ndarray, rank: np.ndarray, dense: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """Inputs of the pairs (i, j) for i in ``rows`` and every j: shape (len(rows), n, features)."""
    pr = p[rows]
    rank_i, rank_j = rank[rows], rank[:, rows].T
    dense_i, dense_j = dense[rows][:, None], dense[None, :]
    logit = np.log(np.clip(pr, 1e-4, 1.0) / np.clip(1.0 - pr, 1e-4, 1.0))
    return np.stack(
        [
            pr,
            np.minimum(rank_i, rank_j),
            np.maximum(rank_i, rank_j),
            np.broadcast_to(np.minimum(dense_i, dense_j), pr.shape),
            np.broadcast_to(np.maximum(dense_i, dense_j), pr.shape),
            logit,
        ],
        axis=-1,
    )


def pair_context_inputs(p: np.ndarray, r: np.ndarray, c: np.ndarray) -> np.ndarray:
    """Second-stage inputs of the pairs (r[k], c[k]) of a symmetric first-stage score matrix ``p``."""
    rank, dense = _prepare(p)
    out = np.zeros((len(r), len(CONTEXT_FEATURES)))
    for start in range(0, len(p), _CHUNK):
        rows = np.arange(start, min(start + _CHUNK, len(p)))
        sel = np.nonzero((r >= start) & (r < rows[-1] + 1))[0]
        if len(sel):
            x = _inputs(p, rank, dense, rows)
            out[sel] = x[r[sel] - start, c[sel]]
    return out


def rescore(p: np.ndarray, cm: ContextModel) -> np.ndarray:
    """Second-stage scores of every pair of a symmetric first-stage score matrix (0 stays 0: territories
    that cannot overlap are never joined)."""
    n = len(p)
    if n == 0:
        return p
    rank, dense = _prepare(p)
    out = np.zeros_like(p, dtype=np.float64)
    for start in range(0, n, _CHUNK):
        rows = np.arange(start, min(start + _CHUNK, n))
        x = _inputs(p, rank, dense, rows)
        out[rows] = cm.proba(x.reshape(-1, len(CONTEXT_FEATURES))).reshape(len(rows), n)
    out[p <= 0.0] = 0.0
    np.fill_diagonal(out, 1.0)
    return out
