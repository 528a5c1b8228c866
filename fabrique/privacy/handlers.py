"""The daily retention job and the erasure log of reporters (events seam, see core/events.py)."""

from __future__ import annotations

import datetime

from fabrique.audit.models import AuditEntry
from fabrique.core.events import on_action
from fabrique.core.schedule import register_daily


def retention(*, day: datetime.date) -> int:
    """Daily job (`fabrique run_scheduled`): contacts and candidates past their retention."""
    from .services import retention_run

    counts = retention_run(today=day)
    return sum(counts.values())


register_daily("privacy.retention", retention)


@on_action("needs.needreport.reporter_erased")
def log_reporter_erasure(entry: AuditEntry) -> None:
    """Reporters erased (by the needs app's retention job or by a contact's erasure) are logged
    like the others. Idempotent: one log row per audit entry."""
    from .models import ErasureCategory, ErasureLog, ErasureReason

    if (
        entry.fabrique_id is None
        or ErasureLog.objects.filter(
            target_type="needs.needreport", target_id=entry.target_id, summary__audit_entry=entry.pk
        ).exists()
    ):
        return
    ErasureLog.objects.create(
        fabrique_id=entry.fabrique_id,
        category=ErasureCategory.REPORTER,
        target_type="needs.needreport",
        target_id=entry.target_id,
        reason=ErasureReason.REQUEST if entry.actor_id else ErasureReason.RETENTION,
        summary={
            "audit_entry": entry.pk,
            "fields": ["reporter_name", "reporter_email", "reporter_phone", "reporter_organization_name"],
        },
        actor_id=entry.actor_id,
    )
