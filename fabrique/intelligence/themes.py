"""Which theme an organisation of the directory works on, read from its name and presentation.

The directory has no theme field: an organisation answers a theme when it belongs to a workstream
(chantier) of that theme, leads a project on it, or says so in its name or presentation. These are
the words looked for (accent- and case-insensitive, at the start of a word).
"""

from __future__ import annotations

import re

from fabrique.core.choices import Theme
from fabrique.core.text import normalize

THEME_WORDS: dict[str, tuple[str, ...]] = {
    Theme.FOOD: (
        "alimentai",
        "alimentation",
        "epicerie",
        "paniers",
        "circuit court",
        "circuits courts",
        "banque alimentaire",
        "restos du coeur",
        "jardin",
        "potager",
        "amap",
        "frigo",
    ),
    Theme.REUSE: (
        "reemploi",
        "ressourcerie",
        "recyclerie",
        "recycl",
        "repair",
        "reparation",
        "3r",
        "dechet",
        "economie circulaire",
        "seconde main",
        "friperie",
    ),
    Theme.HOUSING: ("logement", "habitat", "hebergement", "bailleur", "foyer", "residence", "colocation"),
    Theme.MOBILITY: (
        "mobilit",
        "transport",
        "covoiturage",
        "velo",
        "garage solidaire",
        "auto ecole",
        "permis",
        "chauffeur",
        "deplacement",
    ),
    Theme.CATERING: ("restauration", "restaurant", "traiteur", "cuisine", "repas", "cantine"),
    Theme.HEALTH: ("sante", "soin", "medic", "autonomie", "handicap", "aidant", "dependance", "ehpad"),
    Theme.CHILDCARE: (
        "creche",
        "petite enfance",
        "parentalite",
        "garde d enfant",
        "halte garderie",
        "assistante maternelle",
    ),
    Theme.DIGITAL: ("numerique", "informatique", "internet", "ordinateur", "inclusion numerique"),
    Theme.EMPLOYMENT: (
        "insertion",
        "emploi",
        "siae",
        "chantier d insertion",
        "entreprise adaptee",
        "esat",
        "formation",
        "cooperative d activite",
        "couveuse",
    ),
    Theme.CULTURE: (
        "culture",
        "cultur",
        "sport",
        "loisir",
        "theatre",
        "musique",
        "bibliotheque",
        "mediatheque",
    ),
    Theme.ENVIRONMENT: ("environnement", "energie", "renovation", "biodiversite", "climat", "ecolog"),
    Theme.SERVICES: (
        "conciergerie",
        "service de proximite",
        "services de proximite",
        "commerce",
        "multiservice",
    ),
    Theme.AGRICULTURE: ("agricole", "agricult", "ferme", "maraich", "paysan", "eleveur", "producteur"),
}

_PATTERNS = {
    theme: re.compile(r"\b(" + "|".join(re.escape(normalize(w)) for w in words) + r")")
    for theme, words in THEME_WORDS.items()
}


def theme_words_found(theme: str, *texts: str) -> list[str]:
    """The theme's words found in `texts` (normalised), in order of appearance, without repeats."""
    pattern = _PATTERNS.get(theme)
    if pattern is None:
        return []
    found: list[str] = []
    for text in texts:
        for match in pattern.finditer(normalize(text)):
            word = match.group(1)
            if word not in found:
                found.append(word)
    return found


def themes_of_text(*texts: str) -> list[str]:
    return [theme for theme in THEME_WORDS if theme_words_found(theme, *texts)]


def themes_found(*texts: str) -> set[str]:
    """Every theme whose words appear in `texts` (each text normalised once: for many rows at a time)."""
    normalized = [normalize(text) for text in texts if text]
    return {theme for theme, pattern in _PATTERNS.items() if any(pattern.search(t) for t in normalized)}
