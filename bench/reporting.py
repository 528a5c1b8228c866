#!/usr/bin/env python
"""Reporting at network scale: the reporting page (every indicator, funnel, trends, durations,
breakdowns) and a funder report for one year (snapshot + PDF + XLSX), with their number of queries —
on two data sets of different sizes, to show that the number of queries does not grow with the data.

    nice -n 15 .venv/bin/python bench/reporting.py \
        --large postgres://postgres@127.0.0.1:5432/fabrique_reporting_bench \
        --small postgres://postgres@127.0.0.1:5432/fabrique_reporting_bench_small [--runs 5] [--year 2025]

Build the data sets with `bench/generate_network.py --scale …`. Each data set is measured in its own
process (DEBUG off, Django's test client in process): the page as the officer of the biggest fabrique, the
network-wide grouped value of every indicator (what the network head reads), and the generation of a
report for a funder of the programme over the year (its agreement is created in a transaction that is
rolled back afterwards). Prints one Markdown table. Targets: page < 1 s, report < 10 s.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def worker(runs: int, year: int) -> None:
    import django

    django.setup()
    from django.db import connection, transaction
    from django.db.models import Count
    from django.test import Client

    from fabrique.accounts.models import User
    from fabrique.core.indicators import Period, indicators
    from fabrique.directory.models import Organization
    from fabrique.fabriques.models import Fabrique
    from fabrique.funding.models import FundingAgreement
    from fabrique.funding.services import (
        funder_report_create,
        funder_report_generate,
        funder_report_version_execute,
    )
    from fabrique.needs.models import NeedReport

    # the biggest fabrique of the data set (most reports), seen by its officer
    biggest = NeedReport.objects.values("fabrique").annotate(n=Count("pk")).order_by("-n").first()
    assert biggest is not None
    fabrique = Fabrique.objects.get(pk=biggest["fabrique"])
    officer = User.objects.get(email=f"officer@{fabrique.slug}.test")
    client = Client()
    client.force_login(officer, backend="django.contrib.auth.backends.ModelBackend")
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
            "max_ms": max(times) * 1000,
        }

    url = f"/espace/{fabrique.slug}/rapports/?year={year}"

    def page() -> None:
        response = client.get(url)
        assert response.status_code == 200, response.status_code

    measure("reporting page (one fabrique, one year)", page, runs)

    period = Period.year(year)

    def network() -> None:
        for ind in indicators(reporting=True):
            ind.by_fabrique(period=period)

    measure("every indicator for every fabrique (network)", network, runs)

    def report() -> None:
        with transaction.atomic():
            funder = Organization.objects.create(fabrique=fabrique, name="Financeur du banc", kind="funder")
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

    measure("funder report for one year (snapshot, PDF, XLSX)", report, max(1, runs // 2))
    sizes = {
        "fabriques": Fabrique.objects.count(),
        "reports": NeedReport.objects.count(),
        f"reports of {fabrique.slug}": NeedReport.objects.filter(fabrique=fabrique).count(),
    }
    print(json.dumps({"results": results, "sizes": sizes}))


def run(url: str, runs: int, year: int) -> dict:
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "DJANGO_DEBUG": "0",
        "DJANGO_SETTINGS_MODULE": "fabrique.settings.base",
    }
    out = subprocess.run(
        [sys.executable, __file__, "--worker", "--runs", str(runs), "--year", str(year)],
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
    parser.add_argument("--large", default="postgres://postgres@127.0.0.1:5432/fabrique_reporting_bench")
    parser.add_argument(
        "--small", default="postgres://postgres@127.0.0.1:5432/fabrique_reporting_bench_small"
    )
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--year", type=int, default=datetime.date.today().year - 1)
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.runs, args.year)
        return 0
    small = run(args.small, args.runs, args.year)
    large = run(args.large, args.runs, args.year)
    print(f"Reporting benchmark, year {args.year}, {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}")
    print(f"small: {small['sizes']}  large: {large['sizes']}\n")
    print("| measure | queries (small) | p50 small | queries (large) | p50 large | max large |")
    print("|---|---:|---:|---:|---:|---:|")
    for name, r in large["results"].items():
        s = small["results"][name]
        print(
            f"| {name} | {s['queries']} | {s['p50_ms']:.0f} ms | {r['queries']} | {r['p50_ms']:.0f} ms "
            f"| {r['max_ms']:.0f} ms |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
