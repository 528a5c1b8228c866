"""Per-report work of the featurizer is bounded (issue 9: a 200 KB one-word description held a worker)."""

from fabrique.grouping import features
from fabrique.grouping.features import BLOCK_BITS, BLOCKS, MAX_TOKENS, MAX_WORD_LEN, featurize


def test_long_word_is_never_spell_corrected(monkeypatch):
    seen: list[int] = []
    real = features._deletions

    def spy(word):
        seen.append(len(word))
        return real(word)

    monkeypatch.setattr(features, "_deletions", spy)
    features.correct.cache_clear()
    word = "transportation" * 1000  # 14,000 letters, one word
    feats = featurize({"id": "x", "title": "Manque de transpor", "description": word})
    assert seen, "short words are still corrected"
    assert max(seen) <= MAX_WORD_LEN
    sparse = feats.indices[
        (feats.indices >> BLOCK_BITS) != BLOCKS.index("e")
    ]  # the dense meaning block aside
    assert len(sparse) < 50  # the long word brings no n-grams either


def test_only_the_first_tokens_of_a_field_are_read():
    head = " ".join(f"mot{i:05d}x" for i in range(MAX_TOKENS))
    tail = " ".join(f"autre{i:05d}y" for i in range(500))
    short = featurize({"id": "a", "description": head})
    longer = featurize({"id": "a", "description": head + " " + tail})
    assert longer.indices.tolist() == short.indices.tolist()


def test_age_public_still_read_in_a_long_repeated_text():
    # Each "80 ans" used to re-fold the whole text (quadratic); the fold is now done once.
    text = "ma mère a 80 ans " * 5000
    assert featurize({"id": "a", "description": text}).public == "seniors"


def test_common_words_are_never_spell_corrected():
    from fabrique.grouping.features import correct
    from fabrique.grouping.normalize import stem

    # each is one deletion away from a lexicon stem; only the real typo is corrected
    for word in ("peuvent", "mettre", "malade", "cousin", "commence"):
        assert correct(stem(word)) == stem(word)
    assert correct(stem("transpor")) == stem("transport")
