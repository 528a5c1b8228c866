"""Test data of the committees and studies, through their services (needs set up in the state a test needs)."""

from __future__ import annotations

import datetime

from django.utils import timezone

from fabrique.committees.models import CommitteeKind, CommitteeType
from fabrique.committees.services import committee_create, committee_types_setup_defaults, meeting_create
from fabrique.needs.models import Need, NeedStage
from fabrique.studies.services import scenario_create, study_open, study_submit, study_update


def make_need(
    fabrique, *, title: str = "Garde d'enfants en horaires décalés", stage=NeedStage.RETAINED
) -> Need:
    """A need already in `stage` (qualification is the needs module's business, not these tests')."""
    count = Need.all_objects.filter(fabrique=fabrique).count() + 1
    return Need.objects.create(fabrique=fabrique, title=title, stage=stage, reference=f"B-T{count:03d}")


def committee_type(fabrique, kind: str = CommitteeKind.STEERING) -> CommitteeType:
    committee_types_setup_defaults(fabrique=fabrique)
    return CommitteeType.objects.get(fabrique=fabrique, kind=kind)


def make_committee(fabrique, actor, *, name: str = "Copil mobilité", members=(), kind=CommitteeKind.STEERING):
    return committee_create(
        fabrique=fabrique,
        actor=actor,
        name=name,
        committee_type=committee_type(fabrique, kind),
        members=list(members),
    )


def make_meeting(committee, actor, *, date: datetime.datetime | None = None, attendees=(), place="Mairie"):
    date = date or timezone.now() - datetime.timedelta(hours=2)
    return meeting_create(committee=committee, actor=actor, date=date, place=place, attendees=list(attendees))


def make_study(fabrique, actor, *, title: str = "Mobilité solidaire en zone rurale", needs=None, **data):
    needs = needs if needs is not None else [make_need(fabrique)]
    return study_open(fabrique=fabrique, actor=actor, needs=needs, **{"title": title, **data})


def make_awaiting_study(fabrique, actor, *, title: str = "Mobilité solidaire en zone rurale", preferred=True):
    study = make_study(fabrique, actor, title=title)
    scenario_create(
        study=study,
        actor=actor,
        title="Garage solidaire itinérant",
        is_preferred=preferred,
        value_proposition="Réparer",
    )
    study_update(study=study, actor=actor, conclusion="Un modèle de garage solidaire a émergé.")
    return study_submit(study=study, actor=actor)
