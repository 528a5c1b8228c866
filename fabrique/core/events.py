"""The seam: every audited action is an event.

`audit_log()` writes the audit entry inside the service's transaction and calls `event_dispatch()`.
For each handler registered for that action, one task `run_handler(entry_id=…, handler=…)` is enqueued
**after the commit** (a rolled-back action enqueues nothing). The worker runs the handler with the
audit entry (fetched fresh), retries it with backoff when it raises, and a failure never reaches the
user's request.

    from fabrique.core.events import on_action

    @on_action("needs.needreport.created")
    def report_confirmation(entry: AuditEntry) -> None: ...

    on_action("recruitment.application.*", notify_followers)   # fnmatch patterns allowed

Handlers are module-level functions (the task stores their dotted path), registered when their
module is imported (from the app's `AppConfig.ready()`). They must be idempotent: a task may run
twice (a worker killed mid-task); use `fabrique.core.delivery.deliver_once` for anything sent out.
"""

from __future__ import annotations

import fnmatch
import logging
from collections.abc import Callable
from functools import lru_cache, partial
from typing import TYPE_CHECKING, TypeVar, cast

from django.db import transaction
from django.utils.module_loading import import_string

if TYPE_CHECKING:
    from fabrique.audit.models import AuditEntry

logger = logging.getLogger(__name__)

Handler = Callable[["AuditEntry"], object]
H = TypeVar("H", bound=Callable[..., object])

# (pattern, dotted path of the handler), in registration order
_HANDLERS: list[tuple[str, str]] = []


def handler_path(handler: Callable[..., object]) -> str:
    return f"{handler.__module__}.{handler.__qualname__}"


def on_action(pattern: str) -> Callable[[H], H]:
    """Register the decorated handler for the actions matching `pattern` (exact name or fnmatch
    pattern): `@on_action("needs.need.*")`, or `on_action(pattern)(handler)`. Registering twice is a
    no-op."""

    def register(func: H) -> H:
        path = handler_path(func)
        if "<locals>" in path:
            raise ValueError(f"Event handlers must be module-level functions, not {path}.")
        if (pattern, path) not in _HANDLERS:
            _HANDLERS.append((pattern, path))
            _handlers_for.cache_clear()
        return func

    return register


@lru_cache(maxsize=1024)
def _handlers_for(action: str) -> tuple[str, ...]:
    paths: list[str] = []
    for pattern, path in _HANDLERS:
        if (pattern == action or fnmatch.fnmatchcase(action, pattern)) and path not in paths:
            paths.append(path)
    return tuple(paths)


def handlers_for(action: str) -> tuple[str, ...]:
    """Dotted paths of the handlers an `action` triggers."""
    return _handlers_for(action)


def resolve(path: str) -> Handler:
    """The handler behind a dotted path, only if it is registered (a task cannot call anything else)."""
    if not any(registered == path for _pattern, registered in _HANDLERS):
        raise LookupError(f"Unregistered event handler: {path}")
    return cast(Handler, import_string(path))


def event_dispatch(entry: AuditEntry) -> int:
    """Schedule the handlers of `entry.action` after the current transaction commits. Returns how
    many were scheduled. Called by `audit_log()`; never raises into the service."""
    paths = handlers_for(entry.action)
    for path in paths:
        transaction.on_commit(
            partial(_enqueue, entry_id=entry.pk, handler=path, fabrique_id=entry.fabrique_id), robust=True
        )
    return len(paths)


def _enqueue(*, entry_id: int, handler: str, fabrique_id: int | None) -> None:
    from .tasks import run_handler

    try:
        run_handler.enqueue(entry_id=entry_id, handler=handler, fabrique_id=fabrique_id, attempt=1)
    except Exception:  # the action is committed and stays so; the failure is logged loudly
        logger.exception("Could not enqueue %s for audit entry %s", handler, entry_id)
