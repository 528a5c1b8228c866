"""Paris, Lyon and Marseille: arrondissements are sub-areas of their commune (COG codes 75101-75120,
69381-69389, 13201-13216), however a report writes them, and two arrondissements are never one need."""

import pytest

from fabrique.grouping.api import featurize, group_reports, pair_score
from fabrique.grouping.territory import territories

WAYS_15E = [
    ("13215", ""),  # the arrondissement's COG code
    ("", "13015"),  # its postal code in the label
    ("13055", "15e"),  # the commune's code and an ordinal
    ("", "Marseille 15e"),
    ("", "15ème arrondissement, Marseille"),
    ("13055", "Marseille 15ème arrondissement"),
]


@pytest.mark.parametrize(("commune", "label"), WAYS_15E)
def test_every_way_of_writing_an_arrondissement_resolves_to_it(commune, label):
    place = territories().resolve(commune, label, "13")
    assert place.commune == "13055"
    assert place.arrs == frozenset({"13215"})


@pytest.mark.parametrize(
    ("commune", "label", "arr"),
    [("75003", "", "75103"), ("75056", "3e", "75103"), ("69383", "", "69383"), ("", "Lyon 3e", "69383")],
)
def test_paris_and_lyon(commune, label, arr):
    place = territories().resolve(commune, label, "")
    assert place.arrs == frozenset({arr})
    assert place.commune == territories().parent[arr]


def test_a_code_that_is_both_an_insee_code_and_a_postal_code_follows_the_label():
    terr = territories()
    assert terr.resolve("13002", "Allauch", "13").commune == "13002"  # INSEE code of Allauch
    marseille = terr.resolve("13002", "Marseille", "13")  # postal code of Marseille 2e
    assert marseille.commune == "13055" and marseille.arrs == frozenset({"13202"})
    both = terr.resolve("13002", "", "13")  # nothing says which: both stay possible
    assert {"13002", "13055"} <= both.communes


def test_a_floor_is_not_an_arrondissement():
    f = featurize({"id": "a", "commune": "13055", "description": "la dame du 4eme a 91 ans vit seule"})
    assert f.place.arrs == frozenset()
    g = featurize({"id": "b", "commune": "13055", "description": "dans le 4ème arrondissement, les aînés"})
    assert g.place.arrs == frozenset({"13204"})


NEED = {
    "title": "Pas de médecin traitant",
    "description": "Les familles du quartier n'ont plus de médecin généraliste, tous les cabinets sont complets.",
    "public": "familles",
}


def test_the_same_arrondissement_written_two_ways_can_be_one_need():
    a = {"id": "a", "commune": "13215", **NEED}
    b = {"id": "b", "territory_label": "Marseille 15e", **NEED}
    assert pair_score(a, b) > 0.5
    assert len(set(group_reports([a, b]).values())) == 1


def test_different_arrondissements_are_never_merged():
    a = {"id": "a", "commune": "13215", **NEED}
    b = {"id": "b", "commune": "13216", **NEED}
    c = {"id": "c", "territory_label": "13014", **NEED}
    assert pair_score(a, b) == 0.0 and pair_score(a, c) == 0.0
    assert len(set(group_reports([a, b, c]).values())) == 3


def test_the_commune_without_arrondissement_stays_compatible_with_each():
    a = {"id": "a", "commune": "13215", **NEED}
    b = {"id": "b", "commune": "13055", **NEED}
    assert pair_score(a, b) > 0.0


def test_features_keep_the_arrondissement_through_storage():
    from fabrique.grouping.api import Features

    f = featurize({"id": "a", "commune": "75111", **NEED})
    assert Features.unpack(f.pack()).place.arrs == frozenset({"75111"})


def test_postal_codes_of_the_whole_country():
    terr = territories()
    assert terr.resolve("97400", "", "").dept == "974"  # Saint-Denis de La Réunion
    assert terr.resolve("", "Guéret 23000", "").commune == "23096"


def test_a_homonym_far_from_the_fabrique_is_not_taken_for_a_commune():
    # 'Castellane' in a Marseille report is the neighbourhood, not the commune of the Alpes-de-Haute-Provence
    assert territories().resolve("", "Castellane", "13").commune != "04039"
    assert territories().resolve("", "Castellane", "04").commune == "04039"


def test_roman_ordinals_in_labels_and_after_the_city_name():
    terr = territories()
    assert terr.resolve("", "Paris XVIIe", "").arrs == frozenset({"75117"})
    assert terr.resolve("", "Lyon IIIe", "").arrs == frozenset({"69383"})
    assert terr.resolve("", "Paris XVIIe", "").sub == ""  # not taken for a neighbourhood name
    text = {"id": "x", "commune": "75056", "description": "auxiliaire de vie, cadre de vie"}
    assert featurize(text).place.arrs == frozenset()  # 'vie' is not the VIe
    assert featurize({**text, "description": "à Paris XIXe"}).place.arrs == frozenset({"75119"})
