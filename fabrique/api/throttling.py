"""Throttling per token: each personal token has its own budget of requests (API_TOKEN_RATE)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from rest_framework.throttling import SimpleRateThrottle

from .models import ApiToken


class TokenRateThrottle(SimpleRateThrottle):
    scope = "token"

    def get_rate(self) -> str:
        return str(settings.API_TOKEN_RATE)  # read at request time: settings can change it in tests

    def get_cache_key(self, request: Any, view: Any) -> str | None:
        token = getattr(request, "auth", None)
        if not isinstance(token, ApiToken):
            return None  # the browser session is not throttled here
        return self.cache_format % {"scope": self.scope, "ident": token.pk}
