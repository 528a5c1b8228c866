from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from fabrique.core.errors import DomainError


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """Domain errors become 400/409 with a French message; Django validation errors become 400."""
    if isinstance(exc, DomainError):
        code = status.HTTP_409_CONFLICT if exc.code in {"transition_not_allowed", "conflict"} else 400
        return Response({"detail": exc.message, "code": exc.code}, status=code)
    if isinstance(exc, Http404):
        message = str(exc.args[0]) if exc.args else ""
        if not message or message.endswith("matches the given query."):
            # Django's get_object_or_404 speaks English ("No Study matches the given query.")
            exc = exceptions.NotFound(_("Élément introuvable."))
    if isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        exc = exceptions.ValidationError(detail)
    return drf_exception_handler(exc, context)
