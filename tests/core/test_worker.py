"""The real worker process: tasks enqueued while no worker runs wait and run when it starts;
`kill -9` in the middle of a task, the next worker reclaims the task, each e-mail goes out exactly once. And a regrouping run whose worker died is finished, not stuck."""

import os
import signal
import sqlite3
import subprocess
import sys
import time
from email import message_from_bytes
from pathlib import Path

import pytest
from django.db import connection
from django_tasks_db.models import DBTaskResult

from fabrique.core.models import WorkerHeartbeat
from fabrique.core.worker import FabriqueWorker, tasks_reclaim
from fabrique.needs.models import Need, NeedStage, RegroupingRun, RunStatus
from fabrique.needs.services import (
    need_create_from_report,
    need_mark_answered,
    need_report_attach,
    need_report_submit,
)
from fabrique.notifications.models import Notification
from fabrique.projects.models import Project

ROOT = Path(__file__).resolve().parents[2]


def _report(fabrique, email):
    return need_report_submit(
        fabrique=fabrique,
        **{
            "title": "Pas de garde d'enfants le soir",
            "description": "Les parents en horaires décalés n'ont aucune solution.",
            "reporter_name": "Camille Martin",
            "reporter_email": email,
            "reporter_type": "inhabitant",
            "consent_processing": True,
            "consent_notifications": True,
        },
    )


class WorkerDatabase:
    """The test database as a worker process sees it: PostgreSQL's test database as it is; SQLite's
    in-memory test database copied to a file before, and copied back after."""

    def __init__(self, tmp_path: Path):
        self.vendor = connection.vendor
        self.file = tmp_path / "worker.sqlite3"

    def url(self) -> str:
        if self.vendor == "sqlite":
            return f"sqlite:///{self.file}"
        s = connection.settings_dict
        return f"postgres://{s['USER']}:{s['PASSWORD']}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"

    def export(self) -> None:
        if self.vendor == "sqlite":
            connection.ensure_connection()
            target = sqlite3.connect(self.file)
            connection.connection.backup(target)
            target.close()

    def reimport(self) -> None:
        if self.vendor == "sqlite":
            source = sqlite3.connect(self.file)
            source.backup(connection.connection)
            source.close()


def _worker(db: WorkerDatabase, mail_dir: Path, *extra: str) -> subprocess.Popen:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.core.worker_settings",
        "DATABASE_URL": db.url(),
        "FABRIQUE_TEST_MAIL_DIR": str(mail_dir),
        "PYTHONPATH": str(ROOT),
    }
    command = [
        sys.executable,
        "-m",
        "fabrique.manage",
        "worker",
        "--no-startup-delay",
        "--interval",
        "0.2",
        *extra,
    ]
    return subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)


@pytest.mark.django_db(transaction=True)
def test_kill_9_mid_task_the_task_runs_again_and_each_email_goes_out_once(team, settings, tmp_path):
    # given: a need answered by a project, two reporters to tell; the event's task is in the queue
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    fabrique, officer = team.fabrique, team.officer
    need = need_create_from_report(report=_report(fabrique, "vite@example.org"), actor=officer)
    need_report_attach(report=_report(fabrique, "lent@example.org"), need=need, actor=officer)
    Need.objects.filter(pk=need.pk).update(stage=NeedStage.IN_STUDY)
    project = Project.objects.create(fabrique=fabrique, title="Crèche à horaires atypiques")
    DBTaskResult.objects.all().delete()  # the reports' confirmations: not this test's subject
    need_mark_answered(need=need, project=project, actor=officer)
    # one task row for every handler of the event; keep only the reporters' e-mails in it (the staff's
    # notifications and the webhooks are tested elsewhere)
    (task,) = [
        t
        for t in DBTaskResult.objects.all()
        if "fabrique.needs.handlers.need_answered" in t.args_kwargs["kwargs"].get("handlers", [])
    ]
    DBTaskResult.objects.exclude(pk=task.pk).delete()
    task.args_kwargs["kwargs"]["handlers"] = ["fabrique.needs.handlers.need_answered"]
    task.save(update_fields=["args_kwargs"])
    mail_dir = tmp_path / "mail"
    mail_dir.mkdir()
    db = WorkerDatabase(tmp_path)
    db.export()

    # when: the worker is killed while the slow server holds the second message
    first = _worker(db, mail_dir)
    try:
        deadline = time.monotonic() + 90
        while not (mail_dir / "slow-server-reached").exists():
            assert time.monotonic() < deadline, (
                first.stdout.read1().decode() if first.poll() is not None else ""
            )
            time.sleep(0.1)
        os.kill(first.pid, signal.SIGKILL)
    finally:
        first.wait(timeout=30)
    # then a new worker gives the orphaned task back to the queue and runs it
    second = _worker(db, mail_dir, "--batch")
    output = second.communicate(timeout=120)[0].decode()
    assert second.returncode == 0, output
    db.reimport()

    # then: the task succeeded and each reporter got exactly one e-mail
    task.refresh_from_db()
    assert task.status == "SUCCESSFUL" and len(task.worker_ids) == 2
    recipients = sorted(message_from_bytes(p.read_bytes())["To"] for p in mail_dir.glob("*.eml"))
    assert recipients == ["lent@example.org", "vite@example.org"]
    assert not WorkerHeartbeat.objects.exists()  # the dead worker's beat was cleared, the live one left


def _statuses(db: WorkerDatabase) -> list[str]:
    """The task rows' statuses as the worker wrote them (its SQLite file, or the shared database)."""
    if db.vendor == "sqlite":
        with sqlite3.connect(db.file) as worker_db:
            return [row[0] for row in worker_db.execute(f"SELECT status FROM {DBTaskResult._meta.db_table}")]
    return list(DBTaskResult.objects.values_list("status", flat=True))


@pytest.mark.django_db(transaction=True)
def test_with_the_worker_stopped_tasks_wait_and_run_when_it_starts(team, settings, tmp_path):
    # given: no worker runs while a report arrives, becomes a need, and the need is answered
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    fabrique, officer = team.fabrique, team.officer
    need = need_create_from_report(report=_report(fabrique, "camille@example.org"), actor=officer)
    Need.objects.filter(pk=need.pk).update(stage=NeedStage.IN_STUDY)
    project = Project.objects.create(fabrique=fabrique, title="Crèche à horaires atypiques")
    need_mark_answered(need=need, project=project, actor=officer)

    # then: every event's task waits in the queue, and keeps waiting; nothing was sent
    waiting = list(DBTaskResult.objects.order_by("enqueued_at"))
    assert len(waiting) >= 3 and {t.status for t in waiting} == {"READY"}
    time.sleep(1)
    assert set(DBTaskResult.objects.values_list("status", flat=True)) == {"READY"}
    assert not Notification.objects.exists()
    mail_dir = tmp_path / "mail"
    mail_dir.mkdir()
    db = WorkerDatabase(tmp_path)
    db.export()

    # when: the worker starts (the long-running process `make demo` and systemd start, not --batch)
    worker = _worker(db, mail_dir)
    try:
        deadline = time.monotonic() + 120
        while set(_statuses(db)) != {"SUCCESSFUL"}:
            assert worker.poll() is None, worker.stdout.read1().decode()
            assert time.monotonic() < deadline, _statuses(db)
            time.sleep(0.2)
    finally:
        worker.send_signal(signal.SIGTERM)  # what Ctrl+C and systemd's stop do: finish, then leave
        output = worker.communicate(timeout=60)[0].decode()
    assert worker.returncode == 0, output
    db.reimport()

    # then: each waiting task ran once, in the worker, and its effects are there; the events queued one
    # warming of the duplicates queue between them (fabrique.needs.grouping.duplicate_queue_warm_request)
    done = {t.pk: t for t in DBTaskResult.objects.all()}
    warmings = {pk for pk, t in done.items() if t.task_path == "fabrique.core.tasks.warm_duplicate_queue"}
    assert set(done) - warmings == {t.pk for t in waiting} and len(warmings) == 1
    assert all(t.status == "SUCCESSFUL" and len(t.worker_ids) == 1 for t in done.values())
    recipients = [message_from_bytes(p.read_bytes())["To"] for p in mail_dir.glob("*.eml")]
    assert recipients.count("camille@example.org") == 2  # report received, then the need answered
    assert Notification.objects.filter(recipient=officer, kind="report_new").exists()


@pytest.mark.django_db(transaction=True)
def test_a_regrouping_run_left_running_by_a_dead_worker_is_reclaimed_and_finished(team, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    from fabrique.core.tasks import run_regrouping

    fabrique = team.fabrique
    for email in ("a@example.org", "b@example.org"):
        _report(fabrique, email)
    run = RegroupingRun.objects.create(fabrique=fabrique, status=RunStatus.RUNNING, total=2, processed=1)
    result = run_regrouping.enqueue(run_id=run.pk, fabrique_id=fabrique.pk)
    # the worker that took it was killed: its heartbeat stopped long ago
    WorkerHeartbeat.objects.create(
        worker_id="mort", hostname="ailleurs", pid=1, last_seen="2020-01-01T00:00Z"
    )
    DBTaskResult.objects.filter(pk=result.id).update(status="RUNNING", worker_ids=["mort"])
    assert tasks_reclaim() == 1
    FabriqueWorker(
        queue_names=["*"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="vivant",
        excluded_queue_names=[],
    ).run()
    run.refresh_from_db()
    assert run.status == RunStatus.DONE and run.processed == run.total == 2
    assert DBTaskResult.objects.get(pk=result.id).status == "SUCCESSFUL"


@pytest.mark.django_db
def test_a_live_workers_task_is_not_reclaimed(team):
    WorkerHeartbeat.objects.create(worker_id="vivant", hostname="ailleurs", pid=1)
    DBTaskResult.objects.create(
        task_path="fabrique.core.tasks.run_handler",
        args_kwargs={"args": [], "kwargs": {}},
        backend_name="default",
        status="RUNNING",
        worker_ids=["vivant"],
    )
    assert tasks_reclaim() == 0
