#!/usr/bin/env python
"""Build a whole network's data on PostgreSQL (or SQLite) for the benchmarks: 50 fabriques, 200,000 reports
in 60,000 needs, 20,000 studies and projects, 5,000 calls with 30,000 applications, 5,000 support plans,
100,000 organisations, 150,000 people — times `--scale`.

    .venv/bin/python bench/generate_network.py --scale 1.0 \
        --database-url postgres://postgres@127.0.0.1:5432/fabrique_scale_big
    .venv/bin/python bench/generate_network.py --scale 0.01 --database-url ... --fresh   # a tiny network

The database is created when missing, migrated, loaded with the territories and the reference
indicators, then filled by `fabrique.demo.network.network_generate` (bulk inserts that keep every
invariant: tenants, reachable stages, references, audit entries, grouping features). `--demo` also loads
the demo fabriques (to compare demo-size pages in the same database). Logins: `<role>@reseau-NN.test`,
network head `tete@reseau.test`, password `reseau-fabrique-2026`. Prints the counts and the wall time.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def ensure_database(url: str, *, fresh: bool) -> None:
    if not url.startswith("postgres"):
        return
    import psycopg

    base, name = url.rsplit("/", 1)
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists and fresh:
            conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
            exists = None
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--fabriques", type=int, default=None, help="default: 50 × scale (at least 1)")
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", ""))
    parser.add_argument("--fresh", action="store_true", help="drop and recreate the database first")
    parser.add_argument("--demo", action="store_true", help="also load the demo fabriques")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--skip-reference",
        action="store_true",
        help="territories and indicators are already loaded (resuming)",
    )
    args = parser.parse_args()
    if not args.database_url:
        parser.error("--database-url (or DATABASE_URL) is required")
    ensure_database(args.database_url, fresh=args.fresh)
    env = {
        **os.environ,
        "DATABASE_URL": args.database_url,
        "DJANGO_SETTINGS_MODULE": "fabrique.settings.base",
    }
    fabrique = [str(ROOT / ".venv" / "bin" / "fabrique")]
    t0 = time.monotonic()
    subprocess.run([*fabrique, "migrate", "--noinput", "-v", "0"], env=env, check=True)
    if args.fresh or not args.skip_reference:
        subprocess.run([*fabrique, "load_territories"], env=env, check=True)
        subprocess.run([*fabrique, "load_reference_indicators"], env=env, check=True)
    if args.demo:
        subprocess.run([*fabrique, "load_demo"], env=env, check=True)
    os.environ.update(env)
    import django

    django.setup()
    from fabrique.demo.network import network_generate

    t1 = time.monotonic()
    counts = network_generate(
        scale=args.scale,
        fabriques=args.fabriques,
        seed=args.seed,
        log=lambda msg: print(msg, file=sys.stderr, flush=True),
    )
    from django.db import connection

    if connection.vendor == "postgresql":
        # fresh statistics: without them the planner takes the bulk-loaded tables for empty and picks
        # plans that read every row (a deep page of the needs list took 17 s before ANALYZE, see
        # docs/performance.md)
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    t2 = time.monotonic()
    print("| rows | count |\n|---|---:|")
    for name, n in counts.items():
        print(f"| {name} | {n:,} |")
    print(f"\nreference data {t1 - t0:.0f} s, network {t2 - t1:.0f} s (scale {args.scale})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
