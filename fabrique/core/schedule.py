"""Scheduled work: one mechanism for everything that runs daily (reminders, digests, the GDPR erasure
of expired reporters).

Apps register their jobs with `register_daily(name, func)` (`func(day=date) -> int`). Cron or a
systemd timer calls `fabrique run_scheduled` once a day (more often is harmless): it enqueues one
task per job for the day, and a job already done for that day is skipped, so the command is
idempotent per day. Each job is itself idempotent per recipient (`deliver_once`), so a job that
fails half-way and is retried sends nothing twice.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Callable

from django.utils import timezone

from .models import DeliveryKey

logger = logging.getLogger(__name__)

DailyJob = Callable[..., object]
_JOBS: dict[str, DailyJob] = {}


def register_daily(name: str, func: DailyJob) -> None:
    _JOBS[name] = func


def daily_jobs() -> dict[str, DailyJob]:
    return dict(_JOBS)


def _key(name: str, day: datetime.date) -> str:
    return f"schedule:{name}:{day.isoformat()}"


def job_done(*, name: str, day: datetime.date) -> bool:
    return DeliveryKey.objects.filter(key=_key(name, day)).exists()


def job_run(*, name: str, day: datetime.date) -> object:
    """Run the job `name` for `day` unless it already ran for that day."""
    if job_done(name=name, day=day):
        return "already done"
    result = _JOBS[name](day=day)
    DeliveryKey.objects.get_or_create(key=_key(name, day))
    return result


def schedule_day(*, day: datetime.date | None = None, inline: bool = False) -> list[str]:
    """Enqueue (or, `inline`, run here) the day's jobs not yet done. Returns their names."""
    from .tasks import run_scheduled_job

    day = day or timezone.localdate()
    names = [name for name in _JOBS if not job_done(name=name, day=day)]
    for name in names:
        if inline:
            job_run(name=name, day=day)
        else:
            run_scheduled_job.enqueue(name=name, day=day.isoformat())
    return names
