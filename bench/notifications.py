"""Benchmark of the event → task → notification path, SQLite and PostgreSQL, in one command.

    .venv/bin/python bench/notifications.py [--events 1000] [--staff 10] [--repeat 3]
        [--pg postgres://postgres@127.0.0.1:5432/fabrique_events_bench] [--skip-pg | --skip-sqlite]

Per backend, a throw-away database (SQLite: a file under var/; PostgreSQL: the database named in
`--pg`, created and dropped), a fabrique with `--staff` officers (each wants every new report by
e-mail at once), and three child processes (Django settings and peak memory are per process):

1. **requests**: `need_report_submit` (what the public form calls) `--events` times, timed per call,
   with the seam (one task row for the event, written in the action's transaction), with the old
   seam (one task per handler, each enqueued after the commit), and with no handler at all (the
   baseline: the same write without the seam), `--events × --repeat` calls each, the three modes
   interleaved call by call. The difference of the medians is what the seam adds to the request per
   event (target < 5 ms).
   The queue is then trimmed to exactly the tasks of `--events` reports;
2. **deliver**: `fabrique worker --batch` (in-process) runs every queued task: one in-app
   notification + one HTML and text e-mail (locmem backend) per officer and report, i.e.
   events × staff notifications. Throughput, and the process's peak RSS;
3. **direct** (baseline of 2): `notify()` called directly, without the queue, for the same count.
   Throughput and peak RSS.
The peak memory of 2 and 3 is the whole process (Django loaded); the difference is the queue's.
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
SQLITE_FILE = ROOT / "var" / "bench-notifications.sqlite3"


def _peak_mb() -> float:
    """Peak resident memory of this process so far (Linux: kB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _setup(target: str, *, create: bool) -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "fabrique.settings.test"
    if target != "sqlite":
        os.environ["DATABASE_URL"] = target
    sys.path.insert(0, str(ROOT))
    import django
    from django.conf import settings

    db = settings.DATABASES["default"]
    if db["ENGINE"].endswith("sqlite3"):
        db["NAME"] = str(SQLITE_FILE)
        # the demo's SQLite (fabrique.settings.base), not the test settings' in-memory defaults: a
        # commit is not an fsync of the whole file (WAL, synchronous=NORMAL)
        db.setdefault("OPTIONS", {})["init_command"] = "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    django.setup()
    from django.core import mail

    mail.outbox = []
    if create:
        from django.core.management import call_command

        call_command("migrate", verbosity=0, interactive=False)


def _fabrique():
    from fabrique.fabriques.models import Fabrique

    return Fabrique.objects.get(slug="bench")


def phase_requests(args: argparse.Namespace) -> dict:
    _setup(args.target, create=True)
    from django_tasks_db.models import DBTaskResult

    from fabrique.accounts.models import User
    from fabrique.core import events
    from fabrique.fabriques.models import Fabrique, Membership, Role
    from fabrique.needs.services import need_report_submit

    fabrique = Fabrique.objects.create(slug="bench", name="Fabrique du banc")
    for i in range(args.staff):
        user = User.objects.create_user(f"officer{i}@bench.test", None)
        Membership.objects.create(user=user, fabrique=fabrique, role=Role.OFFICER)

    cpu: dict[str, list[float]] = {"seam": [], "legacy": [], "without": []}

    def submit_many(n: int, offset: int, mode: str = "") -> list[float]:
        times = []
        for i in range(n):
            data = {
                "title": f"Pas de laverie dans le quartier {offset + i}",
                "description": "Les habitants du quartier doivent traverser la ville pour laver leur linge.",
                "reporter_name": "Camille Martin",
                "reporter_email": "",
                "reporter_type": "inhabitant",
                "consent_processing": True,
            }
            start, start_cpu = time.perf_counter(), time.process_time()
            need_report_submit(fabrique=fabrique, **data)
            times.append(time.perf_counter() - start)
            if mode:  # this process's CPU time: what the load of the machine does not inflate
                cpu[mode].append(time.process_time() - start_cpu)
        return times

    import fabrique.audit.services as audit_services
    from fabrique.core.tasks import run_handler

    def legacy_dispatch(entry) -> int:
        """The seam as it was before this benchmark's fix: one task per handler, each enqueued
        after the commit (its own INSERT and commit)."""
        from functools import partial

        from django.db import transaction

        paths = events.handlers_for(entry.action)
        for path in paths:
            transaction.on_commit(
                partial(run_handler.enqueue, entry_id=entry.pk, handler=path, fabrique_id=entry.fabrique_id),
                robust=True,
            )
        return len(paths)

    def no_dispatch(entry) -> int:
        """The baseline: the same action, its audit entry written, nothing scheduled."""
        return 0

    def use(dispatch):
        return lambda: setattr(audit_services, "event_dispatch", dispatch)

    with_the_seam = use(events.event_dispatch)
    modes = {"seam": with_the_seam, "legacy": use(legacy_dispatch), "without": use(no_dispatch)}
    submit_many(20, 10**6)  # warm-up (caches, first queries)
    DBTaskResult.objects.all().delete()
    times: dict[str, list[float]] = {mode: [] for mode in modes}
    # the three modes interleaved call by call, their order rotated, so that the machine's load (which
    # drifts over minutes here) weighs on each mode alike; the seam's cost is the difference of medians
    order = list(modes)
    offset = 0
    for i in range(args.events * args.repeat):
        for mode in order[i % 3 :] + order[: i % 3]:
            modes[mode]()
            times[mode] += submit_many(1, offset, mode)
            offset += 1
    with_the_seam()
    # keep exactly the tasks of `events` reports of the current seam for the delivery phase
    current = DBTaskResult.objects.filter(task_path=events._task().module_path)
    rows_per_event = current.count() / len(times["seam"])
    keep = list(
        current.order_by("enqueued_at").values_list("pk", flat=True)[: round(args.events * rows_per_event)]
    )
    DBTaskResult.objects.exclude(pk__in=keep).delete()
    with_seam, legacy, without = times["seam"], times["legacy"], times["without"]
    return {
        "request_ms_with_seam": 1000 * statistics.median(with_seam),
        "request_ms_legacy": 1000 * statistics.median(legacy),
        "request_ms_baseline": 1000 * statistics.median(without),
        # the same from paired calls (each "seam" call minus the "without" call next to it)
        "request_ms_added_paired": 1000
        * statistics.median(w - b for w, b in zip(with_seam, without, strict=True)),
        "request_cpu_ms_added": 1000 * (statistics.mean(cpu["seam"]) - statistics.mean(cpu["without"])),
        "task_rows_per_event": rows_per_event,
        "handlers_per_event": len(events.handlers_for("needs.needreport.created")),
    }


def phase_deliver(args: argparse.Namespace) -> dict:
    _setup(args.target, create=False)
    from django.core import mail
    from django_tasks_db.models import DBTaskResult

    from fabrique.core.worker import FabriqueWorker
    from fabrique.notifications.models import Notification

    before = _peak_mb()
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
    delivered = Notification.objects.count()
    return {
        "notifications": delivered,
        "emails": len(mail.outbox),
        "failed_tasks": DBTaskResult.objects.filter(status="FAILED").count(),
        "delivery_s": elapsed,
        "per_second": delivered / elapsed if elapsed else 0.0,
        "start_mb": before,
        "peak_mb": _peak_mb(),
    }


def phase_direct(args: argparse.Namespace) -> dict:
    _setup(args.target, create=False)
    from django.core import mail

    from fabrique.accounts.models import User
    from fabrique.notifications.services import notify

    fabrique = _fabrique()
    staff = list(User.objects.filter(email__endswith="@bench.test"))
    before = _peak_mb()
    start = time.perf_counter()
    for i in range(args.events):
        notify(
            fabrique=fabrique,
            recipients=staff,
            kind="report_new",
            title=f"Signalement {i}",
            key=f"direct:{i}",
        )
    elapsed = time.perf_counter() - start
    return {
        "direct_per_second": args.events * len(staff) / elapsed if elapsed else 0.0,
        "direct_emails": len(mail.outbox),
        "direct_start_mb": before,
        "direct_peak_mb": _peak_mb(),
    }


def _drop(target: str) -> None:
    if target == "sqlite":
        SQLITE_FILE.unlink(missing_ok=True)
        return
    import psycopg

    base, name = target.rsplit("/", 1)
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _create(target: str) -> None:
    _drop(target)
    if target != "sqlite":
        import psycopg

        base, name = target.rsplit("/", 1)
        with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--events", type=int, default=1000)
    parser.add_argument("--staff", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--pg", default="postgres://postgres@127.0.0.1:5432/fabrique_events_bench")
    parser.add_argument("--skip-pg", action="store_true")
    parser.add_argument(
        "--skip-sqlite", action="store_true", help="PostgreSQL only (e.g. both backends run at once)"
    )
    parser.add_argument("--phase", default="")
    parser.add_argument("--target", default="sqlite")
    args = parser.parse_args()
    if args.phase:
        print(json.dumps(globals()[f"phase_{args.phase}"](args)))
        return
    backends = ([] if args.skip_sqlite else [("SQLite", "sqlite")]) + (
        [] if args.skip_pg else [("PostgreSQL", args.pg)]
    )
    rows = []
    for label, target in backends:
        _create(target)
        result: dict = {}
        try:
            for phase in ("requests", "deliver", "direct"):
                command = [sys.executable, __file__, "--phase", phase, "--target", target]
                command += [
                    "--events",
                    str(args.events),
                    "--staff",
                    str(args.staff),
                    "--repeat",
                    str(args.repeat),
                ]
                print(f"{label}: {phase}…", file=sys.stderr)
                out = subprocess.run(
                    command,
                    cwd=ROOT,
                    capture_output=True,
                    text=True,
                    env={**os.environ, "PYTHONPATH": str(ROOT)},
                )
                if out.returncode != 0:
                    raise RuntimeError(f"{label} {phase} failed\n{out.stderr[-3000:]}")
                result.update(json.loads(out.stdout.strip().splitlines()[-1]))
        except RuntimeError as exc:
            print(exc)
            continue
        finally:
            _drop(target)
        rows.append((label, result))
    total = args.events * args.staff
    print(
        f"\n{args.events} reports × {args.staff} officers = {total} notifications + e-mails (locmem), "
        f"request times: medians of {args.events * args.repeat} calls each\n"
    )
    head = (
        "backend",
        "request with seam (ms)",
        "request, old seam (ms)",
        "request without (ms)",
        "added per event (ms)",
        "added, paired median (ms)",
        "added, CPU of the process (ms)",
        "old seam added (ms)",
        "handlers / task rows per event",
        "notifications / e-mails",
        "failed",
        "delivery (s)",
        "queued notif/s",
        "direct notif/s",
        "queued / direct",
        "peak MB queued (start)",
        "peak MB direct (start)",
    )
    print("| " + " | ".join(head) + " |")
    print("|" + "---|" * len(head))
    for label, r in rows:
        cells = [
            label,
            f"{r['request_ms_with_seam']:.2f}",
            f"{r['request_ms_legacy']:.2f}",
            f"{r['request_ms_baseline']:.2f}",
            f"{r['request_ms_with_seam'] - r['request_ms_baseline']:.2f}",
            f"{r['request_ms_added_paired']:.2f}",
            f"{r.get('request_cpu_ms_added', float('nan')):.2f}",
            f"{r['request_ms_legacy'] - r['request_ms_baseline']:.2f}",
            f"{r['handlers_per_event']} / {r['task_rows_per_event']:.1f}",
            f"{r['notifications']} / {r['emails']}",
            str(r["failed_tasks"]),
            f"{r['delivery_s']:.1f}",
            f"{r['per_second']:.0f}",
            f"{r['direct_per_second']:.0f}",
            f"{r['per_second'] / r['direct_per_second']:.2f}" if r["direct_per_second"] else "-",
            f"{r['peak_mb']:.0f} ({r['start_mb']:.0f})",
            f"{r['direct_peak_mb']:.0f} ({r['direct_start_mb']:.0f})",
        ]
        print("| " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
