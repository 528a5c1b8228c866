"""territory_search: accents, case, hyphens, saint/st, word prefixes, postal and INSEE codes, ranking."""

import pytest

from fabrique.territories.selectors import territory_resolve, territory_search

pytestmark = pytest.mark.django_db


def first(query: str, **kwargs):
    hits = territory_search(query=query, **kwargs)
    assert hits, f"no result for {query!r}"
    return hits[0]


@pytest.mark.parametrize(
    "query",
    [
        "st herblain",
        "St-Herblain",
        "SAINT HERBLAIN",
        "saint-herblain",
        "herblain",
        "44800",
        "44162",
        "st herb",
    ],
)
def test_saint_herblain(query):
    hit = first(query)
    assert (hit.kind, hit.code) == ("commune", "44162")
    assert hit.label == "Saint-Herblain (44) — commune"
    assert hit.population == 50973
    assert hit.context == "Nantes Métropole · Loire-Atlantique"
    assert hit.epci_name == "Nantes Métropole" and hit.departement_code == "44"


@pytest.mark.parametrize("query", ["reze", "rezé", "REZE", "Rezé"])
def test_accents_do_not_matter(query):
    assert first(query).code == "44143"


def test_sain_being_typed_finds_saint_names():
    hits = territory_search(query="sain", kinds=["commune"])
    assert hits and all(h.name.startswith("Saint") for h in hits[:5])
    assert hits[0].name == "Saint-Nazaire"  # the biggest Saint-… of 44/85


def test_exact_name_then_prefix_then_word_prefix():
    codes = [(h.kind, h.code) for h in territory_search(query="nantes")]
    assert codes[0] == ("commune", "44109")  # exact name
    assert codes[1] == ("epci", "244400404")  # "Nantes Métropole": name prefix


def test_bigger_population_first_among_prefix_matches():
    names = [h.name for h in territory_search(query="la roche", kinds=["commune"])]
    assert names[0] == "La Roche-sur-Yon"


def test_several_words():
    assert [h.code for h in territory_search(query="roche yon")[:2]] == ["248500589", "85191"]  # agglo first
    assert first("la roche sur yon").code == "85191"
    assert territory_search(query="herblain nantes") == []


def test_epci():
    hit = first("nantes metropole")
    assert (hit.kind, hit.code, hit.label) == ("epci", "244400404", "Nantes Métropole — EPCI")
    assert hit.population == 683981
    assert first("cc pays ancenis").code == "244400552"  # "CC" and "communauté de communes" both work
    assert first("communaute de communes pays d ancenis").code == "244400552"


def test_departement():
    hit = first("loire atlantique")
    assert (hit.kind, hit.code, hit.label) == ("departement", "44", "Loire-Atlantique (44) — département")
    assert hit.context == "Pays de la Loire"
    assert first("44").kind == "departement"


def test_qpv():
    hit = first("bellevue", kinds=["qpv"])
    assert (hit.kind, hit.code) == ("qpv", "QN04405M")
    assert hit.label == "Bellevue (44) — quartier prioritaire"
    assert "Nantes" in hit.context and "Saint-Herblain" in hit.context
    assert first("QN04405M").code == "QN04405M"
    assert first("malakoff").code == "QN04413M"


def test_communes_actuelles_before_deleguees():
    # Anetz is a commune déléguée of Vair-sur-Loire; "ancenis" matches the commune nouvelle and the EPCI
    hits = territory_search(query="anetz")
    assert hits[0].commune_kind == "commune-deleguee"
    assert hits[0].label == "Anetz (44) — commune déléguée"
    assert hits[0].parent_name == "Vair-sur-Loire"
    hits = territory_search(query="vair", kinds=["commune"])
    kinds = [h.commune_kind for h in hits]
    assert (
        kinds.index("commune-actuelle") < kinds.index("commune-deleguee")
        if "commune-deleguee" in kinds
        else True
    )


def test_kinds_filter_and_limit():
    assert {h.kind for h in territory_search(query="nantes", kinds=["epci"])} == {"epci"}
    assert len(territory_search(query="st", limit=3)) == 3
    assert territory_search(query="nantes", kinds=["nope"]) == []


@pytest.mark.parametrize("query", ["", " ", "s", "-", "''", "x" * 500])
def test_short_or_empty_queries(query):
    assert territory_search(query=query) == [] or len(query) > 100


def test_hit_as_dict_is_json_ready():
    data = first("rezé").as_dict()
    assert data["code"] == "44143" and data["kind"] == "commune" and data["label"] == "Rezé (44) — commune"


def test_resolve_typed_text():
    assert [r.code for r in territory_resolve(text="44800", kinds=["commune"])] == ["44162"]
    assert [r.code for r in territory_resolve(text="Saint-Herblain (44162)", kinds=["commune"])] == ["44162"]
    assert [r.code for r in territory_resolve(text="commune:44162")] == ["44162"]
    assert [r.code for r in territory_resolve(text="st herblain", kinds=["commune"])] == ["44162"]
    assert territory_resolve(text="epci:44162") == []
    assert [r.kind for r in territory_resolve(text="244400404")] == ["epci"]
    assert [r.kind for r in territory_resolve(text="85")] == ["departement"]
    assert territory_resolve(text="nowhere") == []
