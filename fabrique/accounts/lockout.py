"""The account name django-axes locks (issue 9, item 7).

The login form is the only path that takes a password (the API takes personal tokens, never a
password), and it sends the e-mail address as `username`. Axes is given that address lower-cased
(AXES_USERNAME_CALLABLE), so `Ana@ex.test` and `ana@ex.test` share one lockout record.
"""

from __future__ import annotations

from typing import Any


def axes_username(request: Any, credentials: dict[str, Any] | None) -> str | None:
    sources: list[Any] = [credentials or {}]
    data = getattr(request, "POST", None)
    if data is not None:
        sources.append(data)
    for source in sources:
        value = source.get("username") if hasattr(source, "get") else None
        if isinstance(value, str) and value.strip():
            return value.strip().lower()
    return None
