"""Request guards shared by every interface."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.http.request import QueryDict
from django.utils.translation import gettext as _


def _has_nul(querydict: QueryDict) -> bool:
    return any("\x00" in key or any("\x00" in v for v in values) for key, values in querydict.lists())


class RejectNulBytesMiddleware:
    """A NUL byte in a query parameter or a posted field is a 400, before any view runs.

    No text of the platform contains one, PostgreSQL refuses it in every string ("A string literal
    cannot contain NUL"), so a search or a filter holding one would end in a 500.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if _has_nul(request.GET) or (request.method == "POST" and _has_nul(request.POST)):
            message = _("La requête contient un caractère nul : retirez-le et réessayez.")
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": message}, status=400)
            from .handlers import error_page  # the French 400 page in the site's layout

            return error_page(request, status=400, reason=message)
        return self.get_response(request)
