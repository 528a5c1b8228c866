"""Creating fabriques and managing their team."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, TypedDict, Unpack

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from fabrique.audit.services import audit_log
from fabrique.core.errors import DomainError
from fabrique.core.services import audited_create, audited_update

from .models import Fabrique, Membership, Role

if TYPE_CHECKING:
    from fabrique.accounts.models import User
    from fabrique.territories.models import EPCI, Commune, Departement


class FabriqueFields(TypedDict, total=False):
    """The editable fields of a fabrique (keyword arguments of `fabrique_create` / `fabrique_update`).

    All optional for a partial update; the model's validation refuses a fabrique without name or slug."""

    name: str
    slug: str
    short_description: str
    description: str
    operator_name: str
    since_year: int | None
    contact_email: str
    contact_phone: str
    website: str
    logo: Any  # an uploaded file, the current file, or False to clear it
    is_active: bool
    stage_labels: dict[str, dict[str, str]]
    network_status: str
    public_team: str
    public_how_we_work: str
    milestone_templates: dict[str, list[list[str | int]]]
    email_texts: dict[str, str]
    admins_require_otp: bool


class FabriqueCoverage(TypedDict, total=False):
    communes: Iterable[Commune]
    epcis: Iterable[EPCI]
    departements: Iterable[Departement]


# Domain apps register what a new fabrique needs by default (criteria, committee types...).
# Each hook is idempotent: hook(fabrique=...) creates only what is missing.
SETUP_HOOKS: list[Callable[..., object]] = []


def register_setup_hook(fn: Callable[..., object]) -> Callable[..., object]:
    SETUP_HOOKS.append(fn)
    return fn


def fabrique_setup_defaults(*, fabrique: Fabrique) -> None:
    with transaction.atomic():
        for hook in SETUP_HOOKS:
            hook(fabrique=fabrique)


def fabrique_create(
    *,
    actor: User | None,
    communes: Iterable[Commune] = (),
    epcis: Iterable[EPCI] = (),
    departements: Iterable[Departement] = (),
    **data: Unpack[FabriqueFields],
) -> Fabrique:
    with transaction.atomic():
        fabrique = audited_create(
            instance=Fabrique(**data),
            actor=actor,
            fabrique=None,
            m2m={"communes": communes, "epcis": epcis, "departements": departements},
        )
        fabrique_setup_defaults(fabrique=fabrique)
    return fabrique


def fabrique_update(
    *,
    fabrique: Fabrique,
    actor: User,
    coverage: FabriqueCoverage | None = None,
    **data: Unpack[FabriqueFields],
) -> Fabrique:
    """Change the given fields; `coverage` replaces the territories given in it."""
    fabrique, _changed = audited_update(
        instance=fabrique, actor=actor, fabrique=fabrique, data=data, m2m=coverage
    )
    return fabrique


def fabrique_configure_method(
    *,
    fabrique: Fabrique,
    actor: User,
    stage_labels: dict[str, dict[str, str]],
    milestone_templates: dict[str, list[list[str | int]]],
    email_texts: dict[str, str],
) -> Fabrique:
    """The fabrique's own words for its method: stage labels, proposed milestones per path, texts of the
    e-mails to reporters and candidates. Empty entries are dropped (the standard wording applies)."""
    from fabrique.core.emailtexts import EMAIL_TEXTS, check_email_text

    errors: dict[str, list[str]] = {}
    labels = {
        model: {stage: label.strip()[:60] for stage, label in stages.items() if label and label.strip()}
        for model, stages in stage_labels.items()
    }
    texts: dict[str, str] = {}
    for key, text in email_texts.items():
        if key not in EMAIL_TEXTS:
            raise DomainError(_("Type d'e-mail inconnu : %(key)s.") % {"key": key})
        try:
            cleaned = check_email_text(key, text)
        except ValidationError as exc:
            errors[f"email_{key}"] = exc.messages
            continue
        if cleaned:
            texts[key] = cleaned
    templates = {}
    for path, rows in milestone_templates.items():
        if not all(
            isinstance(row, list | tuple) and len(row) == 2 and str(row[0]).strip() and str(row[1]).isdigit()
            for row in rows
        ):
            errors[f"milestones_{path}"] = [_("Chaque jalon a un titre et un nombre de mois.")]
            continue
        if rows:
            templates[path] = [[str(title).strip()[:200], int(months)] for title, months in rows]
    if errors:
        raise ValidationError(errors)
    fabrique, _changed = audited_update(
        instance=fabrique,
        actor=actor,
        fabrique=fabrique,
        data={
            "stage_labels": {model: stages for model, stages in labels.items() if stages},
            "milestone_templates": templates,
            "email_texts": texts,
        },
    )
    return fabrique


def membership_set(*, fabrique: Fabrique, actor: User | None, user: User, role: str) -> Membership:
    """Add `user` to the team with `role`, or change their role."""
    if role not in Role.values:
        raise DomainError(_("Rôle inconnu : %(role)s.") % {"role": role})
    with transaction.atomic():
        membership = Membership.objects.filter(fabrique=fabrique, user=user).first()
        if membership is None:
            return audited_create(
                instance=Membership(fabrique=fabrique, user=user, role=role), actor=actor, fabrique=fabrique
            )
        membership, _changed = audited_update(
            instance=membership, actor=actor, fabrique=fabrique, data={"role": role, "is_active": True}
        )
        return membership


def membership_deactivate(*, membership: Membership, actor: User) -> Membership:
    with transaction.atomic():
        if (
            membership.role == Role.ADMIN
            and not Membership.objects.filter(fabrique=membership.fabrique, role=Role.ADMIN, is_active=True)
            .exclude(pk=membership.pk)
            .exists()
        ):
            raise DomainError(_("La fabrique doit garder au moins un·e administrateur·rice."))
        membership, _changed = audited_update(
            instance=membership, actor=actor, fabrique=membership.fabrique, data={"is_active": False}
        )
        audit_log(
            actor=actor,
            fabrique=membership.fabrique,
            target=membership,
            action="fabriques.membership.deactivated",
        )
    return membership


def member_invite(
    *, fabrique: Fabrique, actor: User, email: str, role: str, first_name: str = "", last_name: str = ""
) -> tuple[Membership, bool]:
    """Give `email` a role in the fabrique, creating the account (without password) if needed.

    Returns (membership, created_account). The interface sends the invitation (a link to choose a password).
    """
    from fabrique.accounts.models import User

    email = (email or "").strip().lower()
    with transaction.atomic():
        user = User.objects.filter(email__iexact=email).first()
        created = user is None
        if user is None:
            user = User.objects.create_user(
                email, None, first_name=first_name.strip(), last_name=last_name.strip()
            )
            audit_log(
                actor=actor,
                fabrique=fabrique,
                target=user,
                action="accounts.user.invited",
                new={"role": role},
            )
        membership = membership_set(fabrique=fabrique, actor=actor, user=user, role=role)
    return membership, created


def membership_change(*, membership: Membership, actor: User, role: str, is_active: bool) -> Membership:
    """Change a member's role, or suspend / restore their access (at least one active admin remains)."""
    if role not in Role.values:
        raise DomainError(_("Rôle inconnu : %(role)s.") % {"role": role})
    with transaction.atomic():
        others = Membership.objects.filter(
            fabrique=membership.fabrique, role=Role.ADMIN, is_active=True
        ).exclude(pk=membership.pk)
        if membership.role == Role.ADMIN and (role != Role.ADMIN or not is_active) and not others.exists():
            raise DomainError(_("La fabrique doit garder au moins un·e administrateur·rice actif·ve."))
        membership, _changed = audited_update(
            instance=membership,
            actor=actor,
            fabrique=membership.fabrique,
            data={"role": role, "is_active": is_active},
        )
    return membership
