"""A small cache-based rate limit, per client address or per any key (Redis-shared when the cache is).

`hit()` counts the attempt *before* the work and answers whether it may go on: a request killed during
the work (timeout, crash) has still used its allowance, and the count is one atomic cache increment
(`cache.add` then `cache.incr`, atomic on the two caches the settings configure: local memory and
Redis), so simultaneous attempts cannot all read "under the limit" and all pass. Django's database
cache is not one of them: its `incr` is a read then a write, so it must not be configured.

Behind a proxy, the proxy must set REMOTE_ADDR (e.g. gunicorn --forwarded-allow-ips); a client-supplied
X-Forwarded-For header is never trusted here.
"""

from __future__ import annotations

import contextlib
import hashlib

from django.core.cache import cache
from django.http import HttpRequest

WINDOW_SECONDS = 3600


def client_ip(request: HttpRequest) -> str:
    return str(request.META.get("REMOTE_ADDR", "") or "unknown")


def _key(scope: str, request: HttpRequest, key: str | None) -> str:
    if key is None:
        return f"ratelimit:{scope}:{client_ip(request)}"
    # any text (an e-mail address): normalised and hashed so the cache key is short and safe
    digest = hashlib.sha256(key.strip().casefold().encode()).hexdigest()[:32]
    return f"ratelimit:{scope}:k:{digest}"


def _increment(cache_key: str, window: int) -> int:
    if cache.add(cache_key, 1, window):
        return 1
    try:
        return int(cache.incr(cache_key))
    except ValueError:  # expired between add and incr: start a new window
        if cache.add(cache_key, 1, window):
            return 1
        return int(cache.incr(cache_key))


def hit(
    scope: str, request: HttpRequest, *, limit: int, window: int = WINDOW_SECONDS, key: str | None = None
) -> bool:
    """Count one attempt of `scope` (per client address, or per `key`) and return True when it is
    within `limit` attempts in `window` seconds, False when it must be refused."""
    return _increment(_key(scope, request, key), window) <= limit


def refund(scope: str, request: HttpRequest, *, key: str | None = None) -> None:
    """Give back an attempt refused for an ordinary reason (a form error found by the service)."""
    with contextlib.suppress(ValueError):  # expired meanwhile
        cache.decr(_key(scope, request, key))


def is_limited(scope: str, request: HttpRequest, *, limit: int, key: str | None = None) -> bool:
    """Read-only check (no count), for an early answer before any parsing."""
    hits: int = cache.get(_key(scope, request, key)) or 0
    return hits >= limit
