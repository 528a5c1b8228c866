"""`fabrique worker`: django-tasks-db's worker plus a heartbeat and the reclaiming of orphaned tasks.

django-tasks-db marks a task RUNNING when a worker takes it; a worker killed (`kill -9`, power cut)
would leave it RUNNING forever. So each `fabrique worker` beats every `FABRIQUE_WORKER_HEARTBEAT`
seconds (a row in `WorkerHeartbeat`, written by a thread, also during a long task). Every worker, when
it starts and then regularly, gives back to the queue the RUNNING tasks whose worker has not beaten
for three beats (or, on the same machine, whose process no longer exists). The task then runs again;
handlers are idempotent, so nothing is sent twice.
"""

from __future__ import annotations

import datetime
import logging
import os
import socket
import threading
from typing import Any

from django.conf import settings
from django.db import OperationalError, close_old_connections, connection
from django.utils import timezone
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from .models import WorkerHeartbeat

logger = logging.getLogger(__name__)


def heartbeat_interval() -> float:
    return float(getattr(settings, "FABRIQUE_WORKER_HEARTBEAT", 10.0))


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def dead_worker_ids(*, now: datetime.datetime | None = None) -> set[str]:
    """Workers that stopped beating, or that ran on this machine in a process that no longer exists."""
    now = now or timezone.now()
    stale = now - datetime.timedelta(seconds=3 * heartbeat_interval())
    host = socket.gethostname()
    dead = set(WorkerHeartbeat.objects.filter(last_seen__lt=stale).values_list("worker_id", flat=True))
    for worker_id, pid in WorkerHeartbeat.objects.filter(hostname=host).values_list("worker_id", "pid"):
        if pid != os.getpid() and not _process_alive(pid):
            dead.add(worker_id)
    return dead


def tasks_reclaim() -> int:
    """Put back in the queue the RUNNING tasks of dead workers (or of workers that never beat).
    Returns how many."""
    alive = set(WorkerHeartbeat.objects.values_list("worker_id", flat=True)) - dead_worker_ids()
    reclaimed = 0
    for result in DBTaskResult.objects.running().only("id", "worker_ids"):
        last = result.worker_ids[-1] if result.worker_ids else None
        if last in alive:
            continue
        reclaimed += DBTaskResult.objects.filter(pk=result.pk, status="RUNNING").update(
            status="READY", started_at=None
        )
        logger.warning("Task %s of dead worker %s given back to the queue", result.pk, last)
    WorkerHeartbeat.objects.filter(worker_id__in=dead_worker_ids()).delete()
    return reclaimed


class FabriqueWorker(Worker):
    """A db_worker that beats and reclaims."""

    reclaim_every = 3  # beats between two reclaims

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._stop = threading.Event()

    def _beat(self) -> None:
        WorkerHeartbeat.objects.update_or_create(
            worker_id=self.worker_id,
            defaults={"hostname": socket.gethostname(), "pid": os.getpid(), "last_seen": timezone.now()},
        )

    def _heartbeat_loop(self) -> None:
        try:
            beats = 0
            while not self._stop.wait(heartbeat_interval()):
                beats += 1
                try:
                    self._beat()
                    if beats % self.reclaim_every == 0:
                        tasks_reclaim()
                except OperationalError:  # SQLite busy: the next beat will do
                    logger.info("Heartbeat skipped (database busy)")
        finally:
            connection.close()

    def run(self) -> None:
        self._beat()
        try:
            count = tasks_reclaim()
            if count:
                logger.warning("%s orphaned task(s) put back in the queue", count)
        except OperationalError:
            logger.warning("Could not reclaim orphaned tasks (database busy)")
        beat = threading.Thread(target=self._heartbeat_loop, name="worker-heartbeat", daemon=True)
        beat.start()
        try:
            super().run()
        finally:
            self._stop.set()
            close_old_connections()
            WorkerHeartbeat.objects.filter(worker_id=self.worker_id).delete()
