from .rules import Rule, V

MATRIX = {
    "backoffice:territory_search": Rule(V),
    # the commune, its parent or children, QPV, indicators, and the fabrique's activity there (needs counted
    # by theme and stage in one query, then the latest needs, studies and projects: each bounded)
    "backoffice:commune_detail": Rule(V, params=lambda w: {"code": "44162"}, queries=25),
    # the EPCI, its communes, départements, QPV, indicators and the fabrique's needs there
    "backoffice:epci_detail": Rule(V, params=lambda w: {"siren": "244400404"}, queries=25),
    "backoffice:departement_detail": Rule(V, params=lambda w: {"code": "44"}, queries=25),
    "backoffice:qpv_detail": Rule(V, params=lambda w: {"code": "QN04405M"}, queries=25),
}


def populate(side, label):
    from tests.territories.fixtures import load_test_territories

    load_test_territories()
