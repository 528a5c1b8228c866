"""Text helpers shared by every domain: normalisation for search and duplicate detection."""

import re

from unidecode import unidecode

_NON_ALNUM = re.compile(r"[^a-z0-9]+")
# Abbreviations people type for common place-name words, mapped to one canonical form.
_CANONICAL = {"saint": "st", "sainte": "ste", "saints": "sts", "saintes": "stes"}


def normalize(value: str | None) -> str:
    """Lower-case, strip accents and punctuation, collapse spaces; "Saint-Herblain" -> "st herblain"."""
    if not value:
        return ""
    words = _NON_ALNUM.sub(" ", unidecode(str(value)).lower()).split()
    return " ".join(_CANONICAL.get(word, word) for word in words)


_LEGAL_FORMS = {
    "sarl",
    "sas",
    "sasu",
    "sa",
    "eurl",
    "scop",
    "scic",
    "sci",
    "eirl",
    "ei",
    "gie",
    "sem",
    "spl",
    "association",
    "asso",
    "assoc",
}
_STOPWORDS = {"l", "la", "le", "les", "de", "du", "des", "d", "et", "a", "au", "aux", "en"}


def normalize_organization_name(value: str | None) -> str:
    """Normalised name for duplicate detection: no accents, legal forms or articles."""
    words = [w for w in normalize(value).split() if w not in _LEGAL_FORMS and w not in _STOPWORDS]
    return " ".join(words)
