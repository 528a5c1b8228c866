from django.db.models import QuerySet

from .models import AuditEntry


def audit_timeline(*, target, limit: int = 200) -> QuerySet[AuditEntry]:
    """History of one object, newest first."""
    return AuditEntry.objects.for_target(target).select_related("actor")[:limit]


def audit_recent_for_fabrique(*, fabrique, limit: int = 15) -> QuerySet[AuditEntry]:
    return AuditEntry.objects.filter(fabrique=fabrique).select_related("actor")[:limit]
