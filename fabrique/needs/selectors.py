"""Reads of detection and qualification, including what a reporter may see of their report.

The public side (`report_followup`, `need_public_status`, `report_public_status`) returns plain
French sentences and public fields only: never internal notes, scores, officers or other reporters.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_stubs_ext import StrOrPromise

from fabrique.core.models import search_text_q
from fabrique.projects.models import ProjectStage

from .models import (
    Criterion,
    CriterionScore,
    DismissReason,
    Need,
    NeedReport,
    NeedStage,
    NotRetainedReason,
    ReportStage,
)

if TYPE_CHECKING:
    from fabrique.accounts.models import User
    from fabrique.committees.models import Decision
    from fabrique.fabriques.models import Fabrique
    from fabrique.projects.models import Project

# --- back-office lists ---------------------------------------------------------------------------------


def need_report_list(*, fabrique: Fabrique, filters: Mapping[str, Any] | None = None) -> QuerySet[NeedReport]:
    from .filters import NeedReportFilter

    qs = (
        NeedReport.objects.filter(fabrique=fabrique)
        .select_related("commune", "need")
        .order_by("-created_at", "-pk")
    )
    if not filters:
        return qs
    filtered: QuerySet[Any] = NeedReportFilter(filters, queryset=qs, fabrique=fabrique).qs
    return filtered


def need_list(*, fabrique: Fabrique, filters: Mapping[str, Any] | None = None) -> QuerySet[Need]:
    """The fabrique's needs, newest first (the partial index `need_live_recent`). The number of reports
    is not annotated here: `with_report_counts` counts them for the rows of one page."""
    from .filters import NeedFilter

    qs = (
        Need.objects.filter(fabrique=fabrique)
        .select_related("commune", "workstream", "officer")
        .order_by("-created_at", "-pk")
    )
    if not filters:
        return qs
    filtered: QuerySet[Any] = NeedFilter(filters, queryset=qs, fabrique=fabrique).qs
    return filtered


def with_report_counts(needs: Iterable[Need]) -> list[Need]:
    """Set `report_count` (live reports) on each of `needs` — one grouped query for a page's rows, never
    a count computed for every row before the page is cut (a deep page skipped 6,000 rows, 17 s)."""
    rows = list(needs)
    counts = dict(
        NeedReport.objects.filter(need_id__in=[n.pk for n in rows])
        .order_by()
        .values_list("need_id")
        .annotate(n=Count("pk"))
        .values_list("need_id", "n")
    )
    for need in rows:
        need.report_count = counts.get(need.pk, 0)  # type: ignore[attr-defined]
    return rows


def need_search_q(query: str) -> Q | None:
    """Every word in the reference, title, public title, description or territorial detail, accents and
    case ignored ("creche" finds "Crèche"): the stored folded column (core.models.SearchText)."""
    return search_text_q(query)


def report_search_q(query: str) -> Q | None:
    """Every word in the reference, title, description, structure or place, accents and case ignored."""
    return search_text_q(query)


def need_reports(*, need: Need) -> QuerySet[NeedReport]:
    return NeedReport.objects.filter(fabrique_id=need.fabrique_id, need=need).select_related(
        "commune", "reporter_person", "reporter_organization", "submitted_by", "entered_by"
    )


def reports_with_places() -> QuerySet[NeedReport]:
    """Reports with their commune, QPV, need and the need's commune: what the grouping pages (duplicates
    queue, comparison, merge, split) show of each report."""
    return NeedReport.objects.select_related("commune", "qpv", "need", "need__commune")


def reports_of_user(*, fabrique: Fabrique, user: User) -> QuerySet[NeedReport]:
    """A partner's own reports (those submitted while logged in)."""
    return NeedReport.objects.filter(fabrique=fabrique, submitted_by=user).select_related("need", "commune")


def need_decisions(*, need: Need) -> list[Decision]:
    from fabrique.committees.models import Decision

    decisions = list(
        Decision.objects.filter(
            fabrique_id=need.fabrique_id,
            target_type=ContentType.objects.get_for_model(Need),
            target_id=need.pk,
        ).select_related("meeting", "meeting__committee", "decided_by")
    )
    reasons = dict(NotRetainedReason.choices)
    for decision in decisions:
        decision.reason_label = reasons.get(decision.reason_code, decision.reason_code)
    return decisions


# --- qualification -----------------------------------------------------------------------------------------


def criteria_of(*, fabrique: Fabrique, active_only: bool = True) -> QuerySet[Criterion]:
    qs = Criterion.objects.filter(fabrique=fabrique)
    return qs.filter(is_active=True) if active_only else qs


@dataclass
class QualificationRow:
    criterion: Criterion
    score: CriterionScore | None


@dataclass
class Qualification:
    rows: list[QualificationRow] = field(default_factory=list)
    total: int = 0  # sum of score × weight
    maximum: int = 0  # 3 × sum of weights of the active criteria
    scored: int = 0
    weighted: bool = False

    @property
    def complete(self) -> bool:
        return bool(self.rows) and self.scored == len(self.rows)


def need_qualification(*, need: Need) -> Qualification:
    """The grid of the fabrique's active criteria with the need's scores (and scores given on
    criteria deactivated since), with the weighted total."""
    scores = {s.criterion_id: s for s in CriterionScore.objects.filter(need=need).select_related("scored_by")}
    criteria = list(
        Criterion.objects.filter(fabrique_id=need.fabrique_id).filter(
            Q(is_active=True) | Q(pk__in=list(scores))
        )
    )
    result = Qualification()
    for criterion in criteria:
        score = scores.get(criterion.pk)
        result.rows.append(QualificationRow(criterion=criterion, score=score))
        if criterion.is_active:
            result.maximum += 3 * criterion.weight
        if criterion.weight != 1:
            result.weighted = True
        if score is not None:
            result.scored += 1
            result.total += score.score * criterion.weight
    return result


# --- dashboard and network ------------------------------------------------------------------------------


def needs_by_stage(*, fabrique: Fabrique) -> dict[str, int]:
    rows = Need.objects.filter(fabrique=fabrique).values("stage").annotate(n=Count("pk"))
    counts = {row["stage"]: row["n"] for row in rows}
    return {stage: counts.get(stage, 0) for stage in NeedStage.values}


OPEN_STAGES = (
    NeedStage.NEW,
    NeedStage.QUALIFYING,
    NeedStage.MORE_EVIDENCE,
    NeedStage.RETAINED,
    NeedStage.IN_STUDY,
)
RETAINED_STAGES = (NeedStage.RETAINED, NeedStage.IN_STUDY, NeedStage.ANSWERED)


def needs_due(*, fabrique: Fabrique, until: datetime.date, limit: int = 30) -> QuerySet[Need]:
    """Open needs whose next step is due by `until` (late ones included)."""
    return Need.objects.filter(
        fabrique=fabrique, next_step_due__isnull=False, next_step_due__lte=until, stage__in=OPEN_STAGES
    ).order_by("next_step_due")[:limit]


# --- what a reporter sees --------------------------------------------------------------------------------

_NEED_STATUS: dict[str, StrOrPromise] = {
    NeedStage.NEW: gettext_lazy("Votre signalement a été reçu. L'équipe de la fabrique va l'examiner."),
    NeedStage.QUALIFYING: gettext_lazy("L'équipe de la fabrique examine ce besoin."),
    NeedStage.MORE_EVIDENCE: gettext_lazy(
        "L'équipe rassemble des informations complémentaires sur ce besoin."
    ),
    NeedStage.RETAINED: gettext_lazy("Le besoin a été retenu : la fabrique va étudier comment y répondre."),
    NeedStage.NOT_RETAINED: gettext_lazy("Le besoin n'a pas été retenu par la fabrique."),
    NeedStage.IN_STUDY: gettext_lazy(
        "Le besoin est à l'étude : la fabrique construit une réponse avec les acteurs du territoire."
    ),
    NeedStage.ANSWERED: gettext_lazy("Un projet y répond."),
    NeedStage.CLOSED: gettext_lazy("Le suivi de ce besoin est terminé."),
}
_DISMISS_STATUS: dict[str, StrOrPromise] = {
    DismissReason.OUT_OF_SCOPE: gettext_lazy("Il ne relève pas du champ d'action de la fabrique."),
    DismissReason.OUT_OF_TERRITORY: gettext_lazy(
        "Il concerne un territoire où la fabrique n'intervient pas."
    ),
    DismissReason.DUPLICATE: gettext_lazy("Il avait déjà été signalé."),
}
_PROJECT_STATUS: dict[str, StrOrPromise] = {
    ProjectStage.SEEKING_LEADER: gettext_lazy("La fabrique cherche qui portera le projet."),
    ProjectStage.LEADER_SELECTED: gettext_lazy("Un porteur de projet a été choisi."),
    ProjectStage.IN_SUPPORT: gettext_lazy("Le porteur est accompagné pour créer l'activité."),
    ProjectStage.CREATED: gettext_lazy("L'activité a été créée."),
    ProjectStage.STOPPED: gettext_lazy("Le projet a été arrêté."),
}

# the steps shown to a reporter, in order
PUBLIC_STEPS = (
    ("received", gettext_lazy("Signalement reçu")),
    ("examined", gettext_lazy("Besoin examiné")),
    ("retained", gettext_lazy("Besoin retenu")),
    ("in_study", gettext_lazy("Réponse à l'étude")),
    ("answered", gettext_lazy("Un projet y répond")),
    ("created", gettext_lazy("Activité créée")),
)
_STEP_OF_STAGE: dict[str, str] = {
    NeedStage.NEW: "received",
    NeedStage.QUALIFYING: "examined",
    NeedStage.MORE_EVIDENCE: "examined",
    NeedStage.NOT_RETAINED: "examined",
    NeedStage.CLOSED: "examined",
    NeedStage.RETAINED: "retained",
    NeedStage.IN_STUDY: "in_study",
    NeedStage.ANSWERED: "answered",
}


def _answering_projects(need: Need) -> list[Project]:
    projects = list(
        need.projects.filter(deleted_at__isnull=True).select_related("enterprise").order_by("-created_at")
    )
    live = [p for p in projects if p.stage != ProjectStage.STOPPED]
    return live or projects


def need_public_status(need: Need) -> str:
    """One plain-French sentence about where the need stands, safe to show to a reporter."""
    status = str(_NEED_STATUS.get(need.stage, _NEED_STATUS[NeedStage.QUALIFYING]))
    if need.stage == NeedStage.NOT_RETAINED and need.not_retained_reason:
        status += " " + _("Motif : %(reason)s.") % {
            "reason": NotRetainedReason(need.not_retained_reason).label
        }
    if need.stage == NeedStage.ANSWERED:
        projects = _answering_projects(need)
        if projects:
            status = _("Un projet y répond : %(title)s.") % {"title": projects[0].title}
    return status


def report_public_status(report: NeedReport) -> str:
    if report.stage == ReportStage.DISMISSED:
        status = _("Votre signalement n'a pas donné lieu à un suivi.")
        reason = _DISMISS_STATUS.get(report.dismiss_reason)
        return f"{status} {reason}" if reason else str(status)
    if report.stage == ReportStage.ATTACHED and report.need is not None and not report.need.is_deleted:
        return need_public_status(report.need)
    return str(_("Votre signalement a été reçu. L'équipe de la fabrique va l'examiner."))


@dataclass(frozen=True)
class PublicProject:
    title: str
    summary: str
    status: str
    enterprise_name: str = ""


@dataclass(frozen=True)
class PublicStep:
    label: str
    done: bool
    current: bool


@dataclass(frozen=True)
class ReportFollowup:
    """What the private follow-up page shows. Public information only, by construction."""

    fabrique: object
    reference: str
    title: str  # what the reporter wrote
    reported_on: datetime.date
    status: str
    need_title: str = ""
    projects: tuple[PublicProject, ...] = ()
    steps: tuple[PublicStep, ...] = ()
    dismissed: bool = False


def _public_project(project: Project) -> PublicProject:
    enterprise = getattr(project, "enterprise", None) if project.stage == ProjectStage.CREATED else None
    return PublicProject(
        title=project.title,
        summary=project.public_summary,
        status=str(_PROJECT_STATUS.get(project.stage, "")),
        enterprise_name=enterprise.legal_name if enterprise is not None else "",
    )


def _steps(current_step: str | None) -> tuple[PublicStep, ...]:
    keys = [key for key, _label in PUBLIC_STEPS]
    position = keys.index(current_step) if current_step in keys else -1
    return tuple(
        PublicStep(label=str(label), done=i <= position, current=i == position)
        for i, (_key, label) in enumerate(PUBLIC_STEPS)
    )


def report_followup(token: str, *, fabrique: Fabrique | None = None) -> ReportFollowup | None:
    """The follow-up of the report with this private token (None when unknown or deleted)."""
    if not token or len(token) > 64:
        return None
    qs = NeedReport.objects.select_related("fabrique", "need")
    if fabrique is not None:
        qs = qs.filter(fabrique=fabrique)
    report = qs.filter(followup_token=token).first()
    if report is None:
        return None
    reported_on = report.reported_on or timezone.localtime(report.created_at).date()
    need = report.need if report.stage == ReportStage.ATTACHED else None
    if need is not None and need.is_deleted:
        need = None
    projects: tuple[PublicProject, ...] = ()
    step = "received"
    if need is not None:
        step = _STEP_OF_STAGE.get(need.stage, "examined")
        if need.stage == NeedStage.ANSWERED:
            answering = _answering_projects(need)
            projects = tuple(_public_project(p) for p in answering)
            if any(p.stage == ProjectStage.CREATED for p in answering):
                step = "created"
    return ReportFollowup(
        fabrique=report.fabrique,
        reference=report.reference,
        title=report.title,
        reported_on=reported_on,
        status=report_public_status(report),
        need_title=need.public_title if need is not None else "",  # never the internal title
        projects=projects,
        steps=() if report.stage == ReportStage.DISMISSED else _steps(step),
        dismissed=report.stage == ReportStage.DISMISSED,
    )


@dataclass
class ReportCorrection:
    at: datetime.datetime
    by: str
    reason: str
    changes: list[tuple[str, object, object]]  # (field label, before, after)


def _report_value(name: str, value: Any) -> Any:
    """A corrected value as the team reads it (choice labels, French dates)."""
    field_ = NeedReport._meta.get_field(name)
    if value in (None, ""):
        return "—"
    choices = getattr(field_, "flatchoices", None)
    if getattr(field_, "choices", None) and choices:
        return dict(choices).get(value, value)
    if name == "reported_on":
        try:
            return datetime.date.fromisoformat(value).strftime("%d/%m/%Y")
        except (TypeError, ValueError):
            return value
    return value


def report_corrections(*, report: NeedReport) -> tuple[list[ReportCorrection], list[tuple[str, object]]]:
    """The team's corrections of a report (oldest first) and the original values of every corrected
    field (label, value as first entered), both read from the append-only audit log."""
    from fabrique.audit.models import AuditEntry

    entries = (
        AuditEntry.objects.for_target(report)
        .filter(action="needs.needreport.corrected")
        .select_related("actor")
        .order_by("created_at", "pk")
    )
    corrections: list[ReportCorrection] = []
    originals: dict[str, tuple[str, Any]] = {}
    for entry in entries:
        changes = []
        for name, before in entry.old_values.items():
            label = str(getattr(NeedReport._meta.get_field(name), "verbose_name", name))
            after = entry.new_values.get(name)
            changes.append((label, _report_value(name, before), _report_value(name, after)))
            originals.setdefault(name, (label, _report_value(name, before)))
        corrections.append(
            ReportCorrection(
                at=entry.created_at,
                by=str(entry.actor) if entry.actor else (entry.actor_label or _("inconnu")),
                reason=entry.note,
                changes=changes,
            )
        )
    return corrections, list(originals.values())
