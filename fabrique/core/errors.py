"""Domain errors. Services raise them; interfaces turn them into French messages or 4xx answers."""

from django.core.exceptions import ValidationError


class DomainError(Exception):
    """A business rule refused the operation. `message` is a translated, user-facing sentence."""

    code = "domain_error"

    def __init__(self, message: str, *, code: str | None = None):
        super().__init__(message)
        self.message = message
        if code:
            self.code = code


class TransitionNotAllowed(DomainError):
    code = "transition_not_allowed"


class ConflictError(DomainError):
    code = "conflict"


__all__ = ["DomainError", "TransitionNotAllowed", "ConflictError", "ValidationError"]
