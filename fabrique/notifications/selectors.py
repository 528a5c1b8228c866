"""Reads: unread counts, lists, who follows what, effective preferences, a member's tasks."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Model, Q, QuerySet
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from fabrique.accounts.models import User
from fabrique.fabriques.models import Fabrique, Membership, Permission

from .kinds import Mode, default_mode
from .models import Follow, Notification, NotificationPreference

# model label -> back-office URL name of its detail page
DETAIL_URLS = {
    "needs.needreport": "report_detail",
    "needs.need": "need_detail",
    "studies.study": "study_detail",
    "projects.project": "project_detail",
    "recruitment.call": "call_detail",
    "recruitment.application": "application_detail",
    "workstreams.workstream": "workstream_detail",
    "committees.meeting": "meeting_detail",
    "support.supportplan": "support_plan_detail",
    "projects.enterprise": "enterprise_detail",
}
FOLLOWABLE = ("needs.need", "studies.study", "projects.project", "recruitment.call", "workstreams.workstream")


def object_path(obj: Model, fabrique: Fabrique) -> str:
    """The back-office page of `obj` ("" when it has none)."""
    name = DETAIL_URLS.get(obj._meta.label_lower)
    if not name:
        return ""
    try:
        return reverse(f"backoffice:{name}", kwargs={"fabrique_slug": fabrique.slug, "pk": obj.pk})
    except NoReverseMatch:
        return ""


def unread_count(*, user: User, fabrique: Fabrique) -> int:
    return Notification.objects.filter(recipient=user, fabrique=fabrique, read_at__isnull=True).count()


def unread_counts(*, user: User, fabrique: Fabrique, path: str | None = None) -> tuple[int, int]:
    """The unread notifications of `user`, and how many of them link to `path`, in one query."""
    rows = Notification.objects.filter(recipient=user, fabrique=fabrique, read_at__isnull=True)
    if path is None:
        return rows.count(), 0
    counts = rows.aggregate(total=Count("pk"), here=Count("pk", filter=Q(url=path)))
    return counts["total"] or 0, counts["here"] or 0


def notifications_of(*, user: User, fabrique: Fabrique) -> QuerySet[Notification]:
    return Notification.objects.filter(recipient=user, fabrique=fabrique).order_by("-created_at", "-id")


def members_with(*, fabrique: Fabrique, permission: str) -> list[Membership]:
    return [
        m
        for m in Membership.objects.filter(
            fabrique=fabrique, is_active=True, user__is_active=True
        ).select_related("user")
        if m.has_permission(permission)
    ]


def preference_mode(*, user: User, fabrique: Fabrique, kind: str, role: str | None = None) -> str:
    chosen = (
        NotificationPreference.objects.filter(user=user, fabrique=fabrique, kind=kind)
        .values_list("mode", flat=True)
        .first()
    )
    if chosen:
        return chosen
    if role is None:
        role = (
            Membership.objects.filter(user=user, fabrique=fabrique, is_active=True)
            .values_list("role", flat=True)
            .first()
        )
    return default_mode(kind, role) if role else Mode.OFF


def preferences_of(*, user: User, fabrique: Fabrique, role: str) -> dict[str, str]:
    from .kinds import KINDS

    chosen = dict(
        NotificationPreference.objects.filter(user=user, fabrique=fabrique).values_list("kind", "mode")
    )
    return {kind: chosen.get(kind, default_mode(kind, role)) for kind in KINDS}


def is_following(*, user: User, target: Model) -> bool:
    if getattr(target, "officer_id", None) == user.pk:
        return True
    return Follow.objects.filter(
        user=user, target_type=ContentType.objects.get_for_model(type(target)), target_id=str(target.pk)
    ).exists()


def followers_of(*, target: Model) -> list[User]:
    """Who follows `target`: explicit follows, and whoever is in charge of it (its `officer`)."""
    ids = set(
        Follow.objects.filter(
            target_type=ContentType.objects.get_for_model(type(target)), target_id=str(target.pk)
        ).values_list("user_id", flat=True)
    )
    officer_id = getattr(target, "officer_id", None)
    if officer_id:
        ids.add(officer_id)
    fabrique_id = getattr(target, "fabrique_id", None)
    members = Membership.objects.filter(user_id__in=ids, is_active=True, user__is_active=True)
    if fabrique_id:
        members = members.filter(fabrique_id=fabrique_id)
    return [m.user for m in members.select_related("user") if m.has_permission(Permission.VIEW)]


@dataclass
class TaskItem:
    due: datetime.date | None
    kind: str
    title: str
    url: str
    overdue: bool = False


def my_tasks(*, user: User, fabrique: Fabrique, today: datetime.date | None = None) -> list[TaskItem]:
    """What a member of staff has to do, in date order: evaluations to do, milestones due, follow-ups
    due, decisions to prepare."""
    from fabrique.committees.models import Meeting
    from fabrique.projects.models import Enterprise, FollowUp
    from fabrique.projects.outcome import followups_to_do
    from fabrique.recruitment.models import Application, ApplicationStage, Evaluation
    from fabrique.studies.models import Study
    from fabrique.support.models import Milestone, MilestoneStatus

    today = today or timezone.localdate()
    items: list[TaskItem] = []
    # evaluations requested of me and not submitted
    submitted = set(
        Evaluation.objects.filter(evaluator=user, submitted_at__isnull=False).values_list(
            "application_id", flat=True
        )
    )
    for application in (
        Application.objects.filter(
            fabrique=fabrique,
            call__evaluators=user,
            stage__in=[ApplicationStage.SUBMITTED, ApplicationStage.UNDER_REVIEW],
        )
        .select_related("call")
        .distinct()
    ):
        if application.pk in submitted:
            continue
        items.append(
            TaskItem(
                due=application.call.deadline if application.call else None,
                kind="evaluation",
                title=_("Évaluer : %(application)s") % {"application": application},
                url=object_path(application, fabrique),
            )
        )
    # milestones of the plans I am in charge of
    for milestone in (
        Milestone.objects.filter(plan__fabrique=fabrique, plan__officer=user, due_on__isnull=False)
        .exclude(status=MilestoneStatus.DONE)
        .select_related("plan")
    ):
        items.append(
            TaskItem(
                due=milestone.due_on,
                kind="milestone",
                title=_("Jalon : %(title)s (%(plan)s)") % {"title": milestone.title, "plan": milestone.plan},
                url=object_path(milestone.plan, fabrique),
                overdue=milestone.due_on is not None and milestone.due_on < today,
            )
        )
    # follow-ups at +1 / +3 years of the enterprises of my projects
    enterprises = list(
        Enterprise.objects.filter(project__fabrique=fabrique, project__officer=user).select_related("project")
    )
    done_by_enterprise: dict[int, set[str]] = {}
    for enterprise_id, done_horizon in FollowUp.objects.filter(enterprise__in=enterprises).values_list(
        "enterprise_id", "horizon"
    ):
        done_by_enterprise.setdefault(enterprise_id, set()).add(done_horizon)
    for enterprise in enterprises:
        done = done_by_enterprise.get(enterprise.pk, set())
        for _horizon, years, due in followups_to_do(enterprise=enterprise, done=done):
            if due <= today + datetime.timedelta(days=30):
                items.append(
                    TaskItem(
                        due=due,
                        kind="followup",
                        title=followup_title(years=years, enterprise=enterprise),
                        url=object_path(enterprise, fabrique),
                        overdue=due < today,
                    )
                )
    # decisions to prepare: my studies awaiting a decision; next meetings' agendas
    for study in Study.objects.filter(fabrique=fabrique, officer=user, stage="awaiting_decision"):
        items.append(
            TaskItem(
                due=None,
                kind="decision",
                title=_("Décision à préparer : %(study)s") % {"study": study},
                url=object_path(study, fabrique),
            )
        )
    for meeting in Meeting.objects.filter(
        fabrique=fabrique, date__date__gte=today, status="planned"
    ).order_by("date")[:5]:
        items.append(
            TaskItem(
                due=timezone.localtime(meeting.date).date(),
                kind="decision",
                title=_("Séance à préparer : %(meeting)s") % {"meeting": meeting},
                url=object_path(meeting, fabrique),
            )
        )
    return sorted(items, key=lambda i: (i.due is None, i.due or today, i.title))


def followup_title(*, years: int, enterprise: object) -> str:
    return ngettext(
        "Suivi à +%(years)s an : %(enterprise)s", "Suivi à +%(years)s ans : %(enterprise)s", years
    ) % {"years": years, "enterprise": enterprise}
