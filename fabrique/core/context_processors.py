from django.conf import settings

from fabrique.fabriques.access import memberships_of


def shell(request) -> dict:
    """What the page shell needs: the user's fabriques for the switcher."""
    user = getattr(request, "user", None)
    memberships = list(memberships_of(user)) if user is not None else []
    return {
        "shell_memberships": memberships,
        "shell_current_fabrique": getattr(request, "fabrique", None),
        "shell_debug": settings.DEBUG,
    }
