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
