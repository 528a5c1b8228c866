from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from fabrique.core.errors import DomainError


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """Domain errors become 400/409 with a French message; Django validation errors become 400."""
    if isinstance(exc, DomainError):
        code = status.HTTP_409_CONFLICT if exc.code in {"transition_not_allowed", "conflict"} else 400
        return Response({"detail": exc.message, "code": exc.code}, status=code)
    if isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        exc = exceptions.ValidationError(detail)
    return drf_exception_handler(exc, context)
