#!/usr/bin/env python
"""Benchmark of need grouping: quality on the labelled dev set (engine vs pg_trgm vs TF-IDF), time and memory
of the CLI at 10k/100k reports, suggestion latency with 100k stored reports in PostgreSQL.

    .venv/bin/python bench/group_needs.py            # full run (several minutes)
    .venv/bin/python bench/group_needs.py --quick    # smoke run: quality + 10k + suggestions on 10k
    .venv/bin/python bench/group_needs.py --train    # refit fabrique/grouping/pair_model.json on every territory
    .venv/bin/python bench/group_needs.py --data-curve  # held-out F1 by the number of training territories

PostgreSQL: 127.0.0.1:5432, user postgres, trust auth (override with BENCH_PG_DSN, without dbname); a
throw-away database ``fabrique_bench`` (override with BENCH_DB, e.g. when several engineers share the server)
is created and dropped.
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import json
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

from fabrique.grouping import context, engine  # noqa: E402
from fabrique.grouping.context import ContextModel  # noqa: E402
from fabrique.grouping.features import Features, featurize  # noqa: E402
from fabrique.grouping.metrics import bcubed, pairwise  # noqa: E402
from fabrique.grouping.territory import territories  # noqa: E402

DEVSET = ROOT / "bench" / "data" / "devset.jsonl"
PG_DSN = os.environ.get("BENCH_PG_DSN", "host=127.0.0.1 port=5432 user=postgres")
BENCH_DB = os.environ.get("BENCH_DB", "fabrique_bench")
if not re.fullmatch(r"[a-z_][a-z0-9_]*", BENCH_DB):  # it is put into DROP DATABASE unquoted
    raise SystemExit(f"BENCH_DB: invalid database name {BENCH_DB!r}")


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


# --------------------------------------------------------------------------- dev sets and territories
DEVSET_FR = ROOT / "bench" / "data" / "devset_fr"
LEGACY_TERRITORY = (
    "loire-atlantique-2025"  # the first dev set (bench/data/devset.jsonl) has no territory field
)


def load_devset() -> list[dict]:
    """Every labelled report: the first dev set (one territory) and the national set's territories
    (``bench/data/devset_fr/*.jsonl``, each row with its ``territory``).  Labels are prefixed with the
    territory so two territories never share a need by accident."""
    rows: list[dict] = []
    with open(DEVSET, encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                r = json.loads(line)
                r.setdefault("territory", LEGACY_TERRITORY)
                rows.append(r)
    for path in sorted(DEVSET_FR.glob("*.jsonl")) if DEVSET_FR.is_dir() else []:
        with open(path, encoding="utf-8") as fh:
            for line in fh:
                if not line.strip():
                    continue
                r = json.loads(line)
                if "id" in r and "label" in r:
                    r.setdefault("territory", path.stem)
                    rows.append(r)
    for r in rows:
        r["label"] = f"{r['territory']}/{r['label']}"
    return rows


def by_territory(rows: list[dict]) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = defaultdict(list)
    for r in rows:
        out[r["territory"]].append(r)
    return dict(sorted(out.items()))


def truth_of(rows: list[dict]) -> dict[str, str]:
    return {r["id"]: r["label"] for r in rows}


def scores(rows: list[dict], pred: dict[str, str]) -> tuple[float, float, float, float]:
    t = truth_of(rows)
    pw = pairwise(t, pred)
    return pw.precision, pw.recall, pw.f1, bcubed(t, pred).f1


# --------------------------------------------------------------------------- training of the pair model
THRESHOLDS = [round(float(t), 2) for t in np.arange(0.10, 0.76, 0.05)]


def pair_data(rows: list[dict]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Model inputs, same-need labels and territory keys of every territory-compatible pair of ``rows``
    (pairs are only formed inside one dev-set territory)."""
    from fabrique.grouping.engine import Matrix, _cosines, _territory_classes, pair_features

    xs, ys, ts = [], [], []
    for terr, part in by_territory(rows).items():
        feats = engine.featurize_all(part, workers=1)
        m = Matrix(feats)
        r, c = np.triu_indices(len(feats), 1)
        ok = _territory_classes(m, r, c)["compatible"]
        r, c = r[ok], c[ok]
        idx = np.arange(len(feats))
        cos = _cosines(m, idx, idx)
        xs.append(pair_features(m, r, c, [blk[r, c] for blk in cos]))
        labels = np.array([x["label"] for x in part])
        ys.append(labels[r] == labels[c])
        ts.append(np.full(len(r), terr, dtype=object))
        PAIR_INDEX[terr] = (len(feats), r, c)
    return np.concatenate(xs), np.concatenate(ys), np.concatenate(ts)


# territory -> (reports, rows, cols) of the pairs ``pair_data`` returned for it, in the same order
PAIR_INDEX: dict[str, tuple[int, np.ndarray, np.ndarray]] = {}
# the second stage of the pair model (fabrique/grouping/context.py); BENCH_CONTEXT=0: first stage only
CONTEXT = os.environ.get("BENCH_CONTEXT", "1") != "0"


def fit_context(x: np.ndarray, y: np.ndarray, t: np.ndarray, terrs: list[str]) -> ContextModel | None:
    """Second stage fitted on the territories ``terrs``: each territory's pairs get first-stage scores from a
    model fitted without it (cross-fitting, so the second stage learns from scores like those of unseen
    reports), then their context inputs."""
    from sklearn.linear_model import LogisticRegression

    if not CONTEXT:
        return None
    xs, ys = [], []
    inside = np.isin(t, terrs)
    for u in terrs:
        others = inside & (t != u)
        first = fit_pairs(x[others], y[others], t[others])
        mine = t == u
        n, r, c = PAIR_INDEX[u]
        p = np.zeros((n, n))
        p[r, c] = first.proba(x[mine])
        p = p + p.T
        xs.append(context.pair_context_inputs(p, r, c))
        ys.append(y[mine])
    cx, cy = np.concatenate(xs), np.concatenate(ys)
    ct = np.concatenate([t[t == u] for u in terrs])
    mean, scale = cx.mean(0), cx.std(0) + 1e-6
    lr = LogisticRegression(C=1.0, max_iter=5000).fit(
        (cx - mean) / scale, cy, sample_weight=sample_weights(cy, ct, BALANCE_CONTEXT)
    )
    return context.ContextModel(mean=mean, scale=scale, coef=lr.coef_[0], intercept=float(lr.intercept_[0]))


# candidate links: pairs scored at least this form the graph whose components are clustered
LINK = float(os.environ.get("BENCH_LINK", "0.1"))
# weight of a same-need pair in the fit (about 1 pair in 60 is one): 1 = plain logistic regression
POS_WEIGHT = 3.0


# each territory weighs the same in the first stage's fit (BENCH_BALANCE=0: each pair the same, so the
# territory with the most compatible pairs, Loire-Atlantique with 26 % of them, shaped the model most);
# BENCH_BALANCE_CONTEXT=1 balances the second stage's fit too (lower on the held-out territories)
BALANCE = os.environ.get("BENCH_BALANCE", "1") != "0"
BALANCE_CONTEXT = os.environ.get("BENCH_BALANCE_CONTEXT", "0") != "0"


def sample_weights(y: np.ndarray, t: np.ndarray, balance: bool = BALANCE) -> np.ndarray:
    """Fit weights of pairs: same-need pairs ``POS_WEIGHT``, and with ``balance`` each territory's pairs
    share one territory's worth of weight (a factor that averages 1 over the pairs)."""
    w = np.where(y, POS_WEIGHT, 1.0)
    if balance:
        _u, inverse, counts = np.unique(t, return_inverse=True, return_counts=True)
        share = 1.0 / counts[inverse]
        w = w * share / share.mean()
    return w


def fit_pairs(x: np.ndarray, y: np.ndarray, t: np.ndarray, threshold: float = 0.5) -> engine.PairModel:
    """Logistic regression on pairs (same label = positive) of the territories ``t``."""
    from sklearn.linear_model import LogisticRegression

    mean, scale = x.mean(0), x.std(0) + 1e-6
    lr = LogisticRegression(C=1.0, max_iter=5000).fit(
        (x - mean) / scale, y, sample_weight=sample_weights(y, t)
    )
    return engine.PairModel(
        mean=mean,
        scale=scale,
        coef=lr.coef_[0],
        intercept=float(lr.intercept_[0]),
        threshold=threshold,
        link_threshold=LINK,
        pos_weight=POS_WEIGHT,
    )


def fit_model(x: np.ndarray, y: np.ndarray, t: np.ndarray, terrs: list[str]) -> engine.PairModel:
    """Both stages of the pair model fitted on the pairs of the territories ``terrs`` only."""
    mask = np.isin(t, terrs)
    pm = fit_pairs(x[mask], y[mask], t[mask])
    return dataclasses.replace(pm, context=fit_context(x, y, t, terrs))


def with_threshold(pm: engine.PairModel, thr: float, cannot_link: float | None = None) -> engine.PairModel:
    return dataclasses.replace(
        pm,
        threshold=thr,
        link_threshold=min(LINK, thr / 2),
        cannot_link=pm.cannot_link if cannot_link is None else cannot_link,
    )


def group_with(pm: engine.PairModel, feats: list[Features], thr: float) -> dict[str, str]:
    engine.set_model(pm)
    try:
        labels = engine.group_features(feats, threshold=thr)
    finally:
        engine.set_model(None)
    return {f.id: str(lab) for f, lab in zip(feats, labels, strict=True)}


# cannot-link levels tried (pairs below it are never put in one cluster), chosen with the threshold on the
# training folds; 0.05 and 0.1 won there but lost on the held-out territories (docs/grouping.md): off
CANNOT_LINKS = tuple(float(v) for v in os.environ.get("BENCH_CANNOT_LINKS", "0").split(","))


def f1_curve(
    pm: engine.PairModel, rows: list[dict], feats: dict[str, list[Features]] | None = None
) -> dict[float, float]:
    """Mean pairwise F1 over the territories of ``rows`` at each threshold."""
    parts = by_territory(rows)
    if feats is None:
        feats = {t: engine.featurize_all(part, workers=1) for t, part in parts.items()}
    return {
        thr: float(np.mean([scores(parts[t], group_with(pm, feats[t], thr))[2] for t in parts]))
        for thr in THRESHOLDS
    }


def smoothed(curve: dict[float, float]) -> dict[float, float]:
    """F1 at each threshold averaged with its two neighbours (less noisy than the raw values)."""
    ts = sorted(curve)
    return {t: float(np.mean([curve[u] for u in ts[max(0, i - 1) : i + 2]])) for i, t in enumerate(ts)}


def smoothed_best(curve: dict[float, float]) -> float:
    """Threshold with the best F1 averaged with its two neighbours."""
    avg = smoothed(curve)
    return max(sorted(curve), key=lambda t: (avg[t], -abs(t - 0.4)))


def best_setting(curves: dict[float, dict[float, float]]) -> tuple[float, float]:
    """(cannot-link, threshold) with the best smoothed F1 over curves by cannot-link level (ties: the
    lower cannot-link, i.e. the simpler clustering)."""
    best: tuple[float, float, float] | None = None
    for cl in sorted(curves):
        thr = smoothed_best(curves[cl])
        value = smoothed(curves[cl])[thr]
        if best is None or value > best[0] + 1e-9:
            best = (value, cl, thr)
    assert best is not None
    return best[1], best[2]


@dataclass
class Fold:
    territory: str
    n: int
    needs: int
    threshold: float
    cannot_link: float
    p: float
    r: float
    f1: float
    b3: float
    curve: dict[tuple[float, float], float]  # (cannot-link, threshold) -> held-out F1
    model: engine.PairModel

    @property
    def f1_near(self) -> float:
        """Held-out F1 averaged over the chosen threshold and its neighbours on the grid."""
        near = [
            v for (c, u), v in self.curve.items() if c == self.cannot_link and abs(u - self.threshold) < 0.051
        ]
        return float(np.mean(near))


def leave_one_territory_out(rows: list[dict]) -> list[Fold]:
    """For each territory T: fit the pair model on the pairs of the other territories, choose its threshold
    and cannot-link level on them (in-sample mean F1), group T; T's reports are never seen."""
    x, y, t = pair_data(rows)
    parts = by_territory(rows)
    feats = {terr: engine.featurize_all(part, workers=1) for terr, part in parts.items()}
    folds = []
    for terr, part in parts.items():
        train_rows = [r for r in rows if r["territory"] != terr]
        pm = fit_model(x, y, t, [o for o in parts if o != terr])
        train_feats = {o: f for o, f in feats.items() if o != terr}
        cl, thr = best_setting(
            {c: f1_curve(with_threshold(pm, 0.5, c), train_rows, train_feats) for c in CANNOT_LINKS}
        )
        curve = {
            (c, u): scores(part, group_with(with_threshold(pm, 0.5, c), feats[terr], u))[2]
            for c in CANNOT_LINKS
            for u in THRESHOLDS
        }
        chosen = with_threshold(pm, thr, cl)
        p, r, f1, b3 = scores(part, group_with(with_threshold(pm, 0.5, cl), feats[terr], thr))
        folds.append(
            Fold(terr, len(part), len({x["label"] for x in part}), thr, cl, p, r, f1, b3, curve, chosen)
        )
        log(f"LOTO {terr}: seuil {thr:.2f}, cannot-link {cl:.2f}, F1 {f1:.3f}")
    return folds


# training-set sizes of the data curve (territories the model is fitted on) and random draws of each
CURVE_SIZES = (2, 4, 6)
CURVE_DRAWS = 2
CURVE_SEED = 7


def curve_draws(
    terrs: list[str], held_out: str, size: int, draws: int, rng: random.Random
) -> list[list[str]]:
    """Training sets of ``size`` territories drawn among the others than ``held_out`` (one set, all the
    others, when ``size`` is all of them)."""
    others = [o for o in terrs if o != held_out]
    if size >= len(others):
        return [others]
    return [sorted(rng.sample(others, size)) for _ in range(draws)]


def data_curve(rows: list[dict], out) -> None:
    """Held-out F1 of each territory when the model is fitted on 2, 4, 6 and all 9 of the others (random
    draws, fixed seed; the shipped threshold, so only the training data changes): how much a larger
    development set of the same kind would bring."""
    x, y, t = pair_data(rows)
    parts = by_territory(rows)
    terrs = list(parts)
    feats = {terr: engine.featurize_all(part, workers=1) for terr, part in parts.items()}
    thr = engine.model().threshold
    rng = random.Random(CURVE_SEED)
    out("| training territories | held-out runs | mean F1 | median F1 | min | max |")
    out("|---|---|---|---|---|---|")
    for size in (*CURVE_SIZES, len(terrs) - 1):
        values = []
        for held_out in terrs:
            for train in curve_draws(terrs, held_out, size, CURVE_DRAWS, rng):
                pm = fit_model(x, y, t, train)
                values.append(scores(parts[held_out], group_with(pm, feats[held_out], thr))[2])
        log(f"courbe : {size} territoires, F1 moyen {np.mean(values):.3f}")
        out(
            f"| {size} | {len(values)} | {np.mean(values):.3f} | {np.median(values):.3f} | "
            f"{min(values):.3f} | {max(values):.3f} |"
        )
    out()


def train_shipped(rows: list[dict], folds: list[Fold]) -> engine.PairModel:
    """Shipped model: fitted on every territory; threshold and cannot-link level with the best mean
    out-of-territory F1."""
    x, y, _t = pair_data(rows)
    oof = {c: {u: float(np.mean([f.curve[(c, u)] for f in folds])) for u in THRESHOLDS} for c in CANNOT_LINKS}
    for c, curve in oof.items():
        log(
            f"LOTO out-of-territory mean F1 by threshold (cannot-link {c:.2f}): "
            + " ".join(f"{u:.2f}:{v:.3f}" for u, v in curve.items())
        )
    cl, thr = best_setting(oof)
    pm = fit_model(x, y, _t, sorted(set(_t)))
    return with_threshold(pm, thr, cl)


LEARNING_STEPS = (0, 5, 10, 20, 40, 80, 160, 320)


def pairwise_undecided(rows: list[dict], pred: dict[str, str], decided: set[tuple[int, int]]) -> float:
    """Pairwise F1 over the pairs of ``rows`` that the team did not decide (indexes ``i < j``)."""
    labels = [r["label"] for r in rows]
    truth = np.array([[a == b for b in labels] for a in labels])
    groups = [pred[r["id"]] for r in rows]
    same = np.array([[a == b for b in groups] for a in groups])
    mask = np.triu(np.ones_like(truth), 1)
    for i, j in decided:
        mask[i, j] = False
    tp = float(np.sum(truth & same & mask))
    pp, tpos = float(np.sum(same & mask)), float(np.sum(truth & mask))
    precision, recall = (tp / pp if pp else 1.0), (tp / tpos if tpos else 1.0)
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


def group_decided(
    pm: engine.PairModel, feats: list[Features], decisions: list[tuple[int, int, bool]]
) -> dict[str, str]:
    """Group with the team's decisions (latest first) as hard constraints, as a regrouping run does."""
    engine.set_model(pm)
    try:
        labels = engine.group_features(feats, pm=pm, workers=1, decisions=decisions)
    finally:
        engine.set_model(None)
    return {f.id: str(lab) for f, lab in zip(feats, labels, strict=True)}


def learning_simulation(rows: list[dict], folds: list[Fold], out) -> None:
    """Feed a held-out territory's decisions one by one, as the duplicates queue would.

    For each territory T, the starting model is the one fitted without T (its threshold chosen on the other
    territories).  The queue shows the pairs that model is least sure of (pairs of T with a first-stage
    probability between 0.15 and 0.85, in a seeded random order); the team's decision on each is the truth.
    After k decisions T is grouped as a regrouping run would: the k decisions are hard constraints
    (must-link / cannot-link), with the guarded per-fabrique calibration (``fabrique.grouping.adapt``: used
    only when its nested cross-validated grouping agreement on the k decisions beats the starting model's by
    the margin).  F1 counts every pair of T, decided ones included (as the team would see its groups); the
    undecided F1 leaves the decided pairs out, so it shows what the decisions teach beyond themselves."""
    from fabrique.grouping.adapt import adapt, calibrated

    keys = ("all", "undecided", "cons_all", "cons_undecided", "free_all", "free_undecided")
    curves: dict[str, dict[int, list[float]]] = {key: defaultdict(list) for key in keys}
    used: dict[int, int] = Counter()
    fold_model = {f.territory: f.model for f in folds}
    for terr, part in by_territory(rows).items():
        pm = fold_model[terr]
        feats = engine.featurize_all(part, workers=1)
        m = engine.Matrix(feats)
        idx = np.arange(len(feats))
        prob = engine.prob_matrix(m, idx, idx, pm)
        r, c = np.nonzero(np.triu((prob >= 0.15) & (prob <= 0.85), 1))
        order = random.Random(hashlib.md5(terr.encode()).hexdigest()).sample(range(len(r)), len(r))
        labels = [x["label"] for x in part]
        queue = [(int(r[k]), int(c[k]), labels[r[k]] == labels[c[k]]) for k in order]
        used_last = 0
        for k in LEARNING_STEPS:
            if k > len(queue):  # fewer uncertain pairs than k: the territory keeps its last figures
                last = max(u for u in LEARNING_STEPS if u <= len(queue))
                for key in keys:
                    curves[key][k].append(curves[key][last][-1])
                used[k] += used_last
                continue
            decisions = queue[:k][::-1]  # latest first
            decided = {(min(a, b), max(a, b)) for a, b, _s in decisions}
            ad = adapt(pm, feats, decisions)
            used_last = int(ad.used)
            used[k] += used_last
            model = ad.model if ad.used and ad.model is not None else pm
            free = calibrated(pm, ad.offset, ad.threshold) if ad.offset is not None and ad.threshold else pm
            for name, chosen in (("", model), ("cons_", pm), ("free_", free)):
                pred = group_decided(chosen, feats, decisions)
                curves[f"{name}all"][k].append(scores(part, pred)[2])
                curves[f"{name}undecided"][k].append(pairwise_undecided(part, pred, decided))
            log(
                f"apprentissage {terr}: {k}/{len(queue)} décisions, F1 {curves['all'][k][-1]:.3f} "
                f"(non décidées {curves['undecided'][k][-1]:.3f}; contraintes seules "
                f"{curves['cons_all'][k][-1]:.3f}; sans garde {curves['free_all'][k][-1]:.3f}), "
                f"modèle adapté {'oui' if ad.used else 'non'}"
                + (
                    f" (décalage {ad.offset:+.2f}, seuil {ad.threshold:.2f}, accord {ad.shipped_agreement:.3f}"
                    f" -> {ad.adapted_agreement:.3f})"
                    if ad.offset is not None
                    else ""
                )
            )
    n_terr = len(by_territory(rows))
    out(
        "| decisions fed | F1, constraints + guarded calibration | F1 on undecided pairs | F1, constraints only "
        "| (undecided) | F1, calibration without guard | (undecided) | calibration used |"
    )
    out("|---|---|---|---|---|---|---|---|")
    for k in LEARNING_STEPS:
        v = {key: float(np.mean(curves[key][k])) for key in keys}
        out(
            f"| {k} | **{v['all']:.3f}** | {v['undecided']:.3f} | {v['cons_all']:.3f} | {v['cons_undecided']:.3f} "
            f"| {v['free_all']:.3f} | {v['free_undecided']:.3f} | {used[k]}/{n_terr} |"
        )


def save_model(pm: engine.PairModel, path: Path, note: str) -> None:
    data = {
        "features": list(engine.PAIR_FEATURES),
        "mean": [round(float(v), 6) for v in pm.mean],
        "scale": [round(float(v), 6) for v in pm.scale],
        "coef": [round(float(v), 6) for v in pm.coef],
        "intercept": round(pm.intercept, 6),
        "threshold": round(pm.threshold, 3),
        "link_threshold": round(pm.link_threshold, 3),
        "cannot_link": round(pm.cannot_link, 3),
        "pos_weight": round(pm.pos_weight, 3),
        **({"context": pm.context.to_dict()} if pm.context is not None else {}),
        "trained_on": note,
    }
    path.write_text(json.dumps(data, indent=1) + "\n")


# --------------------------------------------------------------------------- baselines
def components(ids: list[str], edges: list[tuple[int, int]]) -> dict[str, str]:
    parent = list(range(len(ids)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for a, b in edges:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[ra] = rb
    return {rid: f"c{find(i)}" for i, rid in enumerate(ids)}


def pg_connect(dbname: str = "postgres", autocommit: bool = True):
    import psycopg

    return psycopg.connect(f"{PG_DSN} dbname={dbname}", autocommit=autocommit)


def pg_setup() -> None:
    with pg_connect() as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {BENCH_DB}")
        conn.execute(f"CREATE DATABASE {BENCH_DB}")
    with pg_connect(BENCH_DB) as conn:
        conn.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")


def pg_teardown() -> None:
    with pg_connect() as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {BENCH_DB} WITH (FORCE)")


def trgm_groups(rows: list[dict], threshold: float = 0.25) -> dict[str, str]:
    """pg_trgm similarity() on title and on description >= threshold, connected components."""
    ids = [r["id"] for r in rows]
    with pg_connect(BENCH_DB) as conn:
        conn.execute("DROP TABLE IF EXISTS trgm_dev")
        conn.execute("CREATE TABLE trgm_dev (k int primary key, title text, description text)")
        with conn.cursor() as cur, cur.copy("COPY trgm_dev (k, title, description) FROM STDIN") as cp:
            for k, r in enumerate(rows):
                cp.write_row((k, r.get("title") or "", r.get("description") or ""))
        found = conn.execute(
            "SELECT a.k, b.k FROM trgm_dev a JOIN trgm_dev b ON a.k < b.k "
            "WHERE similarity(a.title, b.title) >= %s OR similarity(a.description, b.description) >= %s",
            (threshold, threshold),
        ).fetchall()
    return components(ids, [(a, b) for a, b in found])


def tfidf_groups(rows: list[dict], threshold: float) -> dict[str, str]:
    from sklearn.feature_extraction.text import TfidfVectorizer

    texts = [f"{r.get('title') or ''} {r.get('description') or ''}" for r in rows]
    x = TfidfVectorizer(
        strip_accents="unicode", lowercase=True, ngram_range=(1, 2), sublinear_tf=True, min_df=1
    ).fit_transform(texts)
    sim = (x @ x.T).tocoo()
    edges = [
        (int(a), int(b))
        for a, b, v in zip(sim.row, sim.col, sim.data, strict=True)
        if a < b and v >= threshold
    ]
    return components([r["id"] for r in rows], edges)


def engine_groups(rows: list[dict]) -> dict[str, str]:
    return engine.group_reports(rows)  # uses the current process-wide pair model


# --------------------------------------------------------------------------- scale generator
def strip_accents(text: str) -> str:
    return "".join(ch for ch in unicodedata.normalize("NFD", text) if unicodedata.category(ch) != "Mn")


def typo(word: str, rng: random.Random) -> str:
    if len(word) < 5:
        return word
    i = rng.randrange(1, len(word) - 2)
    op = rng.random()
    if op < 0.4:
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    if op < 0.7:
        return word[:i] + word[i + 1 :]
    return word[:i] + word[i] + word[i:]


def perturb(text: str, rng: random.Random, title: bool = False) -> str:
    if not text:
        return text
    if rng.random() < 0.3:
        text = strip_accents(text)
    if rng.random() < 0.2:
        text = text.lower()
    words = text.split(" ")
    if rng.random() < 0.4:
        for _ in range(rng.randint(1, 3)):
            k = rng.randrange(len(words))
            words[k] = typo(words[k], rng)
    if title and len(words) > 3 and rng.random() < 0.2:
        k = rng.randrange(len(words) - 1)
        words[k], words[k + 1] = words[k + 1], words[k]
    text = " ".join(words)
    if not title and rng.random() < 0.2:
        parts = re.split(r"(?<=[.;!?])\s+", text)
        rng.shuffle(parts)
        text = " ".join(parts)
    return text


def generate(rows: list[dict], n: int, seed: int) -> list[dict]:
    """n reports made from the dev set by moving whole scenarios to other real communes (disjoint per copy)
    and perturbing the wording; labels stay known (``label#copy``)."""
    terr = territories()
    rng = random.Random(seed)
    places = {r["id"]: featurize(r).place for r in rows}
    # original communes per original EPCI
    orig_by_epci: dict[str, set[str]] = defaultdict(set)
    loose: set[str] = set()
    for p in places.values():
        for code in (p.communes | {p.commune}) - {""} if p.commune else set():  # not an EPCI's members
            if code in terr.communes:
                if terr.communes[code].epci:
                    orig_by_epci[terr.communes[code].epci].add(code)
                else:
                    loose.add(code)
        if p.level == "epci" and p.epci:
            orig_by_epci.setdefault(p.epci, set())
    free: dict[str, list[str]] = {}

    def refill() -> None:  # communes are used by one copy each until the pool runs out, then reused
        free.clear()
        for code, com in sorted(terr.communes.items()):
            if com.epci:
                free.setdefault(com.epci, []).append(code)
        for lst in free.values():
            rng.shuffle(lst)

    refill()
    epcis = sorted(free)
    qpvs_of: dict[str, list[str]] = defaultdict(list)
    for q, coms in terr.qpv_communes.items():
        for c in coms:
            qpvs_of[c].append(q)
    out: list[dict] = []
    copy = 0
    used_for: dict[str, set[str]] = defaultdict(set)  # original EPCI -> new EPCIs already given to its copies
    while len(out) < n:
        copy += 1
        cmap: dict[str, str] = {}
        emap: dict[str, str] = {}
        for e, coms in sorted(orig_by_epci.items()):
            need = max(1, len(coms))
            cands = [x for x in epcis if len(free[x]) >= need and x not in used_for[e]]
            if not cands:
                refill()
                cands = [x for x in epcis if len(free[x]) >= need and x not in used_for[e]]
            if not cands:  # more copies than EPCIs large enough: reuse (copies may then collide)
                cands = [x for x in epcis if len(free[x]) >= need]
            new_e = rng.choice(cands)
            used_for[e].add(new_e)
            emap[e] = new_e
            for c in sorted(coms):
                cmap[c] = free[new_e].pop()
        for c in sorted(loose):
            if not any(free.values()):
                refill()
            e = rng.choice([x for x in epcis if free[x]])
            cmap[c] = free[e].pop()
        qmap: dict[str, str] = {}
        for r in rows:
            if len(out) >= n:
                break
            p = places[r["id"]]
            new = dict(r)
            new["id"] = f"{r['id']}-{copy}"
            new["label"] = f"{r['label']}#{copy}"
            old_names: list[tuple[str, str]] = []
            if p.commune in cmap:
                nc = cmap[p.commune]
                com = terr.communes[nc]
                old_names.append((terr.communes[p.commune].name, com.name))
                raw = str(r.get("commune") or "")
                if raw:
                    new["commune"] = (
                        nc
                        if raw in terr.communes or raw in terr.parent
                        else (next(iter(sorted(pc for pc, cs in terr.by_postcode.items() if nc in cs)), nc))
                    )
                label = str(r.get("territory_label") or "")
                if label:
                    if p.qpv:
                        if p.qpv not in qmap:
                            choices = qpvs_of.get(nc) or []
                            qmap[p.qpv] = terr.qpv_label[rng.choice(choices)] if choices else com.name
                        new["territory_label"] = rng.choice([qmap[p.qpv], f"{com.name} - {qmap[p.qpv]}"])
                    else:
                        new["territory_label"] = com.name
            elif p.level == "epci" and p.epci in emap:
                new_e = emap[p.epci]
                if r.get("territory_label"):
                    new["territory_label"] = terr.epci_name[new_e]
                raw = str(r.get("commune") or "")
                if raw:  # a member commune's code next to an EPCI label: move it too
                    new["commune"] = cmap.get(raw, terr.epci_members[new_e][0])
                old_names.append((terr.epci_name[p.epci], terr.epci_name[new_e]))
                for c, nc in cmap.items():
                    if terr.communes[c].epci == p.epci:
                        old_names.append((terr.communes[c].name, terr.communes[nc].name))
            elif p.level in ("unknown", "dept") and copy > 1 and cmap:
                # no usable territory in the source: copies get one, else they would all be the same need
                new["territory_label"] = terr.communes[rng.choice(sorted(cmap.values()))].name
            for field in ("title", "description"):
                text = str(r.get(field) or "")
                for old, nw in old_names:
                    text = text.replace(old, nw)
                new[field] = perturb(text, rng, title=field == "title")
            out.append(new)
    return out


def write_jsonl(rows: list[dict], path: Path, with_label: bool = False) -> None:
    with open(path, "w", encoding="utf-8") as fh:
        for r in rows:
            rec = r if with_label else {k: v for k, v in r.items() if k != "label"}
            fh.write(json.dumps(rec, ensure_ascii=False) + "\n")


def cli_command() -> list[str]:
    """`manage.py group_needs` when the Django project loads, else the same code via the module CLI."""
    probe = subprocess.run(
        [sys.executable, "manage.py", "help", "group_needs"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    if probe.returncode == 0:
        return [sys.executable, "manage.py", "group_needs"]
    log("(manage.py ne charge pas encore : mesure via python -m fabrique.grouping.cli, même code)")
    return [sys.executable, "-m", "fabrique.grouping.cli"]


def run_cli(cmd: list[str], inp: Path, out: Path) -> tuple[float, float, float]:
    """Wall time (s), peak RSS (MiB) and CPU time (user + sys, s) of one CLI subprocess.

    ``os.wait4`` gives the rusage of that child, including its reaped workers: RSS is that of its largest
    process, CPU time the sum over them."""
    start = time.monotonic()
    proc = subprocess.Popen(
        [*cmd, "--input", str(inp), "--output", str(out)],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    assert proc.stderr is not None
    err = proc.stderr.read()
    _pid, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    wall = time.monotonic() - start
    if proc.returncode != 0:
        raise SystemExit(f"CLI failed ({proc.returncode}): {err.decode()[-2000:]}")
    return wall, usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime


def read_csv_groups(path: Path) -> dict[str, str]:
    import csv

    with open(path, encoding="utf-8") as fh:
        return {row["id"]: row["group"] for row in csv.DictReader(fh)}


# --------------------------------------------------------------------------- suggestions in PostgreSQL
def load_suggest_table(rows: list[dict]) -> None:
    feats = engine.featurize_all(rows)
    with pg_connect(BENCH_DB) as conn:
        conn.execute("DROP TABLE IF EXISTS grouping_bench_report")
        conn.execute(
            "CREATE TABLE grouping_bench_report (id text PRIMARY KEY, commune text, epci text, dept text, "
            "level text, concepts text[], features bytea, title text, description text)"
        )
        with (
            conn.cursor() as cur,
            cur.copy(
                "COPY grouping_bench_report (id, commune, epci, dept, level, concepts, features, title, description) "
                "FROM STDIN"
            ) as cp,
        ):
            for r, f in zip(rows, feats, strict=True):
                p = f.place
                cp.write_row(
                    (
                        f.id,
                        p.commune or None,
                        p.epci or None,
                        p.dept or None,
                        p.level,
                        list(f.concepts),
                        f.pack(),
                        r.get("title") or "",
                        r.get("description") or "",
                    )
                )
        conn.execute("CREATE INDEX ON grouping_bench_report (commune)")
        conn.execute("CREATE INDEX ON grouping_bench_report (epci, level)")
        conn.execute("CREATE INDEX ON grouping_bench_report (dept)")
        conn.execute("CREATE INDEX ON grouping_bench_report USING gin (concepts)")
        conn.execute("CREATE INDEX ON grouping_bench_report USING gin (title gin_trgm_ops)")
        conn.execute("ANALYZE grouping_bench_report")


def fetch_candidates(conn, f: Features, limit: int = 3000) -> list[Features]:
    """The candidate query the product makes from candidate_filter() (territory blocking)."""
    flt = engine.candidate_filter(f)
    if flt["communes"]:
        sql = (
            "SELECT features FROM grouping_bench_report WHERE commune = ANY(%s) "
            "OR (epci = %s AND (level = 'epci' OR concepts && %s::text[])) LIMIT %s"
        )
        params: tuple = (flt["communes"], flt["epci"] or "", flt["concepts"], limit)
    elif flt["epci"]:
        sql = "SELECT features FROM grouping_bench_report WHERE epci = %s LIMIT %s"
        params = (flt["epci"], limit)
    elif flt["dept"]:
        sql = "SELECT features FROM grouping_bench_report WHERE dept = %s LIMIT %s"
        params = (flt["dept"], limit)
    else:
        sql = "SELECT features FROM grouping_bench_report WHERE concepts && %s::text[] LIMIT %s"
        params = (flt["concepts"], min(limit, 1000))
    return [Features.unpack(bytes(row[0])) for row in conn.execute(sql, params).fetchall()]


def percentile(values: list[float], q: float) -> float:
    return float(np.percentile(np.asarray(values), q))


def suggestion_latency(queries: list[dict]) -> dict[str, float]:
    engine_ms: list[float] = []
    trgm_ms: list[float] = []
    cands: list[int] = []
    with pg_connect(BENCH_DB) as conn:
        conn.execute("SET pg_trgm.similarity_threshold = 0.25")
        for q in queries[:5]:  # warm-up (caches, imports)
            engine.suggest(featurize(q), fetch_candidates(conn, featurize(q)))
        for q in queries:
            t0 = time.perf_counter()
            f = featurize(q)
            found = fetch_candidates(conn, f)
            engine.suggest(f, found, k=5)
            engine_ms.append((time.perf_counter() - t0) * 1000)
            cands.append(len(found))
            t0 = time.perf_counter()
            conn.execute(
                "SELECT id, similarity(title, %s) AS s FROM grouping_bench_report WHERE title %% %s "
                "ORDER BY s DESC LIMIT 5",
                (q.get("title") or "", q.get("title") or ""),
            ).fetchall()
            trgm_ms.append((time.perf_counter() - t0) * 1000)
    return {
        "engine_p50": percentile(engine_ms, 50),
        "engine_p95": percentile(engine_ms, 95),
        "trgm_p50": percentile(trgm_ms, 50),
        "trgm_p95": percentile(trgm_ms, 95),
        "candidates_median": float(statistics.median(cands)),
    }


# --------------------------------------------------------------------------- main
def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="fast smoke run (10k only, 50 suggestions)")
    parser.add_argument(
        "--train", action="store_true", help="refit fabrique/grouping/pair_model.json on every territory"
    )
    parser.add_argument(
        "--quality-only", action="store_true", help="leave-one-territory-out and learning only"
    )
    parser.add_argument(
        "--loto-only",
        action="store_true",
        help="the leave-one-territory-out table only (no baselines, no simulation): 3-4 min, for trying ideas",
    )
    parser.add_argument(
        "--data-curve",
        action="store_true",
        help="held-out F1 with the model fitted on 2, 4, 6 and 9 territories only (about 10 min)",
    )
    parser.add_argument("--scale-only", action="store_true", help="time, memory and suggestion latency only")
    parser.add_argument("--sizes", default="", help="comma-separated scale sizes (default 10000,100000)")
    parser.add_argument("--queries", type=int, default=0, help="suggestion queries (default 300, quick 50)")
    parser.add_argument(
        "--repeat", type=int, default=0, help="CLI runs per size, median reported (default 3)"
    )
    args = parser.parse_args()

    rows = load_devset()
    parts = by_territory(rows)
    lines: list[str] = []

    def out(line: str = "") -> None:
        lines.append(line)
        print(line, flush=True)

    out(f"# Fabrique group_needs benchmark ({time.strftime('%Y-%m-%d %H:%M')}, {os.cpu_count()} cores)")
    out()
    out(
        f"Dev sets: {len(rows)} reports, {len(set(truth_of(rows).values()))} needs, {len(parts)} territories "
        f"({', '.join(f'{t} {len(p)}' for t, p in parts.items())})."
    )
    out()
    if args.scale_only:
        scale_and_latency(args, rows, out)
        return
    if args.data_curve:
        out("## Held-out F1 by the number of training territories")
        out()
        data_curve(rows, out)
        return
    log("Validation par territoire exclu...")
    folds = leave_one_territory_out(rows)
    if args.train:
        log("Entraînement du modèle livré sur tous les territoires...")
        shipped = train_shipped(rows, folds)
        save_model(
            shipped,
            engine.MODEL_PATH,
            f"all {len(rows)} dev reports of {len(parts)} territories; threshold by leave-one-territory-out",
        )
        engine.set_model(None)
    pm = engine.model()
    out("## Leave-one-territory-out (headline)")
    out()
    out(
        "Each territory is grouped by a pair model fitted on the other territories only, with the threshold "
        "chosen on them; pairwise P / R / F1 and B-cubed F1 on the held-out territory."
    )
    out()
    out("| held-out territory | reports | needs | threshold | cannot-link | P | R | F1 | F1 ±0.05 | B3 F1 |")
    out("|---|---|---|---|---|---|---|---|---|---|")
    for f in folds:
        out(
            f"| {f.territory} | {f.n} | {f.needs} | {f.threshold:.2f} | {f.cannot_link:.2f} | {f.p:.3f} | "
            f"{f.r:.3f} | {f.f1:.3f} | {f.f1_near:.3f} | {f.b3:.3f} |"
        )
    mean = [float(np.mean([getattr(f, k) for f in folds])) for k in ("p", "r", "f1", "f1_near", "b3")]
    out(
        f"| **mean** | {len(rows)} | | | | {mean[0]:.3f} | {mean[1]:.3f} | **{mean[2]:.3f}** | {mean[3]:.3f} | "
        f"{mean[4]:.3f} |"
    )
    out()
    out(
        "F1 ±0.05: the held-out F1 averaged over the chosen threshold and its two neighbours on the grid, a "
        "steadier figure than F1 alone (one merge of two large groups moves a territory's F1 by a few points)."
    )
    out()
    if args.loto_only:
        return

    out("## Baselines (same territories)")
    out()
    pg_ok = True
    try:
        pg_setup()
    except Exception as exc:  # noqa: BLE001 - report and go on without PostgreSQL
        pg_ok = False
        log(f"PostgreSQL indisponible ({exc}) : baseline pg_trgm et suggestions ignorées")
    out("| method | mean P | mean R | mean F1 | mean B3 F1 |")
    out("|---|---|---|---|---|")
    base: dict[str, list[tuple[float, float, float, float]]] = defaultdict(list)
    for terr, part in parts.items():
        others = [r for r in rows if r["territory"] != terr]
        best_t, best_f1 = 0.3, -1.0
        for u in np.arange(0.10, 0.61, 0.05):  # TF-IDF threshold chosen on the other territories
            f1 = float(
                np.mean([scores(p, tfidf_groups(p, float(u)))[2] for p in by_territory(others).values()])
            )
            if f1 > best_f1:
                best_t, best_f1 = float(u), f1
        base["TF-IDF cosine (threshold from the other territories)"].append(
            scores(part, tfidf_groups(part, best_t))
        )
        if pg_ok:
            base["pg_trgm similarity >= 0.25"].append(scores(part, trgm_groups(part, 0.25)))
        base[f"engine, shipped model (in-sample, thr {pm.threshold:.2f})"].append(
            scores(part, engine_groups(part))
        )
    for method, vals in base.items():
        avg = np.mean(np.asarray(vals), axis=0)
        out(f"| {method} | {avg[0]:.3f} | {avg[1]:.3f} | {avg[2]:.3f} | {avg[3]:.3f} |")
    out()
    out("## Learning from the team's decisions (simulation)")
    out()
    learning_simulation(rows, folds, out)
    out()
    if pg_ok:
        pg_teardown()
    if args.quality_only:
        return
    scale_and_latency(args, rows, out)


def scale_and_latency(args, rows: list[dict], out) -> None:
    pg_ok = True
    try:
        pg_setup()
    except Exception as exc:  # noqa: BLE001 - report and go on without PostgreSQL
        pg_ok = False
        log(f"PostgreSQL indisponible ({exc}) : suggestions ignorées")

    # ---------------------------------------------------------------- scale
    sizes = [int(s) for s in args.sizes.split(",") if s] or ([10_000] if args.quick else [10_000, 100_000])
    out("## Scale (CLI subprocess, generated reports)")
    out()
    repeat = args.repeat or (1 if args.quick else 3)
    out(f"Median of {repeat} run(s) per size; CPU = user + sys of the CLI and its workers.")
    out()
    out("| reports | wall time (s) | CPU time (s) | peak RSS (MiB) | pairwise F1 | B3 F1 |")
    out("|---|---|---|---|---|---|")
    cmd = cli_command()
    timings: dict[int, float] = {}
    cpus: dict[int, float] = {}
    big_rows: list[dict] = []
    with tempfile.TemporaryDirectory() as tmp:
        for n in sizes:
            gen = generate(rows, n, seed=n)
            if n == max(sizes):
                big_rows = gen
            inp, outp = Path(tmp) / f"in{n}.jsonl", Path(tmp) / f"out{n}.csv"
            write_jsonl(gen, inp)
            runs = []
            for k in range(repeat):
                log(f"CLI sur {n} signalements ({k + 1}/{repeat})...")
                runs.append(run_cli(cmd, inp, outp))
            wall = statistics.median(r[0] for r in runs)
            rss = max(r[1] for r in runs)
            cpu = statistics.median(r[2] for r in runs)
            pred = read_csv_groups(outp)
            assert len(pred) == n
            f1 = pairwise(truth_of(gen), pred).f1
            b3 = bcubed(truth_of(gen), pred).f1
            timings[n] = wall
            cpus[n] = cpu
            out(f"| {n:,} | {wall:.1f} | {cpu:.1f} | {rss:.0f} | {f1:.3f} | {b3:.3f} |")
    if len(timings) >= 2:
        a, b = sorted(timings)[:2], None
        lo, hi = a
        ratio = timings[hi] / timings[lo]
        out()
        out(
            f"Time ratio {hi:,}/{lo:,} = {ratio:.1f}x wall, {cpus[hi] / cpus[lo]:.1f}x CPU, for {hi / lo:.0f}x "
            f"more reports (quadratic would be {(hi / lo) ** 2:.0f}x)."
        )
        del b
    out()

    # ---------------------------------------------------------------- suggestions
    if pg_ok:
        stored = big_rows or generate(rows, 10_000, seed=10_000)
        nq = args.queries or (50 if args.quick else 300)
        log(f"Chargement de {len(stored)} signalements dans PostgreSQL...")
        load_suggest_table(stored)
        rng = random.Random(7)
        queries = []
        for r in rng.sample(stored, nq):
            q = dict(r)
            q["id"] = "new-" + r["id"]
            q["title"] = perturb(str(r.get("title") or ""), rng, title=True)
            q["description"] = perturb(str(r.get("description") or ""), rng)
            queries.append(q)
        lat = suggestion_latency(queries)
        out(f"## Suggestion latency ({len(stored):,} stored reports in PostgreSQL, {nq} queries)")
        out()
        out("| method | p50 (ms) | p95 (ms) |")
        out("|---|---|---|")
        out(
            f"| engine: featurize + territory-blocked query + scoring | {lat['engine_p50']:.1f} | "
            f"{lat['engine_p95']:.1f} |"
        )
        out(f"| pg_trgm `title % q` (GIN) top 5 | {lat['trgm_p50']:.1f} | {lat['trgm_p95']:.1f} |")
        out()
        out(
            f"Median candidates scored per query: {lat['candidates_median']:.0f}; "
            f"engine/pg_trgm p50 ratio {lat['engine_p50'] / max(lat['trgm_p50'], 1e-9):.1f}x."
        )
        pg_teardown()


if __name__ == "__main__":
    main()
