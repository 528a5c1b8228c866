from rest_framework.permissions import BasePermission

from fabrique.fabriques.access import access_fabrique
from fabrique.fabriques.models import Permission

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


class FabriqueAccess(BasePermission):
    """Authorizes through the shared access layer; reads need VIEW, writes need EDIT (or `write_permission`)."""

    def has_permission(self, request, view) -> bool:
        if not request.user or not request.user.is_authenticated:
            return False
        needed = (
            Permission.VIEW
            if request.method in SAFE_METHODS
            else getattr(view, "write_permission", Permission.EDIT)
        )
        membership = access_fabrique(request.user, view.kwargs["fabrique_slug"], needed)
        view.membership = membership
        view.fabrique = membership.fabrique
        return True
