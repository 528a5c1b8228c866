"""Event handlers of recruitment (see `fabrique.core.events`): e-mails to candidates."""

from __future__ import annotations

from fabrique.audit.models import AuditEntry
from fabrique.core.delivery import deliver_once
from fabrique.core.events import on_action

from .emails import application_email
from .models import Application, ApplicationSource

KINDS = {
    "recruitment.application.created": "received",
    "recruitment.application.selected": "selected",
    "recruitment.application.not_selected": "not_selected",
}


@on_action("recruitment.application.created")
@on_action("recruitment.application.selected")
@on_action("recruitment.application.not_selected")
def application_status_email(entry: AuditEntry) -> None:
    """Tell the candidate their application was received (online), selected or not selected."""
    application = (
        Application.all_objects.select_related("fabrique", "project", "call")
        .filter(pk=entry.target_id)
        .first()
    )
    if application is None:
        return
    kind = KINDS[entry.action]
    if kind == "not_selected" and (entry.new_values or {}).get("ended_by") == "leader_found":
        kind = "leader_found"  # the project found its leader elsewhere (projects._end_recruitment)
    if kind == "received" and application.source != ApplicationSource.CALL:
        return  # a direct approach is entered by staff: nothing to acknowledge
    message = application_email(application=application, kind=kind)
    if message is not None:
        deliver_once(f"event:{entry.pk}:candidate", message.send)
