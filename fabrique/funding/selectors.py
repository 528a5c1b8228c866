"""Reads of agreements and their reporting deadlines (bounded, one query each)."""

from __future__ import annotations

import datetime

from django.db.models import Min, Q, QuerySet
from django.utils import timezone

from fabrique.fabriques.models import Fabrique

from .models import FundingAgreement, ReportingDeadline


def agreements_with_deadlines(*, fabrique: Fabrique) -> QuerySet[FundingAgreement]:
    """The fabrique's agreements, each with `next_deadline` (its earliest deadline not done)."""
    return (
        FundingAgreement.objects.filter(fabrique=fabrique)
        .select_related("funder")
        .annotate(next_deadline=Min("deadlines__due_on", filter=Q(deadlines__done_on__isnull=True)))
        .order_by("-ends_on", "-pk")
    )


def upcoming_deadlines(*, fabrique: Fabrique, days: int = 90, limit: int = 20) -> list[ReportingDeadline]:
    """Reporting deadlines not done, late ones included, due in the next `days` days."""
    until = timezone.localdate() + datetime.timedelta(days=days)
    return list(
        ReportingDeadline.objects.filter(
            agreement__fabrique=fabrique,
            agreement__deleted_at__isnull=True,
            done_on__isnull=True,
            due_on__lte=until,
        )
        .select_related("agreement__funder")
        .order_by("due_on", "pk")[:limit]
    )
