"""Selectors of the team's pipeline view: the board by stage, the filtered list, what waits for a
committee. Read-only; every query is scoped to one fabrique."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from fabrique.core.models import search_text_q
from fabrique.core.urls import pk_url_maker
from fabrique.needs.models import Need, NeedStage
from fabrique.projects.models import Project, ProjectStage
from fabrique.recruitment.models import Application, ApplicationStage, CallStage
from fabrique.studies.models import Study, StudyStage

KIND_NEED, KIND_STUDY, KIND_PROJECT = "need", "study", "project"
KIND_LABELS = {KIND_NEED: _("besoin"), KIND_STUDY: _("étude"), KIND_PROJECT: _("projet")}


@dataclass
class PipelineItem:
    kind: str
    obj: object
    reference: str
    title: str
    stage: str
    stage_label: str
    workstream: str
    commune: str
    officer: str
    updated: datetime.datetime
    url: str

    @property
    def kind_label(self) -> str:
        return str(KIND_LABELS[self.kind])


# Board columns: (key, title, kind, stages)
BOARD_COLUMNS = [
    (
        "detection",
        _("Besoins à qualifier"),
        KIND_NEED,
        [NeedStage.NEW, NeedStage.QUALIFYING, NeedStage.MORE_EVIDENCE],
    ),
    ("retained", _("Besoins retenus"), KIND_NEED, [NeedStage.RETAINED]),
    (
        "studies",
        _("Études d'opportunité"),
        KIND_STUDY,
        [StudyStage.IN_PROGRESS, StudyStage.AWAITING_DECISION],
    ),
    (
        "leader",
        _("Recherche de porteur"),
        KIND_PROJECT,
        [ProjectStage.SEEKING_LEADER, ProjectStage.LEADER_SELECTED],
    ),
    ("support", _("Accompagnement"), KIND_PROJECT, [ProjectStage.IN_SUPPORT]),
    ("created", _("Entreprises créées"), KIND_PROJECT, [ProjectStage.CREATED]),
]

MODELS = {KIND_NEED: Need, KIND_STUDY: Study, KIND_PROJECT: Project}
DETAIL_URLS = {
    KIND_NEED: "backoffice:need_detail",
    KIND_STUDY: "backoffice:study_detail",
    KIND_PROJECT: "backoffice:project_detail",
}


def _url_makers(fabrique) -> dict[str, Callable[[int], str]]:
    """The detail URL of each kind of item, reversed once for a page's cards."""
    return {kind: pk_url_maker(name, fabrique.slug) for kind, name in DETAIL_URLS.items()}


def _commune_of(kind: str, obj) -> str:
    if kind == KIND_STUDY:
        communes = sorted({str(n.commune) for n in obj.needs.all() if n.commune_id})
        return ", ".join(communes)
    return str(obj.commune) if getattr(obj, "commune_id", None) else ""


def _item(kind: str, obj, urls: dict[str, Callable[[int], str]]) -> PipelineItem:
    workflow = type(obj).workflow
    stage = getattr(obj, workflow.field)
    return PipelineItem(
        kind=kind,
        obj=obj,
        reference=obj.reference,
        title=obj.title,
        stage=stage,
        stage_label=obj.fabrique.stage_label(obj._meta.label_lower, stage, workflow.label(stage)),
        workstream=str(obj.workstream) if obj.workstream_id else "",
        commune=_commune_of(kind, obj),
        officer=str(obj.officer) if obj.officer_id else "",
        updated=obj.stage_changed_at or obj.updated_at,
        url=urls[kind](obj.pk),
    )


def _of_fabrique(rows, fabrique) -> list:
    """The rows with their fabrique set to the one already read: no join that copies and decodes the
    fabrique's row (its JSON settings) once per card."""
    rows = list(rows)
    for row in rows:
        row.fabrique = fabrique
    return rows


def _base_queryset(kind: str, fabrique) -> QuerySet:
    qs = MODELS[kind].objects.filter(fabrique=fabrique).select_related("workstream", "officer")
    if kind == KIND_STUDY:
        return qs.prefetch_related("needs__commune")
    return qs.select_related("commune")


BOARD_LIMIT = (
    15  # cards shown per column (the most recently changed); the badge gives the true total, a link the rest
)
AWAITING_LIMIT = 10  # rows of each kind in "awaiting a committee decision"


def pipeline_board(*, fabrique, workstream=None, officer=None) -> list[dict]:
    """The board's columns: the BOARD_LIMIT most recently changed items of each column and the column's
    total (one grouped count per kind of item, not one query per column)."""
    from django.db.models import Count

    urls = _url_makers(fabrique)
    totals: dict[str, dict[str, int]] = {}
    for kind in (KIND_NEED, KIND_STUDY, KIND_PROJECT):
        qs = MODELS[kind].objects.filter(fabrique=fabrique)
        if workstream is not None:
            qs = qs.filter(workstream=workstream)
        if officer is not None:
            qs = qs.filter(officer=officer)
        totals[kind] = dict(
            qs.order_by().values_list("stage").annotate(n=Count("pk")).values_list("stage", "n")
        )
    columns = []
    for key, title, kind, stages in BOARD_COLUMNS:
        latest = MODELS[kind].objects.filter(fabrique=fabrique, stage__in=stages)
        if workstream is not None:
            latest = latest.filter(workstream=workstream)
        if officer is not None:
            latest = latest.filter(officer=officer)
        # the column's cards: chosen on the narrow index rows (fabrique, stage, updated_at, id), then only
        # those read with their joins — sorting thousands of joined rows for 15 cost 8 ms a column
        ids = latest.order_by("-updated_at", "-pk").values("pk")[:BOARD_LIMIT]
        qs = _base_queryset(kind, fabrique).filter(pk__in=ids).order_by("-updated_at", "-pk")
        items = [_item(kind, obj, urls) for obj in _of_fabrique(qs, fabrique)]
        count = sum(totals[kind].get(str(stage), 0) for stage in stages)
        columns.append(
            {
                "key": key,
                "title": title,
                "kind": kind,
                "items": items,
                "count": count,
                "more": max(0, count - len(items)),
                "stages": [str(stage) for stage in stages],
            }
        )
    return columns


@dataclass
class PipelineFilters:
    kind: str = ""
    stage: str = ""
    workstream_id: int | None = None
    commune_id: int | None = None
    officer_id: int | None = None
    since: datetime.date | None = None
    until: datetime.date | None = None
    q: str = ""


def pipeline_items(*, fabrique, filters: PipelineFilters, limit: int | None = None) -> list[PipelineItem]:
    """Needs, studies and projects of the fabrique matching the filters, most recent first (at most
    `limit`: each kind reads its `limit` most recent rows only)."""
    items: list[PipelineItem] = []
    urls = _url_makers(fabrique)
    for kind in (KIND_NEED, KIND_STUDY, KIND_PROJECT):
        if filters.kind and filters.kind != kind:
            continue
        qs = _base_queryset(kind, fabrique)
        if filters.stage:
            if filters.stage not in MODELS[kind].workflow.stages.values:
                continue
            qs = qs.filter(stage=filters.stage)
        if filters.workstream_id:
            qs = qs.filter(workstream_id=filters.workstream_id)
        if filters.officer_id:
            qs = qs.filter(officer_id=filters.officer_id)
        if filters.commune_id:
            if kind == KIND_STUDY:
                qs = qs.filter(needs__commune_id=filters.commune_id).distinct()
            else:
                qs = qs.filter(commune_id=filters.commune_id)
        if filters.since:
            qs = qs.filter(updated_at__date__gte=filters.since)
        if filters.until:
            qs = qs.filter(updated_at__date__lte=filters.until)
        terms = search_text_q(filters.q)  # accents and case ignored (core.models.SearchText)
        if terms is not None:
            qs = qs.filter(terms)
        if limit is not None:
            qs = qs.order_by("-updated_at", "-pk")[:limit]
        items.extend(_item(kind, obj, urls) for obj in _of_fabrique(qs, fabrique))
    items.sort(key=lambda i: i.updated, reverse=True)
    return items[:limit] if limit is not None else items


def awaiting_committee(*, fabrique) -> list[PipelineItem | dict]:
    """What a committee must decide: needs in qualification, studies awaiting decision, applications
    of closed calls — unless already on the agenda of a planned meeting. The AWAITING_LIMIT oldest of
    each kind (one more is read to tell that there are more: the last row then says "and more")."""
    from django.contrib.contenttypes.models import ContentType

    from fabrique.committees.models import AgendaItem, MeetingStatus

    scheduled = set(
        AgendaItem.objects.filter(
            meeting__fabrique=fabrique, meeting__status=MeetingStatus.PLANNED, decision__isnull=True
        ).values_list("target_type_id", "target_id")
    )
    result = []

    def _add(kind_label: str, obj, url_name: str, stage_label: str):
        ct = ContentType.objects.get_for_model(type(obj))
        url = reverse(url_name, kwargs={"fabrique_slug": fabrique.slug, "pk": obj.pk})
        result.append(
            {
                "kind_label": kind_label,
                "title": str(obj),
                "url": url,
                "stage_label": stage_label,
                "scheduled": (ct.pk, obj.pk) in scheduled,
            }
        )

    def _bounded(qs) -> tuple[list, bool]:
        rows = list(qs.order_by("created_at", "pk")[: AWAITING_LIMIT + 1])
        return rows[:AWAITING_LIMIT], len(rows) > AWAITING_LIMIT

    def _more(more: bool, kind_label: str, url: str) -> None:
        if more:
            result.append({"more": True, "kind_label": kind_label, "url": url})

    def _list_url(name: str, query: str) -> str:
        return reverse(name, kwargs={"fabrique_slug": fabrique.slug}) + query

    needs, more = _bounded(
        Need.objects.filter(fabrique=fabrique, stage__in=[NeedStage.QUALIFYING, NeedStage.MORE_EVIDENCE])
    )
    for need in needs:
        _add(_("besoin"), need, "backoffice:need_detail", need.workflow.label(need.stage))
    _more(more, _("besoins"), _list_url("backoffice:pipeline_list", f"?kind={KIND_NEED}&stage=qualifying"))
    studies, more = _bounded(Study.objects.filter(fabrique=fabrique, stage=StudyStage.AWAITING_DECISION))
    for study in studies:
        _add(_("étude"), study, "backoffice:study_detail", study.workflow.label(study.stage))
    _more(
        more,
        _("études"),
        _list_url("backoffice:pipeline_list", f"?kind={KIND_STUDY}&stage=awaiting_decision"),
    )
    applications, more = _bounded(
        Application.objects.filter(
            fabrique=fabrique,
            stage__in=[ApplicationStage.SUBMITTED, ApplicationStage.UNDER_REVIEW],
            call__stage=CallStage.CLOSED,
        ).select_related("call")
    )
    for application in applications:
        _add(
            _("candidature"),
            application,
            "backoffice:application_detail",
            application.workflow.label(application.stage),
        )
    _more(more, _("candidatures"), "")
    return result


def stage_choices() -> list[tuple[str, str]]:
    seen: dict[str, str] = {}
    for model in (Need, Study, Project):
        for value, label in model.workflow.stages.choices:
            seen.setdefault(value, f"{label} ({model._meta.verbose_name})")
    return list(seen.items())
