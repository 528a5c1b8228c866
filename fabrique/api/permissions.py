from typing import Any

from django.utils.translation import gettext as _
from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import BasePermission
from rest_framework.request import Request

from fabrique.accounts.otp import is_verified
from fabrique.fabriques.access import access_fabrique
from fabrique.fabriques.models import Permission, Role

from .models import ApiToken

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


def check_token(request: Request, fabrique_slug: str) -> None:
    """A personal token works for its own fabrique only, and writes only with the write scope."""
    token = getattr(request, "auth", None)
    if not isinstance(token, ApiToken):
        return
    if token.fabrique.slug != fabrique_slug:
        raise PermissionDenied(
            _("Ce jeton ne vaut que pour la fabrique « %(name)s ».") % {"name": token.fabrique}
        )
    if request.method not in SAFE_METHODS and not token.can_write:
        raise PermissionDenied(_("Ce jeton est en lecture seule."))


class FabriqueAccess(BasePermission):
    """Authorizes through the shared access layer; reads need VIEW, writes need EDIT (or `write_permission`).

    With a personal token, the token's fabrique and scope are checked as well: the token never gives
    more than its owner's role."""

    def has_permission(self, request: Request, view: Any) -> bool:
        if not request.user or not request.user.is_authenticated:
            return False
        slug = view.kwargs["fabrique_slug"]
        check_token(request, slug)
        needed = (
            getattr(view, "read_permission", Permission.VIEW)
            if request.method in SAFE_METHODS
            else getattr(view, "write_permission", Permission.EDIT)
        )
        membership = access_fabrique(request.user, slug, needed)
        if (
            not isinstance(request.auth, ApiToken)
            and membership.fabrique.admins_require_otp
            and membership.role == Role.ADMIN
            and not is_verified(request.user)
        ):
            # the browser's session of an admin who has not given the second factor (tokens are unaffected)
            raise PermissionDenied(
                _(
                    "Cette fabrique exige le second facteur de ses administrateur·rices : saisissez votre code."
                )
            )
        view.membership = membership
        view.fabrique = membership.fabrique
        return True
