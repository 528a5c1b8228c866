"""Permission-matrix part of the workstreams (back-office pages and API).

It runs after the directory part and uses its organisation.
"""

from tests.workstreams.factories import make_workstream

from .rules import E, Rule, V, foreign_pk, pk


def populate(side, label: str) -> None:
    team = side.team
    side.objects["workstream"] = make_workstream(
        team.fabrique, team.admin, name=f"Chantier {label}", lead=team.officer, members=[side.organization]
    )


WS = (pk("workstream"), foreign_pk("workstream"))


def _member(world_side):
    return {"pk": world_side.workstream.pk, "organization_pk": world_side.organization.pk}


MATRIX = {
    "backoffice:workstream_list": Rule(V),
    "backoffice:workstream_create": Rule(E, post=True),
    # a chantier as a collective: one query per section (needs, studies, projects, enterprises,
    # members, meetings, workshops, figures), none per row
    "backoffice:workstream_detail": Rule(V, *WS, queries=30),
    "backoffice:workstream_update": Rule(E, *WS, post=True),
    "backoffice:workstream_delete": Rule(E, *WS),
    "backoffice:workstream_member_add": Rule(E, *WS, post=True),
    "backoffice:workstream_member_remove": Rule(E, lambda w: _member(w.a), lambda w: _member(w.b)),
    "api:workstream-list": Rule(V),
    "api:workstream-detail": Rule(V, *WS),
}
