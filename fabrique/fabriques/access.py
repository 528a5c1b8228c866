"""The one access layer: every back-office and API read goes through these functions.

`access_fabrique` authorizes a user on a fabrique for a permission; `access_object` fetches one
row of that fabrique (404 for any other fabrique's row). A user who is not a member of the
fabrique gets a 404 (we never reveal that another fabrique's objects exist); a member whose
role lacks the permission gets a 403.
"""

from __future__ import annotations

from typing import Any, TypeAlias, TypeVar

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import Http404
from django.utils.translation import gettext as _

from fabrique.accounts.models import User

from .models import Fabrique, Membership, Permission

AnyUser: TypeAlias = AbstractBaseUser | AnonymousUser | None  # what `request.user` may be

M = TypeVar("M", bound=models.Model)


def authenticated(user: AnyUser) -> User | None:
    """The logged-in account, or None for an anonymous visitor."""
    return user if isinstance(user, User) and user.is_authenticated else None


def memberships_of(user: AnyUser) -> models.QuerySet[Membership]:
    account = authenticated(user)
    if account is None or not account.is_active:
        return Membership.objects.none()
    return Membership.objects.filter(user=account, is_active=True, fabrique__is_active=True).select_related(
        "fabrique"
    )


def request_memberships(request: Any) -> list[Membership]:
    """The active memberships of the request's user, read once per request: the access check, the
    lookups and the page shell's fabrique switcher share them (one query instead of three)."""
    cached: list[Membership] | None = getattr(request, "_fabrique_memberships", None)
    if cached is None:
        cached = list(memberships_of(getattr(request, "user", None)))
        request._fabrique_memberships = cached
    return cached


def access_fabrique(
    user: AnyUser,
    slug: str,
    permission: str = Permission.VIEW,
    *,
    memberships: list[Membership] | None = None,
) -> Membership:
    """The user's membership of the fabrique `slug` if its role has `permission` (404 for a fabrique the
    user is not a member of, 403 for a role without the permission). `memberships`: the user's active
    memberships when already read (`request_memberships`)."""
    if memberships is None:
        membership = memberships_of(user).filter(fabrique__slug=slug).first()
    else:
        membership = next((m for m in memberships if m.fabrique.slug == slug), None)
    if membership is None:
        raise Http404(_("Fabrique introuvable."))
    if not membership.has_permission(permission):
        raise PermissionDenied(_("Votre rôle ne permet pas cette action."))
    return membership


def scoped(model_or_qs: type[M] | models.QuerySet[M], fabrique: Fabrique) -> models.QuerySet[M]:
    """Rows of `fabrique` only (soft-deleted rows excluded by the default manager)."""
    qs = model_or_qs if isinstance(model_or_qs, models.QuerySet) else model_or_qs.objects.all()  # type: ignore[attr-defined]
    return qs.filter(fabrique=fabrique)


def access_object(model_or_qs: type[M] | models.QuerySet[M], *, fabrique: Fabrique, pk: Any) -> M:
    try:
        return scoped(model_or_qs, fabrique).get(pk=pk)
    except (models.ObjectDoesNotExist, ValueError, TypeError) as exc:
        raise Http404(_("Élément introuvable.")) from exc


def require_network_head(user: AnyUser) -> None:
    account = authenticated(user)
    if account is None or not (account.is_network_head or account.is_superuser):
        raise PermissionDenied(_("Réservé à la tête de réseau."))
