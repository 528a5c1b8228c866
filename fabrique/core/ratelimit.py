"""A small cache-based rate limit per client address for the public forms (Redis-shared when the cache is).

Behind a proxy, the proxy must set REMOTE_ADDR (e.g. gunicorn --forwarded-allow-ips); a client-supplied
X-Forwarded-For header is never trusted here.
"""

from django.core.cache import cache

WINDOW_SECONDS = 3600


def client_ip(request) -> str:
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def _key(scope: str, request) -> str:
    return f"ratelimit:{scope}:{client_ip(request)}"


def is_limited(scope: str, request, *, limit: int) -> bool:
    return (cache.get(_key(scope, request)) or 0) >= limit


def count(scope: str, request, *, window: int = WINDOW_SECONDS) -> None:
    key = _key(scope, request)
    if cache.add(key, 1, window):
        return
    try:
        cache.incr(key)
    except ValueError:  # expired in between
        cache.set(key, 1, window)
