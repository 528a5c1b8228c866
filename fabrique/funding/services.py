"""Writes of funders' agreements and reporting deadlines: atomic, validated (every linked object
belongs to the fabrique, the funded object matches the scope), audited."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any, TypedDict, Unpack

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fabrique.audit.services import audit_log
from fabrique.core.errors import DomainError
from fabrique.core.indicators import indicators
from fabrique.core.services import audited_create, audited_update, check_fields

from .models import (
    SCOPE_FIELDS,
    AgreementScope,
    FunderReport,
    FunderReportVersion,
    FundingAgreement,
    ReportingDeadline,
    ReportStatus,
)

# a generation that has not moved for this long is considered dead (its worker stopped)
STALE_AFTER = datetime.timedelta(minutes=15)

if TYPE_CHECKING:
    from fabrique.accounts.models import User
    from fabrique.directory.models import Organization
    from fabrique.fabriques.models import Fabrique
    from fabrique.intelligence.models import DiagnosisZone
    from fabrique.studies.models import Study
    from fabrique.support.models import SupportPlan
    from fabrique.workstreams.models import Workstream


class AgreementFields(TypedDict, total=False):
    funder: Organization
    title: str
    reference: str
    scope: str
    study: Study | None
    diagnosis: DiagnosisZone | None
    workstream: Workstream | None
    support_plan: SupportPlan | None
    starts_on: datetime.date
    ends_on: datetime.date
    amount_granted: Decimal
    amount_paid: Decimal
    status: str
    required_indicators: list[str]
    notes: str


def _check(*, fabrique: Fabrique, data: dict[str, Any]) -> dict[str, Any]:
    """Tenant checks and consistency of an agreement's fields (raise ValidationError in French)."""
    errors: dict[str, str] = {}
    for name in ("funder", "study", "diagnosis", "workstream", "support_plan"):
        obj = data.get(name)
        if obj is not None and (obj.fabrique_id != fabrique.pk or getattr(obj, "deleted_at", None)):
            errors[name] = _("Cet élément n'appartient pas à la fabrique.")
    scope = data.get("scope")
    if scope is not None:
        wanted = SCOPE_FIELDS.get(scope)
        if scope not in SCOPE_FIELDS:
            errors["scope"] = _("Objet financé inconnu.")
        for name in ("study", "diagnosis", "workstream", "support_plan"):
            if name == wanted:
                if data.get(name) is None and name not in errors:
                    errors[name] = _("Choisissez ce que la convention finance.")
            else:
                data[name] = None  # only the scope's object is kept
    start, end = data.get("starts_on"), data.get("ends_on")
    if start and end and end < start:
        errors["ends_on"] = _("La fin de la convention doit suivre son début.")
    granted, paid = data.get("amount_granted"), data.get("amount_paid")
    if granted is not None and paid is not None and paid > granted:
        errors["amount_paid"] = _("Le montant versé ne peut dépasser le montant accordé.")
    known = {i.key for i in indicators(reporting=True)}
    unknown = [k for k in data.get("required_indicators") or [] if k not in known]
    if unknown:
        errors["required_indicators"] = _("Indicateurs inconnus : %(keys)s.") % {"keys": ", ".join(unknown)}
    if errors:
        raise ValidationError(errors)
    return data


def agreement_create(
    *, fabrique: Fabrique, actor: User, **fields: Unpack[AgreementFields]
) -> FundingAgreement:
    check_fields(fields, AgreementFields)
    data = _check(fabrique=fabrique, data={"scope": AgreementScope.PROGRAMME, **fields})
    return audited_create(
        instance=FundingAgreement(fabrique=fabrique, **data), actor=actor, fabrique=fabrique
    )


def agreement_update(
    *, agreement: FundingAgreement, actor: User, **fields: Unpack[AgreementFields]
) -> FundingAgreement:
    check_fields(fields, AgreementFields)
    merged = {
        "scope": agreement.scope,
        "starts_on": agreement.starts_on,
        "ends_on": agreement.ends_on,
        "amount_granted": agreement.amount_granted,
        "amount_paid": agreement.amount_paid,
        **fields,
    }
    data = _check(fabrique=agreement.fabrique, data=merged)
    changed = {k: v for k, v in data.items() if k in fields or k in SCOPE_FIELDS.values()}
    updated, _changed = audited_update(
        instance=agreement, actor=actor, fabrique=agreement.fabrique, data=changed
    )
    return updated


def deadline_add(
    *, agreement: FundingAgreement, actor: User, label: str, due_on: datetime.date
) -> ReportingDeadline:
    if agreement.deleted_at is not None:
        raise DomainError(_("Cette convention a été supprimée."))
    label = label.strip()
    if not label:
        raise ValidationError({"label": _("Dites ce qui est attendu.")})
    with transaction.atomic():
        deadline = ReportingDeadline(agreement=agreement, label=label, due_on=due_on)
        deadline.full_clean()
        deadline.save()
        audit_log(
            actor=actor,
            fabrique=agreement.fabrique,
            target=agreement,
            action="funding.fundingagreement.deadline_added",
            new={"label": label, "due_on": due_on.isoformat()},
        )
    return deadline


def deadline_mark_done(
    *, deadline: ReportingDeadline, actor: User, done_on: datetime.date | None
) -> ReportingDeadline:
    """Mark a reporting deadline done on `done_on` (None: not done any more)."""
    with transaction.atomic():
        locked = ReportingDeadline.objects.select_for_update().get(pk=deadline.pk)
        if locked.done_on == done_on:
            return locked
        old = locked.done_on
        locked.done_on = done_on
        locked.full_clean()
        locked.save(update_fields=["done_on", "updated_at"])
        audit_log(
            actor=actor,
            fabrique=locked.agreement.fabrique,
            target=locked.agreement,
            action="funding.fundingagreement.deadline_done",
            old={"label": locked.label, "done_on": old.isoformat() if old else None},
            new={"label": locked.label, "done_on": done_on.isoformat() if done_on else None},
        )
    return locked


# --- funder reports ---------------------------------------------------------------------------------


class FunderReportFields(TypedDict, total=False):
    funder: Organization
    agreement: FundingAgreement | None
    title: str
    period_start: datetime.date
    period_end: datetime.date
    narratives: dict[str, str]


NARRATIVE_MAX = 20_000


def _check_report(*, fabrique: Fabrique, data: dict[str, Any]) -> dict[str, Any]:
    from .reports import NARRATIVES

    errors: dict[str, str] = {}
    funder, agreement = data.get("funder"), data.get("agreement")
    if funder is not None and (funder.fabrique_id != fabrique.pk or funder.deleted_at):
        errors["funder"] = _("Cette structure n'appartient pas à la fabrique.")
    if agreement is not None:
        if agreement.fabrique_id != fabrique.pk or agreement.deleted_at:
            errors["agreement"] = _("Cette convention n'appartient pas à la fabrique.")
        elif funder is not None and agreement.funder_id != funder.pk:
            errors["agreement"] = _("Cette convention est celle d'un autre financeur.")
    start, end = data.get("period_start"), data.get("period_end")
    if start and end and end < start:
        errors["period_end"] = _("La fin de la période doit suivre son début.")
    known = {key for key, _label in NARRATIVES}
    narratives = data.get("narratives") or {}
    if set(narratives) - known:
        errors["narratives"] = _("Partie de texte inconnue.")
    elif any(len(text) > NARRATIVE_MAX for text in narratives.values()):
        errors["narratives"] = _("Un texte dépasse %(max)s caractères.") % {"max": NARRATIVE_MAX}
    if errors:
        raise ValidationError(errors)
    if narratives:
        data["narratives"] = {k: str(v).strip() for k, v in narratives.items()}
    return data


def funder_report_create(
    *, fabrique: Fabrique, actor: User, **fields: Unpack[FunderReportFields]
) -> FunderReport:
    check_fields(fields, FunderReportFields)
    data = _check_report(fabrique=fabrique, data=dict(fields))
    return audited_create(instance=FunderReport(fabrique=fabrique, **data), actor=actor, fabrique=fabrique)


def funder_report_update(
    *, report: FunderReport, actor: User, **fields: Unpack[FunderReportFields]
) -> FunderReport:
    check_fields(fields, FunderReportFields)
    merged = {
        "funder": report.funder,
        "agreement": report.agreement,
        "period_start": report.period_start,
        "period_end": report.period_end,
        **fields,
    }
    data = _check_report(fabrique=report.fabrique, data=merged)
    updated, _changed = audited_update(
        instance=report, actor=actor, fabrique=report.fabrique, data={k: data[k] for k in fields}
    )
    return updated


def funder_report_generate(*, report: FunderReport, actor: User, enqueue: bool = True) -> FunderReportVersion:
    """A new version, pending; the task `generate_funder_report` fills it after the commit."""
    from functools import partial

    from django.db.models import Max

    if report.deleted_at is not None:
        raise DomainError(_("Ce rapport a été supprimé."))
    with transaction.atomic():
        locked = FunderReport.objects.select_for_update().get(pk=report.pk)
        running = locked.versions.filter(status__in=[ReportStatus.PENDING, ReportStatus.RUNNING])
        if running.filter(updated_at__gte=timezone.now() - STALE_AFTER).exists():
            raise DomainError(_("Une génération est déjà en cours : attendez qu'elle se termine."))
        number = (locked.versions.aggregate(n=Max("number"))["n"] or 0) + 1
        version = FunderReportVersion.objects.create(report=locked, number=number, requested_by=actor)
        audit_log(
            actor=actor,
            fabrique=locked.fabrique,
            target=locked,
            action="funding.funderreport.generated",
            new={"version": number},
        )
        if enqueue:
            transaction.on_commit(
                partial(_enqueue_generation, version_id=version.pk, fabrique_id=locked.fabrique_id)
            )
    return version


def _enqueue_generation(*, version_id: int, fabrique_id: int) -> None:
    from .tasks import generate_funder_report

    generate_funder_report.enqueue(version_id=version_id, fabrique_id=fabrique_id)


def _progress(version: FunderReportVersion, **values: Any) -> None:
    FunderReportVersion.objects.filter(pk=version.pk).update(**values, updated_at=timezone.now())
    for name, value in values.items():
        setattr(version, name, value)


def funder_report_version_execute(*, version_id: int) -> FunderReportVersion:
    """Compute the snapshot, then the PDF and the XLSX, saving progress as it goes. A failure is stored
    on the version (status failed, error) and raised for the task's retry."""
    from .reports import build_snapshot, render_pdf, render_xlsx

    version = FunderReportVersion.objects.select_related(
        "report__fabrique", "report__funder", "report__agreement"
    ).get(pk=version_id)
    if version.status == ReportStatus.DONE:
        return version
    report = version.report
    try:
        _progress(
            version, status=ReportStatus.RUNNING, progress=5, step=_("Calcul des indicateurs"), error=""
        )
        snapshot = version.snapshot if version.snapshot else build_snapshot(report)
        _progress(version, snapshot=snapshot, progress=50, step=_("Mise en page du PDF"))
        pdf = render_pdf(snapshot, logo_data_uri=_logo(report.fabrique))
        _progress(version, pdf=pdf, progress=85, step=_("Classeur XLSX"))
        xlsx = render_xlsx(snapshot)
        _progress(
            version,
            xlsx=xlsx,
            progress=100,
            step="",
            status=ReportStatus.DONE,
            finished_at=timezone.now(),
        )
    except Exception as exc:
        _progress(version, status=ReportStatus.FAILED, error=f"{type(exc).__name__}: {exc}"[:2000], step="")
        raise
    return version


def _logo(fabrique: Fabrique) -> str:
    """The fabrique's logo as a data: URI (the PDF renderer fetches nothing else), "" without one."""
    import base64
    import mimetypes

    if not fabrique.logo:
        return ""
    try:
        with fabrique.logo.open("rb") as handle:
            data = handle.read()
    except OSError:
        return ""
    mime = mimetypes.guess_type(fabrique.logo.name or "")[0] or "image/png"
    if mime not in ("image/png", "image/jpeg", "image/gif", "image/svg+xml", "image/webp"):
        return ""
    return f"data:{mime};base64,{base64.b64encode(data).decode()}"
