#!/usr/bin/env python3
"""Checks a Fabrique deployed by scripts/deploy_check.sh (run with the deployed virtualenv's python).

Through real HTTP on the gunicorn address (as the HTTPS proxy would forward it): the home page and
a static file from the manifest storage; a public report submitted through the form (stored once,
rate-limit counter in Redis); the runtime database role cannot unlock the audit log; after every
connection of the application is killed in PostgreSQL, the next requests are served (no restart).
"""

from __future__ import annotations

import http.client
import os
import re
import sys
import time
import urllib.parse

HOST, _, PORT = os.environ["FABRIQUE_BIND"].rpartition(":")
SLUG = "deploiement-verifie"


def fail(message: str) -> None:
    print(f"deploy check FAILED: {message}", file=sys.stderr)
    sys.exit(1)


class Browser:
    """Just enough of a browser behind an HTTPS proxy: cookies, X-Forwarded-Proto, Origin."""

    def __init__(self):
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, body: dict | None = None, headers: dict | None = None):
        connection = http.client.HTTPConnection(HOST, int(PORT), timeout=30)
        all_headers = {
            "Host": f"{HOST}:{PORT}",
            "X-Forwarded-Proto": "https",
            "Accept-Encoding": "gzip",
            **(headers or {}),
        }
        if self.cookies:
            all_headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        data = None
        if body is not None:
            data = urllib.parse.urlencode(body).encode()
            all_headers["Content-Type"] = "application/x-www-form-urlencoded"
            all_headers["Origin"] = f"https://{HOST}:{PORT}"
            all_headers["Referer"] = f"https://{HOST}:{PORT}{path}"
        connection.request(method, path, body=data, headers=all_headers)
        response = connection.getresponse()
        content = response.read()
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name] = rest.split(";", 1)[0]
        connection.close()
        return response, content


def wait_for_server(seconds: int = 120) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            http.client.HTTPConnection(HOST, int(PORT), timeout=2).request("HEAD", "/")
            return
        except OSError:
            time.sleep(1)
    fail(f"gunicorn did not answer on {HOST}:{PORT} within {seconds} s")


def check_pages_and_static(browser: Browser) -> None:
    response, content = browser.request("GET", "/")
    if response.status != 200:
        fail(f"GET / answered {response.status}")
    page = content.decode()
    match = re.search(r'href="(/static/fabrique/css/app\.[0-9a-f]{12}\.css)"', page)
    if not match:
        fail("the home page does not link the stylesheet through the manifest (hashed name)")
    response, _ = browser.request("GET", match.group(1))
    if response.status != 200 or response.getheader("Content-Encoding") != "gzip":
        fail(
            f"static file {match.group(1)}: {response.status}, encoding {response.getheader('Content-Encoding')}"
        )
    if "immutable" not in (response.getheader("Cache-Control") or ""):
        fail("hashed static files should be cached forever (immutable)")
    print(f"ok: home page served, {match.group(1)} served compressed from the manifest storage")


def create_fabrique():
    import django

    django.setup()
    from fabrique.fabriques.models import Fabrique
    from fabrique.fabriques.services import fabrique_create

    fabrique = Fabrique.objects.filter(slug=SLUG).first()
    return fabrique or fabrique_create(actor=None, slug=SLUG, name="Fabrique vérifiée")


def submit_public_report(browser: Browser, redis_client) -> None:
    from fabrique.needs.models import NeedReport

    # counters of an earlier run (same address, one hour) would refuse this report: start afresh
    for key in redis_client.scan_iter("*ratelimit*"):
        redis_client.delete(key)
    keys_before = set(redis_client.keys("*"))
    form = f"/f/{SLUG}/signaler/"
    response, content = browser.request("GET", form)
    if response.status != 200:
        fail(f"GET {form} answered {response.status}")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', content.decode())
    if not token:
        fail("no CSRF token on the public report form")
    title = f"Pas de laverie ({time.time_ns()})"
    response, content = browser.request(
        "POST",
        form,
        {
            "csrfmiddlewaretoken": token.group(1),
            "title": title,
            "description": "Les habitants du quartier font trois kilomètres pour laver leur linge.",
            "public": "qpv_residents",
            "reporter_name": "Samia B.",
            "reporter_type": "inhabitant",
            "consent_processing": "on",
        },
    )
    if response.status != 302:
        fail(f"POST {form} answered {response.status}: {content[:2000]!r}")
    location = urllib.parse.urlsplit(response.getheader("Location")).path
    response, content = browser.request("GET", location)
    if response.status != 200:
        fail(f"the confirmation page {location} answered {response.status}")
    if NeedReport.objects.filter(title=title).count() != 1:
        fail("the report is not stored exactly once")
    if not set(redis_client.keys("*")) - keys_before:
        fail("the public form wrote nothing in the Redis cache (REDIS_URL not used?)")
    print(f"ok: public report submitted (302 then {location} 200), stored once, rate limit counted in Redis")


def check_runtime_role_cannot_unlock_the_audit_log() -> None:
    import psycopg
    from django.conf import settings

    db = settings.DATABASES["default"]
    with psycopg.connect(
        dbname=db["NAME"], user=db["USER"], password=db["PASSWORD"] or None, host=db["HOST"], port=db["PORT"]
    ) as conn:
        count = conn.execute("SELECT count(*) FROM audit_auditentry").fetchone()[0]
        if not count:
            fail("no audit entry was written")
        for statement in (
            "ALTER TABLE audit_auditentry DISABLE TRIGGER ALL",
            "UPDATE audit_auditentry SET note = note",
            "DELETE FROM audit_auditentry",
            "TRUNCATE audit_auditentry",
            "DROP TRIGGER audit_auditentry_no_update_delete ON audit_auditentry",
        ):
            try:
                conn.execute(statement)
            except psycopg.errors.InsufficientPrivilege:
                conn.rollback()
            else:
                fail(f"the runtime role could run: {statement}")
    print(f"ok: the runtime role cannot disable, drop, update or delete the audit log ({count} entries)")


def check_recovery_after_connections_are_killed(browser: Browser) -> None:
    import psycopg
    from django.conf import settings

    role = settings.DATABASES["default"]["USER"]
    for _ in range(8):  # every worker holds a persistent connection
        browser.request("GET", f"/f/{SLUG}/")
    with psycopg.connect(os.environ["PG_ADMIN_URL"], autocommit=True) as admin:
        killed = admin.execute(
            "SELECT count(*) FROM (SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = %s) t",
            [role],
        ).fetchone()[0]
    statuses = [browser.request("GET", f"/f/{SLUG}/")[0].status for _ in range(12)]
    if set(statuses) != {200}:
        fail(f"after {killed} connections were killed, the pages answered {statuses}")
    print(f"ok: {killed} database connections killed, the next {len(statuses)} requests served (no restart)")


def main() -> None:
    import redis

    wait_for_server()
    browser = Browser()
    check_pages_and_static(browser)
    create_fabrique()
    submit_public_report(browser, redis.Redis.from_url(os.environ["REDIS_URL"]))
    check_runtime_role_cannot_unlock_the_audit_log()
    check_recovery_after_connections_are_killed(browser)
    print("deploy check: all good")


if __name__ == "__main__":
    main()
