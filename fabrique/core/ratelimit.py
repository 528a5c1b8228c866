"""A small cache-based rate limit per client address for the public forms (Redis-shared when the cache is).

Behind a proxy, the proxy must set REMOTE_ADDR (e.g. gunicorn --forwarded-allow-ips); a client-supplied
X-Forwarded-For header is never trusted here.
"""

from django.core.cache import cache
from django.http import HttpRequest

WINDOW_SECONDS = 3600


def client_ip(request: HttpRequest) -> str:
    return str(request.META.get("REMOTE_ADDR", "") or "unknown")


def _key(scope: str, request: HttpRequest) -> str:
    return f"ratelimit:{scope}:{client_ip(request)}"


def is_limited(scope: str, request: HttpRequest, *, limit: int) -> bool:
    hits: int = cache.get(_key(scope, request)) or 0
    return hits >= limit


def count(scope: str, request: HttpRequest, *, window: int = WINDOW_SECONDS) -> None:
    key = _key(scope, request)
    if cache.add(key, 1, window):
        return
    try:
        cache.incr(key)
    except ValueError:  # expired in between
        cache.set(key, 1, window)
