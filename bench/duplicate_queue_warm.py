#!/usr/bin/env python
"""The duplicates queue's first view after a change, without and with the warming in the worker.

    .venv/bin/python bench/duplicate_queue_warm.py \
        --database-url postgres://postgres@127.0.0.1:5432/fabrique_scale_big \
        [--redis redis://127.0.0.1:6379/7] [--trials 15] [--fabrique reseau-01]

It writes into that database (a benchmark one): each trial makes two changes in the fabrique, through the
services as the team would, each change twice (once per mode):
- **new report**: a report received, the copy (title, description, commune) of a random attached report;
- **merge**: the latest received report with a suggestion merged into its suggested need (it leaves the
  queue, the next one comes in, and it becomes a candidate of the others);
- **cache emptied, then a new report**: no ranking cached (a new engine deployed, the cache server
  restarted), then a new report: every ranking of the pages is computed, in the view or in the worker.
After each change, **without** warming: its events' tasks are dropped (what happened before the warming
existed), then the officer's first view of the queue and of the comparison page of the queue's latest report
are timed. **With** warming: the worker part runs first — the events' `duplicate_queue_changed` handler and
the `warm_duplicate_queue` task it queues (timed; the events' other handlers, notifications and insights,
are left out: they do not touch what the pages read) — then the same two views are timed. Also counted:
the rankings each view computed (`_rank` calls). The cache is Redis (`--redis`, its database emptied at
the start) as in production, DEBUG off, Django's test client in process (no network). Prints a Markdown
table.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from pages import percentile  # noqa: E402  (bench/pages.py: the same figures as the pages table)

RUN_HANDLERS = "fabrique.core.tasks.run_handlers"
WARM = "fabrique.core.tasks.warm_duplicate_queue"
HANDLER = "fabrique.needs.handlers.duplicate_queue_changed"
EVERY = "cache emptied, then a new report"


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/7")
    parser.add_argument("--fabrique", default="reseau-01")
    parser.add_argument("--officer", default="")
    parser.add_argument("--trials", type=int, default=15)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    os.environ.update(
        {
            "DATABASE_URL": args.database_url,
            "REDIS_URL": args.redis,
            "DEBUG": "false",
            "ALLOWED_HOSTS": "testserver",
            "DJANGO_SETTINGS_MODULE": "fabrique.settings.base",
            "FABRIQUE_TASKS_BACKEND": "django_tasks_db.DatabaseBackend",
        }
    )
    import django

    django.setup()
    from django.core.cache import cache
    from django.test import Client
    from django.urls import reverse
    from django_tasks_db.models import DBTaskResult

    from fabrique.accounts.models import User
    from fabrique.core.tasks import run_handlers
    from fabrique.fabriques.models import Fabrique
    from fabrique.needs import grouping
    from fabrique.needs.models import NeedReport, ReportStage
    from fabrique.needs.services import need_report_submit

    rng = random.Random(args.seed)
    fabrique = Fabrique.objects.get(slug=args.fabrique)
    officer = User.objects.get(email=args.officer or f"officer@{args.fabrique}.test")
    client = Client()
    client.force_login(officer, backend="django.contrib.auth.backends.ModelBackend")
    queue_url = reverse("backoffice:duplicate_queue", kwargs={"fabrique_slug": fabrique.slug})
    ranked = [0]
    real_rank = grouping._rank

    def counting_rank(**kwargs):
        ranked[0] += 1
        return real_rank(**kwargs)

    grouping._rank = counting_rank

    def view(url: str) -> tuple[float, int]:
        ranked[0] = 0
        t0 = time.perf_counter()
        response = client.get(url)
        seconds = time.perf_counter() - t0
        assert response.status_code == 200, (url, response.status_code)
        return seconds * 1000, ranked[0]

    def drop_tasks() -> None:
        DBTaskResult.objects.filter(status="READY").delete()

    def worker() -> float:
        """The worker's part of the warming: our handler of each event, then the warming it queued."""
        t0 = time.perf_counter()
        while (
            row := DBTaskResult.objects.filter(status="READY").order_by("enqueued_at").first()
        ) is not None:
            row.delete()
            kwargs = row.args_kwargs["kwargs"]
            if row.task_path == RUN_HANDLERS and HANDLER in kwargs["handlers"]:
                run_handlers.call(**{**kwargs, "handlers": [HANDLER]})
            elif row.task_path == WARM:
                row.task.call(**kwargs)
        return (time.perf_counter() - t0) * 1000

    attached = list(
        NeedReport.objects.filter(fabrique=fabrique, stage=ReportStage.ATTACHED, commune__isnull=False)
        .select_related("commune")
        .only("title", "description", "commune")
        .order_by("pk")
    )

    def new_report() -> None:
        model = rng.choice(attached)
        need_report_submit(
            fabrique=fabrique,
            entered_by=officer,
            title=model.title,
            description=model.description,
            commune=model.commune,
            reporter_name="Banc d'essai",
            reporter_type="inhabitant",
        )

    def merge() -> None:
        suggestions = grouping.reports_need_suggestions(
            fabrique=fabrique, reports=grouping.duplicate_queue_reports(fabrique=fabrique), k=1
        )
        for report in grouping.duplicate_queue_reports(fabrique=fabrique):
            if suggestions.get(report.pk):
                grouping.report_merge(report=report, need=suggestions[report.pk][0].need, actor=officer)
                return
        new_report()  # nothing suggested: a change all the same

    def stale() -> None:
        cache.clear()  # no ranking cached any more (a new engine deployed, the cache server restarted)
        new_report()

    def compare_url() -> str:
        latest = grouping.duplicate_queue_reports(fabrique=fabrique)[0]
        return reverse(
            "backoffice:duplicate_compare", kwargs={"fabrique_slug": fabrique.slug, "pk": latest.pk}
        )

    cache.clear()
    drop_tasks()
    view(queue_url)  # the process's first request (URLconf, templates), not measured
    rows: dict[tuple[str, str], dict[str, list[float]]] = {}
    for trial in range(args.trials):
        for change_name, change in (("new report", new_report), ("merge", merge), (EVERY, stale)):
            modes = ["without", "with"] if trial % 2 == 0 else ["with", "without"]
            for mode in modes:
                change()
                worker_ms = worker() if mode == "with" else (drop_tasks() or 0.0)
                queue_ms, queue_ranked = view(queue_url)
                compare_ms, compare_ranked = view(compare_url())
                row = rows.setdefault((change_name, mode), {})
                for key, value in (
                    ("queue", queue_ms),
                    ("queue_ranked", queue_ranked),
                    ("compare", compare_ms),
                    ("compare_ranked", compare_ranked),
                    ("worker", worker_ms),
                ):
                    row.setdefault(key, []).append(value)
        print(f"trial {trial + 1}/{args.trials} done", file=sys.stderr, flush=True)
    steady = [view(queue_url)[0] for _ in range(args.trials)]  # reference: a second view

    def ms(values: list[float]) -> str:
        return f"{statistics.median(values):.0f} / {percentile(values, 0.95):.0f}"

    print(
        f"\n{args.trials} trials, fabrique {fabrique.slug} "
        f"({NeedReport.objects.filter(fabrique=fabrique).count():,} reports), "
        f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}\n"
    )
    print(
        "| change | warming | queue, first view p50 / p95 (ms) | rankings computed in it (mean) "
        "| comparison, first view p50 / p95 (ms) | rankings computed in it (mean) | worker p50 / p95 (ms) |"
    )
    print("|---|---|---:|---:|---:|---:|---:|")
    for (change_name, mode), row in rows.items():
        worker_cell = ms(row["worker"]) if mode == "with" else "–"
        print(
            f"| {change_name} | {mode} | {ms(row['queue'])} | {statistics.mean(row['queue_ranked']):.1f} "
            f"| {ms(row['compare'])} | {statistics.mean(row['compare_ranked']):.1f} | {worker_cell} |"
        )
    print(f"| (none) | second view, every ranking cached | {ms(steady)} | 0 | | | |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
