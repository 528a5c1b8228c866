"""Writes of detection and qualification: reports, needs, criteria, scores and decisions.

Every function is keyword-only, atomic and audited. Stages change only through
`fabrique.core.workflow.transition`. Reporter contact details (name, e-mail, phone) are never
written to the append-only audit log: the log keeps what happened, the report row keeps who
reported it, so that erasing a person's data never requires touching the log.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any, TypedDict, Unpack

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from fabrique.accounts.models import User
from fabrique.audit.services import audit_log
from fabrique.core.errors import DomainError, TransitionNotAllowed
from fabrique.core.references import next_reference
from fabrique.core.services import audited_create, audited_update, check_fields
from fabrique.core.workflow import transition
from fabrique.fabriques.models import Role

from .models import (
    Criterion,
    CriterionScore,
    DismissReason,
    Need,
    NeedReport,
    NeedStage,
    NotRetainedReason,
    ReportSource,
    ReportStage,
)
from .validators import validate_evidence_document

if TYPE_CHECKING:
    from django.core.files import File
    from django.db.models import QuerySet

    from fabrique.committees.models import Decision
    from fabrique.directory.models import Organization, Person
    from fabrique.fabriques.models import Fabrique
    from fabrique.projects.models import Project
    from fabrique.territories.models import EPCI, QPV, Commune
    from fabrique.workstreams.models import Workstream

REPORT_PREFIX = "S"  # signalement
NEED_PREFIX = "B"  # besoin


class ReportFields(TypedDict, total=False):
    """What a report holds (keyword arguments of `need_report_submit`)."""

    title: str
    description: str
    public: str
    public_detail: str
    theme: str
    commune: Commune | None
    place: str
    qpv: QPV | None
    evidence: str
    evidence_document: File[bytes] | None
    reporter_name: str
    reporter_organization_name: str
    reporter_email: str
    reporter_phone: str
    reporter_type: str
    consent_processing: bool
    consent_notifications: bool
    reporter_person: Person | None
    reporter_organization: Organization | None
    source: str
    source_detail: str
    reported_on: datetime.date | None


# what the audit log keeps of a report (no contact details of the reporter)
REPORT_AUDIT_FIELDS = [
    "title",
    "public",
    "theme",
    "commune",
    "place",
    "source",
    "reporter_type",
    "reported_on",
]
PUBLIC_SOURCES = frozenset({ReportSource.PUBLIC_FORM, ReportSource.PARTNER})


class NeedFields(TypedDict, total=False):
    """The editable fields of a need (keyword arguments of `need_create` / `need_update`)."""

    title: str
    public_title: str
    description: str
    public: str
    theme: str
    commune: Commune | None
    epci: EPCI | None
    qpv: QPV | None
    territory_label: str
    workstream: Workstream | None
    officer: User | None
    next_step_due: datetime.date | None


class CriterionFields(TypedDict, total=False):
    """`is_active` only in `criterion_update`."""

    label: str
    help_text: str
    weight: int
    is_active: bool


# stages in which the team scores the need against its criteria
SCORABLE_STAGES = frozenset({NeedStage.NEW, NeedStage.QUALIFYING, NeedStage.MORE_EVIDENCE})
OFFICER_ROLES = (Role.ADMIN, Role.OFFICER)
SCORE_MIN, SCORE_MAX = 0, 3
# the reporter's contact details are erased this many years after the last activity on the report
# and its need (stated on the public form)
REPORTER_RETENTION_YEARS = 3
REPORTER_CONTACT_FIELDS = ("reporter_name", "reporter_email", "reporter_phone", "reporter_organization_name")


# --- helpers ---------------------------------------------------------------------------------------------


def _strip(data: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v.strip() if isinstance(v, str) else v for k, v in data.items()}


def _same_fabrique(errors: dict[str, Any], *, fabrique: Fabrique, field: str, obj: object) -> None:
    if obj is not None and (
        getattr(obj, "fabrique_id", None) != fabrique.pk or getattr(obj, "is_deleted", False)
    ):
        errors[field] = _("Cet élément n'appartient pas à cette fabrique.")


def officer_candidates(*, fabrique: Fabrique) -> QuerySet[User]:
    """Users who may follow a need: active admins and officers of the fabrique."""
    return User.objects.filter(
        is_active=True,
        memberships__fabrique=fabrique,
        memberships__is_active=True,
        memberships__role__in=OFFICER_ROLES,
    ).distinct()


def _check_need_relations(*, fabrique: Fabrique, data: Mapping[str, Any]) -> None:
    errors: dict[str, Any] = {}
    _same_fabrique(errors, fabrique=fabrique, field="workstream", obj=data.get("workstream"))
    officer = data.get("officer")
    if officer is not None and not officer_candidates(fabrique=fabrique).filter(pk=officer.pk).exists():
        errors["officer"] = _("Choisissez un·e chargé·e de mission de l'équipe de la fabrique.")
    if errors:
        raise ValidationError(errors)


def _need_data(fields: Mapping[str, Any]) -> dict[str, Any]:
    data = _strip(dict(fields))
    commune = data.get("commune")
    if "commune" in data and "epci" not in data:
        data["epci"] = commune.epci if commune is not None else None
    return data


# --- reports -----------------------------------------------------------------------------------------------


def _fill_reporter_from_directory(data: dict[str, Any]) -> None:
    """A reporter picked in the directory: copy the contact details the team left blank."""
    person = data.get("reporter_person")
    if person is not None and not person.is_anonymized:
        data["reporter_name"] = data.get("reporter_name") or str(person)
        data["reporter_email"] = data.get("reporter_email") or person.email
        data["reporter_phone"] = data.get("reporter_phone") or person.phone
        if data.get("reporter_organization") is None and person.organization_id:
            data["reporter_organization"] = person.organization
    organization = data.get("reporter_organization")
    if organization is not None:
        data["reporter_organization_name"] = data.get("reporter_organization_name") or organization.name


def need_report_submit(
    *,
    fabrique: Fabrique,
    submitted_by: User | None = None,
    entered_by: User | None = None,
    **fields: Unpack[ReportFields],
) -> NeedReport:
    """Record a report: from the public form (nobody), a partner's account (`submitted_by`) or a
    staff entry (`entered_by`). Sends the reporter a confirmation with their follow-up link."""
    check_fields(fields, ReportFields)
    data = _strip(fields)
    if data.get("reporter_email"):
        data["reporter_email"] = data["reporter_email"].lower()
    if not data.get("source"):
        data["source"] = (
            ReportSource.OTHER
            if entered_by is not None
            else (ReportSource.PARTNER if submitted_by is not None else ReportSource.PUBLIC_FORM)
        )
    if not data.get("reported_on"):
        data["reported_on"] = timezone.localdate()
    errors: dict[str, Any] = {}
    _same_fabrique(errors, fabrique=fabrique, field="reporter_person", obj=data.get("reporter_person"))
    _same_fabrique(
        errors, fabrique=fabrique, field="reporter_organization", obj=data.get("reporter_organization")
    )
    if errors:
        raise ValidationError(errors)
    _fill_reporter_from_directory(data)
    report = NeedReport(fabrique=fabrique, submitted_by=submitted_by, entered_by=entered_by, **data)

    if report.source in PUBLIC_SOURCES and entered_by is None and not report.consent_processing:
        errors["consent_processing"] = _(
            "Cochez cette case pour que la fabrique puisse enregistrer et étudier votre signalement."
        )
    if report.consent_notifications and not report.reporter_email:
        errors["reporter_email"] = _("Indiquez une adresse e-mail pour être informé·e des suites.")
    if report.evidence_document:
        try:
            validate_evidence_document(report.evidence_document)
        except ValidationError as exc:
            errors["evidence_document"] = exc.messages
    try:
        report.full_clean()
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            errors.setdefault(field, messages)
    if errors:
        raise ValidationError(errors)

    from .grouping import report_features_compute, report_features_store

    # the grouping features are computed before the transaction: the numbering below locks the
    # fabrique's row until the commit, so nothing slow may run between the two (under load every other
    # report of the fabrique waited for this work)
    features = report_features_compute(report=report)
    with transaction.atomic():
        report.reference = next_reference(model=NeedReport, fabrique=fabrique, prefix=REPORT_PREFIX)
        report.save()
        audit_log(
            actor=entered_by or submitted_by,
            fabrique=fabrique,
            target=report,
            action="needs.needreport.created",
            new={
                "reference": report.reference,
                **{f: getattr(report, f) for f in REPORT_AUDIT_FIELDS},
                "document": bool(report.evidence_document),
            },
        )
        report_features_store(report=report, computed=features)  # derived data, never raises
        # the confirmation e-mail: handler of "needs.needreport.created" (fabrique.needs.handlers)
    return report


# what the team may correct in a report after its entry (never who reported it, nor how)
REPORT_CORRECTABLE_FIELDS = frozenset(
    {"title", "description", "public", "public_detail", "theme", "commune", "place", "qpv", "reported_on"}
)


def need_report_correct(
    *, report: NeedReport, actor: User, data: Mapping[str, Any], reason: str = ""
) -> NeedReport:
    """The team corrects what a report says (a typo in a commune, a wrong theme...). The report row
    takes the corrected values; the audit entry `needs.needreport.corrected` keeps the values before
    and after (so the original wording is never lost, see `report_corrections`) with the reason."""
    unknown = set(data) - REPORT_CORRECTABLE_FIELDS
    if unknown:
        raise TypeError(f"Unknown report fields: {', '.join(sorted(unknown))}")
    data = _strip(dict(data))
    reason = (reason or "").strip()
    with transaction.atomic():
        locked = NeedReport.objects.select_for_update().get(pk=report.pk)
        before = {name: getattr(locked, name) for name in data}
        old = {name: _audit_value(getattr(locked, name)) for name in data}
        for name, value in data.items():
            setattr(locked, name, value)
        locked.full_clean()
        changed = [name for name in data if getattr(locked, name) != before[name]]
        if not changed:
            return locked
        locked.save(update_fields=[*changed, "updated_at"])
        audit_log(
            actor=actor,
            fabrique=locked.fabrique,
            target=locked,
            action="needs.needreport.corrected",
            old={name: old[name] for name in changed},
            new={name: _audit_value(getattr(locked, name)) for name in changed},
            note=reason,
        )
        from .grouping import report_features_refresh

        report_features_refresh(report=locked)
    return locked


def _audit_value(value: object) -> object:
    if value is None or isinstance(value, str | bool | int):
        return value
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def _report_back_to_received(*, report: NeedReport, actor: User, note: str = "") -> NeedReport:
    return transition(
        instance=report,
        to=ReportStage.RECEIVED,
        actor=actor,
        note=note,
        extra={"need": None, "dismiss_reason": ""},
    )


def need_report_attach(*, report: NeedReport, need: Need, actor: User) -> NeedReport:
    """Attach the report to `need` (the same need reported again). A report attached elsewhere is
    moved; a dismissed one is restored first. Both moves are in the log."""
    if need.fabrique_id != report.fabrique_id or need.is_deleted:
        raise DomainError(_("Ce besoin n'appartient pas à la fabrique du signalement."))
    with transaction.atomic():
        current = NeedReport.objects.select_for_update().get(pk=report.pk)
        if current.stage == ReportStage.ATTACHED and current.need_id == need.pk:
            return current
        previous_need = current.need
        if current.stage != ReportStage.RECEIVED:
            current = _report_back_to_received(report=current, actor=actor)
            if previous_need is not None:
                audit_log(
                    actor=actor,
                    fabrique=need.fabrique,
                    target=previous_need,
                    action="needs.need.report_detached",
                    old={"report": str(current)},
                )
        attached = transition(
            instance=current, to=ReportStage.ATTACHED, actor=actor, extra={"need": need}, note=str(need)
        )
        audit_log(
            actor=actor,
            fabrique=need.fabrique,
            target=need,
            action="needs.need.report_attached",
            new={"report": str(attached)},
        )
        from .grouping import report_features_ensure

        report_features_ensure(report=attached)  # grouping features of reports recorded before them
    report.refresh_from_db(fields=["stage", "stage_changed_at", "need", "dismiss_reason"])
    return attached


def need_report_detach(*, report: NeedReport, actor: User) -> NeedReport:
    """Split the report out of its need: it is back among the reports to process."""
    with transaction.atomic():
        current = NeedReport.objects.select_for_update().get(pk=report.pk)
        if current.stage != ReportStage.ATTACHED:
            raise DomainError(_("Ce signalement n'est rattaché à aucun besoin."))
        previous_need = current.need
        assert previous_need is not None  # an attached report has a need
        detached = _report_back_to_received(report=current, actor=actor, note=str(previous_need))
        audit_log(
            actor=actor,
            fabrique=previous_need.fabrique,
            target=previous_need,
            action="needs.need.report_detached",
            old={"report": str(detached)},
        )
    report.refresh_from_db(fields=["stage", "stage_changed_at", "need", "dismiss_reason"])
    return detached


def need_report_dismiss(*, report: NeedReport, actor: User, reason: str, details: str = "") -> NeedReport:
    """Set a report aside (spam, out of scope, out of territory...). An attached report must be
    detached first."""
    if reason not in DismissReason.values:
        raise ValidationError({"reason": _("Choisissez le motif pour lequel le signalement est écarté.")})
    return transition(
        instance=report,
        to=ReportStage.DISMISSED,
        actor=actor,
        note=details.strip(),
        extra={"dismiss_reason": reason},
    )


def need_report_erase_reporter(*, report: NeedReport, actor: User | None = None) -> NeedReport:
    """Erase who reported (name, e-mail, phone, organisation name, directory contact): the report
    and what it says stay. The log records that it happened, not the values."""
    with transaction.atomic():
        locked = NeedReport.all_objects.select_for_update().get(pk=report.pk)
        for name in REPORTER_CONTACT_FIELDS:
            setattr(locked, name, "")
        locked.reporter_person = None
        locked.consent_notifications = False
        locked.save(
            update_fields=[*REPORTER_CONTACT_FIELDS, "reporter_person", "consent_notifications", "updated_at"]
        )
        audit_log(
            actor=actor,
            fabrique=locked.fabrique,
            target=locked,
            action="needs.needreport.reporter_erased",
        )
    return locked


def need_reports_erase_expired(
    *, today: datetime.date | None = None, years: int = REPORTER_RETENTION_YEARS, dry_run: bool = False
) -> int:
    """Erase the reporters of reports untouched (report and need) for `years` years. Returns how many."""
    from django.db.models import Q

    today = today or timezone.localdate()
    try:
        cutoff = today.replace(year=today.year - years)
    except ValueError:  # 29 February
        cutoff = today.replace(year=today.year - years, day=28)
    has_contact = Q()
    for name in REPORTER_CONTACT_FIELDS:
        has_contact |= ~Q(**{name: ""})
    expired = (
        NeedReport.all_objects.filter(has_contact | Q(reporter_person__isnull=False))
        .filter(updated_at__date__lt=cutoff)
        .filter(Q(need__isnull=True) | Q(need__updated_at__date__lt=cutoff))
    )
    if dry_run:
        return expired.count()
    count = 0
    for report in expired.iterator():
        need_report_erase_reporter(report=report)
        count += 1
    return count


# --- needs -------------------------------------------------------------------------------------------------


def need_create(*, fabrique: Fabrique, actor: User, **fields: Unpack[NeedFields]) -> Need:
    check_fields(fields, NeedFields)
    data = _need_data(fields)
    _check_need_relations(fabrique=fabrique, data=data)
    need = Need(fabrique=fabrique, **data)
    need.full_clean()
    with transaction.atomic():
        need.reference = next_reference(model=Need, fabrique=fabrique, prefix=NEED_PREFIX)
        return audited_create(instance=need, actor=actor, fabrique=fabrique)


def need_create_from_report(*, report: NeedReport, actor: User, **fields: Unpack[NeedFields]) -> Need:
    """A new need, prefilled from the report (what, for whom, where), with the report attached."""
    data = dict(fields)
    check_fields(data, NeedFields)
    if report.stage == ReportStage.ATTACHED:
        raise DomainError(
            _("Ce signalement est déjà rattaché au besoin « %(need)s ».") % {"need": report.need}
        )
    values: dict[str, Any] = {
        "title": report.title,
        "description": report.description,
        "public": report.public,
        "theme": report.theme,
        "commune": report.commune,
        "qpv": report.qpv,
    }
    values.update(data)  # what the team wrote wins over the report's wording
    with transaction.atomic():
        need = need_create(fabrique=report.fabrique, actor=actor, **values)
        need_report_attach(report=report, need=need, actor=actor)
    return need


def need_update(*, need: Need, actor: User, **fields: Unpack[NeedFields]) -> Need:
    check_fields(fields, NeedFields)
    data = _need_data(fields)
    _check_need_relations(fabrique=need.fabrique, data=data)
    need, _changed = audited_update(instance=need, actor=actor, fabrique=need.fabrique, data=data)
    return need


def need_mark_in_study(*, need: Need, actor: User, decision: Decision | None = None) -> Need:
    """A study takes the need up (retained → in_study)."""
    return transition(instance=need, to=NeedStage.IN_STUDY, actor=actor, decision=decision)


def need_mark_answered(
    *,
    need: Need,
    project: Project,
    actor: User,
    decision: Decision | None = None,
    scale_up: bool = False,
) -> Need:
    """A project answers the need (in_study → answered; retained → answered only on the change-of-scale
    path, `scale_up=True`, where an existing structure answers it without a study). The reporters who
    agreed to be informed receive an e-mail with their follow-up link (handler of "needs.need.answered")."""
    if project.fabrique_id != need.fabrique_id:
        raise DomainError(_("Ce projet n'appartient pas à la fabrique du besoin."))
    if need.stage == NeedStage.RETAINED and not scale_up:
        raise TransitionNotAllowed(
            _(
                "Le besoin « %(need)s » n'est pas encore étudié : ouvrez son étude, ou confiez-le à une structure existante."
            )
            % {"need": need}
        )
    return transition(
        instance=need,
        to=NeedStage.ANSWERED,
        actor=actor,
        decision=decision,
        note=_("Projet : %(project)s") % {"project": project},
        event_data={"project_id": project.pk},
    )


# stages a decided need can be reopened from (back to qualification), as the state machine allows
REOPENABLE_STAGES = frozenset({NeedStage.RETAINED, NeedStage.NOT_RETAINED, NeedStage.CLOSED})


def need_reopen(*, need: Need, actor: User, reason: str) -> Need:
    """A decided need goes back to qualification (retained, not retained or closed → qualifying),
    for a stated reason (new reports, a changed context, a mistaken decision). The earlier
    decisions stay in the record; the reason is the note of the audit entry."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Expliquez pourquoi le besoin est réexaminé.")})
    with transaction.atomic():
        current = Need.all_objects.select_for_update().get(pk=need.pk).stage
        if current not in REOPENABLE_STAGES:
            raise DomainError(
                _("Seul un besoin retenu, non retenu ou clos peut être rouvert (étape actuelle : %(stage)s).")
                % {"stage": NeedStage(current).label}
            )
        return transition(
            instance=need,
            to=NeedStage.QUALIFYING,
            actor=actor,
            note=reason,
            extra={"not_retained_reason": ""},
        )


# --- qualification -----------------------------------------------------------------------------------------


def need_qualification_start(*, need: Need, actor: User) -> Need:
    """Scoring a new need starts its qualification (new → qualifying)."""
    if need.stage == NeedStage.NEW:
        return transition(instance=need, to=NeedStage.QUALIFYING, actor=actor)
    return need


def _score_text(score: CriterionScore | None) -> str | None:
    if score is None:
        return None
    return f"{score.score}/3" + (f" — {score.comment}" if score.comment else "")


def _check_scorable(*, need: Need, criterion: Criterion) -> None:
    if criterion.fabrique_id != need.fabrique_id:
        raise DomainError(_("Ce critère n'appartient pas à la fabrique du besoin."))
    if need.stage not in SCORABLE_STAGES:
        raise DomainError(
            _("La qualification de ce besoin est terminée (étape « %(stage)s »).")
            % {"stage": need.workflow.label(need.stage)}
        )


def need_score_set(
    *, need: Need, criterion: Criterion, score: int, comment: str, actor: User
) -> CriterionScore:
    """Score the need 0–3 on one criterion, with a comment. Starts the qualification of a new need."""
    if not isinstance(score, int) or isinstance(score, bool) or not SCORE_MIN <= score <= SCORE_MAX:
        raise ValidationError({"score": _("La note va de 0 à 3.")})
    comment = (comment or "").strip()
    with transaction.atomic():
        locked = Need.objects.select_for_update().get(pk=need.pk)
        _check_scorable(need=locked, criterion=criterion)
        if not criterion.is_active:
            raise DomainError(_("Le critère « %(label)s » n'est plus utilisé.") % {"label": criterion.label})
        need_qualification_start(need=locked, actor=actor)
        existing = CriterionScore.objects.filter(need=locked, criterion=criterion).first()
        if existing is not None and existing.score == score and existing.comment == comment:
            return existing
        old = _score_text(existing)
        if existing is None:
            existing = CriterionScore(need=locked, criterion=criterion)
        existing.score, existing.comment, existing.scored_by = score, comment, actor
        existing.full_clean()
        existing.save()
        audit_log(
            actor=actor,
            fabrique=locked.fabrique,
            target=locked,
            action="needs.need.scored",
            old={criterion.label: old} if old else {},
            new={criterion.label: _score_text(existing)},
        )
    need.refresh_from_db(fields=["stage", "stage_changed_at"])
    return existing


def need_score_clear(*, need: Need, criterion: Criterion, actor: User) -> bool:
    """Remove a score given by mistake. Returns False when there was none."""
    with transaction.atomic():
        locked = Need.objects.select_for_update().get(pk=need.pk)
        _check_scorable(need=locked, criterion=criterion)
        existing = CriterionScore.objects.filter(need=locked, criterion=criterion).first()
        if existing is None:
            return False
        old = _score_text(existing)
        existing.delete()
        audit_log(
            actor=actor,
            fabrique=locked.fabrique,
            target=locked,
            action="needs.need.scored",
            old={criterion.label: old},
            new={criterion.label: None},
        )
    return True


def need_scores_set(*, need: Need, actor: User, scores: Iterable[tuple[Criterion, int | None, str]]) -> Need:
    """Save a whole qualification grid at once: a None score removes that criterion's score."""
    with transaction.atomic():
        for criterion, score, comment in scores:
            if score is None:
                need_score_clear(need=need, criterion=criterion, actor=actor)
            else:
                need_score_set(need=need, criterion=criterion, score=score, comment=comment, actor=actor)
        return Need.objects.get(pk=need.pk)


def need_decide(
    *,
    need: Need,
    actor: User,
    outcome: str,
    reason_code: str = "",
    reasons: str = "",
    decided_on: datetime.date | None = None,
) -> Decision:
    """A staff decision (no meeting) on the need: retained, not_retained or more_evidence."""
    from fabrique.committees.services import decision_record

    if outcome == "not_retained" and not reason_code:
        raise ValidationError(
            {"reason_code": _("Choisissez le motif pour lequel le besoin n'est pas retenu.")}
        )
    if outcome == "more_evidence" and not (reasons or "").strip():
        raise ValidationError({"reasons": _("Indiquez les éléments complémentaires attendus.")})
    return decision_record(
        fabrique=need.fabrique,
        actor=actor,
        target=need,
        outcome=outcome,
        reasons=(reasons or "").strip(),
        reason_code=reason_code,
        decided_on=decided_on,
    )


def _decision_handler(stage: str) -> Callable[[Need, Decision, User], None]:
    """The transition a decision outcome performs on the need (registered in NeedsConfig.ready)."""

    def handler(target: Need, decision: Decision, actor: User) -> None:
        extra = {"decision_notes": decision.reasons, "not_retained_reason": ""}
        if stage == NeedStage.NOT_RETAINED:
            extra["not_retained_reason"] = decision.reason_code or NotRetainedReason.OTHER
        transition(
            instance=target, to=stage, actor=actor, decision=decision, note=decision.reasons, extra=extra
        )

    return handler


# --- criteria ----------------------------------------------------------------------------------------------


def default_criteria() -> list[tuple[str, str, str]]:
    """(code, label, help) of the criteria every new fabrique starts with."""
    return [
        (
            "besoin-reel",
            _("Le besoin est réel et étayé"),
            _("Des chiffres, des témoignages ou plusieurs signalements concordants le montrent."),
        ),
        (
            "non-couvert",
            _("Il n'est pas couvert par une offre existante à proximité"),
            _("Aucune structure n'y répond déjà sur le territoire, ou pas assez."),
        ),
        (
            "personnes-concernees",
            _("Nombre de personnes concernées"),
            _("0 : quelques personnes ; 3 : une part importante de la population du territoire."),
        ),
        (
            "potentiel-economique",
            _("Potentiel économique"),
            _("Des recettes (ventes, prestations, financements durables) sont envisageables."),
        ),
        (
            "acteurs-locaux",
            _("Des acteurs locaux sont prêts à agir"),
            _("Collectivités, associations, entreprises prêtes à s'impliquer ou à soutenir."),
        ),
        (
            "entreprise-ess",
            _("Une entreprise de l'ESS est adaptée"),
            _("La réponse peut prendre la forme d'une entreprise ou d'une activité de l'ESS."),
        ),
    ]


def criteria_setup_defaults(*, fabrique: Fabrique) -> None:
    """Setup hook: create the default criteria a fabrique does not have yet (idempotent)."""
    with transaction.atomic():
        existing = set(Criterion.objects.filter(fabrique=fabrique).values_list("code", flat=True))
        order = (Criterion.objects.filter(fabrique=fabrique).aggregate(m=Max("order"))["m"] or 0) + 1
        if not existing:
            order = 0
        for code, label, help_text in default_criteria():
            if code in existing:
                continue
            audited_create(
                instance=Criterion(
                    fabrique=fabrique, code=code, label=label, help_text=help_text, order=order
                ),
                actor=None,
                fabrique=fabrique,
            )
            order += 1


def _free_criterion_code(*, fabrique: Fabrique, label: str) -> str:
    base = slugify(label)[:34] or "critere"
    taken = set(
        Criterion.objects.filter(fabrique=fabrique, code__startswith=base).values_list("code", flat=True)
    )
    code, n = base, 2
    while code in taken:
        code, n = f"{base}-{n}", n + 1
    return code


def criterion_create(*, fabrique: Fabrique, actor: User, **fields: Unpack[CriterionFields]) -> Criterion:
    if "is_active" in fields:
        raise TypeError("Unknown fields: is_active")
    check_fields(fields, CriterionFields)
    data = _strip(fields)
    with transaction.atomic():
        last = Criterion.objects.filter(fabrique=fabrique).aggregate(m=Max("order"))["m"]
        criterion = Criterion(
            fabrique=fabrique,
            code=_free_criterion_code(fabrique=fabrique, label=data.get("label", "")),
            order=0 if last is None else last + 1,
            **data,
        )
        return audited_create(instance=criterion, actor=actor, fabrique=fabrique)


def criterion_update(*, criterion: Criterion, actor: User, **fields: Unpack[CriterionFields]) -> Criterion:
    """Rename, explain, weigh, deactivate or reactivate a criterion (scores already given stay)."""
    check_fields(fields, CriterionFields)
    criterion, _changed = audited_update(
        instance=criterion, actor=actor, fabrique=criterion.fabrique, data=_strip(fields)
    )
    return criterion


def criterion_move(*, criterion: Criterion, actor: User, direction: str) -> Criterion:
    """Move the criterion one place "up" or "down" in the fabrique's list."""
    if direction not in ("up", "down"):
        raise ValueError(direction)
    with transaction.atomic():
        rows = list(Criterion.objects.select_for_update().filter(fabrique_id=criterion.fabrique_id))
        rows.sort(key=lambda c: (c.order, c.pk))
        index = next(i for i, c in enumerate(rows) if c.pk == criterion.pk)
        other = index - 1 if direction == "up" else index + 1
        if not 0 <= other < len(rows):
            return rows[index]
        old_order = index
        rows[index], rows[other] = rows[other], rows[index]
        for position, row in enumerate(rows):
            if row.order != position:
                row.order = position
                row.save(update_fields=["order", "updated_at"])
        moved = rows[other]
        audit_log(
            actor=actor,
            fabrique=moved.fabrique,
            target=moved,
            action="needs.criterion.moved",
            old={"order": old_order + 1},
            new={"order": other + 1},
        )
    return moved


# stages a need can be closed from: it no longer calls for the fabrique's work
CLOSABLE_STAGES = frozenset({NeedStage.NEW, NeedStage.RETAINED, NeedStage.IN_STUDY, NeedStage.ANSWERED})


def need_close(*, need: Need, actor: User, reason: str) -> Need:
    """The need is closed for a stated reason (covered by another actor, gone, merged into a wider
    need...). It can be reopened later (closed → qualifying, `need_reopen`)."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Expliquez pourquoi le besoin est clos.")})
    with transaction.atomic():
        current = Need.all_objects.select_for_update().get(pk=need.pk).stage
        if current not in CLOSABLE_STAGES:
            raise TransitionNotAllowed(
                _("Un besoin à l'étape « %(stage)s » ne peut pas être clos : décidez-en d'abord.")
                % {"stage": NeedStage(current).label}
            )
        return transition(instance=need, to=NeedStage.CLOSED, actor=actor, note=reason)
