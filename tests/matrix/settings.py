from .rules import M, Rule, V, foreign_pk, pk

MATRIX = {
    "backoffice:fabrique_settings": Rule(M, post=True),
    # one field per stage of every workflow, per path and per e-mail kind: a fixed number of queries
    "backoffice:method_settings": Rule(M, post=True),
    "backoffice:team": Rule(M),
    "backoffice:team_invite": Rule(M, post=True),
    "backoffice:membership_update": Rule(
        M, params=pk("membership"), foreign=foreign_pk("membership"), post=True
    ),
}


def populate(side, label):
    side.objects["membership"] = side.team.fabrique.memberships.get(user=side.team.reader)


MATRIX["backoffice:api_tokens"] = Rule(V, post=True)
