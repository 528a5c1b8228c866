from typing import Any

from django.conf import settings
from django.http import HttpRequest

from fabrique.fabriques.access import memberships_of


def shell(request: HttpRequest) -> dict[str, Any]:
    """What the page shell needs: the user's fabriques for the switcher."""
    user = getattr(request, "user", None)
    memberships = list(memberships_of(user)) if user is not None else []
    return {
        "shell_memberships": memberships,
        "shell_current_fabrique": getattr(request, "fabrique", None),
        "shell_debug": settings.DEBUG,
    }
