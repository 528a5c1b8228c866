"""Tasks run by `fabrique worker` (django-tasks, database backend). Tasks receive ids, never model
instances, and call services or event handlers.

Retries: a handler that raises is enqueued again with a growing delay (`RETRY_DELAYS`); the attempt
that failed is recorded as failed with `RetryScheduled` (so the list of failed tasks shows only
the final failures). After the last attempt the task stays failed, listed for admins with a
"relancer" button (`task_relaunch`).
"""

from __future__ import annotations

import datetime
import logging
from typing import Any

from django.utils import timezone
from django_tasks import task

logger = logging.getLogger(__name__)

# delays before the 2nd, 3rd, 4th and 5th attempts
RETRY_DELAYS = (
    datetime.timedelta(seconds=30),
    datetime.timedelta(minutes=5),
    datetime.timedelta(minutes=30),
    datetime.timedelta(hours=3),
)
MAX_ATTEMPTS = len(RETRY_DELAYS) + 1


class RetryScheduled(Exception):  # noqa: N818 - the name says what happened
    """This attempt failed and the next one is scheduled: not a final failure."""


def retry_delay(attempt: int) -> datetime.timedelta:
    """The delay after the failed `attempt` (1-based)."""
    return RETRY_DELAYS[min(attempt, len(RETRY_DELAYS)) - 1]


def _schedule_retry(task_obj: Any, *, attempt: int, **kwargs: object) -> bool:
    backend = task_obj.get_backend()
    if attempt >= MAX_ATTEMPTS or not getattr(backend, "supports_defer", False):
        return False
    task_obj.using(run_after=timezone.now() + retry_delay(attempt)).enqueue(attempt=attempt + 1, **kwargs)
    return True


@task()
def run_handler(*, entry_id: int, handler: str, fabrique_id: int | None = None, attempt: int = 1) -> str:
    """Run one event handler for one audit entry (the tasks enqueued before `run_handlers`, and
    their "relancer")."""
    from fabrique.audit.models import AuditEntry

    from .events import resolve

    entry = AuditEntry.objects.select_related("fabrique", "actor").filter(pk=entry_id).first()
    if entry is None:
        return "missing entry"
    try:
        resolve(handler)(entry)
    except Exception as exc:
        kwargs = {"entry_id": entry_id, "handler": handler, "fabrique_id": fabrique_id}
        if _schedule_retry(run_handler, attempt=attempt, **kwargs):
            logger.warning(
                "Handler %s failed on entry %s (attempt %s): retry scheduled", handler, entry_id, attempt
            )
            raise RetryScheduled(f"{type(exc).__name__}: {exc}") from exc
        raise
    return "ok"


@task()
def run_handlers(
    *, entry_id: int, handlers: list[str], fabrique_id: int | None = None, attempt: int = 1
) -> str:
    """Run every handler of one audit entry (`fabrique.core.events`: one task row per event). Each
    handler runs on its own; when some raise, only those are retried (a new task with them alone),
    and the last attempt fails with the first error."""
    from fabrique.audit.models import AuditEntry

    from .events import resolve

    entry = AuditEntry.objects.select_related("fabrique", "actor").filter(pk=entry_id).first()
    if entry is None:
        return "missing entry"
    failed: list[tuple[str, Exception]] = []
    for path in handlers:
        try:
            resolve(path)(entry)
        except Exception as exc:
            logger.warning(
                "Handler %s failed on entry %s (attempt %s)", path, entry_id, attempt, exc_info=True
            )
            failed.append((path, exc))
    if not failed:
        return "ok"
    paths = [path for path, _exc in failed]
    first = failed[0][1]
    if _schedule_retry(
        run_handlers, attempt=attempt, entry_id=entry_id, handlers=paths, fabrique_id=fabrique_id
    ):
        raise RetryScheduled(f"{', '.join(paths)}: {type(first).__name__}: {first}") from first
    raise first


@task()
def run_regrouping(*, run_id: int, fabrique_id: int | None = None, attempt: int = 1) -> str:
    """Execute a regrouping run (`fabrique.needs.grouping.regrouping_run_execute`). A run whose worker
    was killed is run again from the start (proposals already made are not made twice)."""
    from fabrique.needs.grouping import regrouping_run_execute

    run = regrouping_run_execute(run_id=run_id, resume=True)
    if run.status in ("done", "failed"):
        from fabrique.notifications.handlers import regrouping_finished

        regrouping_finished(run=run)
    return run.status


@task()
def refresh_pair_model_adaptation(*, fabrique_id: int, attempt: int = 1) -> str:
    """Calibrate the fabrique's pair model on its team's decisions
    (`fabrique.needs.grouping.pair_model_adaptation_refresh`), unless nothing was decided since the last
    measure (an action that records several decisions enqueues this several times)."""
    from fabrique.fabriques.models import Fabrique
    from fabrique.needs.grouping import (
        duplicate_queue_warm_request,
        pair_model_adaptation_refresh,
        pair_model_adaptation_refresh_due,
        ranking_model,
    )

    fabrique = Fabrique.objects.filter(pk=fabrique_id).first()
    if fabrique is None:
        return "missing fabrique"
    if not pair_model_adaptation_refresh_due(fabrique=fabrique):
        return "up to date"
    before = ranking_model(fabrique=fabrique)
    row = pair_model_adaptation_refresh(fabrique=fabrique)
    if ranking_model(fabrique=fabrique) != before:  # the cached rankings read the former model
        duplicate_queue_warm_request(fabrique_id=fabrique.pk)
    return "used" if row.used else "shipped"


@task()
def warm_duplicate_queue(*, fabrique_id: int, attempt: int = 1) -> str:
    """Compute the rankings of the fabrique's duplicates queue before the team views it
    (`fabrique.needs.grouping.duplicate_queue_warm`; queued by `duplicate_queue_warm_request`)."""
    from fabrique.fabriques.models import Fabrique
    from fabrique.needs.grouping import duplicate_queue_warm

    fabrique = Fabrique.objects.filter(pk=fabrique_id).first()
    if fabrique is None:
        return "missing fabrique"
    return f"{duplicate_queue_warm(fabrique=fabrique)} reports"


@task()
def run_scheduled_job(*, name: str, day: str, fabrique_id: int | None = None, attempt: int = 1) -> str:
    """One daily job (`fabrique.core.schedule`) for one day: runs once per day whatever happens."""
    from .schedule import job_run

    try:
        return str(job_run(name=name, day=datetime.date.fromisoformat(day)))
    except Exception as exc:
        if _schedule_retry(run_scheduled_job, attempt=attempt, name=name, day=day, fabrique_id=fabrique_id):
            raise RetryScheduled(f"{type(exc).__name__}: {exc}") from exc
        raise
