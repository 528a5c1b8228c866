from typing import Any

from django.conf import settings
from django.http import HttpRequest

from fabrique.fabriques.access import request_memberships


def shell(request: HttpRequest) -> dict[str, Any]:
    """What the page shell needs: the user's fabriques for the switcher (read once per request)."""
    memberships = request_memberships(request) if getattr(request, "user", None) is not None else []
    return {
        "shell_memberships": memberships,
        "shell_current_fabrique": getattr(request, "fabrique", None),
        "shell_debug": settings.DEBUG,
    }
