"""Permission-matrix part of the committees: types, committees, meetings, agenda, decisions, print/PDF."""

import datetime

from django.utils import timezone

from fabrique.committees.services import (
    agenda_item_add,
    committee_create,
    committee_types_setup_defaults,
    meeting_create,
)
from tests.directory.factories import make_person

from .rules import D, E, M, Rule, V, foreign_pk, pk


def populate(side, label: str) -> None:
    team = side.team
    fabrique = team.fabrique
    types = committee_types_setup_defaults(fabrique=fabrique)
    member = make_person(fabrique, team.admin, last_name=f"Membre {label}")
    committee = committee_create(
        fabrique=fabrique,
        actor=team.admin,
        name=f"Comité {label}",
        committee_type=types[0],
        members=[member],
    )
    meeting = meeting_create(
        committee=committee,
        actor=team.admin,
        date=timezone.now() + datetime.timedelta(days=7),
        place=f"Salle {label}",
        attendees=[member],
    )
    item = agenda_item_add(meeting=meeting, actor=team.admin, title=f"Point {label}")
    side.objects.update(committee=committee, meeting=meeting, agenda_item=item, committee_member=member)


def _item(w):
    return {"pk": w.a.meeting.pk, "item_pk": w.a.agenda_item.pk}


def _foreign_item(w):
    return {"pk": w.b.meeting.pk, "item_pk": w.b.agenda_item.pk}


COMMITTEE = {"params": pk("committee"), "foreign": foreign_pk("committee")}
MEETING = {"params": pk("meeting"), "foreign": foreign_pk("meeting")}
ITEM = {"params": _item, "foreign": _foreign_item}

MATRIX = {
    "backoffice:committee_list": Rule(V),
    "backoffice:committee_create": Rule(E, post=True),
    "backoffice:committee_type_settings": Rule(M, post=True),
    "backoffice:committee_detail": Rule(V, **COMMITTEE),
    "backoffice:committee_update": Rule(E, **COMMITTEE, post=True),
    "backoffice:meeting_create": Rule(E, **COMMITTEE, post=True),
    # agenda, decisions, attendees and the decision form's outcomes per kind of target
    "backoffice:meeting_detail": Rule(V, **MEETING, queries=25),
    "backoffice:meeting_update": Rule(E, **MEETING, post=True),
    "backoffice:meeting_cancel": Rule(E, **MEETING, post=True),
    "backoffice:agenda_item_add": Rule(E, **MEETING, post=True),
    # removal deletes on any POST: checked by GET (confirmation page) only, like other delete views
    "backoffice:agenda_item_remove": Rule(E, **ITEM),
    "backoffice:agenda_item_decide": Rule(D, **ITEM, post=True),
    "backoffice:meeting_agenda_print": Rule(V, **MEETING),
    "backoffice:meeting_agenda_pdf": Rule(V, **MEETING),
    "backoffice:meeting_minutes_print": Rule(V, **MEETING),
    "backoffice:meeting_minutes_pdf": Rule(V, **MEETING),
}
