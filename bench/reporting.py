#!/usr/bin/env python
"""Reporting at network scale: the Rapports page (every indicator, funnel, trends, durations,
breakdowns, map of needs) of the biggest fabrique, the network head's page and one indicator compared
over five years, and a funder report for one year (snapshot + PDF + XLSX), with wall time (p50, p95)
and number of queries — on a demo-size and a national-scale database in the same run, to show that
the number of queries does not grow with the data.

    nice -n 19 .venv/bin/python bench/reporting.py \
        --large postgres://postgres@127.0.0.1:5432/fabrique_scale_big \
        --small postgres://postgres@127.0.0.1:5432/fabrique_scale_demo [--runs 10] [--year 2025]

Build the data sets with `bench/generate_network.py --scale …` (national scale: `--scale 1.0`, 50
fabriques, 200,000 reports). Each data set is measured in its own process (DEBUG off, Django's test
client in process). The databases are READ-ONLY for this benchmark: everything runs in one
transaction that is rolled back at the end (the funder report's agreement, snapshot and files, the
audit entries), sessions are signed cookies and `last_login` is not updated. Prints one Markdown
table and the machine load (`os.getloadavg`). Targets: page < 1 s, report < 10 s.
"""

from __future__ import annotations

import argparse
import datetime
import json
import math
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def p95(times: list[float]) -> float:
    """Nearest-rank 95th percentile (the maximum below 20 runs)."""
    ordered = sorted(times)
    return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


def worker(runs: int, year: int, report_runs: int) -> None:
    import django

    django.setup()
    from django.contrib.auth import user_logged_in
    from django.contrib.auth.models import update_last_login
    from django.db import connection, transaction
    from django.db.models import Count
    from django.test import Client
    from django.test.utils import override_settings

    from fabrique.accounts.models import User
    from fabrique.core.indicators import Period, indicators
    from fabrique.directory.models import Organization
    from fabrique.fabriques.models import Fabrique, Role
    from fabrique.funding.models import FundingAgreement
    from fabrique.funding.services import (
        funder_report_create,
        funder_report_generate,
        funder_report_version_execute,
    )
    from fabrique.needs.models import Need, NeedReport
    from fabrique.projects.models import Project
    from fabrique.studies.models import Study

    # read-only: no session rows, no last_login update, everything else rolled back below
    user_logged_in.disconnect(update_last_login, dispatch_uid="update_last_login")
    sessions = override_settings(SESSION_ENGINE="django.contrib.sessions.backends.signed_cookies")
    sessions.enable()
    results: dict[str, dict[str, float | int]] = {}

    def measure(name: str, func, repeat: int) -> None:
        func()  # warm-up
        seen: list[str] = []

        def count(execute, sql, params, many, context):
            seen.append(sql)
            return execute(sql, params, many, context)

        with connection.execute_wrapper(count):
            func()
        times = []
        for _ in range(repeat):
            t0 = time.perf_counter()
            func()
            times.append(time.perf_counter() - t0)
        results[name] = {
            "queries": len(seen),
            "p50_ms": statistics.median(times) * 1000,
            "p95_ms": p95(times) * 1000,
            "runs": repeat,
        }

    with transaction.atomic():
        # the biggest fabrique of the data set (most reports), seen by its officer
        biggest = NeedReport.objects.values("fabrique").annotate(n=Count("pk")).order_by("-n").first()
        assert biggest is not None
        fabrique = Fabrique.objects.get(pk=biggest["fabrique"])
        # its officer (generated data: officer@<slug>.test; the demo: any active officer or admin)
        officer = (
            User.objects.filter(email=f"officer@{fabrique.slug}.test").first()
            or User.objects.filter(
                memberships__fabrique=fabrique,
                memberships__is_active=True,
                memberships__role__in=(Role.OFFICER, Role.ADMIN),
            )
            .order_by("-memberships__role", "pk")
            .first()
        )
        assert officer is not None, f"no officer in {fabrique.slug}"
        client = Client()
        client.force_login(officer, backend="django.contrib.auth.backends.ModelBackend")
        head = (
            User.objects.filter(is_network_head=True).order_by("pk").first()
            or User.objects.filter(is_superuser=True).order_by("pk").first()
        )
        assert head is not None, "no network head in this database"
        head_client = Client()
        head_client.force_login(head, backend="django.contrib.auth.backends.ModelBackend")

        def get(who: Client, url: str):
            def page() -> None:
                response = who.get(url)
                assert response.status_code == 200, (url, response.status_code)

            return page

        measure(
            "Rapports page (biggest fabrique, one year)",
            get(client, f"/espace/{fabrique.slug}/rapports/?year={year}"),
            runs,
        )
        measure(
            "network head page (every fabrique, one year)",
            get(head_client, f"/reseau/?kind=year&year={year}"),
            runs,
        )
        measure(
            "network: one indicator, every fabrique, five years",
            get(head_client, f"/reseau/indicateurs/needs.reports/?kind=year&year={year}"),
            runs,
        )

        period = Period.year(year)

        def network() -> None:
            for ind in indicators(reporting=True):
                ind.by_fabrique(period=period)

        measure("every programme indicator for every fabrique", network, runs)

        def report() -> None:
            with transaction.atomic():
                funder = Organization.objects.create(
                    fabrique=fabrique, name="Financeur du banc", kind="funder"
                )
                FundingAgreement.objects.create(
                    fabrique=fabrique,
                    funder=funder,
                    title="Programme",
                    starts_on=period.start,
                    ends_on=period.end,
                    amount_granted=10000,
                )
                rep = funder_report_create(
                    fabrique=fabrique,
                    actor=officer,
                    funder=funder,
                    title=f"Bilan {year}",
                    period_start=period.start,
                    period_end=period.end,
                    narratives={"introduction": "Banc d'essai."},
                )
                version = funder_report_generate(report=rep, actor=officer, enqueue=False)
                version = funder_report_version_execute(version_id=version.pk)
                assert version.status == "done", version.error
                transaction.set_rollback(True)

        measure("funder report for one year (snapshot, PDF, XLSX)", report, report_runs)
        sizes = {
            "fabriques": Fabrique.objects.count(),
            "reports": NeedReport.objects.count(),
            "needs": Need.objects.count(),
            "studies": Study.objects.count(),
            "projects": Project.objects.count(),
            "biggest": fabrique.slug,
            "its reports": NeedReport.objects.filter(fabrique=fabrique).count(),
            f"its reports in {year}": NeedReport.objects.filter(
                fabrique=fabrique, created_at__year=year
            ).count(),
        }
        transaction.set_rollback(True)  # nothing of this benchmark is kept
    print(json.dumps({"results": results, "sizes": sizes, "load": os.getloadavg()}))


def run(url: str, runs: int, year: int, report_runs: int) -> dict:
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "DJANGO_DEBUG": "0",
        "DJANGO_SETTINGS_MODULE": "fabrique.settings.base",
    }
    out = subprocess.run(
        [
            sys.executable,
            __file__,
            "--worker",
            "--runs",
            str(runs),
            "--year",
            str(year),
            "--report-runs",
            str(report_runs),
        ],
        env=env,
        check=True,
        stdout=subprocess.PIPE,
        text=True,
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--large", default="postgres://postgres@127.0.0.1:5432/fabrique_scale_big")
    parser.add_argument("--small", default="postgres://postgres@127.0.0.1:5432/fabrique_scale_demo")
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--report-runs", type=int, default=3)
    parser.add_argument("--year", type=int, default=datetime.date.today().year - 1)
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.runs, args.year, args.report_runs)
        return 0
    started = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    load_before = os.getloadavg()
    small = run(args.small, args.runs, args.year, args.report_runs)
    large = run(args.large, args.runs, args.year, args.report_runs)
    print(f"Reporting benchmark, year {args.year}, {started}")
    print(f"load average (1, 5, 15 min): before {load_before}, small {small['load']}, large {large['load']}")
    print(f"small: {small['sizes']}\nlarge: {large['sizes']}\n")
    print(
        "| measure | queries (small) | p50 small | p95 small | queries (large) | p50 large | p95 large | runs |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for name, r in large["results"].items():
        s = small["results"][name]
        print(
            f"| {name} | {s['queries']} | {s['p50_ms']:.0f} ms | {s['p95_ms']:.0f} ms | {r['queries']} "
            f"| {r['p50_ms']:.0f} ms | {r['p95_ms']:.0f} ms | {r['runs']} |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
