"""The outcome of a project: the enterprise (or new activity) created, and its follow-up at +1 and +3 years.

`project_record_creation` is the only way a project reaches the stage "created": in one
transaction it validates the enterprise, optionally links or creates its directory entry,
inserts the Enterprise row, moves the project from in_support to created and completes the
support plan — all audited, all or nothing.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any, TypedDict, Unpack

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from stdnum import exceptions as stdnum_exceptions
from stdnum.fr import siret as stdnum_siret

from fabrique.core.errors import ConflictError, DomainError, TransitionNotAllowed
from fabrique.core.services import audited_create, audited_update, field_names
from fabrique.core.workflow import transition
from fabrique.directory.models import Organization, OrganizationKind
from fabrique.directory.services import organization_create
from fabrique.support.models import SupportPlan, SupportStage
from fabrique.support.services import support_plan_complete

from .models import Enterprise, FollowUp, FollowUpHorizon, LegalForm, Project, ProjectStage

if TYPE_CHECKING:
    from fabrique.accounts.models import User
    from fabrique.fabriques.models import Fabrique
    from fabrique.territories.models import Commune


class EnterpriseFields(TypedDict, total=False):
    """The enterprise (or new activity) created by a project."""

    legal_name: str
    legal_form: str
    siret: str
    created_on: datetime.date | None
    jobs_fte: Decimal | float | str | None
    commune: Commune | None
    website: str
    organization: Organization | None


class EnterpriseCreationFields(EnterpriseFields, total=False):
    """`create_organization=True` creates the enterprise's directory entry."""

    create_organization: bool


class FollowUpFields(TypedDict, total=False):
    horizon: str
    observed_on: datetime.date | None
    still_active: bool
    jobs_fte: Decimal | float | str | None
    notes: str


ENTERPRISE_FIELDS = field_names(EnterpriseFields)
FOLLOWUP_FIELDS = field_names(FollowUpFields)
# audit action of the project's transition to "created" ("projects.project.created" means its insertion)
ENTERPRISE_CREATED_ACTION = "projects.project.enterprise_created"
# directory kind of the organisation created for an enterprise, by legal form
ORGANIZATION_KIND_BY_LEGAL_FORM = {
    LegalForm.ASSOCIATION: OrganizationKind.ASSOCIATION,
    LegalForm.SCOP: OrganizationKind.COOPERATIVE,
    LegalForm.SCIC: OrganizationKind.COOPERATIVE,
    LegalForm.COOPERATIVE: OrganizationKind.COOPERATIVE,
    LegalForm.SAS_ESUS: OrganizationKind.COMPANY,
    LegalForm.SARL_ESUS: OrganizationKind.COMPANY,
    LegalForm.COMPANY: OrganizationKind.COMPANY,
}
FOLLOWUP_YEARS: dict[str, int] = {FollowUpHorizon.ONE_YEAR: 1, FollowUpHorizon.THREE_YEARS: 3}
# The window in which a follow-up counts for its horizon, in months after the creation date
# (bounds included): "+1 year" between 9 and 18 months, "+3 years" between 30 and 48 months. Wide
# enough for a meeting that slips by a season, narrow enough that the two horizons never overlap
# and a point taken on the creation day is never mistaken for a one-year follow-up.
FOLLOWUP_WINDOW_MONTHS: dict[str, tuple[int, int]] = {
    FollowUpHorizon.ONE_YEAR: (9, 18),
    FollowUpHorizon.THREE_YEARS: (30, 48),
}


# --- validation ---------------------------------------------------------------------------------------


def siret_compact(value: str | None) -> str:
    """ "732 829 320 00074" -> "73282932000074"."""
    return stdnum_siret.compact(value or "")


def siret_error(value: str) -> str | None:
    """A French message when `value` (compacted) is not a valid SIRET, else None."""
    try:
        stdnum_siret.validate(value)
    except stdnum_exceptions.InvalidChecksum:
        return _("Le numéro SIRET %(value)s n'est pas valide (clé de contrôle incorrecte).") % {
            "value": value
        }
    except stdnum_exceptions.ValidationError:
        return _("Le numéro SIRET doit comporter 14 chiffres (ici « %(value)s »).") % {"value": value}
    return None


def _fte(value: object) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value).replace(",", "."))
    except InvalidOperation:
        return Decimal("NaN")


def _jobs_error(value: Decimal | None, *, required: bool) -> str | None:
    if value is None:
        return _("Indiquez le nombre d'emplois en ETP (0 si aucun).") if required else None
    if value.is_nan():
        return _("Indiquez un nombre, par exemple 2,5.")
    if value < 0:
        return _("Le nombre d'emplois ne peut pas être négatif.")
    if value > Decimal("99999.9"):
        return _("Le nombre d'emplois est trop grand.")
    return None


def enterprise_clean(data: Mapping[str, Any], *, fabrique: Fabrique) -> dict[str, Any]:
    """Normalised enterprise values, or a ValidationError keyed by field with French messages."""
    values = dict(data)
    for key in ("legal_name", "website"):
        if isinstance(values.get(key), str):
            values[key] = values[key].strip()
    values["siret"] = siret_compact(values.get("siret"))
    values["jobs_fte"] = _fte(values.get("jobs_fte"))
    errors: dict[str, Any] = {}
    if not values.get("legal_name"):
        errors["legal_name"] = _("Indiquez la dénomination de l'entreprise ou de l'activité créée.")
    legal_form = values.get("legal_form")
    if legal_form not in LegalForm.values:
        errors["legal_form"] = _("Choisissez la forme juridique.")
    if values["siret"]:
        message = siret_error(values["siret"])
        if message:
            errors["siret"] = message
    elif legal_form != LegalForm.NEW_ACTIVITY:
        errors["siret"] = _(
            "Indiquez le numéro SIRET (il n'est facultatif que pour la nouvelle activité d'une structure existante)."
        )
    created_on = values.get("created_on")
    if not created_on:
        errors["created_on"] = _("Indiquez la date de création.")
    elif created_on > timezone.localdate():
        errors["created_on"] = _("La date de création ne peut pas être dans le futur.")
    message = _jobs_error(values["jobs_fte"], required=True)
    if message:
        errors["jobs_fte"] = message
    organization = values.get("organization")
    if organization is not None and (organization.fabrique_id != fabrique.pk or organization.is_deleted):
        errors["organization"] = _("Cette structure n'appartient pas à l'annuaire de la fabrique.")
    if errors:
        raise ValidationError(errors)
    return values


# --- creation -----------------------------------------------------------------------------------------


def _create_directory_entry(*, fabrique: Fabrique, actor: User, values: Mapping[str, Any]) -> Organization:
    return organization_create(
        fabrique=fabrique,
        actor=actor,
        name=values["legal_name"],
        kind=ORGANIZATION_KIND_BY_LEGAL_FORM.get(values["legal_form"], OrganizationKind.OTHER),
        siren=values["siret"][:9],
        commune=values.get("commune"),
        website=values.get("website", ""),
    )


def project_record_creation(
    *, project: Project, actor: User, **fields: Unpack[EnterpriseCreationFields]
) -> Enterprise:
    """Record the enterprise created by a project in support; the project becomes "created".

    Fields: legal_name, legal_form, siret (optional only for a new activity of an existing
    structure), created_on (not in the future), jobs_fte (>= 0), commune, website, and either
    `organization` (an existing directory entry) or `create_organization=True` (create one).
    The support plan, if any, is completed. One transaction: if any step fails, nothing is saved.
    """
    data: dict[str, Any] = dict(fields)
    create_organization = bool(data.pop("create_organization", False))
    unknown = set(data) - ENTERPRISE_FIELDS
    if unknown:
        raise TypeError(f"Unknown fields: {', '.join(sorted(unknown))}")
    fabrique = project.fabrique
    values = enterprise_clean(data, fabrique=fabrique)
    if create_organization and values.get("organization") is not None:
        raise ValidationError(
            {
                "create_organization": _(
                    "Choisissez une fiche existante ou demandez sa création, pas les deux."
                )
            }
        )
    with transaction.atomic():
        locked = Project.objects.select_for_update().get(pk=project.pk)
        if locked.is_deleted:
            raise DomainError(_("Ce projet a été supprimé."))
        if locked.stage != ProjectStage.IN_SUPPORT:
            raise TransitionNotAllowed(
                _("La création ne peut être enregistrée que pour un projet en accompagnement.")
            )
        if Enterprise.objects.filter(project=locked).exists():
            raise ConflictError(_("La création de ce projet est déjà enregistrée."))
        plan = SupportPlan.objects.filter(project=locked).first()
        if plan is not None and plan.stage == SupportStage.STOPPED:
            raise TransitionNotAllowed(
                _("L'accompagnement est interrompu : reprenez-le avant d'enregistrer la création.")
            )
        if create_organization:
            values["organization"] = _create_directory_entry(fabrique=fabrique, actor=actor, values=values)
        enterprise = audited_create(
            instance=Enterprise(project=locked, **values), actor=actor, fabrique=fabrique
        )
        # the locked row, not the caller's instance: if a later step fails, the caller's object is untouched
        transition(
            instance=locked,
            to=ProjectStage.CREATED,
            actor=actor,
            note=str(enterprise),
            force_audit_action=ENTERPRISE_CREATED_ACTION,
        )
        if plan is not None:
            support_plan_complete(
                plan=plan,
                actor=actor,
                note=_("Entreprise créée : %(name)s") % {"name": enterprise.legal_name},
            )
    project.stage, project.stage_changed_at = locked.stage, locked.stage_changed_at
    return enterprise


def enterprise_update(*, enterprise: Enterprise, actor: User, **data: Unpack[EnterpriseFields]) -> Enterprise:
    """Correct the recorded enterprise (same checks as at creation)."""
    unknown = set(data) - ENTERPRISE_FIELDS
    if unknown:
        raise TypeError(f"Unknown fields: {', '.join(sorted(unknown))}")
    fabrique = enterprise.project.fabrique
    current = {name: getattr(enterprise, name) for name in ENTERPRISE_FIELDS}
    values = enterprise_clean(current | dict(data), fabrique=fabrique)
    changes = {name: values[name] for name in data}
    enterprise, _changed = audited_update(instance=enterprise, actor=actor, fabrique=fabrique, data=changes)
    return enterprise


# --- follow-up ------------------------------------------------------------------------------------------


def add_years(day: datetime.date, years: int) -> datetime.date:
    """`day` moved by `years` (negative: back); 29 February becomes the 28th of a common year."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def followup_due_on(*, enterprise: Enterprise, horizon: str) -> datetime.date:
    """The date of the follow-up at `horizon`: one or three years after the creation date."""
    return add_years(enterprise.created_on, FOLLOWUP_YEARS[horizon])


def followups_to_do(
    *, enterprise: Enterprise, done: set[str] | None = None
) -> list[tuple[str, int, datetime.date]]:
    """The follow-ups (+1 / +3 years) not recorded yet, as (horizon, years, due date), earliest first.
    `done`: the horizons already recorded, when the caller has read them (else they are read here)."""
    if done is None:
        done = set(FollowUp.objects.filter(enterprise=enterprise).values_list("horizon", flat=True))
    return [
        (horizon, years, followup_due_on(enterprise=enterprise, horizon=horizon))
        for horizon, years in FOLLOWUP_YEARS.items()
        if horizon not in done
    ]


def _add_months(day: datetime.date, months: int) -> datetime.date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for candidate in (day.day, 30, 29, 28):  # the end of a shorter month
        try:
            return day.replace(year=year, month=month, day=min(day.day, candidate))
        except ValueError:
            continue
    raise AssertionError("unreachable")


def followup_window(*, enterprise: Enterprise, horizon: str) -> tuple[datetime.date, datetime.date]:
    """The first and last dates (included) of a follow-up at `horizon` (see FOLLOWUP_WINDOW_MONTHS)."""
    start, end = FOLLOWUP_WINDOW_MONTHS[horizon]
    return _add_months(enterprise.created_on, start), _add_months(enterprise.created_on, end)


def _followup_errors(*, enterprise: Enterprise, values: Mapping[str, Any]) -> dict[str, Any]:
    errors: dict[str, Any] = {}
    if values.get("horizon") not in FollowUpHorizon.values:
        errors["horizon"] = _("Choisissez l'échéance du suivi (à 1 an ou à 3 ans).")
    observed_on = values.get("observed_on")
    if not observed_on:
        errors["observed_on"] = _("Indiquez la date du point de suivi.")
    elif observed_on > timezone.localdate():
        errors["observed_on"] = _("La date du point de suivi ne peut pas être dans le futur.")
    elif observed_on < enterprise.created_on:
        errors["observed_on"] = _("Le point de suivi ne peut pas précéder la création (%(date)s).") % {
            "date": enterprise.created_on.strftime("%d/%m/%Y")
        }
    elif values.get("horizon") in FollowUpHorizon.values:
        start, end = followup_window(enterprise=enterprise, horizon=values["horizon"])
        if not start <= observed_on <= end:
            low, high = FOLLOWUP_WINDOW_MONTHS[values["horizon"]]
            errors["observed_on"] = _(
                "Le suivi %(horizon)s se fait entre %(low)s et %(high)s mois après la création, "
                "soit du %(start)s au %(end)s : la date du %(date)s n'y entre pas."
            ) % {
                "horizon": FollowUpHorizon(values["horizon"]).label,
                "low": low,
                "high": high,
                "start": start.strftime("%d/%m/%Y"),
                "end": end.strftime("%d/%m/%Y"),
                "date": observed_on.strftime("%d/%m/%Y"),
            }
    message = _jobs_error(values.get("jobs_fte"), required=False)
    if message:
        errors["jobs_fte"] = message
    return errors


def _followup_values(data: Mapping[str, Any]) -> dict[str, Any]:
    values = dict(data)
    if "jobs_fte" in values:
        values["jobs_fte"] = _fte(values["jobs_fte"])
    if isinstance(values.get("notes"), str):
        values["notes"] = values["notes"].strip()
    return values


def _duplicate_horizon(horizon: str) -> ValidationError:
    return ValidationError(
        {
            "horizon": _("Le suivi %(horizon)s est déjà enregistré pour cette entreprise.")
            % {"horizon": FollowUpHorizon(horizon).label}
        }
    )


def followup_create(*, enterprise: Enterprise, actor: User, **data: Unpack[FollowUpFields]) -> FollowUp:
    """Record the follow-up at +1 or +3 years (one per horizon)."""
    unknown = set(data) - FOLLOWUP_FIELDS
    if unknown:
        raise TypeError(f"Unknown fields: {', '.join(sorted(unknown))}")
    values = _followup_values({"still_active": True, **data})
    errors = _followup_errors(enterprise=enterprise, values=values)
    if errors:
        raise ValidationError(errors)
    fabrique = enterprise.project.fabrique
    try:
        with transaction.atomic():
            Enterprise.objects.select_for_update().get(pk=enterprise.pk)
            if enterprise.followups.filter(horizon=values["horizon"]).exists():
                raise _duplicate_horizon(values["horizon"])
            return audited_create(
                instance=FollowUp(enterprise=enterprise, **values), actor=actor, fabrique=fabrique
            )
    except IntegrityError as exc:  # a concurrent insert of the same horizon
        raise _duplicate_horizon(values["horizon"]) from exc


def followup_update(*, followup: FollowUp, actor: User, **fields: Unpack[FollowUpFields]) -> FollowUp:
    unknown = set(fields) - FOLLOWUP_FIELDS
    if unknown:
        raise TypeError(f"Unknown fields: {', '.join(sorted(unknown))}")
    enterprise = followup.enterprise
    data = _followup_values(fields)
    values = {name: getattr(followup, name) for name in FOLLOWUP_FIELDS} | data
    errors = _followup_errors(enterprise=enterprise, values=values)
    if errors:
        raise ValidationError(errors)
    if (
        values["horizon"] != followup.horizon
        and enterprise.followups.filter(horizon=values["horizon"]).exclude(pk=followup.pk).exists()
    ):
        raise _duplicate_horizon(values["horizon"])
    followup, _changed = audited_update(
        instance=followup, actor=actor, fabrique=enterprise.project.fabrique, data=data
    )
    return followup
