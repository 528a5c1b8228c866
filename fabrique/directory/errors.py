"""Domain errors of the directory."""

from collections.abc import Iterable

from fabrique.core.errors import DomainError


class ProbableDuplicate(DomainError):
    """The row looks like one the fabrique already has; the caller may confirm and retry.

    `duplicates` holds the existing rows, so an interface can link to them.
    """

    code = "probable_duplicate"

    def __init__(self, message: str, *, duplicates: Iterable[object]):
        super().__init__(message)
        self.duplicates = list(duplicates)
