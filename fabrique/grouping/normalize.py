"""Tokenisation and stemming of French reports (SMS spelling, acronyms) on the project's one folding,
`fabrique.core.text.fold`."""

from __future__ import annotations

from functools import lru_cache

import Stemmer

from fabrique.core.text import fold

__all__ = ["ABBREVIATIONS", "fold", "stem", "tokens"]
_STEMMER = Stemmer.Stemmer("french")  # PyStemmer: the Snowball French stemmer, in C
# Words whose stem would collide with another word's ('cafe' and the CAF office, 'loyer' and 'loi').
_PROTECTED = {
    "cafe": "cafe",
    "cafes": "cafe",
    "loyer": "loyer",
    "loyers": "loyer",
    "gare": "gare",
    "gares": "gare",
    "garant": "garant",
    "garants": "garant",
}

# Frequent SMS / informal spellings and abbreviations, folded (no accents). General French, not dataset-specific.
ABBREVIATIONS: dict[str, str] = {
    "pr": "pour",
    "ds": "dans",
    "ac": "avec",
    "avc": "avec",
    "bcp": "beaucoup",
    "tt": "tout",
    "tjs": "toujours",
    "tjrs": "toujours",
    "qd": "quand",
    "pq": "pourquoi",
    "pcq": "parce",
    "pb": "probleme",
    "pbs": "problemes",
    "pbm": "probleme",
    "svp": "",
    "stp": "",
    "mm": "meme",
    "jms": "jamais",
    "rdv": "rendez vous",
    "qq": "quelques",
    "qqs": "quelques",
    "qqn": "quelqu un",
    "ya": "il y a",
    "yen": "il y en",
    "vx": "vieux",
    "vielles": "vieilles",
    "ptit": "petit",
    "ptits": "petits",
    "ptite": "petite",
    "ptites": "petites",
    "gamins": "enfants",
    "gosses": "enfants",
    "mome": "enfant",
    "momes": "enfants",
    "ado": "adolescent",
    "ados": "adolescents",
    "pa": "personnes agees",
    "pmr": "personne mobilite reduite",
    "ph": "personnes handicapees",
    "tad": "transport a la demande",
    "ehpad": "ehpad",
    "rsa": "rsa",
    "bsa": "beneficiaires rsa",
    "dej": "dejeuner",
    "ptidej": "petit dejeuner",
    "bagnole": "voiture",
    "caisse": "voiture",
    "apl": "aide logement",
    "caf": "caf",
    "ccas": "ccas",
    "mds": "maison departementale solidarites",
    "ss": "sans",
    "sn": "son",
    "nn": "non",
    "bjr": "",
    "slt": "",
    "cc": "communaute communes",
    "qpv": "quartier prioritaire",
    "zrr": "zone rurale",
    "ess": "economie sociale solidaire",
    "iae": "insertion activite economique",
    "aah": "aah",
    "mdph": "mdph",
    "esat": "esat",
    "ime": "ime",
    "vae": "velo assistance electrique",
    "velos": "velo",
    "covoit": "covoiturage",
    "auto": "auto",
    "appart": "appartement",
    "apparts": "appartements",
    "hlm": "logement social",
    "boulot": "travail",
    "taf": "travail",
    "job": "emploi",
    "jobs": "emplois",
    "dr": "docteur",
    "doc": "medecin",
    "toubib": "medecin",
    "medoc": "medicament",
    "medocs": "medicaments",
    "ordi": "ordinateur",
    "ordis": "ordinateurs",
    "internet": "internet",
    "wifi": "internet",
    "ptt": "",
    "etc": "",
    "cad": "",
    "cf": "",
    "nb": "",
}

# French-based Creole of the overseas départements (La Réunion; Antilles and Guyane where shared), written
# as inhabitants write it: general vocabulary only, each word read as the French word it is, so the word,
# n-gram, concept and meaning blocks see a Creole message as its French equivalent. Words whose folded form
# is also a French word ('case', 'bis', 'na', 'ni', 'li', 'mi') are left out.
CREOLE: dict[str, str] = {
    "kaz": "maison",
    "lakaz": "maison",
    "marmay": "enfants",
    "marmaye": "enfants",
    "marmaille": "enfants",
    "zanfan": "enfants",
    "zenfan": "enfants",
    "timoun": "enfants",
    "yich": "enfant",
    "gramoun": "personnes agees",
    "granmoun": "personnes agees",
    "travay": "travail",
    "travaye": "travailler",
    "lekol": "ecole",
    "lekole": "ecole",
    "kolez": "college",
    "manze": "manger",
    "manje": "manger",
    "kar": "bus",
    "dokter": "medecin",
    "dokte": "medecin",
    "lopital": "hopital",
    "tousel": "tout seul",
    "dlo": "eau",
    "poin": "pas",
    "pwin": "pas",
    "kone": "connais",
    "konn": "connais",
    "konpran": "comprendre",
    "konprann": "comprendre",
    "lir": "lire",
    "ekrir": "ecrire",
    "lontan": "longtemps",
    "bonpe": "beaucoup",
    "malad": "malade",
    "larzan": "argent",
    "lajan": "argent",
    "lamizer": "misere",
    "loye": "loyer",
    "fanm": "femme",
    "madanm": "femme",
    "fanmi": "famille",
    "jenn": "jeunes",
    "boutik": "boutique",
    "moun": "gens",
    "domoun": "gens",
    "pou": "pour",
    "ek": "avec",
}
ABBREVIATIONS.update(CREOLE)


# 'car' is a stop word (the conjunction) but also the coach: after an article or a preposition, or before
# 'scolaire', it is the noun ('le car scolaire', 'pas de car le dimanche'), read as 'autocar'
_BEFORE_COACH = frozenset(
    ("le", "un", "du", "au", "en", "de", "ce", "mon", "notre", "premier", "dernier", "aucun")
)


def tokens(text: str | None) -> list[str]:
    """Folded tokens with abbreviations expanded (SMS spelling, acronyms)."""
    out: list[str] = []
    folded = fold(text).split()
    for k, tok in enumerate(folded):
        if tok == "car" and (
            (k and folded[k - 1] in _BEFORE_COACH)
            or (k + 1 < len(folded) and folded[k + 1].startswith("scolaire"))
        ):
            out.append("autocar")
            continue
        rep = ABBREVIATIONS.get(tok)
        if rep is None:
            out.append(tok)
        elif rep:
            out.extend(rep.split())
    return out


@lru_cache(maxsize=200_000)
def stem(token: str) -> str:
    """Snowball French stem of a folded token (cached: reports reuse a small vocabulary)."""
    if len(token) <= 3 or token.isdigit():
        return token
    if token in _PROTECTED:
        return _PROTECTED[token]
    s: str = _STEMMER.stemWord(token)
    # Snowball keeps some plural/feminine endings on folded words; trim the common ones.
    if len(s) > 4 and s.endswith(("e", "s", "x")):
        s = s[:-1]
    return s
