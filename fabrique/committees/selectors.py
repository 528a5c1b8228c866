"""Reads of the committees: committees, meetings, agendas, decisions and what waits for a decision."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Count, Min, Q, QuerySet
from django.utils import timezone
from django.utils.text import capfirst

from . import registry
from .models import AgendaItem, Committee, CommitteeType, Decision, Meeting, MeetingStatus

if TYPE_CHECKING:
    from fabrique.core.models import TenantModel
    from fabrique.fabriques.models import Fabrique

# how many objects of one kind the agenda picker offers at most
CANDIDATES_PER_KIND = 200


def committee_types(*, fabrique: Fabrique) -> QuerySet[CommitteeType]:
    return CommitteeType.objects.filter(fabrique=fabrique).annotate(
        committee_count=Count("committees", filter=Q(committees__deleted_at__isnull=True))
    )


def committee_list(*, fabrique: Fabrique) -> QuerySet[Committee]:
    today = timezone.localdate()
    return (
        Committee.objects.filter(fabrique=fabrique)
        .select_related("committee_type", "study")
        .annotate(
            member_count=Count("members", filter=Q(members__deleted_at__isnull=True), distinct=True),
            meeting_count=Count("meetings", filter=Q(meetings__deleted_at__isnull=True), distinct=True),
            next_meeting=Min(
                "meetings__date",
                filter=Q(
                    meetings__deleted_at__isnull=True,
                    meetings__status=MeetingStatus.PLANNED,
                    meetings__date__date__gte=today,
                ),
            ),
        )
        .order_by("committee_type__order", "name")
    )


def committee_choices(*, fabrique: Fabrique) -> QuerySet[Committee]:
    return Committee.objects.filter(fabrique=fabrique).select_related("committee_type")


def committee_meetings(*, committee: Committee) -> QuerySet[Meeting]:
    return (
        Meeting.objects.filter(fabrique_id=committee.fabrique_id, committee=committee)
        .annotate(item_count=Count("items", distinct=True), decision_count=Count("decisions", distinct=True))
        .order_by("-date")
    )


def upcoming_meetings(
    *,
    fabrique: Fabrique,
    start: datetime.date | None = None,
    end: datetime.date | None = None,
    limit: int = 20,
) -> QuerySet[Meeting]:
    """Planned meetings from `start` (default today) to `end` (default: no end), soonest first."""
    start = start or timezone.localdate()
    qs = Meeting.objects.filter(
        fabrique=fabrique, status=MeetingStatus.PLANNED, date__date__gte=start
    ).select_related("committee")
    if end is not None:
        qs = qs.filter(date__date__lte=end)
    return qs.order_by("date")[:limit]


def quarter_bounds(day: datetime.date) -> tuple[datetime.date, datetime.date]:
    first_month = 3 * ((day.month - 1) // 3) + 1
    start = datetime.date(day.year, first_month, 1)
    end = datetime.date(day.year + (first_month + 3 > 12), (first_month + 2) % 12 + 1, 1)
    return start, end - datetime.timedelta(days=1)


def meeting_items(*, meeting: Meeting) -> list[AgendaItem]:
    """The agenda in order, each item with its target (or None) and its decision (or None)."""
    items = list(meeting.items.select_related("target_type").prefetch_related("target"))
    decisions = {
        d.agenda_item_id: d
        for d in Decision.objects.filter(fabrique_id=meeting.fabrique_id, agenda_item__meeting=meeting)
    }
    for item in items:
        item.decision_row = decisions.get(item.pk)
        target = item.target
        item.target_alive = target is not None and not getattr(target, "is_deleted", False)
        model = item.target_type.model_class() if item.target_type is not None else None
        item.kind = capfirst(str(model._meta.verbose_name)) if model is not None else ""
        item.outcomes = (
            registry.outcomes_for(target)
            if target is not None and item.target_alive and not item.decision_row
            else []
        )
    return items


def meeting_decisions(*, meeting: Meeting) -> QuerySet[Decision]:
    return Decision.objects.filter(fabrique_id=meeting.fabrique_id, meeting=meeting).select_related(
        "agenda_item", "decided_by"
    )


def decisions_on(*, target: TenantModel) -> QuerySet[Decision]:
    """Every decision about `target`, newest first, with the meeting when a committee took it."""
    return Decision.objects.filter(
        fabrique_id=target.fabrique_id,
        target_type=ContentType.objects.get_for_model(type(target)),
        target_id=target.pk,
    ).select_related("meeting", "meeting__committee", "decided_by")


def agenda_items_on(*, target: TenantModel) -> QuerySet[AgendaItem]:
    """The agenda items (of any meeting) about `target`."""
    return AgendaItem.objects.filter(
        meeting__fabrique_id=target.fabrique_id,
        meeting__deleted_at__isnull=True,
        target_type=ContentType.objects.get_for_model(type(target)),
        target_id=target.pk,
    ).select_related("meeting", "meeting__committee")


# --- what a committee can decide on ------------------------------------------------------------------------


@dataclass
class AgendaCandidate:
    key: str  # "<app_label>.<model_name>:<pk>", the value of the agenda picker
    obj: models.Model
    kind: str  # "Besoin", "Étude d'opportunité"...
    scheduled: bool  # already on the agenda of a meeting, not decided yet

    @property
    def label(self) -> str:
        return f"{self.kind} — {self.obj}"


def candidate_key(obj: models.Model) -> str:
    return f"{obj._meta.label_lower}:{obj.pk}"


def _decidable_querysets(
    fabrique: Fabrique,
) -> Iterator[tuple[type[models.Model], models.QuerySet[models.Model]]]:
    for label in registry.decidable_models():
        try:
            model = apps.get_model(label)
        except LookupError:  # pragma: no cover - a registration for a model that went away
            continue
        stages = registry.decidable_stages(model)
        qs = model.objects.filter(fabrique=fabrique)
        if stages is not None:
            qs = qs.filter(stage__in=stages)
        yield model, qs


def _undecided_items(fabrique: Fabrique) -> QuerySet[AgendaItem]:
    """Agenda items of the fabrique's live, not cancelled meetings that name a file and await a decision."""
    return AgendaItem.objects.filter(
        meeting__fabrique=fabrique,
        meeting__deleted_at__isnull=True,
        target_type__isnull=False,
        decision__isnull=True,
    ).exclude(meeting__status=MeetingStatus.CANCELLED)


def agenda_candidates(
    *, fabrique: Fabrique, include_scheduled: bool = True, per_kind: int = CANDIDATES_PER_KIND
) -> list[AgendaCandidate]:
    """Objects of the fabrique on which a decision can be taken now (registry.outcomes_for), by kind,
    the oldest first, at most `per_kind` of each kind.

    `scheduled` tells which already sit on an undecided agenda item; without `include_scheduled`
    they are left out ("waiting for a committee").
    """
    pending = _undecided_items(fabrique)
    scheduled = {(ct, pk) for ct, pk in pending.values_list("target_type_id", "target_id")}
    found: list[AgendaCandidate] = []
    for model, qs in _decidable_querysets(fabrique):
        content_type = ContentType.objects.get_for_model(model)
        kind = capfirst(str(model._meta.verbose_name))
        if not include_scheduled:
            qs = qs.exclude(pk__in=[pk for ct, pk in scheduled if ct == content_type.pk])
        for obj in qs.order_by("pk")[:per_kind]:
            # the fabrique already read, not a joined copy of its row per object
            setattr(obj, "fabrique", fabrique)  # noqa: B010 - the model type is only known at run time
            if not registry.outcomes_for(obj):
                continue
            is_scheduled = (content_type.pk, obj.pk) in scheduled
            found.append(AgendaCandidate(key=candidate_key(obj), obj=obj, kind=kind, scheduled=is_scheduled))
    return found


# the columns an agenda search reads on a decidable model without a folded search column
AGENDA_SEARCH_FIELDS = ("reference", "title", "first_name", "last_name", "organization_name")


def _candidate_q(model: type[models.Model], query: str) -> Q | None:
    from fabrique.core.models import search_text_q

    names = {f.name for f in model._meta.get_fields()}
    if "search_text" in names:  # needs, studies: accents and case ignored (core.models.SearchText)
        return search_text_q(query)
    fields = [name for name in AGENDA_SEARCH_FIELDS if name in names]
    words = (query or "").split()[:6]
    if not fields or not words:
        return None
    found = Q()
    for word in words:
        any_field = Q()
        for name in fields:
            any_field |= Q(**{f"{name}__icontains": word})
        found &= any_field
    return found


def agenda_candidate_search(*, fabrique: Fabrique, query: str, limit: int) -> list[AgendaCandidate]:
    """At most `limit` objects of the fabrique a decision can be taken on now and that match `query`
    (a key "needs.need:12", a reference or words), newest first: one bounded query per decidable
    kind and one for what already sits on an agenda — never every candidate of the fabrique."""
    query = (query or "").strip()
    if not query:
        return []
    exact = resolve_candidate(fabrique=fabrique, key=query) if ":" in query else None
    pending = _undecided_items(fabrique)
    found: list[AgendaCandidate] = []
    for model, qs in _decidable_querysets(fabrique):
        if exact is not None:
            rows = list(qs.filter(pk=exact.pk)) if isinstance(exact, model) else []
        else:
            q = _candidate_q(model, query)
            rows = list(qs.filter(q).order_by("-pk")[:limit]) if q is not None else []
        for obj in rows:  # the fabrique already read (its settings decide some outcomes), not a join per row
            setattr(obj, "fabrique", fabrique)  # noqa: B010 - the model type is only known at run time
        rows = [obj for obj in rows if registry.outcomes_for(obj)]
        if not rows:
            continue
        content_type = ContentType.objects.get_for_model(model)
        scheduled = set(
            pending.filter(target_type=content_type, target_id__in=[obj.pk for obj in rows]).values_list(
                "target_id", flat=True
            )
        )
        kind = capfirst(str(model._meta.verbose_name))
        found += [
            AgendaCandidate(key=candidate_key(obj), obj=obj, kind=kind, scheduled=obj.pk in scheduled)
            for obj in rows
        ]
    return found[:limit]


def resolve_candidate(*, fabrique: Fabrique, key: str) -> models.Model | None:
    """The object behind an agenda-picker value, only if it belongs to `fabrique` and is decidable."""
    label, _sep, pk = (key or "").partition(":")
    if label not in registry.decidable_models() or not pk.isdigit():
        return None
    model = apps.get_model(label)
    found: models.Model | None = model.objects.filter(fabrique=fabrique, pk=int(pk)).first()
    return found
