"""Error pages of the site. A database that is down or restarting answers a French 503, not a 500.

`handler500` is called by Django inside the `except` block of any uncaught exception (views and
middleware alike), so `sys.exc_info()` tells why. The pages are rendered without the request's
context processors: they would query the database that just failed.
"""

from __future__ import annotations

import logging
import sys

from django.core.exceptions import PermissionDenied
from django.db import InterfaceError, OperationalError, connections
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseServerError
from django.middleware import csrf
from django.template.loader import render_to_string
from django.urls import Resolver404
from django.utils.functional import Promise
from django.utils.translation import gettext as _

logger = logging.getLogger("fabrique.errors")

DATABASE_UNAVAILABLE = (OperationalError, InterfaceError)
RETRY_AFTER_SECONDS = 30


def is_database_unavailable(exc: BaseException | None) -> bool:
    while exc is not None:
        if isinstance(exc, DATABASE_UNAVAILABLE):
            return True
        exc = exc.__cause__ or exc.__context__
    return False


def drop_broken_connections() -> None:
    """Close the connections that failed so the next request opens fresh ones (no restart needed)."""
    for connection in connections.all(initialized_only=True):
        try:
            connection.close()
        except Exception:  # the connection is already broken: closing is best effort
            logger.debug("closing a broken database connection failed", exc_info=True)


def server_error(request: HttpRequest | None, template_name: str = "500.html") -> HttpResponse:
    exc = sys.exc_info()[1]
    if is_database_unavailable(exc):
        drop_broken_connections()
        response = HttpResponse(render_to_string("503.html"), status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
    return HttpResponseServerError(render_to_string(template_name))


def _safe_reason(exception: BaseException | None) -> str:
    """The exception's message when it is a sentence written for the user, else "".

    Our views raise `Http404(_("Élément introuvable."))` / `PermissionDenied(_("…"))` with a French
    sentence: it is shown. A URL that matches nothing (`Resolver404`, whose argument is a dict of
    the patterns tried) and exceptions without a message show nothing: their text is technical.
    """
    if exception is None or isinstance(exception, Resolver404) or not exception.args:
        return ""
    message = exception.args[0]
    if isinstance(message, Promise | str) and not isinstance(exception, Resolver404):
        text = str(message).strip()
        # Django's own messages name models or paths ("… ne correspond à la requête"): too technical
        if text and len(text) <= 300 and "%" not in text and "/" not in text:
            return text
    return ""


def error_page(request: HttpRequest, *, status: int, reason: str = "") -> HttpResponse:
    """A French error page in the site's layout (with the request: the header shows who is logged
    in). Used by the 400/403/404 handlers, the CSRF failure view and the request guards."""
    template_name = f"{status}.html"
    return HttpResponse(render_to_string(template_name, {"reason": reason}, request=request), status=status)


def bad_request(request: HttpRequest, exception: BaseException | None = None) -> HttpResponse:
    # a SuspiciousOperation's text names hosts or headers: never shown
    return error_page(request, status=400)


def permission_denied(request: HttpRequest, exception: BaseException | None = None) -> HttpResponse:
    reason = _safe_reason(exception) if isinstance(exception, PermissionDenied) else ""
    return error_page(request, status=403, reason=reason)


def page_not_found(request: HttpRequest, exception: BaseException | None = None) -> HttpResponse:
    reason = _safe_reason(exception) if isinstance(exception, Http404) else ""
    return error_page(request, status=404, reason=reason)


def csrf_reason(reason: str) -> str:
    """Django's technical CSRF reason told in French, with what to do."""
    if reason == csrf.REASON_NO_CSRF_COOKIE:
        return _(
            "Votre navigateur n'a pas envoyé le cookie de sécurité du site : autorisez les cookies "
            "pour ce site, puis rechargez la page du formulaire."
        )
    if reason == csrf.REASON_CSRF_TOKEN_MISSING or any(
        part in reason for part in (csrf.REASON_INCORRECT_LENGTH, csrf.REASON_INVALID_CHARACTERS)
    ):
        return _(
            "Le formulaire envoyé ne contenait pas de jeton de sécurité valide : rechargez la page et renvoyez-le."
        )
    if reason == csrf.REASON_NO_REFERER or reason == csrf.REASON_MALFORMED_REFERER:
        return _(
            "Votre navigateur n'a pas indiqué de quelle page venait le formulaire (en-tête « Referer ») : "
            "autorisez-le pour ce site."
        )
    if reason == csrf.REASON_INSECURE_REFERER:
        return _(
            "Le formulaire a été envoyé depuis une page non sécurisée (http) : utilisez l'adresse en https."
        )
    if reason.startswith("Origin checking failed") or reason.startswith("Referer checking failed"):
        return _(
            "Le formulaire a été envoyé depuis un autre site que celui-ci : il a été refusé par sécurité."
        )
    return _(
        "Le jeton de sécurité du formulaire a expiré ou ne correspond plus (vous vous êtes peut-être "
        "connecté ou déconnecté dans un autre onglet) : rechargez la page et renvoyez le formulaire."
    )


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """`CSRF_FAILURE_VIEW`: a French 403 that says why the form was refused and what to do."""
    return HttpResponse(
        render_to_string("403_csrf.html", {"reason": csrf_reason(reason)}, request=request), status=403
    )
