"""Benchmark of the territory search on a full-France load, SQLite and PostgreSQL, in one command.

    .venv/bin/python bench/territory_search.py [--pg postgres://postgres@127.0.0.1:5432/postgres]
                                               [--repeat 5] [--skip-pg]

For each backend it creates a throw-away database (a temporary SQLite file; a new PostgreSQL
database `fabrique_bench_<pid>` dropped afterwards), migrates, runs `load_territories` twice
(the second run must change nothing), then times ~200 queries with `territory_search` and with
a naive baseline (`Commune.name icontains`, by population), and prints p50/p95/max per backend
over the queries, each query's time being the median of its `--repeat` runs (so that a spike
caused by another process on the machine does not count as the query's time).
It also checks, for the queries whose answer is known, that the expected territory is in the
first three results. Each backend runs in a child process (Django settings are per process).
"""

from __future__ import annotations

import argparse
import csv
import gzip
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "fabrique" / "territories" / "data"

# (query, expected code in the first three results or None)
KNOWN = [
    ("st herblain", "44162"),
    ("St-Herblain", "44162"),
    ("SAINT HERBLAIN", "44162"),
    ("saint-herblain", "44162"),
    ("herblain", "44162"),
    ("44800", "44162"),
    ("44162", "44162"),
    ("nantes", "44109"),
    ("Nantes Métropole", "244400404"),
    ("nantes metro", "244400404"),
    ("rezé", "44143"),
    ("reze", "44143"),
    ("la roche", None),
    ("la roche sur yon", "85191"),
    ("marseille", "13055"),
    ("marseille 13001", "13201"),
    ("paris", "75056"),
    ("paris 18", "75118"),
    ("lyon 3", "69383"),
    ("loire-atlantique", "44"),
    ("loire atl", "44"),
    ("vendee", "85"),
    ("bellevue", None),
    ("malakoff", None),
    ("st nazaire", "44184"),
    ("saint-nazaire", "44184"),
    ("st naz", "44184"),
    ("sainte luce", "44172"),
    ("ste luce sur loire", "44172"),
    ("l'ile d'yeu", "85113"),
    ("ile d yeu", "85113"),
    ("les sables d'olonne", "85194"),
    ("sables", "85194"),
    ("carquefou", "44026"),
    ("orvault", "44114"),
    ("bouguenais", "44020"),
    ("vertou", "44215"),
    ("clisson", "44043"),
    ("pornic", "44131"),
    ("guerande", "44069"),
    ("chateaubriant", "44036"),
    ("ancenis", "44003"),
    ("cc pays ancenis", "244400552"),
    ("toulouse", "31555"),
    ("bordeaux", "33063"),
    ("lille", "59350"),
    ("strasbourg", "67482"),
    ("montpellier", "34172"),
    ("aix en provence", "13001"),
    ("saint-etienne", "42218"),
    ("st etienne", "42218"),
    ("besancon", "25056"),
    ("ajaccio", "2A004"),
    ("pointe-a-pitre", "97120"),
    ("saint-denis", None),
    ("grand paris", "200054781"),
    ("metropole de lyon", "200046977"),
    ("communaute de communes", None),
]
TYPING = [
    "s",
    "sa",
    "sai",
    "sain",
    "saint",
    "saint h",
    "saint he",
    "na",
    "nan",
    "nant",
    "la",
    "la r",
    "la ro",
    "le",
    "le m",
    "ma",
    "mar",
    "st",
    "st e",
    "be",
    "bo",
    "44",
    "85",
    "13",
    "mont",
    "ville",
    "sur",
]


def build_queries(n_random: int = 120) -> list[tuple[str, str | None]]:
    """The known queries, the prefixes one types, and prefixes/codes of communes drawn at random."""
    with gzip.open(DATA / "communes.csv.gz", "rt", encoding="utf-8") as fh:
        rows = [r for r in csv.DictReader(fh) if r["type"] == "commune-actuelle"]
    names: dict[str, int] = {}
    for r in rows:
        names[r["nom"]] = names.get(r["nom"], 0) + 1
    rng = random.Random(20260101)
    queries: list[tuple[str, str | None]] = list(KNOWN) + [(q, None) for q in TYPING]
    for r in rng.sample(rows, n_random):
        choice = rng.random()
        if choice < 0.45:
            # a full name: its code is expected in the first three results when the name is unique
            queries.append((r["nom"], r["code"] if names[r["nom"]] == 1 else None))
        elif choice < 0.8:
            size = rng.choice([3, 4, 5, 6])
            queries.append((r["nom"][:size], None))  # what is typed so far
        elif choice < 0.9 and r["codes_postaux"]:
            queries.append((r["codes_postaux"].split("|")[0], None))
        else:
            queries.append((r["code"], r["code"]))
    return queries


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    k = (len(ordered) - 1) * p / 100
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


# --- child process: one backend ---------------------------------------------------------------


def run_worker(repeat: int) -> dict:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fabrique.settings.base")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, reset_queries

    from fabrique.territories.loader import territories_load
    from fabrique.territories.models import Commune, SearchEntry
    from fabrique.territories.selectors import territory_search

    call_command("migrate", verbosity=0)
    t0 = time.perf_counter()
    first = territories_load()
    load_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    second = territories_load()
    reload_s = time.perf_counter() - t0

    def naive(q: str) -> list[str]:
        return list(
            Commune.objects.filter(name__icontains=q)
            .order_by("-population")
            .values_list("code", flat=True)[:10]
        )

    def smart(q: str) -> list[str]:
        return [h.code for h in territory_search(query=q)]

    queries = build_queries()
    out: dict = {
        "vendor": connection.vendor,
        "load_s": load_s,
        "reload_s": reload_s,
        "reload_changed": second.changed,
        "communes": Commune.objects.count(),
        "entries": SearchEntry.objects.count(),
        "created": {k: v["created"] for k, v in first.counts.items()},
        "methods": {},
    }
    for name, fn in (("territory_search", smart), ("naive icontains", naive)):
        for q, _ in queries[:10]:  # warm the connection and caches
            fn(q)
        per_query, worst = [], (0.0, "")
        found = total = 0
        misses: list[str] = []
        for q, expected in queries:
            codes: list[str] = []
            runs = []
            for _ in range(repeat):
                t = time.perf_counter()
                codes = fn(q)
                runs.append((time.perf_counter() - t) * 1000)
            ms = statistics.median(runs)  # robust to a spike caused by another process
            per_query.append(ms)
            worst = max(worst, (ms, q))
            if expected is not None:
                total += 1
                if expected in codes[:3]:
                    found += 1
                else:
                    misses.append(q)
            reset_queries()
        samples = per_query
        out["methods"][name] = {
            "n": len(samples) * repeat,
            "queries": len(queries),
            "p50": statistics.median(samples),
            "p95": percentile(samples, 95),
            "max": max(samples),
            "slowest": worst[1],
            "found": found,
            "known": total,
            "misses": misses,
        }
    return out


def spawn(database_url: str, repeat: int) -> dict:
    env = dict(
        os.environ, DATABASE_URL=database_url, DEBUG="0", DJANGO_SETTINGS_MODULE="fabrique.settings.base"
    )
    proc = subprocess.run(
        [sys.executable, __file__, "--worker", "--repeat", str(repeat)],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0:
        raise SystemExit(f"benchmark worker failed for {database_url}:\n{proc.stderr}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--pg",
        default="postgres://postgres@127.0.0.1:5432/postgres",
        help="URL of an existing PostgreSQL database used to create/drop the throw-away one",
    )
    parser.add_argument("--skip-pg", action="store_true")
    parser.add_argument("--repeat", type=int, default=5, help="timed runs of each query")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.worker:
        print(json.dumps(run_worker(args.repeat)))
        return

    results = []
    with tempfile.TemporaryDirectory() as tmp:
        results.append(spawn(f"sqlite:///{tmp}/bench.sqlite3", args.repeat))
    if not args.skip_pg:
        import psycopg

        name = f"fabrique_bench_{os.getpid()}"
        with psycopg.connect(args.pg.replace("postgres://", "postgresql://"), autocommit=True) as admin:
            admin.execute(f"DROP DATABASE IF EXISTS {name}")
            admin.execute(f"CREATE DATABASE {name}")
        try:
            base = args.pg.rsplit("/", 1)[0]
            results.append(spawn(f"{base}/{name}", args.repeat))
        finally:
            with psycopg.connect(args.pg.replace("postgres://", "postgresql://"), autocommit=True) as admin:
                admin.execute(f"DROP DATABASE IF EXISTS {name}")

    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(
        f"Territory search benchmark — {len(build_queries())} queries (median of {args.repeat} runs each), full France "
        f"({os.cpu_count()} CPU, load average {load})\n"
    )
    print(f"{'backend':<11} {'load':>7} {'reload':>7}  {'communes':>8} {'entries':>8}")
    for r in results:
        print(
            f"{r['vendor']:<11} {r['load_s']:>6.1f}s {r['reload_s']:>6.1f}s  {r['communes']:>8} {r['entries']:>8}"
            + ("  (second load changed rows!)" if r["reload_changed"] else "")
        )
    print()
    header = f"{'backend':<11} {'method':<17} {'p50 ms':>7} {'p95 ms':>7} {'max ms':>7}  {'expected in top 3':>17}  slowest"
    print(header)
    print("-" * len(header))
    for r in results:
        for name, m in r["methods"].items():
            print(
                f"{r['vendor']:<11} {name:<17} {m['p50']:>7.2f} {m['p95']:>7.2f} {m['max']:>7.2f}  "
                f"{m['found']:>8}/{m['known']:<8}  {m['slowest']!r}"
            )
    for r in results:
        misses = r["methods"]["territory_search"]["misses"]
        if misses:
            print(f"\n{r['vendor']}: territory_search missed {', '.join(repr(q) for q in misses)}")


if __name__ == "__main__":
    main()
