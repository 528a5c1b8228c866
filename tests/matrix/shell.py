from .rules import AUTHENTICATED, NETWORK, PUBLIC, M, Rule, V

MATRIX = {
    "backoffice:home": Rule(AUTHENTICATED),
    # the figures in one query (a subquery each), one list per deadline kind, the recent activity
    "backoffice:dashboard": Rule(V, queries=20),
    "backoffice:audit_log": Rule(M),
    # the record autocomplete (fabrique.directory.autocomplete): people, organisations, needs, studies,
    # support plans, funders and the agenda's dossiers, by `types` (one URL; each source is checked for
    # its bound and its tenant in tests/directory/test_autocomplete_sources.py)
    "backoffice:record_search": Rule(V),
    # one query per figure column (fixed; the figures registry will group them)
    "network:home": Rule(NETWORK, queries=30),
    # one grouped query for the indicator over five periods, whatever the fabriques
    "network:statuses": Rule(NETWORK, queries=6),  # its POST: tests/network/test_head.py
    "network:indicator": Rule(NETWORK, params=lambda w: {"key": "needs.reports"}, queries=10),
    "api:schema": Rule(PUBLIC),
    "api:docs": Rule(PUBLIC),
}
