#!/usr/bin/env python
"""Page latency and queries, sequentially, at network scale next to the demo — the table of issue 10.

    .venv/bin/python bench/pages.py \
        --network postgres://postgres@127.0.0.1:5432/fabrique_scale_big \
        --demo postgres://postgres@127.0.0.1:5432/fabrique_scale_demo [--runs 15] [--explain 8]

Each data set is measured in its own process (DEBUG off, the base settings, Django's test client in
process: no network, so the figures are the application's and the database's time): the staff pages as
an officer of the biggest fabrique (`reseau-01`) or of the demo's `nantes`, the network head page as the
network head, the API and the public pages. One GET per page to warm up and count the queries, then
`--runs` timed GETs. Prints one Markdown table (queries, p50, p95 for both data sets, and the ratio of
the p50s) and `EXPLAIN ANALYZE` of the slowest queries seen at network scale.

Build the data sets with `bench/generate_network.py` (network) and `fabrique load_demo` (demo).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DATASETS = {
    # label -> (fabrique slug, officer e-mail, network head e-mail)
    "network": ("reseau-01", "officer@reseau-01.test", "tete@reseau.test"),
    "demo": ("nantes", "chargee@nantes.demo", None),
}


COLD_HEAD = "network head page, figures computed (cache emptied)"
COLD_QUEUE = "duplicates queue, rankings computed (cache emptied)"
COLD = {COLD_HEAD, COLD_QUEUE}


def percentile(values: list[float], q: float) -> float:
    values = sorted(values)
    if not values:
        return float("nan")
    index = min(len(values) - 1, max(0, round(q * (len(values) - 1))))
    return values[index]


def pages(fabrique) -> list[tuple[str, str]]:
    """(label, url) of the pages of the issue's table, for `fabrique`."""
    from django.db.models import Count
    from django.urls import reverse

    from fabrique.needs.models import Need, NeedReport

    slug = fabrique.slug

    def bo(name, **kw):
        return reverse(f"backoffice:{name}", kwargs={"fabrique_slug": slug, **kw})

    need = (
        Need.objects.filter(fabrique=fabrique, commune__isnull=False)
        .annotate(n=Count("reports"))
        .filter(n=2)
        .order_by("pk")
        .first()
        or Need.objects.filter(fabrique=fabrique).order_by("pk").first()
    )
    commune = need.commune.code if need and need.commune else None
    deep = max(1, Need.objects.filter(fabrique=fabrique).count() // 25 - 1)
    report = NeedReport.objects.filter(fabrique=fabrique, stage="received").order_by("pk").first()
    followup = next(
        (
            r.followup_token
            for r in NeedReport.objects.filter(fabrique=fabrique, need__isnull=False).order_by("-pk")[:1]
        ),
        None,
    )
    found = [
        ("dashboard", bo("dashboard")),
        ("map page", bo("map")),
        ("map data", bo("map_data")),
        ("staff report entry form", bo("report_create")),
        ("need detail (2 reports)", bo("need_detail", pk=need.pk)) if need else None,
        ("directory, people", bo("person_list")),
        ("directory, organisations", bo("organization_list")),
        ("studies list", bo("study_list")),
        ("pipeline board", bo("pipeline_board")),
        ("committees", bo("committee_list")),
        ("needs list, page 1", bo("need_list")),
        ("needs list, deep page", bo("need_list") + f"?page={deep}"),
        ("reports list", bo("report_list")),
        ("priorities", bo("priorities")),
        ("territory (commune) page", bo("commune_detail", code=commune)) if commune else None,
        ("network head page", reverse("network:home")),
        # the same page when its figures are not in the cache (computed: the first view in 5 minutes)
        (COLD_HEAD, reverse("network:home")),
        ("API needs, page 1", reverse("api:need-list", kwargs={"fabrique_slug": slug})),
        ("public report form", reverse("public:report_create", kwargs={"fabrique_slug": slug})),
        # the pages of the security issue (9): searches, exports, the public follow-up
        ("studies list, search", bo("study_list") + "?q=mobilite"),
        ("needs list, search", bo("need_list") + "?q=laverie"),
        ("report attach, search", bo("report_attach", pk=report.pk) + "?q=laverie") if report else None,
        # the grouping pages (issue 15): suggestions for stored reports, without the needs decided apart
        ("duplicates queue", bo("duplicate_queue")),
        # the same page when no received report's ranking is in the cache (each one scored)
        (COLD_QUEUE, bo("duplicate_queue")),
        ("duplicate comparison", bo("duplicate_compare", pk=report.pk)) if report else None,
        ("report merge form", bo("report_merge", pk=report.pk)) if report else None,
        ("pipeline export (CSV)", bo("pipeline_export")),
        ("needs list export (XLSX)", bo("need_list") + "?export=xlsx"),
        (
            "API needs, commune filter",
            reverse("api:need-list", kwargs={"fabrique_slug": slug}) + f"?commune={need.commune_id}",
        )
        if commune
        else None,
        (
            "public follow-up page",
            reverse("public:report_followup", kwargs={"fabrique_slug": slug, "token": followup}),
        )
        if followup
        else None,
    ]
    return [p for p in found if p]


def _literal(value) -> str:
    """A parameter written into SQL for EXPLAIN ANALYZE (benchmark output only)."""
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, list | tuple):
        return "ARRAY[" + ",".join(_literal(v) for v in value) + "]" if value else "'{}'"
    return "'" + str(value).replace("'", "''") + "'"


def worker(label: str, runs: int, explain: int, only: str = "") -> None:
    """Measure one data set (the DATABASE_URL of this process); prints JSON on stdout."""
    import django

    django.setup()
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client

    from fabrique.accounts.models import User
    from fabrique.fabriques.models import Fabrique

    slug, officer_email, head_email = DATASETS[label]
    fabrique = Fabrique.objects.get(slug=slug)
    officer, head = Client(), Client()
    officer.force_login(
        User.objects.get(email=officer_email), backend="django.contrib.auth.backends.ModelBackend"
    )
    if head_email is None:
        head_user = User.objects.filter(is_network_head=True).first()
    else:
        head_user = User.objects.get(email=head_email)
    if head_user:
        head.force_login(head_user, backend="django.contrib.auth.backends.ModelBackend")
    results, slow = {}, []
    for name, url in pages(fabrique):
        if only and not any(word in name for word in only.split(",")):
            continue
        client = head if url.startswith("/reseau/") else officer
        ctx: list[tuple[float, str]] = []

        def record(execute, sql, params, many, context, ctx=ctx):
            t0 = time.perf_counter()
            try:
                return execute(sql, params, many, context)
            finally:
                ctx.append(
                    (time.perf_counter() - t0, sql % tuple(_literal(p) for p in params) if params else sql)
                )

        cold = name in COLD
        if cold:
            cache.clear()
        with connection.execute_wrapper(record):
            t0 = time.perf_counter()
            response = client.get(url)
            first = time.perf_counter() - t0
        for seconds, sql in ctx:
            slow.append((seconds, name, sql))
        times = []
        for _ in range(runs):
            if cold:
                cache.clear()
            t0 = time.perf_counter()
            client.get(url)
            times.append(time.perf_counter() - t0)
            if sum(times) > 60:  # a page that takes minutes is measured a few times only
                break
        results[name] = {
            "url": url,
            "status": response.status_code,
            "queries": len(ctx),
            "first_ms": first * 1000,
            "p50_ms": statistics.median(times) * 1000,
            "p95_ms": percentile(times, 0.95) * 1000,
            "runs": len(times),
        }
        print(
            f"{label}: {name} {results[name]['p50_ms']:.0f} ms, {len(ctx)} queries",
            file=sys.stderr,
            flush=True,
        )
    plans = []
    if explain and connection.vendor == "postgresql":
        seen = set()
        for seconds, name, sql in sorted(slow, reverse=True):
            key = sql[:200]
            if key in seen or not sql.lstrip().upper().startswith("SELECT"):
                continue
            seen.add(key)
            try:
                with connection.cursor() as cursor:
                    cursor.execute("EXPLAIN ANALYZE " + sql.replace("%", "%%"))
                    plan = "\n".join(row[0] for row in cursor.fetchall())
            except Exception as exc:  # noqa: BLE001 - a parameter the literal rendering got wrong
                plan = f"(EXPLAIN failed: {exc})"
            plans.append({"page": name, "ms": seconds * 1000, "sql": sql[:600], "plan": plan})
            if len(plans) >= explain:
                break
    print(json.dumps({"label": label, "results": results, "plans": plans}))


def run(label: str, url: str, runs: int, explain: int, only: str = "") -> dict:
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "DEBUG": "false",
        "ALLOWED_HOSTS": "testserver,127.0.0.1",
        "DJANGO_SETTINGS_MODULE": "fabrique.settings.base",
    }
    out = subprocess.run(
        [
            sys.executable,
            __file__,
            "--worker",
            label,
            "--runs",
            str(runs),
            "--explain",
            str(explain),
            "--only",
            only,
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
    parser.add_argument("--network", default="postgres://postgres@127.0.0.1:5432/fabrique_scale_big")
    parser.add_argument("--demo", default="postgres://postgres@127.0.0.1:5432/fabrique_scale_demo")
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--explain", type=int, default=6, help="EXPLAIN ANALYZE of the N slowest queries")
    parser.add_argument(
        "--only", default="", help="only the pages whose label holds one of these words (a,b)"
    )
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.worker, args.runs, args.explain, args.only)
        return 0
    demo = run("demo", args.demo, args.runs, 0, args.only)["results"]
    network = run("network", args.network, args.runs, args.explain, args.only)
    print(
        f"Sequential GETs, {args.runs} runs a page, DEBUG off, {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}\n"
    )
    print(
        "| page | queries (demo) | p50 demo | p95 demo | queries (network) | p50 network | p95 network | p50 ratio |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for name, r in network["results"].items():
        d = demo.get(name)
        ratio = f"{r['p50_ms'] / d['p50_ms']:.1f}×" if d and d["p50_ms"] else "–"
        demo_cells = f"{d['queries']} | {d['p50_ms']:.0f} ms | {d['p95_ms']:.0f} ms" if d else "– | – | –"
        status = "" if r["status"] == 200 else f" (HTTP {r['status']})"
        print(
            f"| {name}{status} | {demo_cells} | {r['queries']} | {r['p50_ms']:.0f} ms | {r['p95_ms']:.0f} ms | {ratio} |"
        )
    if network["plans"]:
        print("\n## Slowest queries at network scale (EXPLAIN ANALYZE)\n")
        for p in network["plans"]:
            print(f"### {p['page']}: {p['ms']:.1f} ms\n\n```sql\n{p['sql']}\n```\n\n```\n{p['plan']}\n```\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
