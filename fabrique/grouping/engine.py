"""Pair model, blocking and clustering: batch grouping and single-report suggestions share this code.

A pair of reports gets a probability of being the same need from a small logistic model over:
block cosines (words, character n-grams, concepts, themes), public agreement, territory relation and
theme-field agreement.  Territories that cannot overlap (communes of different EPCIs, a commune and
another EPCI, two départements) give probability 0 without further computation: this is the blocking.

Batch grouping scores only pairs inside one EPCI (or commune outside any EPCI) plus the approximate
nearest neighbours of reports without a usable territory, links pairs above a low probability, and cuts
each linked component with average-linkage clustering at ``threshold``.
"""

from __future__ import annotations

import json
import multiprocessing as mp
import os
import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import scipy.sparse as sp
from scipy.cluster.hierarchy import linkage
from scipy.sparse.csgraph import connected_components

from fabrique.grouping.constraints import Constraints, resolve
from fabrique.grouping.context import ContextModel, rescore
from fabrique.grouping.features import BLOCK_BITS, BLOCKS, DIM, E_DIMS, Features, featurize, word_vectors
from fabrique.grouping.territory import norm_name, territories

MODEL_PATH = Path(__file__).resolve().parent / "pair_model.json"
CANNOT_LINK = 1e6  # linkage distance of two reports whose places cannot overlap
LINK_MIN_THEME_COSINE = 0.2  # candidate links need some theme in common (dev set: no link lost above p=0.1)

PAIR_FEATURES = (
    "cos_w",
    "cos_c",
    "cos_k",
    "cos_t",
    "cos_max_wc",
    "pub_same",
    "pub_conflict",
    "pub_conflict_explicit",
    "terr_exact",
    "terr_nested",
    "terr_subdiff",
    "terr_vague",
    "theme_same",
    "theme_diff",
    "cos_k_x_pub_same",
    "cos_w_x_exact",
    "terr_mention",
    "terr_siblings",
    "k_disjoint",
    "cos_e",
    "cos_e_x_exact",
    "cos_h",
    "short",
    "short_x_cos_e",
    "short_x_cos_k",
)

SHORT_WORDS = 8.0  # content words at which a report counts as half "short" (pair features short_*)

# Fallback weights (hand-set) when pair_model.json is absent; the shipped file is trained on the tuning half.
_DEFAULT_MODEL = {
    "features": list(PAIR_FEATURES),
    "mean": [0.0] * len(PAIR_FEATURES),
    "scale": [1.0] * len(PAIR_FEATURES),
    "coef": [
        4.0,
        3.0,
        3.0,
        1.0,
        2.0,
        0.8,
        -1.5,
        -1.0,
        0.5,
        0.3,
        -1.0,
        -1.0,
        0.3,
        -0.2,
        1.0,
        1.0,
        1.0,
        -3.0,
        -1.0,
        2.0,
        1.0,
        1.0,
        0.0,
        0.0,
        0.0,
    ],
    "intercept": -7.5,
    "threshold": 0.5,
    "link_threshold": 0.15,
}


@dataclass(frozen=True)
class PairModel:
    mean: np.ndarray
    scale: np.ndarray
    coef: np.ndarray
    intercept: float
    threshold: float
    link_threshold: float
    # pairs below this probability are a cannot-link inside a cluster (as incompatible places are), so a
    # few strong links cannot pull two clearly different needs into one group through their neighbours
    cannot_link: float = 0.0
    # weight of a same-need pair in the fit (they are rare: about 1 compatible pair in 60); the per-fabrique
    # adaptation weighs the team's decisions the same way, so both models are compared on one loss
    pos_weight: float = 1.0
    # second stage (``context.py``): each pair's score read among the other scores of its reports; the
    # clustering threshold applies to its output.  None: first stage only
    context: ContextModel | None = None

    @classmethod
    def load(cls, path: Path = MODEL_PATH) -> PairModel:
        data = json.loads(path.read_text()) if path.exists() else _DEFAULT_MODEL
        if list(data["features"]) != list(PAIR_FEATURES):
            data = _DEFAULT_MODEL
        return cls(
            mean=np.asarray(data["mean"], dtype=np.float64),
            scale=np.asarray(data["scale"], dtype=np.float64),
            coef=np.asarray(data["coef"], dtype=np.float64),
            intercept=float(data["intercept"]),
            threshold=float(data.get("threshold", 0.5)),
            link_threshold=float(data.get("link_threshold", 0.15)),
            cannot_link=float(data.get("cannot_link", 0.0)),
            pos_weight=float(data.get("pos_weight", 1.0)),
            context=ContextModel.from_dict(data["context"]) if data.get("context") else None,
        )

    def proba(self, x: np.ndarray) -> np.ndarray:
        z = ((x - self.mean) / self.scale) @ self.coef + self.intercept
        return 1.0 / (1.0 + np.exp(-np.clip(z, -30, 30)))


_MODEL: PairModel | None = None


def model() -> PairModel:
    global _MODEL
    if _MODEL is None:
        _MODEL = PairModel.load()
    return _MODEL


def set_model(m: PairModel | None) -> None:
    """Replace the process-wide pair model (training and tests); None reloads the shipped one."""
    global _MODEL
    _MODEL = m


# --------------------------------------------------------------------------- stacked features
_E_BLOCK = BLOCKS.index("e")
_LEVELS = {"unknown": 0, "dept": 1, "epci": 2, "commune": 3, "quartier": 4, "qpv": 4}


class Matrix:
    """Column-stacked features of many reports: one CSR matrix per block plus coded attributes."""

    def __init__(self, feats: Sequence[Features]) -> None:
        self.feats = feats
        n = len(feats)
        lengths = np.fromiter((len(f.indices) for f in feats), dtype=np.int64, count=n)
        indptr = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(lengths, out=indptr[1:])
        indices = np.concatenate([f.indices for f in feats]) if n else np.zeros(0, dtype=np.int32)
        values = np.concatenate([f.values for f in feats]) if n else np.zeros(0, dtype=np.float32)
        full = sp.csr_matrix((values, indices, indptr), shape=(n, DIM))
        self.blocks = [full[:, b << BLOCK_BITS : (b + 1) << BLOCK_BITS].tocsr() for b in range(len(BLOCKS))]
        # the meaning block is dense: one float32 row per report, multiplied as a dense matrix
        self.meaning = self.blocks[_E_BLOCK][:, :E_DIMS].toarray().astype(np.float32)
        self.full = full
        self.has_theme = np.diff(self.blocks[BLOCKS.index("t")].indptr) > 0
        # distinct content words of each report (entries of its word block): a one-line message shares few
        # words with anything, so its pairs lean on meaning and concepts rather than on words
        self.words = np.diff(self.blocks[BLOCKS.index("w")].indptr)
        codes: dict[str, int] = {"": 0}

        def code(value: str) -> int:
            return codes.setdefault(value, len(codes))

        self.public = np.array([code("p:" + f.public) if f.public else 0 for f in feats], dtype=np.int32)
        self.explicit = np.array([f.public_explicit for f in feats], dtype=bool)
        self.has_concepts = np.array([bool(f.concepts) for f in feats], dtype=bool)
        self.theme = np.array([code("t:" + f.theme) if f.theme else 0 for f in feats], dtype=np.int32)
        self.level = np.array([_LEVELS.get(f.place.level, 0) for f in feats], dtype=np.int8)
        self.commune = np.array(
            [code("c:" + f.place.commune) if f.place.commune else 0 for f in feats], dtype=np.int32
        )
        alt = []
        for f in feats:
            others = sorted(f.place.communes - {f.place.commune}) if f.place.commune else []
            alt.append(code("c:" + others[0]) if others else -1)
        self.alt = np.array(alt, dtype=np.int32)
        self.epci = np.array(
            [code("e:" + f.place.epci) if f.place.epci else -2 for f in feats], dtype=np.int32
        )
        self.dept = np.array(
            [code("d:" + f.place.dept) if f.place.dept else -3 for f in feats], dtype=np.int32
        )
        self.mentions = {i: {code("c:" + c) for c in f.mentions} for i, f in enumerate(feats) if f.mentions}
        self.has_mentions = np.zeros(n, dtype=bool)
        self.has_mentions[list(self.mentions)] = True
        arr_bits: dict[str, int] = {}
        self.arr = np.array(
            [sum(1 << arr_bits.setdefault(a, len(arr_bits) % 62) for a in f.place.arrs) for f in feats],
            dtype=np.int64,
        )
        self.sub = np.array(
            [code("s:" + (f.place.qpv or f.place.sub)) if (f.place.qpv or f.place.sub) else 0 for f in feats],
            dtype=np.int32,
        )

    def __len__(self) -> int:
        return len(self.feats)


def _territory_classes(m: Matrix, r: np.ndarray, c: np.ndarray) -> dict[str, np.ndarray]:
    """Vectorised territory relation of row pairs (r[i], c[i]): compatible, exact, nested, subdiff, vague."""
    lr, lc = m.level[r], m.level[c]
    vague = (lr <= 1) | (lc <= 1)
    dept_bad = (
        ((lr == 1) | (lc == 1))
        & (lr > 0)
        & (lc > 0)
        & (m.dept[r] != m.dept[c])
        & (m.dept[r] >= 0)
        & (m.dept[c] >= 0)
    )
    both_com = (lr >= 3) & (lc >= 3)
    same_com = (m.commune[r] == m.commune[c]) | (m.alt[r] == m.commune[c]) | (m.commune[r] == m.alt[c])
    one_epci = ((lr == 2) | (lc == 2)) & ~vague
    same_epci = (m.epci[r] == m.epci[c]) & (m.epci[r] >= 0)
    siblings = (
        both_com & ~same_com & same_epci
    )  # two communes of one EPCI: possible (EPCI-wide need), penalised
    ar, ac = m.arr[r], m.arr[c]
    arr_apart = (ar != 0) & (ac != 0) & ((ar & ac) == 0)  # two different arrondissements: never one need
    compatible = (
        (vague & ~dept_bad) | (both_com & same_com) | (one_epci & same_epci) | siblings
    ) & ~arr_apart
    sr, sc = m.sub[r], m.sub[c]
    subdiff = both_com & same_com & (sr > 0) & (sc > 0) & (sr != sc)
    exact = (
        compatible
        & ~vague
        & ~subdiff
        & ~siblings
        & (ar == ac)
        & (((lr == lc) & (sr == sc)) | ((lr == 2) & (lc == 2)))
    )
    nested = compatible & ~vague & ~subdiff & ~exact & ~siblings
    return {
        "compatible": compatible,
        "exact": exact,
        "nested": nested,
        "subdiff": subdiff,
        "vague": vague & compatible,
        "siblings": siblings,
    }


def _compact(a: sp.csr_matrix, used: np.ndarray) -> sp.csr_matrix:
    return sp.csr_matrix((a.data, np.searchsorted(used, a.indices), a.indptr), shape=(a.shape[0], len(used)))


def _cosines(m: Matrix, rows: np.ndarray, cols: np.ndarray, meaning: bool = True) -> list[np.ndarray]:
    """Dense block cosine matrices (len(rows) x len(cols)) for each block (without the meaning block
    when ``meaning`` is False: callers that keep few pairs compute it for those pairs only).

    The products run in the compact column space of the features actually used by these rows, so the cost
    does not depend on the size of the hashing space.
    """
    out = []
    for k, blk in enumerate(m.blocks):
        if k == _E_BLOCK:  # the meaning block is dense (one short vector per report)
            if not meaning:
                continue
            da = m.meaning[rows]
            db = da if cols is rows else m.meaning[cols]
            out.append((da @ db.T).astype(np.float64))
            continue
        a = blk[rows]
        b = a if cols is rows else blk[cols]
        used = np.union1d(a.indices, b.indices)
        ca = _compact(a, used)
        cb = ca if b is a else _compact(b, used)
        out.append((ca @ cb.T).toarray().astype(np.float64, copy=False))
    return out


def pair_features(
    m: Matrix,
    r: np.ndarray,
    c: np.ndarray,
    cos: Sequence[np.ndarray],
    terr: Mapping[str, np.ndarray] | None = None,
) -> np.ndarray:
    """Model inputs for pairs (r[i], c[i]) given their block cosines ``cos[b][i]`` (and their territory
    classes when the caller has them already)."""
    terr = _territory_classes(m, r, c) if terr is None else terr
    pr, pc = m.public[r], m.public[c]
    known = (pr > 0) & (pc > 0)
    pub_same = known & (pr == pc)
    pub_conflict = known & (pr != pc)
    explicit_conflict = pub_conflict & m.explicit[r] & m.explicit[c]
    tr, tc = m.theme[r], m.theme[c]
    theme_known = (tr > 0) & (tc > 0)
    cw, cc, ck, ct, ce, ch = cos
    # shortness of the shorter report: 1 with no content word, 0.5 with 8, 0.2 with 32
    short = 1.0 / (1.0 + np.minimum(m.words[r], m.words[c]) / SHORT_WORDS)
    mention = np.zeros(len(r), dtype=bool)
    if m.mentions:
        has = m.has_mentions[r] | m.has_mentions[c]
        for k in np.nonzero(has)[0]:
            i, j = int(r[k]), int(c[k])
            mention[k] = int(m.commune[j]) in m.mentions.get(i, ()) or int(m.commune[i]) in m.mentions.get(
                j, ()
            )
    x = np.column_stack(
        [
            cw,
            cc,
            ck,
            ct,
            np.maximum(cw, cc),
            pub_same,
            pub_conflict,
            explicit_conflict,
            terr["exact"],
            terr["nested"],
            terr["subdiff"],
            terr["vague"],
            theme_known & (tr == tc),
            theme_known & (tr != tc),
            ck * pub_same,
            cw * terr["exact"],
            mention,
            terr["siblings"],
            m.has_concepts[r] & m.has_concepts[c] & (ck <= 1e-9),  # both say what they need, nothing shared
            ce,
            ce * terr["exact"],
            ch,
            short,
            short * ce,
            short * ck,
        ]
    ).astype(np.float64)
    return x


def prob_matrix(
    m: Matrix,
    rows: np.ndarray,
    cols: np.ndarray,
    pm: PairModel | None = None,
    links_only: bool = False,
    groups: np.ndarray | None = None,
) -> np.ndarray:
    """Probabilities that each (row, col) report pair is the same need; 0 where territories are disjoint.

    ``links_only`` (candidate links of batch grouping) also skips pairs that cannot reach the link
    threshold in practice: two different communes of one EPCI (their penalty keeps them far below it; they
    are still scored when a linked component is clustered) and pairs with no theme in common.

    ``groups`` (with ``rows`` and ``cols`` the same reports, one run of rows per group): score only the
    pairs inside one group, the others get 0 — several small components clustered with one product, without
    paying for the pairs across them.
    """
    pm = pm or model()
    nr, nc = len(rows), len(cols)
    p = np.zeros(nr * nc)
    cells = None if groups is None else _cells_within(groups)
    if cells is None:
        r, c = np.repeat(rows, nc), np.tile(cols, nr)
    else:
        r, c = rows[cells // nc], cols[cells % nc]
    terr = _territory_classes(m, r, c)
    mask = terr["compatible"] & ~terr["siblings"] if links_only else terr["compatible"]
    if not mask.any():
        return p.reshape(nr, nc)
    cos = [b.ravel() if cells is None else b.ravel()[cells] for b in _cosines(m, rows, cols, meaning=False)]
    if links_only:
        # a report without any theme (no concept found, no theme field) has no theme to share
        mask &= (cos[3] >= LINK_MIN_THEME_COSINE) | ~(m.has_theme[r] & m.has_theme[c])
    sel = np.nonzero(mask)[0]
    if len(sel):
        rs, cs = r[sel], c[sel]
        ce = np.einsum("ij,ij->i", m.meaning[rs], m.meaning[cs]).astype(np.float64)
        cos_sel = [b[sel] for b in cos]
        cos_sel.insert(_E_BLOCK, ce)
        x = pair_features(m, rs, cs, cos_sel, {k: v[sel] for k, v in terr.items()})
        p[sel if cells is None else cells[sel]] = pm.proba(x)
    return p.reshape(nr, nc)


def _cells_within(groups: np.ndarray) -> np.ndarray:
    """Flat indexes, in the square grid of len(groups) rows, of the cells whose row and column are in one
    group (``groups``: a group number per row, each group one run of rows)."""
    n = len(groups)
    starts = np.flatnonzero(np.r_[True, groups[1:] != groups[:-1]])
    sizes = np.diff(np.r_[starts, n])
    cells = []
    for start, size in zip(starts.tolist(), sizes.tolist(), strict=True):
        i, j = np.divmod(np.arange(size * size, dtype=np.int64), size)
        cells.append((start + i) * n + start + j)
    return np.concatenate(cells) if cells else np.zeros(0, dtype=np.int64)


def prob_pairs_inputs(m: Matrix, r: np.ndarray, c: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Model inputs for an explicit list of pairs (r[i], c[i]) and whether their territories are compatible."""
    cos = [np.asarray(blk[r].multiply(blk[c]).sum(axis=1)).ravel() for blk in m.blocks]
    return pair_features(m, r, c, cos), _territory_classes(m, r, c)["compatible"]


def prob_pairs(m: Matrix, r: np.ndarray, c: np.ndarray, pm: PairModel | None = None) -> np.ndarray:
    """Probabilities for an explicit list of pairs (r[i], c[i])."""
    pm = pm or model()
    if not len(r):
        return np.zeros(0)
    x, compatible = prob_pairs_inputs(m, r, c)
    p = pm.proba(x)
    p[~compatible] = 0.0
    return p


# --------------------------------------------------------------------------- batch grouping
def _dominant_dept(reports: Sequence[Mapping]) -> str:
    terr = territories()
    counts: Counter[str] = Counter()
    for rep in reports[:5000]:
        code = str(rep.get("commune") or "").strip()
        # an arrondissement code ('75120') or a postal code counts for its commune's département
        com = terr.communes.get(code) or terr.communes.get(terr.parent.get(code, ""))
        if com is None and code in terr.arr_by_postcode:
            com = terr.communes.get(terr.parent[next(iter(terr.arr_by_postcode[code]))])
        if com is None and terr.by_postcode.get(code):
            com = terr.communes.get(terr.by_postcode[code][0])
        if com:
            counts[com.dept] += 1
    # reports without a code count for the place their label names, read in the coded reports' main
    # département if there is one ('Saint-Louis' in a batch of the Haut-Rhin), else on its own ('Hem',
    # 'Saint-Denis' of the Réunion or of the Seine-Saint-Denis: the batch's other reports decide)
    uncoded = [
        str(rep["territory_label"])
        for rep in reports[:5000]
        if not str(rep.get("commune") or "").strip() and rep.get("territory_label")
    ]
    main = counts.most_common(1)[0][0] if counts else ""
    if not main and uncoded:  # no code at all: the labels' own main département, then read again in it
        main = Counter(terr.resolve("", label, "").dept for label in uncoded).most_common(1)[0][0]
    counts.update(dept for dept in (terr.resolve("", label, main).dept for label in uncoded) if dept)
    if not counts:
        return ",".join(_batch_cities(reports[:5000]))
    total = sum(counts.values())
    # the main département first, then every other one holding at least 5 % of the coded reports
    depts = [d for d, k in counts.most_common() if k >= 0.05 * total or d == counts.most_common(1)[0][0]]
    return ",".join(depts + _batch_cities(reports[:5000]))


def _batch_cities(reports: Sequence[Mapping]) -> list[str]:
    """Paris, Lyon or Marseille when at least 5 % of the batch is surely in it (its code, an arrondissement's
    code, its name in the label): then a code that is both an INSEE code and an arrondissement's postal code
    ('13015', Bouc-Bel-Air and the 15e) is read as the arrondissement when the label does not name the
    commune (`Territories._postal_reading`)."""
    terr = territories()
    names = {
        city: re.compile(rf"\b{re.escape(norm_name(terr.communes[city].name))}\b") for city in terr.arr_of
    }
    votes: Counter[str] = Counter()
    for rep in reports:
        code = str(rep.get("commune") or "").strip()
        label = norm_name(str(rep.get("territory_label") or ""))
        for city, name in names.items():
            if code == city or terr.parent.get(code) == city or name.search(label):
                votes[city] += 1
    return sorted(city for city, k in votes.items() if k >= 0.05 * len(reports))


def _featurize_chunk(args: tuple[Sequence[Mapping], str]) -> list[Features]:
    chunk, hint = args
    return [featurize(rep, dept_hint=hint) for rep in chunk]


def featurize_all(
    reports: Sequence[Mapping], progress: Callable[[str], None] | None = None, workers: int | None = None
) -> list[Features]:
    """Features of many reports; large inputs use all cores (fork) in chunks."""
    hint = _dominant_dept(reports)
    n = len(reports)
    workers = workers if workers is not None else (os.cpu_count() or 1)
    chunk = 2000
    chunks = [(reports[i : i + chunk], hint) for i in range(0, n, chunk)]
    if workers > 1 and n >= 4000 and "fork" in mp.get_all_start_methods():
        territories()  # load once, inherited by the workers
        word_vectors()
        feats: list[Features] = []
        with mp.get_context("fork").Pool(workers) as pool:
            for k, part in enumerate(pool.imap(_featurize_chunk, chunks)):
                feats.extend(part)
                if progress:
                    progress(f"caractéristiques {min(n, (k + 1) * chunk)}/{n}")
        return arrondissements_from_batch(neighbourhoods_from_batch(reports, feats))
    feats = []
    for k, args in enumerate(chunks):
        feats.extend(_featurize_chunk(args))
        if progress and len(chunks) > 1:
            progress(f"caractéristiques {min(n, (k + 1) * chunk)}/{n}")
    return arrondissements_from_batch(neighbourhoods_from_batch(reports, feats))


def neighbourhoods_from_batch(reports: Sequence[Mapping], feats: list[Features]) -> list[Features]:
    """A report placed nowhere whose label is a neighbourhood that the batch's other reports all place in one
    commune ('Fives' alone, '59350 | Fives' elsewhere) is in that neighbourhood of that commune."""
    terr = territories()
    where: dict[str, set[str]] = {}
    for f in feats:
        if f.place.sub and f.place.commune in terr.communes:
            where.setdefault(f.place.sub, set()).add(f.place.commune)
    if where:
        for rep, f in zip(reports, feats, strict=True):
            if f.place.level == "unknown" and rep.get("territory_label"):
                key = terr.neighbourhood_key(str(rep["territory_label"]))
                communes = where.get(key, ())
                if len(communes) == 1:
                    f.place = terr.commune_place(next(iter(communes)), level="quartier", sub=key)
    return feats


def arrondissements_from_batch(feats: list[Features]) -> list[Features]:
    """A neighbourhood or QPV of Paris, Lyon or Marseille written without its arrondissement ('13055 | Frais
    Vallon', 'Guillotière, Lyon') takes the one the batch's other reports give it ('13213 | Frais Vallon'),
    when they all give the same one. The batch's own evidence, no table of neighbourhoods."""
    terr = territories()
    seen: dict[tuple[str, str], set[str]] = {}
    for f in feats:
        p = f.place
        if p.commune in terr.arr_of and len(p.arrs) == 1 and (p.sub or p.qpv):
            seen.setdefault((p.commune, p.sub or p.qpv), set()).update(p.arrs)
    if seen:
        for f in feats:
            p = f.place
            arrs = seen.get((p.commune, p.sub or p.qpv)) if not p.arrs and (p.sub or p.qpv) else None
            if arrs and len(arrs) == 1:
                f.place = replace(p, arrs=frozenset(arrs))
    return feats


FORK_MIN_REPORTS = 20_000  # from this many reports, pair scoring and clustering run on all cores (fork)


def _forking(workers: int, reports: int, parts: int) -> bool:
    return workers > 1 and reports >= FORK_MIN_REPORTS and parts > 1 and "fork" in mp.get_all_start_methods()


_Job = tuple[np.ndarray, np.ndarray, bool]  # rows, cols, same set (keep i < j only)
_FORKED: tuple[Matrix, PairModel] | None = None  # inherited by forked workers


def _score_jobs(m: Matrix, pm: PairModel, jobs: Sequence[_Job]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    src: list[np.ndarray] = []
    dst: list[np.ndarray] = []
    prob: list[np.ndarray] = []
    for rows, cols, same in jobs:
        for start in range(0, len(rows), 400):
            rchunk = rows[start : start + 400]
            p = prob_matrix(m, rchunk, cols, pm, links_only=True)
            ii, jj = np.nonzero(p >= pm.link_threshold)
            a, b = rchunk[ii], cols[jj]
            keep = a < b if same else a != b
            src.append(a[keep])
            dst.append(b[keep])
            prob.append(p[ii[keep], jj[keep]])
    if not src:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64), np.zeros(0)
    return np.concatenate(src), np.concatenate(dst), np.concatenate(prob)


def _score_jobs_forked(jobs: Sequence[_Job]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    assert _FORKED is not None
    return _score_jobs(_FORKED[0], _FORKED[1], jobs)


def _territory_jobs(m: Matrix, batch: int, big_epci: int) -> tuple[list[_Job], list[int]]:
    """Dense scoring jobs by territory, and the reports without a usable territory.

    All pairs inside each EPCI (or commune outside any EPCI).  Small groups are packed into batches of ~batch
    rows: one dense product per batch, the territory mask keeps only compatible pairs (other EPCIs are never
    scored).  In a very large EPCI only pairs inside a commune (a report of a QPV spanning two communes sits in
    both) and EPCI-level reports against all its members are scored.
    """
    groups: dict[int, list[int]] = {}
    vague: list[int] = []
    for i in range(len(m)):
        if m.level[i] <= 1:
            vague.append(i)
        elif m.epci[i] >= 0:
            groups.setdefault(int(m.epci[i]), []).append(i)
        else:
            groups.setdefault(-10 - int(m.commune[i]), []).append(i)
    jobs: list[_Job] = []
    pending: list[int] = []
    for members in sorted(groups.values(), key=len):
        if len(members) > big_epci:
            by_com: dict[int, list[int]] = {}
            wide: list[int] = []
            for i in members:
                if m.level[i] == 2:
                    wide.append(i)
                else:
                    by_com.setdefault(int(m.commune[i]), []).append(i)
                    if m.alt[i] >= 0:
                        by_com.setdefault(int(m.alt[i]), []).append(i)
            for com_members in by_com.values():
                cidx = np.asarray(com_members, dtype=np.int64)
                jobs.append((cidx, cidx, True))
            if wide:
                jobs.append((np.asarray(wide, dtype=np.int64), np.asarray(members, dtype=np.int64), False))
        elif len(members) >= batch:
            idx = np.asarray(members, dtype=np.int64)
            jobs.append((idx, idx, True))
        else:
            if len(pending) + len(members) > batch:
                idx = np.asarray(pending, dtype=np.int64)
                jobs.append((idx, idx, True))
                pending = []
            pending.extend(members)
    if pending:
        idx = np.asarray(pending, dtype=np.int64)
        jobs.append((idx, idx, True))
    return jobs, vague


def _candidate_edges(
    m: Matrix,
    pm: PairModel,
    progress: Callable[[str], None] | None,
    knn: int = 15,
    batch: int = 400,
    big_epci: int = 1500,
    workers: int | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Scored candidate pairs above the link threshold, using territory blocks and neighbours."""
    global _FORKED, _KNN
    n = len(m)
    jobs, vague = _territory_jobs(m, batch, big_epci)
    workers = workers if workers is not None else (os.cpu_count() or 1)
    if _forking(workers, n, len(jobs)):
        costs = [len(r) * len(c) for r, c, _s in jobs]
        shares: list[list[_Job]] = [[] for _ in range(workers * 4)]
        loads = [0] * len(shares)
        for k in sorted(range(len(jobs)), key=lambda k: -costs[k]):
            target = loads.index(min(loads))
            shares[target].append(jobs[k])
            loads[target] += costs[k]
        _FORKED = (m, pm)
        try:
            with mp.get_context("fork").Pool(workers) as pool:
                parts = []
                for k, part in enumerate(pool.imap_unordered(_score_jobs_forked, [s for s in shares if s])):
                    parts.append(part)
                    if progress:
                        progress(f"paires : lot {k + 1}/{sum(1 for s in shares if s)}")
        finally:
            _FORKED = None
    else:
        parts = [_score_jobs(m, pm, jobs)]
        if progress:
            progress(f"paires : {len(jobs)} blocs")
    src = [p[0] for p in parts]
    dst = [p[1] for p in parts]
    prob = [p[2] for p in parts]
    # Reports without a usable territory: approximate nearest neighbours over all reports, on the selective
    # features only (columns present in at most 0.1 % of the reports, at least 20), then scored like any
    # pair.  Chunks of 500 rows run on all cores like the territory blocks (it was the largest serial step
    # at 100,000 reports).
    if vague:
        vidx = np.asarray(vague, dtype=np.int64)
        df = np.bincount(m.full.indices, minlength=m.full.shape[1])
        rare = df <= max(20, n // KNN_RARE_SHARE)
        knn_mat = m.full
        if not rare.all():
            # multiply() by a 0/1 row keeps the other columns as explicit zeros, and the product then walks
            # every one of them (100,000 reports: 95 s of CPU instead of under 1 s): drop them
            knn_mat = m.full.multiply(rare[None, :].astype(np.float32)).tocsr()
            knn_mat.eliminate_zeros()
        _KNN = (knn_mat, knn_mat.T.tocsr(), knn)
        chunks = [vidx[start : start + 500] for start in range(0, len(vidx), 500)]
        try:
            if _forking(workers, n, len(chunks)):
                with mp.get_context("fork").Pool(workers) as pool:
                    found = pool.map(_knn_chunk, chunks)
            else:
                found = [_knn_chunk(rows) for rows in chunks]
        finally:
            _KNN = None
        pr = [f[0] for f in found]
        pc = [f[1] for f in found]
        if pr:
            r_all, c_all = np.concatenate(pr), np.concatenate(pc)
            p = prob_pairs(m, r_all, c_all, pm)
            keep = p >= pm.link_threshold
            src.append(r_all[keep])
            dst.append(c_all[keep])
            prob.append(p[keep])
    if not src:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, np.zeros(0)
    return np.concatenate(src), np.concatenate(dst), np.concatenate(prob)


KNN_RARE_SHARE = 1000  # kNN columns: present in at most 1 / KNN_RARE_SHARE of the reports
_KNN: tuple[sp.csr_matrix, sp.csr_matrix, int] | None = None  # inherited by forked workers


def _knn_chunk(rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Nearest neighbours (``knn`` each, more when tied) of some placeless reports: (rows, cols) of the pairs."""
    assert _KNN is not None
    knn_mat, knn_t, knn = _KNN
    sims = (knn_mat[rows] @ knn_t).tocsr()
    sims.sort_indices()  # beyond 4 knn, ties go to the lowest index, whatever order the product left
    pr: list[np.ndarray] = []
    pc: list[np.ndarray] = []
    for k, row in enumerate(rows):
        lo, hi = sims.indptr[k], sims.indptr[k + 1]
        cols, vals = sims.indices[lo:hi], sims.data[lo:hi]
        if len(cols) > knn:
            # the knn best and every report tied with the last of them (near-copies tie often: which of
            # them an arbitrary cut kept moved pairwise F1 at 100,000 reports by 0.01), up to 4 knn
            tied = vals >= np.partition(vals, len(vals) - knn)[len(vals) - knn]
            cols, vals = cols[tied], vals[tied]
            if len(cols) > 4 * knn:
                cols = cols[np.argsort(-vals, kind="stable")[: 4 * knn]]
        cols = cols[cols != row].astype(np.int64)
        pr.append(np.full(len(cols), row, dtype=np.int64))
        pc.append(cols)
    if not pr:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    return np.concatenate(pr), np.concatenate(pc)


def _cluster_component(
    m: Matrix, idx: np.ndarray, pm: PairModel, threshold: float, p: np.ndarray | None = None
) -> list[np.ndarray]:
    """Average-linkage clusters of one linked component, cut at ``threshold``."""
    if len(idx) == 1:
        return [idx]
    if p is None:
        p = prob_matrix(m, idx, idx, pm)
    labels = _average_linkage(p, pm, threshold)
    return [idx[labels == lab] for lab in range(int(labels.max()) + 1)]


# the team's decisions over the reports of one component: (must-link, cannot-link) boolean matrices
LocalConstraints = tuple[np.ndarray, np.ndarray]


def linkage_tree(p: np.ndarray, pm: PairModel, local: LocalConstraints | None = None) -> np.ndarray:
    """Average-linkage tree of a component (``len(p)`` >= 2) from its first-stage pair probabilities.

    ``local``: the team's decisions (``fabrique.grouping.constraints``). A must-link pair is read as certain
    (first-stage score 1, so the second stage sees it as each report's match) and is at distance 0, so each
    must-link group is merged first and stays one cluster at any cut; a cannot-link pair is read as no
    match (score 0) and is at the cannot-link distance, so no average can bring its two groups together."""
    n = len(p)
    p = np.maximum(p, p.T)
    same = apart_team = None
    if local is not None:
        same, apart_team = local
        p = p.copy()
        p[apart_team] = 0.0
        p[same] = 1.0
    # incompatible places (probability exactly 0: two arrondissements, two EPCIs...) are a cannot-link:
    # no average through a placeless report can bring two such reports into one cluster (the cannot-link
    # level applies to the first-stage score of the pair itself)
    apart = (p <= 0.0) | (p < pm.cannot_link)
    if pm.context is not None:
        p = rescore(p, pm.context)
    np.fill_diagonal(p, 1.0)
    dist = 1.0 - p
    dist[apart & ~np.eye(n, dtype=bool)] = CANNOT_LINK
    if same is not None:
        dist[same] = 0.0
    return linkage(dist[np.triu_indices(n, 1)], method="average")


def _average_linkage(
    p: np.ndarray, pm: PairModel, threshold: float, local: LocalConstraints | None = None
) -> np.ndarray:
    """Cluster number (0-based, dense) of each report of a component, from its pair probabilities."""
    n = len(p)
    if n == 1:
        return np.zeros(1, dtype=np.int64)
    return flat_clusters(linkage_tree(p, pm, local), n, 1.0 - threshold)


def flat_clusters(z: np.ndarray, n: int, cut: float) -> np.ndarray:
    """The clusters ``fcluster(z, cut, criterion="distance")`` returns, numbered 0, 1..., without its checks
    of ``z``, which cost more than the linkage itself on thousands of small components: every subtree whose
    highest merge is at most ``cut`` is one cluster."""
    parent = list(range(2 * n - 1))
    top = [0.0] * (n - 1)  # highest merge inside each merged node
    pairs = z[:, :2].astype(np.int64).tolist()
    for k, ((a, b), height) in enumerate(zip(pairs, z[:, 2].tolist(), strict=True)):
        h = max(height, top[a - n] if a >= n else 0.0, top[b - n] if b >= n else 0.0)
        top[k] = h
        if h <= cut:
            parent[a] = parent[b] = n + k
    root = parent[:]
    for node in range(2 * n - 2, -1, -1):  # a parent is always numbered above its children
        root[node] = root[parent[node]]
    return np.unique(np.asarray(root[:n]), return_inverse=True)[1].astype(np.int64)


_Task = list[np.ndarray]  # linked components clustered with one probability product (one run of rows each)
_CLUSTERING: tuple[Matrix, PairModel, float, Constraints | None] | None = None  # inherited by forked workers


def _cluster_task(
    m: Matrix, pm: PairModel, threshold: float, cons: Constraints | None, comps: _Task
) -> tuple[np.ndarray, np.ndarray, int]:
    """Clusters of some components: (their reports, the cluster number of each, 0-based, the cluster count).

    Only the pairs inside each component are scored (all of them, also those below the link level or never
    looked at by the candidate search: the average linkage needs every pair's probability)."""
    rows = np.concatenate(comps)
    groups = np.repeat(np.arange(len(comps)), [len(c) for c in comps]) if len(comps) > 1 else None
    pmat = prob_matrix(m, rows, rows, pm, groups=groups)
    local = np.empty(len(rows), dtype=np.int64)
    count = start = 0
    for members in comps:
        end = start + len(members)
        team = cons.local(members) if cons is not None else None
        labels = _average_linkage(pmat[start:end, start:end], pm, threshold, team)
        local[start:end] = count + labels
        count += int(labels.max()) + 1
        start = end
    return rows, local, count


def _cluster_task_forked(item: tuple[int, _Task]) -> tuple[int, tuple[np.ndarray, np.ndarray, int]]:
    assert _CLUSTERING is not None
    return item[0], _cluster_task(*_CLUSTERING, item[1])


def _cluster_tasks(
    m: Matrix,
    pm: PairModel,
    threshold: float,
    tasks: list[_Task],
    workers: int,
    progress: Callable[[str], None] | None,
    cons: Constraints | None = None,
) -> list[tuple[np.ndarray, np.ndarray, int]]:
    """Run the clustering tasks, on all cores (fork) for large inputs, largest first so that the last ones
    to finish are small; results in the order of ``tasks``."""
    global _CLUSTERING
    costs = [sum(len(c) for c in task) ** 2 for task in tasks]
    order = sorted(range(len(tasks)), key=lambda k: -costs[k])
    if _forking(workers, len(m), len(tasks)):
        results: list[tuple[np.ndarray, np.ndarray, int] | None] = [None] * len(tasks)
        _CLUSTERING = (m, pm, threshold, cons)
        try:
            with mp.get_context("fork").Pool(workers) as pool:
                items = ((k, tasks[k]) for k in order)
                for done, (k, result) in enumerate(pool.imap_unordered(_cluster_task_forked, items), 1):
                    results[k] = result
                    if progress and done % 50 == 0:
                        progress(f"regroupement : lot {done}/{len(tasks)}")
        finally:
            _CLUSTERING = None
        return [r for r in results if r is not None]
    return [_cluster_task(m, pm, threshold, cons, task) for task in tasks]


def _lone_pair_score(q: float, pm: PairModel) -> float:
    """Score of a component of two reports: its one link, read by the second stage (each report is the
    other's only match)."""
    if pm.context is None:
        return q
    return float(rescore(np.array([[0.0, q], [q, 0.0]]), pm.context)[0, 1])


def group_features(
    feats: Sequence[Features],
    threshold: float | None = None,
    progress: Callable[[str], None] | None = None,
    max_component: int = 800,
    pm: PairModel | None = None,
    workers: int | None = None,
    decisions: Sequence[tuple[int, int, bool]] = (),
) -> list[int]:
    """Cluster index per report (0-based, dense) from precomputed features (``pm``: another pair model,
    such as one adapted to a fabrique; default the shipped one).

    ``decisions``: the team's decisions ``(i, j, same need)`` on pairs of reports (indexes into ``feats``),
    latest first: hard constraints (``fabrique.grouping.constraints``): reports said to be the same need
    are always in one group, reports said not to be never are."""
    pm = pm or model()
    thr = pm.threshold if threshold is None else threshold
    workers = workers if workers is not None else (os.cpu_count() or 1)
    m = Matrix(feats)
    n = len(m)
    if progress:
        progress(f"paires candidates ({n} signalements)")
    a, b, p = _candidate_edges(m, pm, progress, workers=workers)
    cons = resolve(n, decisions) if decisions else None
    if cons is not None and cons.empty:
        cons = None
    if cons is not None:
        # a cannot-link pair is no link; every must-link group is linked (score 1), whatever its places
        p = np.where(cons.apart_keys(a, b), 0.0, p)
        ma, mb = cons.must_edges()
        a, b, p = np.concatenate([a, ma]), np.concatenate([b, mb]), np.concatenate([p, np.ones(len(ma))])
    labels = np.full(n, -1, dtype=np.int64)
    next_label = 0
    tasks: list[_Task] = []  # components to cluster: one large one, or small ones packed up to ~300 rows
    batch: _Task = []
    batch_rows = 0

    def to_cluster(members: np.ndarray) -> None:
        nonlocal batch, batch_rows
        if len(members) >= 200:
            tasks.append([members])
            return
        if batch_rows + len(members) > 300:
            tasks.append(batch)
            batch, batch_rows = [], 0
        batch.append(members)
        batch_rows += len(members)

    def alone(reports: np.ndarray) -> None:
        nonlocal next_label
        labels[reports] = next_label + np.arange(len(reports))
        next_label += len(reports)

    # linked components at the link level; a component too large to cluster exactly is linked again at a
    # stricter level (+0.1, up to the threshold), only over its own edges
    position = np.full(n, -1, dtype=np.int64)
    inside = np.zeros(n, dtype=bool)
    stack: list[tuple[np.ndarray, float]] = [(np.arange(n), pm.link_threshold)]
    while stack:
        nodes, link = stack.pop()
        if len(nodes) < n:
            inside[nodes] = True
            sel = inside[a] & inside[b] & (p >= link)
            inside[nodes] = False
        else:
            sel = p >= link
        position[nodes] = np.arange(len(nodes))
        ea, eb, ep = position[a[sel]], position[b[sel]], p[sel]
        graph = sp.coo_matrix((np.ones(len(ea)), (ea, eb)), shape=(len(nodes), len(nodes)))
        ncomp, comp = connected_components(graph, directed=False)
        best = np.zeros(ncomp)  # the best link of each component: that of its pair when it has two reports
        np.maximum.at(best, comp[ea], ep)
        order = np.argsort(comp, kind="stable")
        bounds = np.searchsorted(comp[order], np.arange(ncomp + 1))
        sizes = np.diff(bounds)
        alone(nodes[order[bounds[:-1][sizes == 1]]])
        for k in np.flatnonzero(sizes == 2).tolist():  # one edge: its probability is the average linkage
            members = nodes[order[bounds[k] : bounds[k + 1]]]
            together = cons is not None and cons.root[members[0]] == cons.root[members[1]]
            if together or _lone_pair_score(float(best[k]), pm) >= thr:
                labels[members] = next_label
                next_label += 1
            else:
                alone(members)
        for k in np.flatnonzero(sizes > 2).tolist():
            members = nodes[order[bounds[k] : bounds[k + 1]]]
            if len(members) > max_component and link < thr:
                stack.append((members, min(thr, link + 0.1)))  # too big to cut exactly: link more strictly
            elif len(members) > 4 * max_component:
                # still huge at the final threshold (placeless reports chain whole regions): cluster the
                # part of each commune on its own, placeless reports alone
                communes = m.commune[members]
                alone(members[communes <= 0])
                placed = members[communes > 0]
                placed = placed[np.argsort(m.commune[placed], kind="stable")]
                cuts = np.flatnonzero(np.diff(m.commune[placed])) + 1
                for block in np.split(placed, cuts):
                    if len(block) == 1 or len(block) > 4 * max_component:
                        alone(block)
                    else:
                        to_cluster(block)
            else:
                to_cluster(members)
    if batch:
        tasks.append(batch)
    if progress:
        progress(f"regroupement : {len(tasks)} lots")
    for rows, local, count in _cluster_tasks(m, pm, thr, tasks, workers, progress, cons):
        labels[rows] = next_label + local
        next_label += count
    if cons is not None:
        # a component too large to cluster whole was cut by commune: a must-link group it split becomes a
        # group of its own (taking them out of their clusters breaks no cannot-link)
        for r in np.unique(cons.root[cons.root != np.arange(n)]).tolist():
            members = np.flatnonzero(cons.root == r)
            if len(set(labels[members].tolist())) > 1:
                labels[members] = next_label
                next_label += 1
        labels = np.unique(labels, return_inverse=True)[1]
    return labels.tolist()


def group_reports(
    reports: Iterable[Mapping], threshold: float | None = None, progress: Callable[[str], None] | None = None
) -> dict[str, str]:
    """Group reports (mappings with at least ``id``) into needs: ``{report id: group label}``.

    Labels are ``"g"`` + a number; reports of the same need share a label.
    """
    reps = list(reports)
    feats = featurize_all(reps, progress)
    labels = group_features(feats, threshold, progress)
    # number groups by first appearance for stable, readable output
    renum: dict[int, int] = {}
    out = {}
    for f, lab in zip(feats, labels, strict=True):
        out[f.id] = f"g{renum.setdefault(lab, len(renum) + 1)}"
    return out


# --------------------------------------------------------------------------- suggestions
@dataclass(frozen=True)
class Suggestion:
    id: str
    score: float  # probability of being the same need, 0..1
    same_need: bool  # score above the grouping threshold


def candidate_filter(f: Features) -> dict[str, object]:
    """Which stored reports can be the same need as ``f`` (the product turns this into a DB query).

    Returns ``{"level", "communes", "epci", "dept", "concepts"}``.  The query to run, in order of the
    first non-empty key:

    * ``communes`` (commune, QPV or neighbourhood report): stored reports whose commune is in ``communes``,
      plus stored reports of EPCI ``epci`` that are EPCI-level or share one of ``concepts`` (other
      communes of the same EPCI can be the same need, at a lower score);
    * ``epci`` (EPCI-level report): every stored report of that EPCI;
    * ``dept`` (département-level report): stored reports of that département;
    * otherwise (unknown place): stored reports sharing one of ``concepts``.

    Any superset of these candidates is fine: ``suggest`` scores territories itself.
    """
    p = f.place
    return {
        "level": p.level,
        "communes": sorted(p.communes) if p.commune else [],
        "epci": p.epci,
        "dept": p.dept if p.level == "dept" else "",
        "concepts": list(f.concepts),
    }


SUGGEST_CONTEXT = 60  # a new report's best candidates scored among each other for the second stage


def suggest(
    report: Mapping | Features,
    candidates: Sequence[Features],
    k: int = 5,
    min_score: float = 0.2,
    pm: PairModel | None = None,
) -> list[Suggestion]:
    """Closest stored needs/reports for one new report, best first (same scoring as batch grouping)."""
    pm = pm or model()
    f = report if isinstance(report, Features) else featurize(report)
    cands = [c for c in candidates if c.id != f.id]
    if not cands:
        return []
    m = Matrix([f, *cands])
    p = prob_matrix(m, np.array([0]), np.arange(1, len(cands) + 1), pm)[0]
    if pm.context is not None:
        # second stage: the new report and its best candidates scored among each other, as a batch would
        top = np.argsort(-p, kind="stable")[:SUGGEST_CONTEXT]
        top = top[p[top] > 0.0]
        if len(top):
            idx = np.concatenate([[0], top + 1])
            sub = prob_matrix(m, idx, idx, pm)
            sub = np.maximum(sub, sub.T)
            sub[0, 1:] = sub[1:, 0] = p[top]
            p = p.copy()
            p[top] = rescore(sub, pm.context)[0, 1:]
    order = np.argsort(-p)[:k]
    thr = pm.threshold
    return [Suggestion(cands[i].id, float(p[i]), bool(p[i] >= thr)) for i in order if p[i] >= min_score]


def pair_score(a: Mapping | Features, b: Mapping | Features, pm: PairModel | None = None) -> float:
    """Probability that two reports describe the same need (0 when their territories cannot overlap)."""
    fa = a if isinstance(a, Features) else featurize(a)
    fb = b if isinstance(b, Features) else featurize(b)
    m = Matrix([fa, fb])
    return float(prob_matrix(m, np.array([0]), np.array([1]), pm)[0, 0])


def pair_scores(
    features: Sequence[Features], pairs: Sequence[tuple[int, int]], pm: PairModel | None = None
) -> list[float]:
    """`pair_score` of many pairs (indexes into `features`) at once: one feature matrix over the reports
    involved instead of one per pair (a regrouping run scored 44,000 pairs one by one: 15 minutes)."""
    if not pairs:
        return []
    involved = sorted({i for pair in pairs for i in pair})
    position = {index: k for k, index in enumerate(involved)}
    matrix = Matrix([features[i] for i in involved])
    everything = np.arange(len(involved))
    probabilities = prob_matrix(matrix, everything, everything, pm)
    return [float(probabilities[position[a], position[b]]) for a, b in pairs]
