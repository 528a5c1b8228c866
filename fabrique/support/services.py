"""Writes of the support (accompagnement) of a selected leader.

Every function is keyword-only, atomic and audited. The plan's stage changes only through
`fabrique.core.workflow.transition`: started from a project whose leader is selected (the project
moves to in_support), completed when the enterprise is recorded (`fabrique.projects.outcome`),
stopped when the project stops or the support is interrupted, resumed while the project is still
in support.
"""

from __future__ import annotations

import calendar
import datetime
from collections.abc import Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Any, TypedDict, Unpack

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from fabrique.accounts.models import User
from fabrique.core.errors import ConflictError, DomainError, TransitionNotAllowed
from fabrique.core.services import audited_create, audited_update, check_fields, field_names
from fabrique.core.workflow import transition
from fabrique.directory.models import EcosystemRole, Organization, OrganizationKind
from fabrique.directory.selectors import roles_contain
from fabrique.fabriques.models import Membership, Role
from fabrique.projects.models import Project, ProjectStage

from .milestones import milestone_template, path_of
from .models import (
    DEFAULT_MILESTONES,
    ActivityKind,
    FundingLine,
    FundingStatus,
    Milestone,
    MilestoneStatus,
    Referral,
    SupportActivity,
    SupportPlan,
    SupportStage,
)

if TYPE_CHECKING:
    from fabrique.fabriques.models import Fabrique

# Proposed due date of each default milestone, in months after the start of the support.
DEFAULT_MILESTONE_MONTHS: tuple[int, ...] = (2, 4, 6, 8, 10, 12)
assert len(DEFAULT_MILESTONE_MONTHS) == len(DEFAULT_MILESTONES)

# Organisations a leader can be referred to, and organisations that can fund a project.
REFERRAL_KINDS = (
    OrganizationKind.SUPPORT_NETWORK,
    OrganizationKind.FUNDER,
    OrganizationKind.FOUNDATION,
    OrganizationKind.COOPERATIVE,
    OrganizationKind.OTHER,
)
REFERRAL_ROLES = (EcosystemRole.SUPPORT_NETWORK, EcosystemRole.FUNDER, EcosystemRole.PARTNER)
FUNDER_KINDS = (
    OrganizationKind.FUNDER,
    OrganizationKind.FOUNDATION,
    OrganizationKind.MUNICIPALITY,
    OrganizationKind.EPCI,
    OrganizationKind.DEPARTEMENT,
    OrganizationKind.OTHER,
)
FUNDER_ROLES = (EcosystemRole.FUNDER,)
STAFF_ROLES = (Role.ADMIN, Role.OFFICER)
MAX_MINUTES_PER_ACTIVITY = 24 * 60


class PlanFields(TypedDict, total=False):
    started_on: datetime.date | None
    officer: User | None
    objectives: str


class PlanStartFields(PlanFields, total=False):
    """`milestone_due_dates`: dates (or None) overriding the proposed due dates of the default
    milestones, in DEFAULT_MILESTONES order."""

    milestone_due_dates: list[datetime.date | None]


class MilestoneFields(TypedDict, total=False):
    title: str
    due_on: datetime.date | None
    status: str
    done_on: datetime.date | None
    notes: str


class ReferralFields(TypedDict, total=False):
    organization: Organization | None
    purpose: str
    referred_on: datetime.date | None
    outcome: str


class FundingFields(TypedDict, total=False):
    funder: Organization | None
    source_label: str
    amount: Decimal | int | None
    status: str
    requested_on: datetime.date | None
    decided_on: datetime.date | None


class ActivityFields(TypedDict, total=False):
    date: datetime.date | None
    kind: str
    summary: str
    minutes_spent: int | None


MILESTONE_FIELDS = field_names(MilestoneFields)
FUNDING_FIELDS = field_names(FundingFields)


# --- helpers ------------------------------------------------------------------------------------------


def add_months(day: datetime.date, months: int) -> datetime.date:
    """`day` plus `months` calendar months, the day clamped to the end of the target month."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return day.replace(year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1]))


def default_milestone_plan(
    started_on: datetime.date, *, project: Project | None = None
) -> list[tuple[str, datetime.date]]:
    """The proposed milestones (title, due date) from `started_on`: the project's path (creation or
    change of scale), in the fabrique's own list when it has one (`support.milestones`)."""
    if project is None:
        rows = [(str(t), m) for t, m in zip(DEFAULT_MILESTONES, DEFAULT_MILESTONE_MONTHS, strict=True)]
    else:
        rows = milestone_template(project.fabrique, path_of(project))
    return [(title, add_months(started_on, months)) for title, months in rows]


def _strip(data: dict[str, Any], *keys: str) -> dict[str, Any]:
    for key in keys:
        if isinstance(data.get(key), str):
            data[key] = data[key].strip()
    return data


def _not_in_future(errors: dict[str, Any], field: str, value: datetime.date | None, message: str) -> None:
    if value is not None and value > timezone.localdate():
        errors.setdefault(field, message)


def _raise(errors: dict[str, Any]) -> None:
    if errors:
        raise ValidationError(errors)


def _check_plan_alive(plan: SupportPlan) -> None:
    if plan.is_deleted:
        raise DomainError(_("Cet accompagnement a été supprimé."))


def staff_users_q(fabrique: Fabrique) -> Q:
    """Users who can carry a support plan: active admins and officers of the fabrique."""
    return Q(
        memberships__fabrique=fabrique,
        memberships__is_active=True,
        memberships__role__in=STAFF_ROLES,
        is_active=True,
    )


def _check_officer(fabrique: Fabrique, officer: User | None) -> None:
    if officer is None:
        return
    if not Membership.objects.filter(
        fabrique=fabrique, user=officer, is_active=True, role__in=STAFF_ROLES
    ).exists():
        raise ValidationError(
            {"officer": _("Choisissez un·e membre de l'équipe (administrateur·rice ou chargé·e de mission).")}
        )


def referral_organizations_q() -> Q:
    q = Q(kind__in=REFERRAL_KINDS)
    for role in REFERRAL_ROLES:
        q |= roles_contain(role)
    return q


def funder_organizations_q() -> Q:
    q = Q(kind__in=FUNDER_KINDS)
    for role in FUNDER_ROLES:
        q |= roles_contain(role)
    return q


def _check_organization(
    *, fabrique: Fabrique, organization: Organization | None, field: str, allowed: Q, message: str
) -> None:
    if organization is None:
        return
    ok = Organization.objects.filter(fabrique=fabrique, pk=organization.pk).filter(allowed).exists()
    if not ok:
        raise ValidationError({field: message})


# --- the plan -------------------------------------------------------------------------------------------


def support_plan_start(*, project: Project, actor: User, **fields: Unpack[PlanStartFields]) -> SupportPlan:
    """Start the support of the selected leader: the project moves from leader_selected to in_support.

    Fields: started_on (default today), officer (default the project's officer), objectives, and
    optionally `milestone_due_dates`, a list of dates (or None) overriding the proposed due dates of
    the proposed milestones (`support.milestones.milestone_template`), in their order.
    """
    data: dict[str, Any] = dict(fields)
    data = _strip(dict(data), "objectives")
    due_overrides = list(data.pop("milestone_due_dates", None) or [])
    check_fields(data, PlanFields)
    fabrique = project.fabrique
    started_on = data.get("started_on") or timezone.localdate()
    if "officer" in data:
        officer = data["officer"]
        _check_officer(fabrique, officer)
    else:  # the project's officer, when they can still carry it
        officer = project.officer
        if officer is not None and not User.objects.filter(staff_users_q(fabrique), pk=officer.pk).exists():
            officer = None
    errors: dict[str, Any] = {}
    proposed = default_milestone_plan(started_on, project=project)
    milestones = []
    for index, (title, due_on) in enumerate(proposed):
        override = due_overrides[index] if index < len(due_overrides) else None
        if override is not None and override < started_on:
            errors.setdefault(
                f"milestone_{index}",
                _("L'échéance du jalon « %(title)s » ne peut pas précéder le début de l'accompagnement.")
                % {"title": title},
            )
        milestones.append((title, override or due_on))
    _raise(errors)
    with transaction.atomic():
        locked = Project.objects.select_for_update().get(pk=project.pk)
        if locked.stage != ProjectStage.LEADER_SELECTED:
            raise TransitionNotAllowed(
                _("L'accompagnement ne peut commencer que pour un projet dont le porteur est choisi.")
            )
        if SupportPlan.all_objects.filter(project=locked).exists():
            raise ConflictError(_("Ce projet a déjà un accompagnement."))
        plan = audited_create(
            instance=SupportPlan(
                fabrique=fabrique,
                project=locked,
                officer=officer,
                started_on=started_on,
                objectives=data.get("objectives", ""),
            ),
            actor=actor,
            fabrique=fabrique,
        )
        for order, (title, due_on) in enumerate(milestones, start=1):
            audited_create(
                instance=Milestone(plan=plan, title=title, due_on=due_on, order=order),
                actor=actor,
                fabrique=fabrique,
            )
        # the locked row, not the caller's instance: if a step fails, the caller's object is untouched
        transition(instance=locked, to=ProjectStage.IN_SUPPORT, actor=actor)
    project.stage, project.stage_changed_at = locked.stage, locked.stage_changed_at
    return plan


def support_plan_update(*, plan: SupportPlan, actor: User, **fields: Unpack[PlanFields]) -> SupportPlan:
    """Change the start date, the officer or the objectives (milestones keep their own dates)."""
    data: dict[str, Any] = dict(fields)
    check_fields(data, PlanFields)
    _check_plan_alive(plan)
    data = _strip(dict(data), "objectives")
    if "started_on" in data and not data["started_on"]:
        raise ValidationError({"started_on": _("Indiquez la date de début de l'accompagnement.")})
    if "officer" in data:
        _check_officer(plan.fabrique, data["officer"])
    plan, _changed = audited_update(instance=plan, actor=actor, fabrique=plan.fabrique, data=data)
    return plan


def support_plan_stop(*, plan: SupportPlan, actor: User, reason: str) -> SupportPlan:
    """Interrupt the support (the project stopped, or the leader paused). No-op if already stopped."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Indiquez le motif de l'interruption.")})
    _check_plan_alive(plan)
    return transition(
        instance=plan, to=SupportStage.STOPPED, actor=actor, note=reason, extra={"stop_reason": reason}
    )


def support_plan_resume(*, plan: SupportPlan, actor: User, note: str = "") -> SupportPlan:
    """Resume an interrupted support, while its project is still in support."""
    _check_plan_alive(plan)
    with transaction.atomic():
        project = Project.objects.select_for_update().get(pk=plan.project_id)
        if project.stage != ProjectStage.IN_SUPPORT:
            raise TransitionNotAllowed(
                _("L'accompagnement ne peut reprendre que si le projet est toujours en accompagnement.")
            )
        return transition(
            instance=plan, to=SupportStage.ACTIVE, actor=actor, note=note.strip(), extra={"stop_reason": ""}
        )


def support_plan_complete(*, plan: SupportPlan, actor: User, note: str = "") -> SupportPlan:
    """The enterprise is created: the support ends. Called by `projects.outcome.project_record_creation`."""
    _check_plan_alive(plan)
    if plan.stage == SupportStage.STOPPED:
        raise TransitionNotAllowed(
            _("L'accompagnement est interrompu : reprenez-le avant d'enregistrer la création.")
        )
    return transition(instance=plan, to=SupportStage.COMPLETED, actor=actor, note=note)


# --- milestones -----------------------------------------------------------------------------------------


def _milestone_errors(*, plan: SupportPlan, values: Mapping[str, Any]) -> dict[str, Any]:
    errors: dict[str, Any] = {}
    if not (values.get("title") or "").strip():
        errors["title"] = _("Indiquez l'intitulé du jalon.")
    due_on = values.get("due_on")
    if due_on is not None and due_on < plan.started_on:
        errors["due_on"] = _("L'échéance ne peut pas précéder le début de l'accompagnement (%(date)s).") % {
            "date": plan.started_on.strftime("%d/%m/%Y")
        }
    status = values.get("status") or MilestoneStatus.TODO
    done_on = values.get("done_on")
    if status != MilestoneStatus.DONE and done_on is not None:
        errors["done_on"] = _("La date de réalisation ne s'indique que pour un jalon fait.")
    _not_in_future(errors, "done_on", done_on, _("La date de réalisation ne peut pas être dans le futur."))
    return errors


def milestone_create(*, plan: SupportPlan, actor: User, **fields: Unpack[MilestoneFields]) -> Milestone:
    data: dict[str, Any] = dict(fields)
    check_fields(data, MilestoneFields)
    _check_plan_alive(plan)
    values = _strip({"status": MilestoneStatus.TODO, **data}, "title", "notes")
    if values["status"] == MilestoneStatus.DONE and not values.get("done_on"):
        values["done_on"] = timezone.localdate()
    _raise(_milestone_errors(plan=plan, values=values))
    with transaction.atomic():
        SupportPlan.objects.select_for_update().get(pk=plan.pk)
        order = (plan.milestones.aggregate(top=Max("order"))["top"] or 0) + 1
        return audited_create(
            instance=Milestone(plan=plan, order=order, **values), actor=actor, fabrique=plan.fabrique
        )


def milestone_update(*, milestone: Milestone, actor: User, **fields: Unpack[MilestoneFields]) -> Milestone:
    """Change a milestone; marking it done without a date records today."""
    data: dict[str, Any] = dict(fields)
    check_fields(data, MilestoneFields)
    plan = milestone.plan
    _check_plan_alive(plan)
    data = _strip(dict(data), "title", "notes")
    values = {name: getattr(milestone, name) for name in MILESTONE_FIELDS} | data
    if values["status"] == MilestoneStatus.DONE and not values.get("done_on"):
        data["done_on"] = values["done_on"] = timezone.localdate()
    _raise(_milestone_errors(plan=plan, values=values))
    milestone, _changed = audited_update(instance=milestone, actor=actor, fabrique=plan.fabrique, data=data)
    return milestone


# --- referrals ------------------------------------------------------------------------------------------


def referral_create(*, plan: SupportPlan, actor: User, **fields: Unpack[ReferralFields]) -> Referral:
    """Refer the leader to a partner support network (or funder) of the directory."""
    data: dict[str, Any] = dict(fields)
    check_fields(data, ReferralFields)
    _check_plan_alive(plan)
    values = _strip(dict(data), "purpose", "outcome")
    errors: dict[str, Any] = {}
    if values.get("organization") is None:
        errors["organization"] = _("Choisissez la structure vers laquelle le porteur est orienté.")
    if not values.get("purpose"):
        errors["purpose"] = _("Indiquez l'objet de l'orientation.")
    if not values.get("referred_on"):
        errors["referred_on"] = _("Indiquez la date de l'orientation.")
    _not_in_future(
        errors,
        "referred_on",
        values.get("referred_on"),
        _("La date de l'orientation ne peut pas être dans le futur."),
    )
    _raise(errors)
    _check_organization(
        fabrique=plan.fabrique,
        organization=values["organization"],
        field="organization",
        allowed=referral_organizations_q(),
        message=_("Choisissez un réseau d'accompagnement, un financeur ou un partenaire de l'annuaire."),
    )
    return audited_create(instance=Referral(plan=plan, **values), actor=actor, fabrique=plan.fabrique)


# --- funding plan ---------------------------------------------------------------------------------------


def _funding_errors(values: Mapping[str, Any]) -> dict[str, Any]:
    errors: dict[str, Any] = {}
    amount = values.get("amount")
    if amount is None:
        errors["amount"] = _("Indiquez le montant.")
    elif Decimal(amount) <= 0:
        errors["amount"] = _("Le montant doit être supérieur à zéro.")
    if values.get("funder") is None and not values.get("source_label"):
        errors["source_label"] = _(
            "Choisissez un financeur de l'annuaire ou indiquez la source du financement."
        )
    status = values.get("status")
    if status not in FundingStatus.values:
        errors["status"] = _("Statut inconnu.")
    requested_on, decided_on = values.get("requested_on"), values.get("decided_on")
    if status == FundingStatus.PLANNED and requested_on is not None:
        errors["requested_on"] = _("Un financement envisagé n'a pas encore de date de demande.")
    if status in (FundingStatus.PLANNED, FundingStatus.REQUESTED) and decided_on is not None:
        errors["decided_on"] = _(
            "La date de décision ne s'indique que pour un financement accordé ou refusé."
        )
    _not_in_future(
        errors, "requested_on", requested_on, _("La date de demande ne peut pas être dans le futur.")
    )
    _not_in_future(errors, "decided_on", decided_on, _("La date de décision ne peut pas être dans le futur."))
    if requested_on and decided_on and decided_on < requested_on:
        errors.setdefault("decided_on", _("La décision ne peut pas précéder la demande."))
    return errors


def _funding_values(data: Mapping[str, Any]) -> dict[str, Any]:
    values = _strip(dict(data), "source_label")
    if values.get("funder") is not None and not values.get("source_label"):
        values["source_label"] = values["funder"].name[:200]
    return values


def funding_create(*, plan: SupportPlan, actor: User, **fields: Unpack[FundingFields]) -> FundingLine:
    """Add a line to the funding plan: a funder of the directory or a free source label."""
    data: dict[str, Any] = dict(fields)
    check_fields(data, FundingFields)
    _check_plan_alive(plan)
    values = _funding_values({"status": FundingStatus.REQUESTED, **data})
    _raise(_funding_errors(values))
    _check_organization(
        fabrique=plan.fabrique,
        organization=values.get("funder"),
        field="funder",
        allowed=funder_organizations_q(),
        message=_("Choisissez un financeur de l'annuaire de la fabrique."),
    )
    return audited_create(instance=FundingLine(plan=plan, **values), actor=actor, fabrique=plan.fabrique)


def funding_update(*, line: FundingLine, actor: User, **fields: Unpack[FundingFields]) -> FundingLine:
    data: dict[str, Any] = dict(fields)
    check_fields(data, FundingFields)
    plan = line.plan
    _check_plan_alive(plan)
    data = _funding_values(data)
    values = {name: getattr(line, name) for name in FUNDING_FIELDS} | data
    _raise(_funding_errors(values))
    if "funder" in data:
        _check_organization(
            fabrique=plan.fabrique,
            organization=data["funder"],
            field="funder",
            allowed=funder_organizations_q(),
            message=_("Choisissez un financeur de l'annuaire de la fabrique."),
        )
    line, _changed = audited_update(instance=line, actor=actor, fabrique=plan.fabrique, data=data)
    return line


# --- time spent -----------------------------------------------------------------------------------------


def activity_create(*, plan: SupportPlan, actor: User, **fields: Unpack[ActivityFields]) -> SupportActivity:
    """Log a meeting, call, workshop or work on a document, with the time it took."""
    data: dict[str, Any] = dict(fields)
    check_fields(data, ActivityFields)
    _check_plan_alive(plan)
    values = _strip({"kind": ActivityKind.MEETING, **data}, "summary")
    errors: dict[str, Any] = {}
    if not values.get("date"):
        errors["date"] = _("Indiquez la date.")
    _not_in_future(errors, "date", values.get("date"), _("La date ne peut pas être dans le futur."))
    if not values.get("summary"):
        errors["summary"] = _("Résumez l'échange ou le travail fait.")
    minutes = values.get("minutes_spent")
    if minutes is None or minutes <= 0:
        errors["minutes_spent"] = _("Le temps passé doit être supérieur à zéro.")
    elif minutes > MAX_MINUTES_PER_ACTIVITY:
        errors["minutes_spent"] = _("Le temps passé ne peut pas dépasser 24 heures pour une même entrée.")
    _raise(errors)
    return audited_create(
        instance=SupportActivity(plan=plan, by=actor, **values), actor=actor, fabrique=plan.fabrique
    )
