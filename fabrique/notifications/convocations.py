"""Committee members (people of the directory) receive the convocation with the agenda as PDF and a
calendar invitation; a change of date or place sends the updated invitation (higher SEQUENCE); a
cancellation sends METHOD:CANCEL; when the meeting is held, the minutes as PDF."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import slugify
from django.utils.translation import gettext as _

from fabrique.audit.models import AuditEntry
from fabrique.core.delivery import absolute, deliver_once, email_message, in_french
from fabrique.core.events import on_action

from .calendar import meeting_ics
from .selectors import object_path

if TYPE_CHECKING:
    from fabrique.committees.models import Meeting
    from fabrique.directory.models import Person


def _members(meeting: Meeting) -> list[Person]:
    return [
        p
        for p in meeting.committee.members.filter(deleted_at__isnull=True).select_related("organization")
        if p.email
    ]


def meeting_pdf(meeting: Meeting, *, document: str) -> bytes:
    """The agenda ("agenda") or the minutes ("minutes") as PDF, from the same print template as the
    back-office."""
    from fabrique.committees.selectors import meeting_items
    from fabrique.core.pdf import css_string, html_to_pdf

    items = meeting_items(meeting=meeting)
    for item in items:
        setattr(item, "target_url", "")  # noqa: B010 - annotated rows of the print template
        row = getattr(item, "decision_row", None)
        if row is not None:
            row.reason_label = row.reasons
    attendees = list(meeting.attendees.select_related("organization"))
    members = list(meeting.committee.members.filter(deleted_at__isnull=True).select_related("organization"))
    kind = _("Ordre du jour") if document == "agenda" else _("Compte rendu")
    context = {
        "fabrique": meeting.fabrique,
        "meeting": meeting,
        "committee": meeting.committee,
        "items": items,
        "attendees": attendees,
        "members": members,
        "absent_members": [m for m in members if m.pk not in {a.pk for a in attendees}],
        "decided_count": sum(1 for i in items if getattr(i, "decision_row", None) is not None),
        "doc_kind": kind,
        "running_title": css_string(
            f"{meeting.fabrique.name} — {kind} — {meeting.committee.name} — "
            f"{date_format(timezone.localtime(meeting.date), 'j F Y')}"
        ),
        "printed_at": timezone.now(),
        "pdf": True,
    }
    html = in_french(
        lambda: render_to_string(f"backoffice/committees/meeting_{document}_print.html", context)
    )
    return html_to_pdf(html)


MESSAGES = {
    "committees.meeting.created": ("REQUEST", "agenda"),
    "committees.meeting.updated": ("REQUEST", "agenda"),
    "committees.meeting.planned": ("REQUEST", "agenda"),
    "committees.meeting.cancelled": ("CANCEL", ""),
    "committees.meeting.held": ("", "minutes"),
}


@on_action("committees.meeting.created")
@on_action("committees.meeting.updated")
@on_action("committees.meeting.planned")
@on_action("committees.meeting.cancelled")
@on_action("committees.meeting.held")
def meeting_convocation(entry: AuditEntry) -> None:
    from fabrique.committees.models import Meeting

    if entry.action.endswith(".updated") and not ({"date", "place"} & set(entry.new_values)):
        return  # notes or attendees: nothing for the members' calendars
    meeting = Meeting.all_objects.select_related("committee", "fabrique").filter(pk=entry.target_id).first()
    if meeting is None:
        return
    method, document = MESSAGES[entry.action]
    members = _members(meeting)
    if not members:
        return
    when = date_format(timezone.localtime(meeting.date), "l j F Y à H\\hi")
    subjects = {
        "committees.meeting.created": _("Convocation : %(committee)s, %(when)s"),
        "committees.meeting.planned": _("Convocation : %(committee)s, %(when)s"),
        "committees.meeting.updated": _("Séance modifiée : %(committee)s, %(when)s"),
        "committees.meeting.cancelled": _("Séance annulée : %(committee)s, %(when)s"),
        "committees.meeting.held": _("Compte rendu : %(committee)s, %(when)s"),
    }
    subject = f"{meeting.fabrique.name} — " + subjects[entry.action] % {
        "committee": meeting.committee.name,
        "when": when,
    }
    attendees = [(str(p), p.email) for p in members]
    ics = meeting_ics(meeting, method=method, attendees=attendees) if method else b""
    pdf = meeting_pdf(meeting, document=document) if document else b""
    stem = slugify(f"{document or 'seance'}-{meeting.committee.name}")[:60]
    for person in members:
        context = {
            "person": person,
            "meeting": meeting,
            "fabrique": meeting.fabrique,
            "when": when,
            "action": entry.action.rsplit(".", 1)[-1],
            "link": absolute(object_path(meeting, meeting.fabrique)),
        }
        attachments: list[tuple[str, bytes | str, str]] = []
        if pdf:
            attachments.append((f"{stem}.pdf", pdf, "application/pdf"))

        def build(
            context: dict[str, object] = context,
            attachments: list[tuple[str, bytes | str, str]] = attachments,
            person: Person = person,
        ) -> EmailMultiAlternatives:
            message = email_message(
                to=[person.email],
                subject=subject,
                text=render_to_string("notifications/email/convocation.txt", context),
                reply_to=[meeting.fabrique.contact_email] if meeting.fabrique.contact_email else None,
                attachments=attachments,
            )
            if ics:
                # the invitation: text/calendar with its METHOD, as calendar clients expect
                message.attach_alternative(ics.decode(), f"text/calendar; method={method}; charset=utf-8")
                message.attach("invitation.ics", ics, "application/ics")
            return message

        message = in_french(build)
        deliver_once(f"event:{entry.pk}:{person.email.lower()}", message.send)
