from .rules import AUTHENTICATED, NETWORK, PUBLIC, M, Rule, V

MATRIX = {
    "backoffice:home": Rule(AUTHENTICATED),
    "backoffice:dashboard": Rule(V),
    "backoffice:audit_log": Rule(M),
    "network:home": Rule(NETWORK),
    "api:schema": Rule(PUBLIC),
    "api:docs": Rule(PUBLIC),
}
