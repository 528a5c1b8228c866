"""Event handlers of the needs app (see `fabrique.core.events`): e-mails to reporters, the duplicates
queue's rankings computed again in the worker."""

from __future__ import annotations

import datetime

from fabrique.audit.models import AuditEntry
from fabrique.core.events import on_action
from fabrique.core.schedule import register_daily

from .emails import send_need_answered, send_report_confirmation
from .models import Need, NeedReport


@on_action("needs.needreport.created")
def report_confirmation(entry: AuditEntry) -> None:
    """Thank the reporter (public form, partner, or a report entered with their consent)."""
    from .services import PUBLIC_SOURCES

    report = NeedReport.all_objects.filter(pk=entry.target_id).first()
    if report is None or not report.reporter_email:
        return
    if report.source in PUBLIC_SOURCES or report.consent_notifications:
        send_report_confirmation(report_id=report.pk, key=f"event:{entry.pk}:reporter")


@on_action("needs.need.answered")
def need_answered(entry: AuditEntry) -> None:
    """Tell the reporters who agreed to be informed that a project answers their need."""
    from fabrique.projects.models import Project

    need = Need.all_objects.filter(pk=entry.target_id).first()
    project = Project.objects.filter(pk=entry.new_values.get("project_id")).first()
    if need is not None and project is not None:
        send_need_answered(need_id=need.pk, project_id=project.pk, key=f"event:{entry.pk}:answered")


# what a ranking of the duplicates queue reads (the reports, their needs, the team's decisions) changes
# only through these actions: a report created, corrected, attached, merged, split, dismissed or deleted, a
# need closed, reopened, deleted or handed over, a proposal accepted or rejected. The patterns take in more
# (a need scored...): a warming whose rankings are still cached only reads them.
QUEUE_INPUTS = (
    "needs.needreport.*",
    "needs.need.*",
    "needs.groupingproposal.*",
    "handover.handover.accepted",
)


def duplicate_queue_changed(entry: AuditEntry) -> None:
    """The rankings of the fabrique's duplicates queue may have changed: the worker computes them again
    before the team's next view (once for a burst of events: `duplicate_queue_warm_request`)."""
    from .grouping import duplicate_queue_warm_request

    if entry.fabrique_id is not None:
        duplicate_queue_warm_request(fabrique_id=entry.fabrique_id)


for _pattern in QUEUE_INPUTS:
    on_action(_pattern)(duplicate_queue_changed)


def erase_expired_reporters(*, day: datetime.date) -> int:
    """Daily job (`fabrique run_scheduled`): the GDPR erasure of reporters' contact details."""
    from .services import need_reports_erase_expired

    return need_reports_erase_expired(today=day)


register_daily("needs.erase_expired_reporters", erase_expired_reporters)
