"""Reads of the recruitment: calls, applications, and the evaluations each user may see.

Blind evaluation: an evaluator of a call sees only their own scores on an application until they
have submitted their evaluation of it; then they see every submitted evaluation and the weighted
average. Members who do not evaluate the call see the submitted evaluations only.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from fabrique.accounts.models import User
from fabrique.fabriques.models import ROLE_PERMISSIONS, Permission
from fabrique.projects.models import ProjectStage

from .models import (
    Application,
    ApplicationStage,
    Call,
    CallStage,
    Evaluation,
    EvaluationCriterion,
    EvaluationScore,
)

if TYPE_CHECKING:
    from fabrique.fabriques.models import Fabrique
    from fabrique.projects.models import Project

OPEN_APPLICATION_STAGES = (ApplicationStage.SUBMITTED, ApplicationStage.UNDER_REVIEW)
PUBLIC_CALL_STAGES = (CallStage.PUBLISHED, CallStage.CLOSED, CallStage.DECIDED)
SCALE = 20  # weighted scores are shown out of 20


# --- calls -----------------------------------------------------------------------------------------------


def call_list(*, fabrique: Fabrique, stage: str | None = None) -> QuerySet[Call]:
    qs = (
        Call.objects.filter(fabrique=fabrique)
        .select_related("project")
        .annotate(
            application_count=Count(
                "applications", filter=Q(applications__deleted_at__isnull=True), distinct=True
            )
        )
        .order_by("-deadline", "-pk")
    )
    return qs.filter(stage=stage) if stage else qs


def call_criteria(*, call: Call) -> list[EvaluationCriterion]:
    return list(EvaluationCriterion.objects.filter(call=call).order_by("order", "id"))


def call_public_list(*, fabrique: Fabrique) -> QuerySet[Call]:
    """Calls open to applications on the public site: published, deadline not passed."""
    return Call.objects.filter(
        fabrique=fabrique,
        stage=CallStage.PUBLISHED,
        deadline__gte=timezone.localdate(),
        project__stage=ProjectStage.SEEKING_LEADER,
    ).order_by("deadline", "pk")


def call_public_get(*, fabrique: Fabrique, slug: str) -> Call | None:
    """A call the public may read (published, closed or decided), or None."""
    return (
        Call.objects.filter(fabrique=fabrique, slug=slug, stage__in=PUBLIC_CALL_STAGES)
        .select_related("project")
        .first()
    )


def call_deadlines(*, fabrique: Fabrique, start: datetime.date, end: datetime.date) -> QuerySet[Call]:
    return Call.objects.filter(
        fabrique=fabrique, stage=CallStage.PUBLISHED, deadline__gte=start, deadline__lte=end
    ).order_by("deadline")


def evaluator_candidates(*, fabrique: Fabrique) -> QuerySet[User]:
    """Active members whose role takes part in decisions (DECIDE)."""
    roles = [role for role, perms in ROLE_PERMISSIONS.items() if Permission.DECIDE in perms]
    return (
        User.objects.filter(
            is_active=True,
            memberships__fabrique=fabrique,
            memberships__is_active=True,
            memberships__role__in=roles,
        )
        .distinct()
        .order_by("first_name", "last_name", "email")
    )


# --- applications ----------------------------------------------------------------------------------------


def application_list(*, call: Call | None = None, project: Project | None = None) -> QuerySet[Application]:
    qs = Application.objects.select_related("call", "project", "person", "organization")
    if call is not None:
        qs = qs.filter(call=call, fabrique_id=call.fabrique_id)
    if project is not None:
        qs = qs.filter(project=project, fabrique_id=project.fabrique_id)
    return qs.order_by("created_at", "pk")


# --- evaluations -----------------------------------------------------------------------------------------


@dataclass
class ScoredEvaluation:
    evaluation: Evaluation
    scores: dict[int, EvaluationScore]  # criterion id -> score
    weighted: float | None  # out of SCALE; None while a criterion is not scored
    rows: list[tuple[EvaluationCriterion, EvaluationScore | None]] = field(default_factory=list)


@dataclass
class EvaluationView:
    """What one user may see of the evaluations of one application."""

    criteria: list[EvaluationCriterion]
    is_evaluator: bool
    mine: ScoredEvaluation | None
    can_see_others: bool
    visible: list[ScoredEvaluation] = field(default_factory=list)  # submitted evaluations shown
    average: float | None = None  # weighted average of the visible submitted evaluations
    criterion_averages: dict[int, float] = field(default_factory=dict)
    criterion_rows: list[tuple[EvaluationCriterion, float | None]] = field(default_factory=list)
    submitted_count: int = 0
    evaluator_count: int = 0


def weighted_score(
    *, scores: Mapping[int, EvaluationScore], criteria: list[EvaluationCriterion]
) -> float | None:
    """Σ weight × score / max ÷ Σ weight, out of 20; None unless every criterion is scored."""
    total_weight = sum(c.weight for c in criteria)
    if not criteria or total_weight == 0 or any(c.pk not in scores for c in criteria):
        return None
    value: float = sum(c.weight * scores[c.pk].score / c.max_score for c in criteria) / total_weight
    return round(value * SCALE, 2)


def _scored(evaluation: Evaluation, criteria: list[EvaluationCriterion]) -> ScoredEvaluation:
    scores = {s.criterion_id: s for s in evaluation.scores.all()}
    return ScoredEvaluation(
        evaluation,
        scores,
        weighted_score(scores=scores, criteria=criteria),
        [(c, scores.get(c.pk)) for c in criteria],
    )


def evaluation_view(*, application: Application, user: User) -> EvaluationView:
    call = application.call
    criteria = call_criteria(call=call) if call is not None else []
    evaluations = list(
        Evaluation.objects.filter(application=application)
        .select_related("evaluator")
        .prefetch_related("scores")
        .order_by("submitted_at", "pk")
    )
    is_evaluator = call is not None and call.evaluators.filter(pk=user.pk).exists()
    mine_row = next((e for e in evaluations if e.evaluator_id == user.pk), None)
    mine = _scored(mine_row, criteria) if mine_row is not None else None
    can_see_others = not is_evaluator or (mine_row is not None and mine_row.is_submitted)
    view = EvaluationView(
        criteria=criteria,
        is_evaluator=is_evaluator,
        mine=mine,
        can_see_others=can_see_others,
        submitted_count=sum(1 for e in evaluations if e.is_submitted),
        evaluator_count=call.evaluators.count() if call is not None else 0,
    )
    if not can_see_others:
        return view
    view.visible = [_scored(e, criteria) for e in evaluations if e.is_submitted]
    weighted = [s.weighted for s in view.visible if s.weighted is not None]
    view.average = round(sum(weighted) / len(weighted), 2) if weighted else None
    for criterion in criteria:
        values = [s.scores[criterion.pk].score for s in view.visible if criterion.pk in s.scores]
        if values:
            view.criterion_averages[criterion.pk] = round(sum(values) / len(values), 2)
        view.criterion_rows.append((criterion, view.criterion_averages.get(criterion.pk)))
    return view


def call_application_rows(*, call: Call, user: User) -> list[dict[str, Any]]:
    """Applications of a call with, for `user`, their own evaluation status and the average they may see."""
    criteria = call_criteria(call=call)
    is_evaluator = call.evaluators.filter(pk=user.pk).exists()
    applications = list(
        application_list(call=call).prefetch_related("evaluations__scores", "evaluations__evaluator")
    )
    rows = []
    for application in applications:
        evaluations = list(application.evaluations.all())
        mine = next((e for e in evaluations if e.evaluator_id == user.pk), None)
        can_see = not is_evaluator or (mine is not None and mine.is_submitted)
        submitted = [e for e in evaluations if e.is_submitted]
        average = None
        if can_see:
            weighted = [
                w
                for e in submitted
                if (
                    w := weighted_score(scores={s.criterion_id: s for s in e.scores.all()}, criteria=criteria)
                )
                is not None
            ]
            average = round(sum(weighted) / len(weighted), 2) if weighted else None
        rows.append(
            {
                "application": application,
                "mine": mine,
                "can_see": can_see,
                "submitted_count": len(submitted),
                "average": average,
            }
        )
    return rows
