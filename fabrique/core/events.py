"""The seam: every audited action is an event.

`audit_log()` writes the audit entry inside the service's transaction and calls `event_dispatch()`.
All the handlers registered for that action go into **one** task row, `run_handlers(entry_id=…,
handlers=[…])`:
- with the database task backend (production, the demo) the row is written in the action's own
  transaction (a transactional outbox): it commits with the action or rolls back with it, costs the
  request one INSERT and no extra commit, and no event can be lost between the commit and the
  enqueue (a process killed right after the commit still has its task row);
- with any other backend (the in-process backend of the tests) it is enqueued after the commit.
A rolled-back action is no event either way. The worker runs each handler with the audit entry
(fetched fresh); a handler that raises is retried with backoff — only the handlers that failed —
and a failure never reaches the user's request.

    from fabrique.core.events import on_action

    @on_action("needs.needreport.created")
    def report_confirmation(entry: AuditEntry) -> None: ...

    on_action("recruitment.application.*", notify_followers)   # fnmatch patterns allowed

Handlers are module-level functions (the task stores their dotted path), registered when their
module is imported (from the app's `AppConfig.ready()`). They must be idempotent: a task may run
twice (a worker killed mid-task, a retry of the other handlers of the same event); use
`fabrique.core.delivery.deliver_once` for anything sent out.
"""

from __future__ import annotations

import fnmatch
import logging
from collections.abc import Callable
from functools import lru_cache, partial
from typing import TYPE_CHECKING, Any, TypeVar, cast

from django.db import DatabaseError, transaction
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
    """Schedule the handlers of `entry.action` (one task row for all of them). Returns how many
    handlers were scheduled. Called by `audit_log()` inside the service's transaction; never raises
    into the service."""
    paths = handlers_for(entry.action)
    if not paths:
        return 0
    kwargs: dict[str, Any] = {"entry_id": entry.pk, "handlers": list(paths), "fabrique_id": entry.fabrique_id}
    if _outbox_backend() and transaction.get_connection().in_atomic_block:
        task = _task()
        backend = task.get_backend()
        try:
            backend.validate_task(task)
            # The outbox row: one INSERT in the action's transaction, without a savepoint (two round
            # trips fewer on PostgreSQL; see docs/decisions.md). What can fail in Python fails before
            # the INSERT (the task's validation above, the JSON normalisation) and is caught below;
            # the INSERT itself (no foreign key, a random UUID key) fails only when the database
            # does, and then the action's own writes fail alike: that error propagates and the
            # action is rolled back with its event, so no event is lost either way.
            backend._task_to_db_task(task, (), {"attempt": 1, **kwargs})  # what enqueue() writes
            return len(paths)
        except DatabaseError:
            raise
        except Exception:
            logger.exception(
                "Could not write the task of audit entry %s: enqueued after the commit", entry.pk
            )
    transaction.on_commit(partial(_enqueue, **kwargs), robust=True)
    return len(paths)


def _task() -> Any:
    from .tasks import run_handlers

    return run_handlers


def _outbox_backend() -> bool:
    """The task backend stores tasks in the application's default database (the task row can be
    part of the action's transaction)."""
    from django_tasks_db.backend import DatabaseBackend

    backend = _task().get_backend()
    return isinstance(backend, DatabaseBackend) and router_db_for_tasks() == "default"


def router_db_for_tasks() -> str:
    from django.db import router
    from django_tasks_db.models import DBTaskResult

    return str(router.db_for_write(DBTaskResult))


def _enqueue(*, entry_id: int, handlers: list[str], fabrique_id: int | None) -> None:
    try:
        _task().enqueue(entry_id=entry_id, handlers=handlers, fabrique_id=fabrique_id, attempt=1)
    except Exception:  # the action is committed and stays so; the failure is logged loudly
        logger.exception("Could not enqueue %s for audit entry %s", handlers, entry_id)
