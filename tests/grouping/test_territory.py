"""Territory resolution and overlap rules (pure Python, no database)."""

import pytest

from fabrique.grouping.territory import overlap, territories


@pytest.fixture(scope="module")
def terr():
    return territories()


def test_same_commune_overlaps(terr):
    assert overlap(terr.resolve("44109", ""), terr.resolve("", "Nantes")) == 1.0


def test_commune_inside_its_epci(terr):
    nantes = terr.resolve("44109", "")
    metro = terr.resolve("", "Nantes Métropole")
    assert metro.level == "epci"
    assert overlap(nantes, metro) == 1.0
    assert overlap(terr.resolve("", "Rezé"), metro) == 1.0


def test_commune_outside_an_epci(terr):
    assert overlap(terr.resolve("49007", ""), terr.resolve("", "Nantes Métropole")) == 0.0


def test_qpv_inside_its_commune(terr):
    qpv = terr.resolve("", "quartier Malakoff, Nantes")
    assert qpv.level == "qpv" and qpv.commune == "44109"
    assert overlap(qpv, terr.resolve("44109", "")) == 1.0
    assert overlap(terr.resolve("44109", "Bellevue"), terr.resolve("44109", "")) == 1.0


def test_qpv_spanning_two_communes(terr):
    # Bellevue lies on Nantes and Saint-Herblain
    assert overlap(terr.resolve("44162", "Bellevue"), terr.resolve("44109", "")) == 1.0


def test_distant_communes_differ(terr):
    assert overlap(terr.resolve("44109", ""), terr.resolve("13055", "")) == 0.0
    # two communes of the same EPCI are still two places
    assert overlap(terr.resolve("44109", ""), terr.resolve("44143", "")) == 0.0


def test_empty_commune_is_unknown_not_disjoint(terr):
    unknown = terr.resolve("", "")
    assert unknown.level == "unknown"
    assert 0.0 < overlap(unknown, terr.resolve("44109", "")) < 1.0


def test_inconsistent_codes_are_tolerated(terr):
    assert terr.resolve("44000", "").commune == "44109"  # postal code
    assert terr.resolve("75101", "").commune == "75056"  # arrondissement
    assert terr.resolve("44150", "Ancenis").commune == "44003"  # postal code that is also an INSEE code
    assert terr.resolve("  ", "St Herblain").commune == "44162"
    assert terr.resolve("", "CARENE").level == "epci"
    assert terr.resolve("", "Loire-Atlantique").level == "dept"
    assert terr.resolve("zzz", "").level == "unknown"


def test_a_postal_code_alone_in_the_label_is_a_postal_code(terr):
    # '59100' is Roubaix's postal code and the INSEE code of another commune of the Nord
    assert terr.resolve("", "59100", "59").commune == "59512"
    assert terr.resolve("59512", "Roubaix").commune == terr.resolve("", "59100").commune
    # the commune named next to the postal code wins over the code's most populous commune
    assert terr.resolve("", "Villar-Saint-Pancrace 05100", "05").commune == "05183"
    # in the commune field a code is an INSEE code first
    assert terr.resolve("59100", "", "59").commune == "59100"


def test_an_epci_named_without_its_prefix(terr):
    place = terr.resolve("", "Quimper Bretagne Occidentale", "44")
    assert place.level == "epci" and place.epci == "200068120"


def test_a_departement_beside_its_commune_is_context(terr):
    # the département named beside a commune of it neither replaces the commune nor becomes a neighbourhood
    for code in ("05023", ""):
        place = terr.resolve(code, "Briançon, Hautes-Alpes")
        assert (place.level, place.commune, place.sub) == ("commune", "05023", "")
    place = terr.resolve("", "Marseille, Bouches-du-Rhône")
    assert (place.level, place.commune) == ("commune", "13055")
    assert terr.resolve("68297", "St-Louis (Haut-Rhin)").sub == ""
    # a département alone, or named as such, is still the département
    assert terr.resolve("", "Hautes-Alpes").level == "dept"
    assert terr.resolve("", "Département de la Loire").level == "dept"


def test_a_communes_own_name_is_not_its_neighbourhood(terr):
    assert terr.resolve("", "05000 Gap").level == "commune"
    assert terr.resolve("", "Hem 59510").level == "commune"
    # 'Gap, Haut-Gap' and 'Haut-Gap' name one neighbourhood, and so do the ways of writing Lille-Sud: the
    # commune's name is left out of the neighbourhood's, whether or not it was read as the commune
    assert terr.resolve("05061", "Gap, Haut-Gap").sub == terr.resolve("05061", "Haut-Gap").sub == "haut"
    lille_sud = {"Lille-Sud", "Lille Sud", "Lille, quartier Lille-Sud", "quartier Lille-Sud, Lille"}
    assert {terr.resolve("59350", label).sub for label in lille_sud} == {"sud"}
    assert {terr.resolve("", label).sub for label in lille_sud} == {"sud"}
    assert terr.resolve("59350", "Lille - Wazemmes").sub == "wazemmes"
    assert terr.resolve("59163", "Croix - Saint-Pierre").sub == "saint pierre"


def test_a_number_after_paris_lyon_or_marseille_is_an_arrondissement(terr):
    # '18' and '15' are also département codes (Cher, Cantal): after the city's name they are arrondissements
    assert terr.resolve("", "Paris 18").arrs == {"75118"}
    assert terr.resolve("", "Marseille 15").arrs == {"13215"}
    assert terr.resolve("", "Lyon 9").arrs == {"69389"}


def test_grand_and_a_city_is_its_intercommunality(terr):
    assert terr.resolve("", "Grand Lyon").epci == terr.resolve("", "Métropole de Lyon").epci == "200046977"
    assert terr.resolve("", "Grand Lyon").level == "epci"
    # a neighbourhood named 'Grand …' is still a neighbourhood of its commune
    assert terr.resolve("", "quartier du Grand Parc, Bordeaux").commune == "33063"


def test_the_first_words_of_the_coded_communes_name_are_that_commune(terr):
    # 'Chamonix' next to Chamonix-Mont-Blanc's code, 'Vallouise' next to Vallouise-Pelvoux's
    assert terr.resolve("74056", "Chamonix").level == "commune"
    assert terr.resolve("05101", "Vallouise").level == "commune"
