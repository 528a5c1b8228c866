from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import models
from django.db.models import QuerySet

from .models import AuditEntry

if TYPE_CHECKING:
    from fabrique.fabriques.models import Fabrique


def audit_timeline(*, target: models.Model, limit: int = 200) -> QuerySet[AuditEntry]:
    """History of one object, newest first."""
    return AuditEntry.objects.for_target(target).select_related("actor")[:limit]


def audit_recent_for_fabrique(*, fabrique: Fabrique, limit: int = 15) -> QuerySet[AuditEntry]:
    return AuditEntry.objects.filter(fabrique=fabrique).select_related("actor")[:limit]
