"""End-to-end sanity of grouping and suggestions on a handful of reports (pure engine, no database)."""

import pytest

from fabrique.grouping.api import Features, candidate_filter, featurize, group_reports, pair_score, suggest

REPORTS = [
    # one need: transport of elderly people in Carquefou (commune, its EPCI, an inhabitant without code)
    {
        "id": "a1",
        "title": "Mobilité des personnes âgées dans les hameaux",
        "commune": "44026",
        "public": "personnes âgées",
        "theme": "mobilité",
        "description": "Les administrés de plus de 75 ans sans voiture ne peuvent pas aller aux commerces, "
        "aucun bus ne dessert les hameaux.",
    },
    {
        "id": "a2",
        "title": "pas de bus pour faire les courses",
        "territory_label": "Carquefou",
        "description": "ma mere a 82 ans elle a plus de voiture et ya pas de bus le samedi pour aller au supermarche",
    },
    {
        "id": "a3",
        "title": "Transport à la demande pour les seniors",
        "territory_label": "Nantes Métropole",
        "public": "seniors",
        "description": "Les personnes âgées non motorisées de Carquefou n'ont pas de "
        "transport pour les courses et les rendez-vous médicaux.",
    },
    # the same need in a distant commune: another need
    {
        "id": "b1",
        "title": "Mobilité des personnes âgées en zone rurale",
        "commune": "48095",
        "public": "personnes âgées",
        "description": "Les personnes âgées sans voiture n'ont aucun transport "
        "pour les courses et les rendez-vous médicaux.",
    },
    # another problem in the same commune: another need
    {
        "id": "c1",
        "title": "Pas de place en crèche",
        "commune": "44026",
        "public": "familles",
        "description": "Les parents attendent plus d'un an une place en crèche ou chez une assistante maternelle.",
    },
    # an epicerie solidaire in a QPV and the same need at commune level
    {
        "id": "d1",
        "title": "Épicerie solidaire dans le quartier",
        "commune": "44109",
        "territory_label": "Bellevue",
        "public": "familles",
        "description": "Les familles doivent traverser la ville pour l'aide alimentaire, "
        "une épicerie solidaire de proximité manque.",
    },
    {
        "id": "d2",
        "title": "aide alimentaire a bellevue",
        "territory_label": "Nantes",
        "public": "familles",
        "description": "on a du mal a manger avec les prix, une epicerie solidaire a Bellevue ce serait bien",
    },
]


def test_group_reports_sanity():
    groups = group_reports(REPORTS)
    assert set(groups) == {r["id"] for r in REPORTS}
    assert groups["a1"] == groups["a2"] == groups["a3"]
    assert groups["b1"] != groups["a1"]
    assert groups["c1"] != groups["a1"]
    assert groups["d1"] == groups["d2"]
    assert groups["d1"] != groups["a1"]


def test_empty_and_tiny_inputs():
    assert group_reports([]) == {}
    assert group_reports([{"id": "x"}]) == {"x": "g1"}
    groups = group_reports([{"id": "x"}, {"id": "y", "title": None, "commune": None, "public": ""}])
    assert set(groups) == {"x", "y"}


def test_pair_scores_in_one_matrix_equal_pair_score_pair_by_pair():
    from fabrique.grouping.api import pair_scores

    features = [featurize(r) for r in REPORTS]
    pairs = [(0, 1), (0, 3), (0, 4), (1, 4), (2, 3), (4, 0)]
    assert pair_scores(features, pairs) == pytest.approx(
        [pair_score(features[a], features[b]) for a, b in pairs]
    )
    assert pair_scores(features, []) == []


def test_pair_score_respects_territory():
    assert pair_score(REPORTS[0], REPORTS[1]) > 0.5
    assert pair_score(REPORTS[0], REPORTS[3]) == 0.0  # Carquefou vs Mende
    assert pair_score(REPORTS[0], REPORTS[4]) < 0.3  # same commune, other problem


def test_suggest_uses_stored_features():
    stored = [Features.unpack(featurize(r).pack()) for r in REPORTS if r["id"] != "a2"]
    best = suggest(REPORTS[1], stored, k=3)
    assert best and best[0].id in {"a1", "a3"}
    assert best[0].same_need
    assert all(s.id != "b1" for s in best)
    flt = candidate_filter(featurize(REPORTS[1]))
    assert flt["communes"] == ["44026"] and flt["epci"] == "244400404"


def test_a_batch_of_a_city_with_arrondissements_hints_at_it():
    from fabrique.grouping.engine import _dominant_dept

    marseille = [
        {"commune": "13213"},
        {"commune": "13055"},
        {"commune": "", "territory_label": "Marseille 3e"},
    ]
    marseille += [{"commune": "13015", "territory_label": "La Castellane"}] * 5
    assert _dominant_dept(marseille) == "13,13055"
    # Aix, Allauch, Arles, Aubagne coded by INSEE code: their codes are Marseille's postal codes, not Marseille
    bouches_du_rhone = [{"commune": code} for code in ("13001", "13002", "13004", "13005")] * 10
    assert _dominant_dept(bouches_du_rhone) == "13"


def test_a_batch_without_codes_takes_its_departement_from_its_labels():
    from fabrique.grouping.engine import _dominant_dept

    # 'Saint-Denis' alone is La Réunion's (the larger); in a batch of the Seine-Saint-Denis it is the 93's
    seine_saint_denis = [
        {"territory_label": label} for label in ("Bobigny", "Montreuil", "Aubervilliers")
    ] * 3
    assert _dominant_dept(seine_saint_denis + [{"territory_label": "Saint-Denis"}]).split(",")[0] == "93"
    # with coded reports, an uncoded 'Saint-Louis' is read in their département (Haut-Rhin, not La Réunion)
    mulhouse = [{"commune": "68224"}] * 9 + [{"territory_label": "Saint-Louis"}]
    assert _dominant_dept(mulhouse) == "68"


def test_a_neighbourhood_without_its_arrondissement_takes_the_one_the_batch_gives_it():
    from fabrique.grouping.engine import featurize_all

    reports = [
        {"id": "a", "commune": "13213", "territory_label": "Frais Vallon", "title": "Pas de médecin"},
        {"id": "b", "commune": "13055", "territory_label": "Frais Vallon", "title": "Plus de médecin"},
        {"id": "c", "commune": "", "territory_label": "Guillotière, Lyon", "title": "Laverie"},
        {"id": "d", "commune": "69387", "territory_label": "Guillotière", "title": "Laverie"},
        {"id": "e", "commune": "69123", "territory_label": "Croix-Rousse", "title": "Crèche"},
        {"id": "f", "commune": "69381", "territory_label": "Croix-Rousse", "title": "Crèche"},
        {"id": "g", "commune": "69384", "territory_label": "Croix-Rousse", "title": "Crèche"},
    ]
    places = {f.id: f.place for f in featurize_all(reports, workers=1)}
    assert places["b"].arrs == {"13213"}
    assert places["c"].arrs == {"69387"}
    assert places["e"].arrs == frozenset()  # the 1er and the 4e both hold a Croix-Rousse: not guessed


def test_a_neighbourhood_named_alone_is_placed_where_the_batch_places_it():
    from fabrique.grouping.engine import featurize_all

    reports = [
        {"id": "a", "commune": "59350", "territory_label": "Fives", "title": "Laverie"},
        {"id": "b", "commune": "", "territory_label": "quartier de Fives", "title": "Laverie"},
        {"id": "c", "commune": "", "territory_label": "Zorglub", "title": "Laverie"},
    ]
    places = {f.id: f.place for f in featurize_all(reports, workers=1)}
    assert (places["b"].commune, places["b"].sub) == ("59350", "fives")
    assert places["c"].level == "unknown"  # nowhere else in the batch


def test_workers_are_a_public_read_from_the_public_field_only():
    from fabrique.grouping.features import featurize, parse_public

    for written in ("saisonniers", "travailleurs saisonniers", "salariés de la station", "aides-soignantes"):
        assert parse_public(written) == ["salaries"], written
    # a longer expression of another public still wins
    assert parse_public("jeunes actifs") == ["jeunes"]
    assert parse_public("travailleurs pauvres") == ["precaires"]
    assert parse_public("travailleurs handicapés") == ["handicap"]
    assert parse_public("ouvriers agricoles") == ["agriculteurs"]
    assert parse_public("sortants de prison") == ["justice"]
    # in a report's text the workers are as often the circumstances: no public inferred from them
    about_buses = featurize(
        {
            "id": "a",
            "commune": "05023",
            "public": "habitants",
            "title": "Plus de bus le soir",
            "description": "Les salariés de la zone et les soignants de l'hôpital rentrent à pied.",
        }
    )
    assert about_buses.public == ""
    seasonal = featurize({"id": "s", "commune": "05023", "public": "saisonniers", "title": "Logement"})
    assert (seasonal.public, seasonal.public_explicit) == ("salaries", True)


def test_seasonal_workers_and_families_of_one_town_are_told_apart():
    from fabrique.grouping.engine import pair_score

    def housing(public: str, rid: str) -> dict:
        return {
            "id": rid,
            "commune": "05023",
            "public": public,
            "theme": "logement",
            "title": "Pas de logement à l'année",
            "description": "Les loyers à Briançon suivent la saison touristique, impossible de se loger.",
        }

    unknown = pair_score(housing("familles", "a"), housing("", "b"))
    apart = pair_score(housing("familles", "a"), housing("travailleurs saisonniers", "c"))
    assert apart < unknown  # two publics named and different, not a public left unsaid


def test_children_and_their_parents_are_two_publics():
    from fabrique.grouping.features import parse_public

    # what a need is for: the children themselves (school, meals, care of the child) or their parents
    # (childcare to work, parenting support); 'familles' alone stays the parents' side
    for written in ("écoliers", "élèves", "enfants", "petite enfance", "bébés", "mes enfants"):
        assert parse_public(written)[0] == "enfants", written
    for written in ("parents", "mères seules", "familles monoparentales", "familles", "femmes enceintes"):
        assert parse_public(written)[0] == "familles", written


@pytest.mark.parametrize(
    "text, concept, found",
    [
        ("il me donne des coups depuis des mois", "violences.violences_femmes", True),
        ("du coup je dois tout faire seule", "violences.violences_femmes", False),
        ("un coup de main pour remplir les papiers", "violences.violences_femmes", False),
        ("internet qui coupe tout le temps", "violences.violences_femmes", False),
        ("des rats dans la cave", "logement.nuisibles", True),
        ("j'ai raté le bus de 6h", "logement.nuisibles", False),
        ("on vend des meubles d'occasion", "reemploi.objets", True),
        ("les meublés touristiques remplacent les logements", "reemploi.objets", False),
        ("les meublés touristiques remplacent les logements", "logement.acces_logement", True),
        ("pas d'astreinte pour les ascenseurs en panne", "agriculture.agriculture", False),
        # 'car' the coach, not the conjunction; 'scolaire' alone is no transport
        ("pas de car scolaire le mercredi", "mobilite.transport_collectif", True),
        ("le car passe pas le dimanche", "mobilite.transport_collectif", True),
        ("je ne viens pas car je travaille", "mobilite.transport_collectif", False),
        ("les fournitures scolaires coûtent trop cher", "mobilite.transport_collectif", False),
    ],
)
def test_lexicon_triggers_keep_to_their_sense(text, concept, found):
    # a trigger whose stem is shared with a word of another sense fires on that sense only
    assert (concept in featurize({"id": "x", "description": text}).concepts) is found
