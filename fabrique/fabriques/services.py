"""Creating fabriques and managing their team."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, TypedDict, Unpack

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


class FabriqueCoverage(TypedDict, total=False):
    communes: Iterable[Commune]
    epcis: Iterable[EPCI]
    departements: Iterable[Departement]


# Domain apps register what a new fabrique needs by default (criteria, committee types...).
# Each hook is idempotent: hook(fabrique=...) creates only what is missing.
SETUP_HOOKS: list[Callable[..., None]] = []


def register_setup_hook(fn: Callable[..., None]) -> Callable[..., None]:
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
