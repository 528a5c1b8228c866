#!/usr/bin/env python
"""Queries and time of back-office pages on an existing database, READ-ONLY (the connection refuses
every write; sessions are signed cookies built without logging in, so nothing is stored).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/fabrique_scale_big DEBUG=false \
    DJANGO_SETTINGS_MODULE=fabrique.settings.base ALLOWED_HOSTS=testserver \
        .venv/bin/python bench/readonly_queries.py [--slug reseau-01] [--email officer@reseau-01.test]
        [--runs 3] [--explain]

Prints, per page: HTTP status, number of queries (Django's CaptureQueriesContext) and their time, p50 of
`--runs` GETs, and with `--explain` the EXPLAIN ANALYZE of the page's slowest query.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def read_only(sender, connection, **kwargs) -> None:  # noqa: ARG001 - signal signature
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY")


def signed_in_client(user):
    """A test client whose session (a signed cookie) says `user` is logged in: no login signal, no write."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.signed_cookies import SessionStore
    from django.test import Client

    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.save()
    client = Client()
    client.cookies[settings.SESSION_COOKIE_NAME] = session.session_key
    return client


def pages(fabrique) -> list[tuple[str, str]]:
    """The table of issue 10 (bench/pages.py) plus the directory and the forms that choose people."""
    from django.urls import reverse

    from bench.pages import pages as issue_pages
    from fabrique.committees.models import Committee, Meeting
    from fabrique.studies.models import Study

    def bo(name, **kw):
        return reverse(f"backoffice:{name}", kwargs={"fabrique_slug": fabrique.slug, **kw})

    found = [p for p in issue_pages(fabrique) if not p[1].startswith(("/reseau/", "/api/"))]
    found.append(("directory, organisations, deep page", bo("organization_list") + "?page=200"))
    found.append(("directory, people, deep page", bo("person_list") + "?page=300"))
    study = Study.objects.filter(fabrique=fabrique).order_by("pk").first()
    meeting = Meeting.objects.filter(committee__fabrique=fabrique).order_by("pk").first()
    committee = Committee.objects.filter(fabrique=fabrique).order_by("pk").first()
    found += [
        ("new study form", bo("study_create")),
        ("new committee form", bo("committee_create")),
        ("new project form", bo("project_create")),
    ]
    if study:
        found += [
            ("study form", bo("study_update", pk=study.pk)),
            ("new workshop form", bo("workshop_create", pk=study.pk)),
        ]
    if committee:
        found.append(("committee form", bo("committee_update", pk=committee.pk)))
        found.append(("new meeting form", bo("meeting_create", pk=committee.pk)))
    if meeting:
        found.append(("meeting form", bo("meeting_update", pk=meeting.pk)))
    return found


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--slug", default="reseau-01")
    parser.add_argument("--email", default="officer@reseau-01.test")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--only", default="", help="labels separated by semicolons")
    parser.add_argument("--explain", action="store_true")
    parser.add_argument("--show-sql", action="store_true", help="every query of the page with its time")
    args = parser.parse_args()

    import django
    from django.db.backends.signals import connection_created

    connection_created.connect(read_only)
    django.setup()
    from django.conf import settings

    settings.SESSION_ENGINE = "django.contrib.sessions.backends.signed_cookies"
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.urls import NoReverseMatch

    from fabrique.accounts.models import User
    from fabrique.fabriques.models import Fabrique
    from fabrique.notifications import services as notification_services
    from fabrique.notifications.models import Notification

    def mark_read_at(*, user, fabrique, path) -> int:
        """The bell's "read on opening" UPDATE, as the same one-query read (this script writes nothing)."""
        return Notification.objects.filter(
            recipient=user, fabrique=fabrique, read_at__isnull=True, url=path
        ).count()

    notification_services.notifications_mark_read_at = mark_read_at  # type: ignore[assignment]

    fabrique = Fabrique.objects.get(slug=args.slug)
    client = signed_in_client(User.objects.get(email=args.email))
    try:
        found = pages(fabrique)
    except NoReverseMatch as exc:
        print(f"URL error: {exc}", file=sys.stderr)
        raise
    only = {s.strip() for s in args.only.split(";") if s.strip()}
    print("| page | status | queries | SQL time | p50 |")
    print("|---|---:|---:|---:|---:|")
    for label, url in found:
        if only and label not in only:
            continue
        client.get(url)  # warm the process caches
        connection.queries_log.clear()  # a full log (its maxlen) would count nothing
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url)
        queries = list(ctx.captured_queries)  # read now: the next request clears the log
        sql_ms = sum(float(q["time"]) for q in queries) * 1000
        times = []
        for _ in range(args.runs):
            t0 = time.perf_counter()
            client.get(url)
            times.append(time.perf_counter() - t0)
        print(
            f"| {label} | {response.status_code} | {len(queries)} | {sql_ms:.0f} ms "
            f"| {statistics.median(times) * 1000:.0f} ms |",
            flush=True,
        )
        if args.show_sql:
            for q in queries:
                print(f"    {float(q['time']) * 1000:7.1f} ms  {q['sql'][:160]}")
        if args.explain and queries:
            slowest = max(queries, key=lambda q: float(q["time"]))
            if slowest["sql"].lstrip().upper().startswith("SELECT"):
                with connection.cursor() as cursor:
                    cursor.execute("EXPLAIN ANALYZE " + slowest["sql"].replace("%", "%%"))
                    plan = "\n".join(row[0] for row in cursor.fetchall())
                print(f"\n```\n{slowest['time']} s: {slowest['sql'][:400]}\n{plan}\n```\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
