"""Benchmark of the event → task → notification path, SQLite and PostgreSQL, in one command.

    .venv/bin/python bench/notifications.py [--events 1000] [--staff 10] [--pg postgres://postgres@127.0.0.1:5432/postgres]
                                            [--skip-pg] [--repeat 3]

For each backend (a child process each: Django settings are per process) it creates a throw-away
test database, a fabrique with `--staff` officers (each wants every new report by e-mail at once),
then:
1. the request side: `need_report_submit` (what the public form calls) for `--events` reports, timed
   per call, once with the event handlers registered (each report enqueues its tasks after the
   commit) and once with no handler at all (the baseline: the same write without the seam). The
   difference of the medians is what the seam adds to a request (target: < 5 ms per event);
2. the delivery side: one `fabrique worker --batch` (in-process) runs every queued task: one
   notification + one e-mail (locmem backend, HTML + text) per officer and report, i.e.
   events × staff notifications; throughput in notifications per second and the peak memory
   (peak RSS of the process after delivery vs before), compared with calling `notify()` directly (no
   queue) for the same count as the baseline.
Medians of `--repeat` runs for the per-call request times.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _rss_mb() -> float:
    """Peak resident memory of this process so far (Linux: kB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child(args: argparse.Namespace) -> dict:
    os.environ["DJANGO_SETTINGS_MODULE"] = "fabrique.settings.test"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.db import connection
    from django.test.utils import setup_test_environment

    setup_test_environment()  # locmem e-mail
    from django.test.utils import override_settings

    override_settings(TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}).enable()
    connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    try:
        return _run(args)
    finally:
        connection.creation.destroy_test_db(connection.settings_dict["NAME"], verbosity=0)


def _run(args: argparse.Namespace) -> dict:
    from django.core import mail
    from django_tasks_db.models import DBTaskResult

    from fabrique.accounts.models import User
    from fabrique.core import events
    from fabrique.core.worker import FabriqueWorker
    from fabrique.fabriques.models import Fabrique, Membership, Role
    from fabrique.needs.services import need_report_submit
    from fabrique.notifications.models import Notification
    from fabrique.notifications.services import notify

    fabrique = Fabrique.objects.create(slug="bench", name="Fabrique du banc")
    staff = []
    for i in range(args.staff):
        user = User.objects.create_user(f"officer{i}@bench.test", None)
        Membership.objects.create(user=user, fabrique=fabrique, role=Role.OFFICER)
        staff.append(user)

    def data(i: int) -> dict:
        return {
            "title": f"Pas de laverie dans le quartier {i}",
            "description": "Les habitants du quartier doivent traverser la ville pour laver leur linge.",
            "reporter_name": "Camille Martin",
            "reporter_email": "",
            "reporter_type": "inhabitant",
            "consent_processing": True,
        }

    def submit_many(n: int, offset: int) -> list[float]:
        times = []
        for i in range(n):
            start = time.perf_counter()
            need_report_submit(fabrique=fabrique, **data(offset + i))
            times.append(time.perf_counter() - start)
        return times

    # 1. request side: with the seam, then without any handler (baseline); medians of the repeats
    with_seam, without = [], []
    saved = list(events._HANDLERS)
    for r in range(args.repeat):
        with_seam.append(statistics.median(submit_many(args.events, r * args.events)))
        events._HANDLERS.clear()
        events._handlers_for.cache_clear()
        without.append(statistics.median(submit_many(args.events, (args.repeat + r) * args.events)))
        events._HANDLERS[:] = saved
        events._handlers_for.cache_clear()
    queued = DBTaskResult.objects.filter(status="READY").count()
    # keep exactly one batch of events to deliver (events × staff notifications)
    keep = list(
        DBTaskResult.objects.filter(status="READY").order_by("enqueued_at").values_list("pk", flat=True)
    )
    per_event = queued // (args.events * args.repeat) if args.repeat else 0
    DBTaskResult.objects.exclude(pk__in=keep[: args.events * per_event]).delete()

    # 2. delivery: the worker runs the tasks
    mail.outbox = []
    rss_before = _rss_mb()
    start = time.perf_counter()
    FabriqueWorker(
        queue_names=["*"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="bench",
        excluded_queue_names=[],
    ).run()
    elapsed = time.perf_counter() - start
    peak = _rss_mb()
    delivered = Notification.objects.count()
    emails = len(mail.outbox)
    failed = DBTaskResult.objects.filter(status="FAILED").count()

    # baseline: the same number of notifications by calling notify() directly (no queue)
    Notification.objects.all().delete()
    mail.outbox = []
    start = time.perf_counter()
    for i in range(args.events):
        notify(
            fabrique=fabrique,
            recipients=staff,
            kind="report_new",
            title=f"Signalement {i}",
            key=f"direct:{i}",
        )
    direct_elapsed = time.perf_counter() - start
    return {
        "request_ms_with_seam": 1000 * statistics.median(with_seam),
        "request_ms_baseline": 1000 * statistics.median(without),
        "tasks_per_event": per_event,
        "notifications": delivered,
        "emails": emails,
        "failed_tasks": failed,
        "delivery_s": elapsed,
        "per_second": delivered / elapsed if elapsed else 0.0,
        "rss_before_mb": rss_before,
        "peak_mb": peak,
        "direct_per_second": (args.events * args.staff) / direct_elapsed if direct_elapsed else 0.0,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--events", type=int, default=1000)
    parser.add_argument("--staff", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--pg", default="postgres://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--skip-pg", action="store_true")
    parser.add_argument("--child", default="")
    args = parser.parse_args()
    if args.child:
        if args.child != "sqlite":
            os.environ["DATABASE_URL"] = args.child
        print(json.dumps(child(args)))
        return
    backends = [("SQLite", "sqlite")] + ([] if args.skip_pg else [("PostgreSQL", args.pg)])
    rows = []
    for label, target in backends:
        command = [
            sys.executable,
            __file__,
            "--child",
            target,
            "--events",
            str(args.events),
            "--staff",
            str(args.staff),
            "--repeat",
            str(args.repeat),
        ]
        out = subprocess.run(
            command, cwd=ROOT, capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)}
        )
        if out.returncode != 0:
            print(f"{label}: failed\n{out.stderr[-3000:]}")
            continue
        rows.append((label, json.loads(out.stdout.strip().splitlines()[-1])))
    print(
        f"\n{args.events} events × {args.staff} officers = {args.events * args.staff} notifications + e-mails (locmem)\n"
    )
    head = (
        "backend",
        "request +seam ms",
        "request base ms",
        "added ms/event",
        "tasks/event",
        "notifications",
        "e-mails",
        "failed",
        "delivery s",
        "notif/s",
        "direct notif/s",
        "queue/direct",
        "peak MB",
        "direct peak MB",
    )
    print(" | ".join(head))
    print(" | ".join("---" for _ in head))
    for label, r in rows:
        print(
            " | ".join(
                [
                    label,
                    f"{r['request_ms_with_seam']:.2f}",
                    f"{r['request_ms_baseline']:.2f}",
                    f"{r['request_ms_with_seam'] - r['request_ms_baseline']:.2f}",
                    str(r["tasks_per_event"]),
                    str(r["notifications"]),
                    str(r["emails"]),
                    str(r["failed_tasks"]),
                    f"{r['delivery_s']:.1f}",
                    f"{r['per_second']:.0f}",
                    f"{r['direct_per_second']:.0f}",
                    f"{r['per_second'] / r['direct_per_second']:.2f}" if r["direct_per_second"] else "-",
                    f"{r['peak_mb']:.1f}",
                    f"{r['direct_peak_mb']:.1f}",
                ]
            )
        )


if __name__ == "__main__":
    main()
