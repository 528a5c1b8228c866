"""Hand-over of a need or a project to another fabrique of the network: offer, withdraw, accept, refuse.

Every step is atomic and audited on BOTH sides (one entry with the sender as fabrique, one with the
receiver), so each team's journal tells the story. The staff of each side are notified and, once a
hand-over is accepted, the reporters who agreed to be informed receive an e-mail (event handlers,
`handlers.py` and `notifications.outside`).

Tenant invariants on acceptance (the object changes fabrique; nothing may keep pointing from the
receiver's rows to the sender's tenant-scoped rows, nor the other way round):

- MOVES with the object: the need's reports (their evidence documents are served by the report's
  fabrique, so they follow), the report-merge history and grouping features of those reports, and for
  a project its needs (with their reports) when no other project of the sender answers them. The
  audit history moves by itself: a timeline is read by target, whatever the fabrique of its entries.
- RENUMBERED: the object and its reports get the receiver's next references (references are unique
  per fabrique); the sender's reference is kept in the trace and in the audit entries.
- DETACHED (set to nothing): the chantier (a chantier of the sender), the officer (a member of the
  sender's team), the directory entries of the reporters and of the leader (the sender's directory;
  the reporter's own contact fields stay on the report), the project's origin study (it stays with
  the sender, which keeps its conclusion), a moved need's link to the sender's studies.
- MAPPED: qualification scores follow when the receiver has a criterion with the same code, and are
  dropped otherwise (the criteria grid belongs to each fabrique); the trace lists what was dropped.
- STAY with the sender as its history: committee decisions taken on the object, the staff's follows
  (removed for the object), the pair decisions the grouping learnt from the moved reports (deleted:
  they are the sender's learning data and would point at rows it no longer has).

What may be offered (otherwise the offer is refused with a French message):
- a need that is not yet in a study nor answered by a project, and not on the agenda of a planned
  committee meeting;
- a project still looking for its leader, without a call for leaders, a chosen leader, a support
  plan or an enterprise (recruitment, applications and support are the receiving team's work).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Model, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from fabrique.audit.services import audit_log
from fabrique.committees.models import AgendaItem, MeetingStatus
from fabrique.core.errors import DomainError
from fabrique.core.limits import LONG_TEXT
from fabrique.core.references import next_reference
from fabrique.fabriques.models import Fabrique, Permission
from fabrique.grouping.models import PairDecision
from fabrique.needs.models import (
    Criterion,
    CriterionScore,
    GroupingProposal,
    Need,
    NeedReport,
    NeedStage,
    ProposalStatus,
    ReportFeatures,
    ReportMerge,
)
from fabrique.notifications.models import Follow
from fabrique.projects.models import Project, ProjectStage

from .models import HandOver, HandOverKind, HandOverStatus

if TYPE_CHECKING:
    from fabrique.accounts.models import User

NEED_STAGES_OFFERABLE = (
    NeedStage.NEW,
    NeedStage.QUALIFYING,
    NeedStage.MORE_EVIDENCE,
    NeedStage.RETAINED,
    NeedStage.NOT_RETAINED,
)


def _check_reason(reason: str, field: str = "reason") -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({field: _("Indiquez le motif.")})
    if len(reason) > LONG_TEXT:
        raise ValidationError({field: _("Le motif est trop long.")})
    return reason


def _on_planned_agenda(target: Model) -> bool:
    return AgendaItem.objects.filter(
        target_type=ContentType.objects.get_for_model(type(target)),
        target_id=target.pk,
        meeting__status=MeetingStatus.PLANNED,
    ).exists()


def need_offer_refusal(need: Need) -> str:
    """Why this need cannot be offered ("" when it can)."""
    if need.stage not in NEED_STAGES_OFFERABLE:
        return _(
            "Seul un besoin qui n'est ni à l'étude, ni couvert par un projet, ni clos peut être transmis."
        )
    if need.studies.exists() or need.projects.exists():
        return _("Ce besoin est lié à une étude ou à un projet : transmettez plutôt le projet.")
    if _on_planned_agenda(need):
        return _(
            "Ce besoin est à l'ordre du jour d'une séance prévue : retirez-le de l'ordre du jour d'abord."
        )
    return ""


def project_offer_refusal(project: Project) -> str:
    """Why this project cannot be offered ("" when it can)."""
    if project.stage != ProjectStage.SEEKING_LEADER or project.has_leader:
        return _("Seul un projet qui cherche encore son porteur peut être transmis.")
    if project.calls.exists() or project.applications.exists():
        return _(
            "Ce projet a déjà un appel à porteurs ou des candidatures : la fabrique qui les a reçus les mène à terme."
        )
    if hasattr(project, "support_plan") or hasattr(project, "enterprise"):
        return _("Ce projet est déjà accompagné.")
    if _on_planned_agenda(project):
        return _(
            "Ce projet est à l'ordre du jour d'une séance prévue : retirez-le de l'ordre du jour d'abord."
        )
    return ""


def _log_both(
    *, handover: HandOver, actor: User, action: str, new: dict[str, Any] | None = None, note: str = ""
) -> None:
    """The same event in the journal of each side."""
    for fabrique in (handover.from_fabrique, handover.to_fabrique):
        audit_log(actor=actor, fabrique=fabrique, target=handover, action=action, new=new or {}, note=note)


def _is_admin(user: User, fabrique: Fabrique) -> bool:
    membership = fabrique.memberships.filter(user=user, is_active=True).first()
    return bool(membership and membership.has_permission(Permission.MANAGE))


def handover_offer(
    *, fabrique: Fabrique, actor: User, target: Need | Project, to_fabrique: Fabrique, reason: str
) -> HandOver:
    """Offer `target` (a need or a project of `fabrique`) to `to_fabrique`, with the reason."""
    reason = _check_reason(reason)
    if not _is_admin(actor, fabrique):
        raise DomainError(_("Seul·e un·e administrateur·rice de la fabrique peut transmettre un dossier."))
    if to_fabrique.pk == fabrique.pk or not to_fabrique.is_active:
        raise ValidationError({"to_fabrique": _("Choisissez une autre fabrique active du réseau.")})
    with transaction.atomic():
        model = type(target)
        locked = model.objects.select_for_update().filter(pk=target.pk, fabrique=fabrique).first()
        if locked is None:
            raise DomainError(_("Ce dossier n'appartient pas à la fabrique."))
        refusal = need_offer_refusal(locked) if isinstance(locked, Need) else project_offer_refusal(locked)
        if refusal:
            raise DomainError(refusal)
        kind = HandOverKind.NEED if isinstance(locked, Need) else HandOverKind.PROJECT
        if HandOver.objects.filter(status=HandOverStatus.OFFERED, **{kind: locked}).exists():
            raise DomainError(
                _("Ce dossier est déjà proposé à une fabrique : attendez sa réponse ou retirez l'offre.")
            )
        handover = HandOver.objects.create(
            from_fabrique=fabrique,
            to_fabrique=to_fabrique,
            kind=kind,
            need=locked if isinstance(locked, Need) else None,
            project=locked if isinstance(locked, Project) else None,
            title=locked.title,
            sender_reference=locked.reference,
            reason=reason,
            offered_by=actor,
        )
        _log_both(
            handover=handover,
            actor=actor,
            action="handover.handover.offered",
            new={"objet": str(locked), "de": fabrique.name, "à": to_fabrique.name, "motif": reason},
        )
        audit_log(
            actor=actor,
            fabrique=fabrique,
            target=locked,
            action=f"{locked._meta.app_label}.{locked._meta.model_name}.handover_offered",
            new={"à": to_fabrique.name, "motif": reason},
        )
    return handover


def _locked_open(handover: HandOver) -> HandOver:
    locked = (
        HandOver.objects.select_for_update()
        .select_related("from_fabrique", "to_fabrique")
        .get(pk=handover.pk)
    )
    if locked.status != HandOverStatus.OFFERED:
        raise DomainError(_("Cette transmission a déjà reçu une réponse."))
    return locked


def handover_withdraw(*, handover: HandOver, actor: User) -> HandOver:
    """The sender takes its offer back (before any answer)."""
    with transaction.atomic():
        locked = _locked_open(handover)
        if not _is_admin(actor, locked.from_fabrique):
            raise DomainError(
                _("Seul·e un·e administrateur·rice de la fabrique qui transmet peut retirer l'offre.")
            )
        locked.status = HandOverStatus.WITHDRAWN
        locked.answered_by = actor
        locked.answered_at = timezone.now()
        locked.save(update_fields=["status", "answered_by", "answered_at", "updated_at"])
        _log_both(handover=locked, actor=actor, action="handover.handover.withdrawn")
    return locked


def handover_refuse(*, handover: HandOver, actor: User, reason: str) -> HandOver:
    """The receiver's admins refuse, with the reason: nothing moves."""
    reason = _check_reason(reason, "answer_reason")
    with transaction.atomic():
        locked = _locked_open(handover)
        if not _is_admin(actor, locked.to_fabrique):
            raise DomainError(_("Seul·e un·e administrateur·rice de la fabrique destinataire peut répondre."))
        locked.status = HandOverStatus.REFUSED
        locked.answered_by = actor
        locked.answered_at = timezone.now()
        locked.answer_reason = reason
        locked.save(update_fields=["status", "answered_by", "answered_at", "answer_reason", "updated_at"])
        _log_both(handover=locked, actor=actor, action="handover.handover.refused", new={"motif": reason})
    return locked


def handover_accept(*, handover: HandOver, actor: User, reason: str = "") -> HandOver:
    """The receiver's admins accept: the object moves (see the module's docstring), atomically."""
    reason = (reason or "").strip()[:LONG_TEXT]
    with transaction.atomic():
        locked = _locked_open(handover)
        if not _is_admin(actor, locked.to_fabrique):
            raise DomainError(_("Seul·e un·e administrateur·rice de la fabrique destinataire peut répondre."))
        sender, receiver = locked.from_fabrique, locked.to_fabrique
        if locked.kind == HandOverKind.NEED:
            assert locked.need_id is not None
            need = Need.objects.select_for_update().get(pk=locked.need_id, fabrique=sender)
            refusal = need_offer_refusal(need)
            if refusal:
                raise DomainError(refusal)
            trace = {"besoin": _move_need(need, sender=sender, receiver=receiver)}
            new_reference = need.reference
        else:
            assert locked.project_id is not None
            project = Project.objects.select_for_update().get(pk=locked.project_id, fabrique=sender)
            refusal = project_offer_refusal(project)
            if refusal:
                raise DomainError(refusal)
            trace = _move_project(project, sender=sender, receiver=receiver)
            new_reference = project.reference
        locked.status = HandOverStatus.ACCEPTED
        locked.answered_by = actor
        locked.answered_at = timezone.now()
        locked.answer_reason = reason
        locked.receiver_reference = new_reference
        locked.trace = trace
        locked.save(
            update_fields=[
                "status",
                "answered_by",
                "answered_at",
                "answer_reason",
                "receiver_reference",
                "trace",
                "updated_at",
            ]
        )
        _log_both(
            handover=locked,
            actor=actor,
            action="handover.handover.accepted",
            new={"référence d'origine": locked.sender_reference, "nouvelle référence": new_reference},
            note=reason,
        )
        target = locked.target
        assert target is not None
        audit_log(
            actor=actor,
            fabrique=receiver,
            target=target,
            action=f"{target._meta.app_label}.{target._meta.model_name}.handed_over",
            old={"fabrique": sender.name, "référence": locked.sender_reference},
            new={"fabrique": receiver.name, "référence": new_reference},
        )
    return locked


def _forget_follows(target: Model) -> None:
    Follow.objects.filter(
        target_type=ContentType.objects.get_for_model(type(target)), target_id=str(target.pk)
    ).delete()


def _move_need(need: Need, *, sender: Fabrique, receiver: Fabrique) -> dict[str, Any]:
    """Move one need and its reports to `receiver` (inside the caller's transaction)."""
    trace: dict[str, Any] = {
        "référence": need.reference,
        "intitulé": need.title,
        "étape": str(need.get_stage_display()),
        "chantier détaché": str(need.workstream) if need.workstream_id else "",
        "chargé·e détaché·e": str(need.officer) if need.officer_id else "",
    }
    # scores: mapped to the receiver's criterion of the same code, dropped otherwise
    receiver_criteria = {c.code: c for c in Criterion.objects.filter(fabrique=receiver)}
    dropped = []
    for score in CriterionScore.objects.filter(need=need).select_related("criterion"):
        twin = receiver_criteria.get(score.criterion.code)
        if twin is None or CriterionScore.objects.filter(need=need, criterion=twin).exists():
            dropped.append(str(score.criterion.label))
            score.delete()
        else:
            score.criterion = twin
            score.save(update_fields=["criterion", "updated_at"])
    trace["notes de qualification non reprises"] = dropped
    # reports: renumbered, detached from the sender's directory
    reports = list(NeedReport.all_objects.select_for_update().filter(need=need).order_by("created_at", "pk"))
    moved_reports = []
    for report in reports:
        old_reference = report.reference
        report.fabrique = receiver
        report.reference = next_reference(model=NeedReport, fabrique=receiver, prefix="S")
        report.reporter_person = None
        report.reporter_organization = None
        report.save(
            update_fields=["fabrique", "reference", "reporter_person", "reporter_organization", "updated_at"]
        )
        moved_reports.append(f"{old_reference} → {report.reference}")
    report_ids = [r.pk for r in reports]
    ReportFeatures.objects.filter(report_id__in=report_ids).update(fabrique=receiver)
    now = timezone.now()
    # merges into this need move with it; merges of its reports into the sender's other needs are
    # the sender's history: withdrawn (soft-deleted) so that no undo can pull a report back
    ReportMerge.all_objects.filter(to_need=need).update(fabrique=receiver)
    ReportMerge.all_objects.filter(report_id__in=report_ids).exclude(to_need=need).update(deleted_at=now)
    # the sender's grouping learnt from these reports: its pair decisions and open proposals withdrawn
    PairDecision.all_objects.filter(Q(report_a_id__in=report_ids) | Q(report_b_id__in=report_ids)).update(
        deleted_at=now
    )
    GroupingProposal.all_objects.filter(need=need, status=ProposalStatus.PROPOSED).update(deleted_at=now)
    trace["signalements"] = moved_reports
    # the need itself
    need.fabrique = receiver
    need.reference = next_reference(model=Need, fabrique=receiver, prefix="B")
    need.workstream = None
    need.officer = None
    need.save(update_fields=["fabrique", "reference", "workstream", "officer", "updated_at"])
    need.studies.clear()
    _forget_follows(need)
    trace["nouvelle référence"] = need.reference
    return trace


def _move_project(project: Project, *, sender: Fabrique, receiver: Fabrique) -> dict[str, Any]:
    trace: dict[str, Any] = {
        "référence": project.reference,
        "intitulé": project.title,
        "étude d'origine (restée chez l'expéditrice)": str(project.study) if project.study_id else "",
        "chantier détaché": str(project.workstream) if project.workstream_id else "",
        "chargé·e détaché·e": str(project.officer) if project.officer_id else "",
    }
    needs_moved, needs_kept = [], []
    for need in Need.objects.select_for_update().filter(projects=project, fabrique=sender):
        if need.projects.exclude(pk=project.pk).exists():
            project.needs.remove(need)  # another project of the sender still answers it
            needs_kept.append(str(need))
        else:
            needs_moved.append(_move_need(need, sender=sender, receiver=receiver))
    trace["besoins transmis"] = needs_moved
    trace["besoins restés (un autre projet y répond)"] = needs_kept
    project.fabrique = receiver
    project.reference = next_reference(model=Project, fabrique=receiver, prefix="P")
    project.study = None
    project.workstream = None
    project.officer = None
    project.save(update_fields=["fabrique", "reference", "study", "workstream", "officer", "updated_at"])
    _forget_follows(project)
    trace["nouvelle référence"] = project.reference
    return trace
