"""Reads of the opportunity studies. Every selector takes the fabrique and returns only its live rows."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from django.db.models import Count, Q, QuerySet

from fabrique.core.models import search_text_q

from .models import Study, StudyStage, Workshop

if TYPE_CHECKING:
    from fabrique.fabriques.models import Fabrique
    from fabrique.needs.models import Need
    from fabrique.projects.models import Project

UNDER_WAY = (StudyStage.IN_PROGRESS, StudyStage.AWAITING_DECISION)
CONCLUDED = (StudyStage.GO, StudyStage.NO_GO)


def study_list(*, fabrique: Fabrique, filters: Mapping[str, Any] | None = None) -> QuerySet[Study]:
    """Studies of the fabrique, filtered by `stage`, `workstream` (pk) and `q` (reference or title)."""
    filters = filters or {}
    # the counts are read for the page's rows only (`with_study_counts`), not for every study
    qs = Study.objects.filter(fabrique=fabrique).select_related("workstream", "officer")
    stage = filters.get("stage")
    if stage in StudyStage.values:
        qs = qs.filter(stage=stage)
    elif stage == "under_way":
        qs = qs.filter(stage__in=UNDER_WAY)
    workstream = str(filters.get("workstream") or "")
    if workstream.isdigit():
        qs = qs.filter(workstream_id=int(workstream))
    terms = search_text_q(filters.get("q"))  # reference or title, accents and case ignored
    if terms is not None:
        qs = qs.filter(terms)
    return qs.order_by("-created_at", "-pk")


def with_study_counts(studies: Iterable[Study]) -> list[Study]:
    """Set `need_count`, `workshop_count` and `scenario_count` on each of `studies` (a page's rows): three
    grouped queries, whatever the number of studies of the fabrique."""
    from .models import Scenario

    rows = list(studies)
    ids = [s.pk for s in rows]

    def grouped(qs: QuerySet[Any]) -> dict[int, int]:
        return dict(
            qs.order_by().values_list("study_id").annotate(n=Count("pk")).values_list("study_id", "n")
        )

    needs = grouped(Study.needs.through.objects.filter(study_id__in=ids, need__deleted_at__isnull=True))
    workshops = grouped(Workshop.objects.filter(study_id__in=ids))
    scenarios = grouped(Scenario.objects.filter(study_id__in=ids))
    for study in rows:
        study.need_count = needs.get(study.pk, 0)  # type: ignore[attr-defined]
        study.workshop_count = workshops.get(study.pk, 0)  # type: ignore[attr-defined]
        study.scenario_count = scenarios.get(study.pk, 0)  # type: ignore[attr-defined]
    return rows


def study_detail_queryset(*, fabrique: Fabrique) -> QuerySet[Study]:
    return Study.objects.filter(fabrique=fabrique).select_related("workstream", "officer")


def study_needs(*, study: Study) -> QuerySet[Need]:
    from fabrique.needs.models import Need

    return Need.objects.filter(fabrique_id=study.fabrique_id, studies=study).order_by("pk")


def study_workshops(*, study: Study) -> QuerySet[Workshop]:
    return study.workshops.prefetch_related("participants").order_by("date", "id")


def study_projects(*, study: Study) -> QuerySet[Project]:
    from fabrique.projects.models import Project

    return Project.objects.filter(fabrique_id=study.fabrique_id, study=study)


def retained_needs(*, fabrique: Fabrique, include_pks: Iterable[int] = ()) -> QuerySet[Need]:
    """Needs a study can be opened on (retained), plus `include_pks` so that a refusal can be explained."""
    from fabrique.needs.models import Need, NeedStage

    return Need.objects.filter(fabrique=fabrique).filter(
        Q(stage=NeedStage.RETAINED) | Q(pk__in=list(include_pks))
    )


def studies_due(*, fabrique: Fabrique, start: datetime.date, end: datetime.date) -> QuerySet[Study]:
    """Studies under way whose due date falls between `start` and `end`."""
    return Study.objects.filter(
        fabrique=fabrique, stage__in=UNDER_WAY, due_on__gte=start, due_on__lte=end
    ).order_by("due_on")
