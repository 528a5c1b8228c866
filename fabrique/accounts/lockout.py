"""The account name django-axes locks, whatever the login path (issue 9, item 7).

The login form sends the e-mail address as `username`; the API's Basic auth calls `authenticate()`
with `email` (the user model's USERNAME_FIELD). Both must reach the same lockout record, so axes is
given the address, lower-cased, from whichever key holds it (AXES_USERNAME_CALLABLE).
"""

from __future__ import annotations

from typing import Any


def axes_username(request: Any, credentials: dict[str, Any] | None) -> str | None:
    sources: list[Any] = [credentials or {}]
    data = getattr(request, "data", None)
    if data is None:
        data = getattr(request, "POST", None)
    if data is not None:
        sources.append(data)
    for source in sources:
        for key in ("username", "email"):
            value = source.get(key) if hasattr(source, "get") else None
            if isinstance(value, str) and value.strip():
                return value.strip().lower()
    return None
