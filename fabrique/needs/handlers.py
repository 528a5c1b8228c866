"""Event handlers of the needs app (see `fabrique.core.events`): e-mails to reporters."""

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


def erase_expired_reporters(*, day: datetime.date) -> int:
    """Daily job (`fabrique run_scheduled`): the GDPR erasure of reporters' contact details."""
    from .services import need_reports_erase_expired

    return need_reports_erase_expired(today=day)


register_daily("needs.erase_expired_reporters", erase_expired_reporters)
