"""Error pages of the site. A database that is down or restarting answers a French 503, not a 500.

`handler500` is called by Django inside the `except` block of any uncaught exception (views and
middleware alike), so `sys.exc_info()` tells why. The pages are rendered without the request's
context processors: they would query the database that just failed.
"""

from __future__ import annotations

import logging
import sys

from django.db import InterfaceError, OperationalError, connections
from django.http import HttpRequest, HttpResponse, HttpResponseServerError
from django.template.loader import render_to_string

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
