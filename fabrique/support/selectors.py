"""Reads of the support: plans, their milestones, funding totals, time spent, deadlines, figures.

Every selector takes the fabrique (or an object already fetched through the access layer) and
returns only that fabrique's live rows.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any, TypeVar

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone

from fabrique.accounts.models import User
from fabrique.audit.models import AuditEntry
from fabrique.directory.models import Organization
from fabrique.needs.models import Need
from fabrique.projects.models import Enterprise, FollowUp, FollowUpHorizon, Project
from fabrique.projects.outcome import FOLLOWUP_YEARS, add_years, followup_due_on

from .models import (
    OPEN_MILESTONE_STATUSES,
    FundingLine,
    FundingStatus,
    Milestone,
    Referral,
    SupportActivity,
    SupportPlan,
    SupportStage,
)
from .services import funder_organizations_q, referral_organizations_q, staff_users_q

if TYPE_CHECKING:
    from fabrique.fabriques.models import Fabrique

C = TypeVar("C", Milestone, Referral, FundingLine, SupportActivity)


def support_plan_get(*, fabrique: Fabrique, pk: Any) -> SupportPlan:
    """One live plan of the fabrique (raises SupportPlan.DoesNotExist otherwise)."""
    return SupportPlan.objects.select_related("project", "officer", "project__study").get(
        fabrique=fabrique, project__deleted_at__isnull=True, pk=pk
    )


def support_plans(*, fabrique: Fabrique) -> QuerySet[SupportPlan]:
    return SupportPlan.objects.filter(fabrique=fabrique, project__deleted_at__isnull=True).select_related(
        "project", "officer"
    )


def plan_child(model: type[C], *, fabrique: Fabrique, pk: Any) -> C:
    """A milestone, referral, funding line or activity of a live plan of the fabrique."""
    return model.objects.select_related("plan", "plan__project").get(
        plan__fabrique=fabrique, plan__deleted_at__isnull=True, pk=pk
    )


def plan_milestones(*, plan: SupportPlan) -> list[Milestone]:
    return list(plan.milestones.all())


def plan_referrals(*, plan: SupportPlan) -> QuerySet[Referral]:
    return plan.referrals.select_related("organization")


def plan_funding_lines(*, plan: SupportPlan) -> QuerySet[FundingLine]:
    return plan.funding_lines.select_related("funder")


def plan_activities(*, plan: SupportPlan) -> QuerySet[SupportActivity]:
    return plan.activities.select_related("by")


@dataclass
class FundingTotals:
    by_status: list[tuple[str, str, Decimal]]  # (status, label, total)
    total: Decimal  # every line but refused ones
    granted: Decimal


def funding_totals(*, plan: SupportPlan) -> FundingTotals:
    rows = dict(plan.funding_lines.values_list("status").annotate(total=Sum("amount")).order_by())
    by_status = [
        (value, str(label), rows.get(value) or Decimal("0")) for value, label in FundingStatus.choices
    ]
    total = sum((t for s, _label, t in by_status if s != FundingStatus.REFUSED), Decimal("0"))
    return FundingTotals(
        by_status=by_status, total=total, granted=rows.get(FundingStatus.GRANTED) or Decimal("0")
    )


def minutes_total(*, plan: SupportPlan) -> int:
    return plan.activities.aggregate(total=Sum("minutes_spent"))["total"] or 0


def format_minutes(minutes: int) -> str:
    """125 -> "2 h 05"."""
    hours, rest = divmod(int(minutes or 0), 60)
    return f"{hours} h {rest:02d}"


def officer_choices(*, fabrique: Fabrique) -> QuerySet[User]:
    return (
        User.objects.filter(staff_users_q(fabrique)).distinct().order_by("last_name", "first_name", "email")
    )


def referral_organization_choices(*, fabrique: Fabrique) -> QuerySet[Organization]:
    return Organization.objects.filter(fabrique=fabrique).filter(referral_organizations_q()).order_by("name")


def funder_choices(*, fabrique: Fabrique) -> QuerySet[Organization]:
    return Organization.objects.filter(fabrique=fabrique).filter(funder_organizations_q()).order_by("name")


def milestones_due(*, fabrique: Fabrique, until: datetime.date, limit: int = 30) -> QuerySet[Milestone]:
    """Open milestones of active plans due by `until` (overdue ones included)."""
    return (
        Milestone.objects.filter(
            plan__fabrique=fabrique,
            plan__deleted_at__isnull=True,
            plan__stage=SupportStage.ACTIVE,
            status__in=OPEN_MILESTONE_STATUSES,
            due_on__isnull=False,
            due_on__lte=until,
        )
        .select_related("plan", "plan__project")
        .order_by("due_on", "pk")[:limit]
    )


def combined_timeline(
    *, target: models.Model, children: dict[type[models.Model], list[Any]], limit: int = 200
) -> list[AuditEntry | SimpleNamespace]:
    """The history of `target` and of its child rows, newest first.

    Entries about a child row say which one ("Modification — jalon « Business plan social »").
    """
    q = Q(target_type=ContentType.objects.get_for_model(type(target)), target_id=str(target.pk))
    child_types = set()
    for model, pks in children.items():
        if pks:
            content_type = ContentType.objects.get_for_model(model)
            child_types.add(content_type.pk)
            q |= Q(target_type=content_type, target_id__in=[str(pk) for pk in pks])
    entries = AuditEntry.objects.filter(q).select_related("actor")[:limit]
    timeline: list[AuditEntry | SimpleNamespace] = []
    for entry in entries:
        if entry.target_type_id in child_types:
            timeline.append(
                SimpleNamespace(
                    created_at=entry.created_at,
                    actor_label=entry.actor_label,
                    action_label=f"{entry.action_label} « {entry.target_repr} »",
                    changes=entry.changes,
                    note=entry.note,
                )
            )
        else:
            timeline.append(entry)
    return timeline


def support_plan_timeline(*, plan: SupportPlan, limit: int = 200) -> list[AuditEntry | SimpleNamespace]:
    """The plan's own history with that of its milestones, referrals, funding lines and activities."""
    return combined_timeline(
        target=plan,
        children={
            Milestone: list(plan.milestones.values_list("pk", flat=True)),
            Referral: list(plan.referrals.values_list("pk", flat=True)),
            FundingLine: list(plan.funding_lines.values_list("pk", flat=True)),
            SupportActivity: list(plan.activities.values_list("pk", flat=True)),
        },
        limit=limit,
    )


# --- outcome: enterprises created and their follow-up -----------------------------------------------------


def enterprises(*, fabrique: Fabrique) -> QuerySet[Enterprise]:
    return Enterprise.objects.filter(project__fabrique=fabrique, project__deleted_at__isnull=True)


def enterprise_get(*, fabrique: Fabrique, pk: Any) -> Enterprise:
    """One enterprise of the fabrique (raises Enterprise.DoesNotExist otherwise)."""
    return enterprises(fabrique=fabrique).select_related("project", "commune", "organization").get(pk=pk)


def followup_get(*, fabrique: Fabrique, pk: Any) -> FollowUp:
    return FollowUp.objects.select_related("enterprise", "enterprise__project").get(
        enterprise__project__fabrique=fabrique, enterprise__project__deleted_at__isnull=True, pk=pk
    )


@dataclass
class FollowUpSlot:
    horizon: str
    label: str
    due_on: datetime.date
    followup: FollowUp | None

    @property
    def is_overdue(self) -> bool:
        return self.followup is None and self.due_on < timezone.localdate()


def enterprise_followup_slots(*, enterprise: Enterprise) -> list[FollowUpSlot]:
    """The +1 and +3 year follow-ups of `enterprise`: due date and the recorded point, if any."""
    recorded = {f.horizon: f for f in enterprise.followups.all()}
    return [
        FollowUpSlot(
            horizon=value,
            label=str(label),
            due_on=followup_due_on(enterprise=enterprise, horizon=value),
            followup=recorded.get(value),
        )
        for value, label in FollowUpHorizon.choices
    ]


def followups_due(
    *, fabrique: Fabrique, start: datetime.date, end: datetime.date, limit: int = 30
) -> list[tuple[Enterprise, FollowUpSlot]]:
    """Follow-ups not recorded yet whose due date falls by `end` (up to a year late), the `limit` earliest
    (like the other deadline sources: a dashboard list, not the register of every follow-up)."""
    since = add_years(start, -1)
    found: list[tuple[Enterprise, FollowUpSlot]] = []
    for horizon, years in FOLLOWUP_YEARS.items():
        rows = (
            enterprises(fabrique=fabrique)
            .filter(created_on__gte=add_years(since, -years), created_on__lte=add_years(end, -years))
            .exclude(followups__horizon=horizon)
            .select_related("project")
            .order_by("created_on", "pk")[:limit]
        )
        for enterprise in rows:
            due_on = followup_due_on(enterprise=enterprise, horizon=horizon)
            if since <= due_on <= end:
                label = str(FollowUpHorizon(horizon).label)
                found.append((enterprise, FollowUpSlot(horizon, label, due_on, None)))
    return sorted(found, key=lambda pair: pair[1].due_on)[:limit]


def project_thread(*, project: Project) -> dict[str, Any]:
    """The chain back from a project: its study and needs (each with its number of reports)."""
    needs = list(
        Need.objects.filter(projects=project, fabrique_id=project.fabrique_id)
        .annotate(reports_count=Count("reports", filter=Q(reports__deleted_at__isnull=True), distinct=True))
        .order_by("reference", "pk")
    )
    study = project.study if project.study is not None and not project.study.is_deleted else None
    return {
        "project": project,
        "study": study,
        "needs": needs,
        "reports_count": sum(n.reports_count for n in needs),
    }


def enterprise_timeline(*, enterprise: Enterprise, limit: int = 200) -> list[AuditEntry | SimpleNamespace]:
    return combined_timeline(
        target=enterprise,
        children={FollowUp: list(enterprise.followups.values_list("pk", flat=True))},
        limit=limit,
    )


def jobs_created_fte(*, fabrique: Fabrique) -> Decimal:
    """Jobs at creation (FTE) of the fabrique's enterprises."""
    return enterprises(fabrique=fabrique).aggregate(total=Sum("jobs_fte"))["total"] or Decimal("0")
