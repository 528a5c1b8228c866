"""Committees: types, committees, meetings, agenda items and decisions."""

from __future__ import annotations

import datetime

from django.utils import timezone

from fabrique.committees import services as s
from fabrique.committees.models import CommitteeKind, CommitteeType
from tests.audit.harness import case
from tests.committees.factories import make_awaiting_study, make_committee, make_meeting


def _type(t) -> CommitteeType:
    return s.committee_type_create(
        fabrique=t.fabrique, actor=t.admin, kind=CommitteeKind.STEERING, label="Comité local"
    )


def _type_deleted(t):
    committee_type = _type(t)
    s.committee_type_delete(committee_type=committee_type, actor=t.admin)
    return committee_type


def _planned_meeting(t):
    committee = make_committee(t.fabrique, t.officer)
    return s.meeting_create(
        committee=committee,
        actor=t.officer,
        date=timezone.now() + datetime.timedelta(days=7),
        place="Mairie",
        attendees=[],
    )


def _item(t):
    meeting = make_meeting(make_committee(t.fabrique, t.officer), t.officer)
    study = make_awaiting_study(t.fabrique, t.officer)
    return s.agenda_item_add(meeting=meeting, actor=t.officer, target=study)


def _item_removed(t):
    item = _item(t)
    s.agenda_item_remove(item=item, actor=t.officer)
    return item.meeting


def _item_decided(t):
    item = _item(t)
    s.agenda_item_decide(item=item, actor=t.committee, outcome="continue", reasons="Creuser le modèle")
    return item.meeting


def _decision(t):
    study = make_awaiting_study(t.fabrique, t.officer)
    return s.decision_record(
        fabrique=t.fabrique, actor=t.committee, target=study, outcome="go", reasons="Modèle viable"
    )


CASES = [
    case(
        s.committee_types_setup_defaults,
        lambda t: s.committee_types_setup_defaults(fabrique=t.fabrique)[0],
        "committees.committeetype.created",
        {"kind", "label"},
        actor=None,
    ),
    case(
        s.committee_type_create, _type, "committees.committeetype.created", {"kind", "label"}, actor="admin"
    ),
    case(
        s.committee_type_update,
        lambda t: s.committee_type_update(committee_type=_type(t), actor=t.admin, label="Comité de pilotage"),
        "committees.committeetype.updated",
        {"label"},
        actor="admin",
    ),
    case(
        s.committee_type_delete, _type_deleted, "committees.committeetype.deleted", {"label"}, actor="admin"
    ),
    case(
        s.committee_create,
        lambda t: make_committee(t.fabrique, t.officer),
        "committees.committee.created",
        {"name", "committee_type"},
    ),
    case(
        s.committee_update,
        lambda t: s.committee_update(
            committee=make_committee(t.fabrique, t.officer), actor=t.officer, quorum=3
        ),
        "committees.committee.updated",
        {"quorum"},
    ),
    case(s.meeting_create, _planned_meeting, "committees.meeting.created", {"date", "place"}),
    case(
        s.meeting_update,
        lambda t: s.meeting_update(meeting=_planned_meeting(t), actor=t.officer, place="Salle des fêtes"),
        "committees.meeting.updated",
        {"place"},
    ),
    case(
        s.meeting_cancel,
        lambda t: s.meeting_cancel(meeting=_planned_meeting(t), actor=t.officer, reason="Quorum impossible"),
        "committees.meeting.cancelled",
        {"status"},
    ),
    case(s.agenda_item_add, lambda t: _item(t).meeting, "committees.meeting.item_added", {"item"}),
    case(s.agenda_item_remove, _item_removed, "committees.meeting.item_removed", {"item"}),
    case(
        s.agenda_item_decide,
        _item_decided,
        "committees.meeting.item_decided",
        {"item", "outcome"},
        actor="committee",
    ),
    case(
        s.decision_record,
        _decision,
        "committees.decision.created",
        {"outcome", "target", "reasons"},
        actor="committee",
    ),
]
