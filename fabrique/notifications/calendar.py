"""Calendars (iCalendar, RFC 5545, with the `icalendar` library): committee meetings, workshops,
milestones and follow-ups due, as downloads, as the invitation attached to a convocation
(METHOD:REQUEST, SEQUENCE raised on each change of date or place, METHOD:CANCEL when cancelled), and
as a personal feed (secret, revocable token; only what the user may see). Times are Europe/Paris
with its VTIMEZONE."""

from __future__ import annotations

import datetime
import zoneinfo
from collections.abc import Iterable
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from django.conf import settings
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from icalendar import Calendar, Event, vCalAddress, vText

from fabrique.core.delivery import absolute, site_url

from .selectors import followup_title, object_path

if TYPE_CHECKING:
    from fabrique.accounts.models import User
    from fabrique.committees.models import Meeting
    from fabrique.fabriques.models import Fabrique
    from fabrique.projects.models import Enterprise
    from fabrique.studies.models import Workshop
    from fabrique.support.models import Milestone

MEETING_LENGTH = datetime.timedelta(hours=2)
FEED_PAST = datetime.timedelta(days=90)
FEED_FUTURE = datetime.timedelta(days=400)


def _tz() -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(settings.TIME_ZONE)


def _uid(kind: str, pk: int) -> str:
    return f"{kind}-{pk}@{urlsplit(site_url()).hostname or 'fabrique'}"


def new_calendar(*, method: str = "PUBLISH", name: str = "") -> Calendar:
    cal = Calendar()
    cal.add("prodid", "-//Fabrique//Fabrique a initiatives//FR")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", method)
    if name:
        cal.add("x-wr-calname", name)
        cal.add("x-wr-timezone", settings.TIME_ZONE)
    return cal


def to_bytes(cal: Calendar) -> bytes:
    cal.add_missing_timezones()  # one VTIMEZONE for Europe/Paris
    return bytes(cal.to_ical())


def meeting_sequence(meeting: Meeting) -> int:
    """How many times the meeting's date, place or status changed (the SEQUENCE of its invitation)."""
    from fabrique.audit.models import AuditEntry

    changes = 0
    for action, new in AuditEntry.objects.for_target(meeting).values_list("action", "new_values"):
        if action.endswith((".cancelled", ".planned")) or (
            action.endswith(".updated") and ({"date", "place"} & set(new or {}))
        ):
            changes += 1
    return changes


def meeting_event(
    meeting: Meeting, *, attendees: Iterable[tuple[str, str]] = (), organizer: str = ""
) -> Event:
    start = timezone.localtime(meeting.date, _tz())
    event = Event()
    event.add("uid", _uid("meeting", meeting.pk))
    event.add("dtstamp", timezone.now().astimezone(datetime.UTC))
    event.add("dtstart", start)
    event.add("dtend", start + MEETING_LENGTH)
    event.add(
        "summary",
        _("%(committee)s — %(fabrique)s")
        % {"committee": meeting.committee.name, "fabrique": meeting.fabrique.name},
    )
    if meeting.place:
        event.add("location", meeting.place)
    path = object_path(meeting, meeting.fabrique)
    description = [
        (
            _("Séance annulée : %(committee)s du %(date)s.")
            if meeting.status == "cancelled"
            else _("Séance du comité « %(committee)s » le %(date)s.")
        )
        % {"committee": meeting.committee.name, "date": date_format(start, "l j F Y à H\\hi")}
    ]
    if meeting.place:
        description.append(_("Lieu : %(place)s") % {"place": meeting.place})
    if path:
        event.add("url", absolute(path))
        description.append(_("Ordre du jour et documents : %(url)s") % {"url": absolute(path)})
    event.add("description", "\n".join(description))
    event.add("sequence", meeting_sequence(meeting))
    cancelled = meeting.status == "cancelled"
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    if organizer:
        event.add("organizer", vCalAddress(f"mailto:{organizer}"), parameters={"cn": meeting.fabrique.name})
    for name, email in attendees:
        event.add(
            "attendee",
            vCalAddress(f"mailto:{email}"),
            parameters={"cn": vText(name), "role": "REQ-PARTICIPANT", "rsvp": "TRUE"},
        )
    return event


def meeting_ics(
    meeting: Meeting, *, method: str = "PUBLISH", attendees: Iterable[tuple[str, str]] = ()
) -> bytes:
    cal = new_calendar(method=method)
    organizer = meeting.fabrique.contact_email or settings.DEFAULT_FROM_EMAIL.split("<")[-1].strip(">")
    cal.add_component(
        meeting_event(meeting, attendees=attendees, organizer=organizer if method != "PUBLISH" else "")
    )
    return to_bytes(cal)


def _all_day(uid: str, day: datetime.date, summary: str, url: str = "", description: str = "") -> Event:
    event = Event()
    event.add("uid", uid)
    event.add("dtstamp", timezone.now().astimezone(datetime.UTC))
    event.add("dtstart", day)
    event.add("dtend", day + datetime.timedelta(days=1))
    event.add("summary", summary)
    if url:
        event.add("url", url)
    if description:
        event.add("description", description)
    event.add("transp", "TRANSPARENT")
    return event


def workshop_event(workshop: Workshop) -> Event:
    study = workshop.study
    return _all_day(
        _uid("workshop", workshop.pk),
        workshop.date,
        _("%(kind)s — %(study)s") % {"kind": workshop.get_kind_display(), "study": study.title},
        absolute(object_path(study, study.fabrique)),
        _("Atelier de l'étude d'opportunité « %(study)s » (%(fabrique)s).")
        % {"study": study.title, "fabrique": study.fabrique.name},
    )


def milestone_event(milestone: Milestone) -> Event:
    assert milestone.due_on is not None  # only dated milestones are in calendars
    plan = milestone.plan
    return _all_day(
        _uid("milestone", milestone.pk),
        milestone.due_on,
        _("Jalon : %(title)s (%(plan)s)") % {"title": milestone.title, "plan": plan},
        absolute(object_path(plan, plan.fabrique)),
        _("Échéance d'un jalon du plan d'accompagnement « %(plan)s » (%(fabrique)s).")
        % {"plan": plan, "fabrique": plan.fabrique.name},
    )


def followup_events(
    enterprise: Enterprise, *, today: datetime.date, done: set[str] | None = None
) -> list[Event]:
    """The +1 / +3 years follow-ups not yet recorded (`done`: the horizons recorded, when known)."""
    from fabrique.projects.outcome import followups_to_do

    events = []
    for _horizon, years, due in followups_to_do(enterprise=enterprise, done=done):
        events.append(
            _all_day(
                _uid(f"followup{years}", enterprise.pk),
                due,
                followup_title(years=years, enterprise=enterprise),
                absolute(object_path(enterprise, enterprise.project.fabrique)),
                _("Point de suivi de l'entreprise « %(enterprise)s » à faire (%(fabrique)s).")
                % {"enterprise": enterprise, "fabrique": enterprise.project.fabrique.name},
            )
        )
    return events


def fabrique_events(*, fabrique: Fabrique, today: datetime.date | None = None) -> list[Event]:
    """The fabrique's dated things around today (a member with the VIEW permission sees them all)."""
    from fabrique.committees.models import Meeting
    from fabrique.projects.models import Enterprise
    from fabrique.studies.models import Workshop
    from fabrique.support.models import Milestone

    today = today or timezone.localdate()
    start, end = today - FEED_PAST, today + FEED_FUTURE
    events = [
        meeting_event(m)
        for m in Meeting.objects.filter(fabrique=fabrique, date__date__range=(start, end)).select_related(
            "committee", "fabrique"
        )
    ]
    events += [
        workshop_event(w)
        for w in Workshop.objects.filter(
            study__fabrique=fabrique, study__deleted_at__isnull=True, date__range=(start, end)
        ).select_related("study__fabrique")
    ]
    milestones = Milestone.objects.filter(
        plan__fabrique=fabrique, plan__deleted_at__isnull=True, due_on__range=(start, end)
    )
    events += [milestone_event(m) for m in milestones.select_related("plan__fabrique", "plan__project")]
    # only enterprises whose +1 or +3 years falls in the window (one query), and their recorded
    # follow-ups in one more
    from fabrique.projects.models import FollowUp

    enterprises = list(
        Enterprise.objects.filter(
            project__fabrique=fabrique,
            created_on__range=(
                start - datetime.timedelta(days=3 * 366 + 1),
                end - datetime.timedelta(days=364),
            ),
        ).select_related("project__fabrique")
    )
    done_by_enterprise: dict[int, set[str]] = {}
    for enterprise_id, horizon in FollowUp.objects.filter(enterprise__in=enterprises).values_list(
        "enterprise_id", "horizon"
    ):
        done_by_enterprise.setdefault(enterprise_id, set()).add(horizon)
    for enterprise in enterprises:
        done = done_by_enterprise.get(enterprise.pk, set())
        events += [
            e
            for e in followup_events(enterprise, today=today, done=done)
            if start <= e.decoded("dtstart") <= end
        ]
    return events


def user_feed(*, user: User) -> bytes:
    """The personal feed: every fabrique where the user may view the pipeline."""
    from fabrique.fabriques.access import memberships_of
    from fabrique.fabriques.models import Permission

    cal = new_calendar(name=_("Fabrique — mon agenda"))
    for membership in memberships_of(user).select_related("fabrique"):
        if membership.has_permission(Permission.VIEW):
            for event in fabrique_events(fabrique=membership.fabrique):
                cal.add_component(event)
    return to_bytes(cal)
