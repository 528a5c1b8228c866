"""The team's decisions as hard constraints of a grouping: a "same need" pair is a must-link, a "not the
same" pair a cannot-link.

Decisions come latest first.  The latest decision on a pair wins; when decisions contradict each other
only through other pairs (a = b and b = c, but later a != c), the newer decision wins and the older one
that would contradict it is left out, so the constraints are always satisfiable: every must-link group is
one cluster and two groups joined by a cannot-link are never in one cluster.

Pure numpy, indexes into the list of reports being grouped.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Constraints:
    """``root``: the must-link group of each report (a report index; a report alone is its own root);
    ``cannot``: pairs of roots that are never in one cluster, as keys ``min(a, b) * n + max(a, b)``."""

    root: np.ndarray
    cannot: np.ndarray

    def __len__(self) -> int:
        return len(self.root)

    @property
    def empty(self) -> bool:
        return not len(self.cannot) and bool((self.root == np.arange(len(self.root))).all())

    def apart_keys(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        """Whether each pair (a[k], b[k]) is a cannot-link."""
        ra, rb = self.root[a], self.root[b]
        keys = np.minimum(ra, rb) * len(self.root) + np.maximum(ra, rb)
        return np.isin(keys, self.cannot)

    def local(self, idx: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(same, apart): boolean matrices over the reports ``idx`` (must-link, cannot-link; the diagonal is
        not a must-link)."""
        roots = self.root[idx]
        same = roots[:, None] == roots[None, :]
        np.fill_diagonal(same, False)
        if not len(self.cannot):
            return same, np.zeros_like(same)
        n = len(self.root)
        keys = np.minimum(roots[:, None], roots[None, :]) * n + np.maximum(roots[:, None], roots[None, :])
        return same, np.isin(keys, self.cannot)

    def must_edges(self) -> tuple[np.ndarray, np.ndarray]:
        """Edges (report, its root) that tie every must-link group together."""
        k = np.flatnonzero(self.root != np.arange(len(self.root)))
        return k, self.root[k]


def resolve(n: int, decisions: Iterable[tuple[int, int, bool]]) -> Constraints:
    """Constraints over ``n`` reports from decisions ``(a, b, same)``, latest first (see the module)."""
    parent = list(range(n))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    seen: set[tuple[int, int]] = set()
    apart: set[tuple[int, int]] = set()  # pairs of roots (kept up to date on each union)
    for a, b, same in decisions:
        a, b = int(a), int(b)
        pair = (min(a, b), max(a, b))
        if a == b or pair in seen:
            continue  # an older decision on a pair decided again later
        seen.add(pair)
        ra, rb = find(a), find(b)
        if same:
            if ra == rb or (min(ra, rb), max(ra, rb)) in apart:
                continue  # already together, or a newer decision keeps these groups apart
            keep, gone = min(ra, rb), max(ra, rb)
            parent[gone] = keep
            moved = {(keep if x == gone else x, keep if y == gone else y) for x, y in apart}
            apart = {(min(x, y), max(x, y)) for x, y in moved}
        elif ra != rb:  # not the same, unless newer decisions tied them together
            apart.add((min(ra, rb), max(ra, rb)))
    root = np.fromiter((find(i) for i in range(n)), dtype=np.int64, count=n)
    cannot = np.array(sorted(x * n + y for x, y in apart), dtype=np.int64)
    return Constraints(root=root, cannot=cannot)
