"""Calendars: ICS parsed back (times, Europe/Paris VTIMEZONE, SEQUENCE on change, CANCEL), the
convocation with its agenda PDF and invitation, the personal feed and its permissions."""

import datetime
import zoneinfo

import pytest
from django.core import mail
from django.urls import reverse
from icalendar import Calendar

from fabrique.committees.models import CommitteeType, Meeting
from fabrique.committees.services import committee_create, meeting_create, meeting_update
from fabrique.directory.models import Person
from fabrique.notifications.calendar import meeting_ics
from fabrique.notifications.models import CalendarFeed

PARIS = zoneinfo.ZoneInfo("Europe/Paris")


@pytest.fixture
def committee(team, settings):
    settings.FABRIQUE_SITE_URL = "https://fabrique.example.org"
    ctype = CommitteeType.objects.create(
        fabrique=team.fabrique, kind="commitment", label="Comité d engagement"
    )
    members = [
        Person.objects.create(
            fabrique=team.fabrique, first_name="Léa", last_name="Moreau", email="lea@example.org"
        ),
        Person.objects.create(fabrique=team.fabrique, first_name="Sans", last_name="Adresse"),
    ]
    return committee_create(
        fabrique=team.fabrique,
        actor=team.admin,
        **{"committee_type": ctype, "name": "Comité", "members": members},
    )


def _event(ics: bytes):
    cal = Calendar.from_ical(ics)
    (event,) = cal.walk("VEVENT")
    return cal, event


def test_meeting_invitations_request_update_and_cancel(team, committee, django_capture_on_commit_callbacks):
    when = datetime.datetime(2027, 3, 16, 14, 30, tzinfo=PARIS)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        meeting = meeting_create(committee=committee, actor=team.admin, **{"date": when, "place": "Salle 2"})
    (convocation,) = [m for m in mail.outbox if m.to == ["lea@example.org"]]
    assert convocation.subject.startswith(f"{team.fabrique.name} — Convocation : Comité")
    names = [a[0] for a in convocation.attachments]
    assert any(n.endswith(".pdf") for n in names) and "invitation.ics" in names
    pdf = next(a for a in convocation.attachments if a[0].endswith(".pdf"))[1]
    assert pdf.startswith(b"%PDF")
    ics = next(a for a in convocation.attachments if a[0] == "invitation.ics")[1]
    cal, event = _event(ics)
    assert str(cal["method"]) == "REQUEST" and int(event["sequence"]) == 0
    assert event.decoded("dtstart") == when and str(event["dtstart"].params["TZID"]) == "Europe/Paris"
    assert [str(tz["tzid"]) for tz in cal.walk("VTIMEZONE")] == ["Europe/Paris"]
    assert "mailto:lea@example.org" in [str(a) for a in [event["attendee"]]] or "lea@example.org" in str(
        event["attendee"]
    )
    assert str(event["location"]) == "Salle 2"
    # the description, in French, says what, when, where and links to the agenda
    description = str(event["description"])
    assert "Séance du comité « Comité" in description and "mardi 16 mars 2027 à 14h30" in description
    assert "Lieu : Salle 2" in description and "Ordre du jour et documents : https://" in description

    # a change of date: the updated invitation has a higher SEQUENCE, same UID
    later = when + datetime.timedelta(days=1)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        meeting_update(meeting=meeting, actor=team.admin, **{"date": later})
    (update,) = mail.outbox
    _, updated = _event(next(a for a in update.attachments if a[0] == "invitation.ics")[1])
    assert (
        updated["uid"] == event["uid"]
        and int(updated["sequence"]) == 1
        and updated.decoded("dtstart") == later
    )
    # notes only: nothing sent
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        meeting_update(meeting=Meeting.objects.get(pk=meeting.pk), actor=team.admin, **{"notes": "RAS"})
    assert mail.outbox == []
    # cancelled: METHOD:CANCEL, STATUS:CANCELLED, SEQUENCE raised again
    with django_capture_on_commit_callbacks(execute=True):
        meeting_update(
            meeting=Meeting.objects.get(pk=meeting.pk), actor=team.admin, **{"status": "cancelled"}
        )
    (cancel,) = mail.outbox
    cal, cancelled = _event(next(a for a in cancel.attachments if a[0] == "invitation.ics")[1])
    assert str(cal["method"]) == "CANCEL" and str(cancelled["status"]) == "CANCELLED"
    assert str(cancelled["description"]).startswith("Séance annulée")
    assert int(cancelled["sequence"]) == 2


def test_meeting_ics_download(team, committee, login):
    meeting = meeting_create(
        committee=committee,
        actor=team.admin,
        **{"date": datetime.datetime(2027, 7, 1, 9, 0, tzinfo=PARIS)},
    )
    url = reverse("backoffice:meeting_ics", kwargs={"fabrique_slug": team.fabrique.slug, "pk": meeting.pk})
    response = login(team.reader).get(url)
    assert response["Content-Type"].startswith("text/calendar")
    _, event = _event(response.content)
    assert event.decoded("dtstart") == datetime.datetime(
        2027, 7, 1, 9, 0, tzinfo=PARIS
    )  # summer time: +02:00
    assert event.decoded("dtstart").utcoffset() == datetime.timedelta(hours=2)
    assert meeting_ics(meeting).startswith(b"BEGIN:VCALENDAR")


def test_personal_feed_shows_only_what_the_user_may_see_and_is_revocable(
    team, other_team, committee, client, login
):
    from fabrique.committees.models import Committee

    mine = meeting_create(
        committee=committee,
        actor=team.admin,
        **{"date": datetime.datetime.now(PARIS) + datetime.timedelta(days=3)},
    )
    other_type = CommitteeType.objects.create(fabrique=other_team.fabrique, kind="steering", label="Copil")
    other_committee = Committee.objects.create(
        fabrique=other_team.fabrique, committee_type=other_type, name="ZZ Autre"
    )
    theirs = meeting_create(
        committee=other_committee,
        actor=other_team.admin,
        **{"date": datetime.datetime.now(PARIS) + datetime.timedelta(days=3)},
    )
    page = login(team.reader).get(
        reverse("backoffice:calendar_feed", kwargs={"fabrique_slug": team.fabrique.slug})
    )
    token = CalendarFeed.objects.get(user=team.reader).token
    assert token in page.content.decode()
    feed = client.get(f"/calendrier/{token}.ics")
    uids = [str(e["uid"]) for e in Calendar.from_ical(feed.content).walk("VEVENT")]
    assert any(u.startswith(f"meeting-{mine.pk}@") for u in uids)
    assert not any(u.startswith(f"meeting-{theirs.pk}@") for u in uids) and b"ZZ Autre" not in feed.content
    # a partner (no VIEW permission) gets an empty feed
    from fabrique.notifications.services import calendar_feed_get

    partner_token = calendar_feed_get(user=team.partner).token
    assert Calendar.from_ical(client.get(f"/calendrier/{partner_token}.ics").content).walk("VEVENT") == []
    # revoked: the old address is a 404
    login(team.reader).post(reverse("backoffice:calendar_feed", kwargs={"fabrique_slug": team.fabrique.slug}))
    assert client.get(f"/calendrier/{token}.ics").status_code == 404
    assert (
        client.get(f"/calendrier/{CalendarFeed.objects.get(user=team.reader).token}.ics").status_code == 200
    )
