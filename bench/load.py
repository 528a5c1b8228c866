#!/usr/bin/env python
"""Load benchmark: staff pages and public reports under 20 and 50 concurrent users (1 s think time), on
gunicorn with the production settings, at network scale next to the demo — then `kill -9` of the web
server during a burst of public reports, counting that every acknowledged report is stored exactly once.

    .venv/bin/python bench/load.py \
        --network postgres://postgres@127.0.0.1:5432/fabrique_scale_big \
        --demo postgres://postgres@127.0.0.1:5432/fabrique_scale_demo [--users 20,50] [--duration 60]

Only 127.0.0.1 (ports 8150-8159), bounded in time (`--duration` seconds a run). Virtual users are threads
with their own session (an officer of the biggest fabrique, `reseau-01`, or of the demo's `nantes`); one
user in five is a member of the public who submits a report through the public form (CSRF token, real
POST, the redirect to the thanks page is the acknowledgement); one in 25 is the network head, reading the
network's figures (this year, last year, one indicator over five years). Prints throughput, p50/p95/p99 per page
and errors for every run, then the crash test's counts. An equivalent of Locust's headless mode in the
standard library: no extra dependency, and the numbers are the server's (the client threads are idle
most of the time).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import http.client
import json
import os
import random
import re
import signal
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

HOST, PORT = "127.0.0.1", 8151
SECRET = "bench-" + "x" * 60
DATASETS = {"network": ("reseau-01", "officer@reseau-01.test"), "demo": ("nantes", "chargee@nantes.demo")}
NETWORK_HEAD = {"network": "tete@reseau.test", "demo": None}  # None: the data set's first network head
HEAD_EVERY = 25  # one user in 25 is the network head (the network's figures), the rest officers and public
GUNICORN_ENV: dict[str, str] = {}  # e.g. {"WEB_CONCURRENCY": "4"} from --gunicorn-env
# The documented production configuration has a Redis cache (README, /etc/fabrique.env): the benchmark uses
# its own database of the local Redis, emptied before each server start; --redis-url "" for local memory.
REDIS = {"url": "redis://127.0.0.1:6379/9"}
CSRF_RE = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def server_env(url: str) -> dict:
    return {
        **os.environ,
        "DATABASE_URL": url,
        "DJANGO_SETTINGS_MODULE": "fabrique.settings.production",
        "SECRET_KEY": SECRET,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "false",
        "FABRIQUE_REPORT_RATE_LIMIT": "100000000",  # every simulated reporter comes from 127.0.0.1
        "LOG_LEVEL": "WARNING",
        "REDIS_URL": REDIS["url"],
    }


def flush_redis() -> None:
    """Empty the benchmark's Redis database (its cache must not carry one data set's entries to another)."""
    if not REDIS["url"]:
        return
    import redis

    redis.Redis.from_url(REDIS["url"]).flushdb()


def start_server(url: str) -> subprocess.Popen:
    flush_redis()
    proc = subprocess.Popen(
        # the documented production configuration (docs/operations.md), on the benchmark's port
        [str(ROOT / ".venv/bin/gunicorn"), "-c", "python:fabrique.gunicorn_conf", "fabrique.wsgi"],
        env={**server_env(url), "FABRIQUE_BIND": f"{HOST}:{PORT}", **GUNICORN_ENV},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # its own process group: kill -9 reaches the master and every worker
        cwd=ROOT,
    )
    for _ in range(200):
        try:
            conn = http.client.HTTPConnection(HOST, PORT, timeout=2)
            conn.request("GET", "/")
            conn.getresponse().read()
            return proc
        except OSError:
            time.sleep(0.2)
    proc.kill()
    raise RuntimeError("gunicorn did not start")


def stop_server(proc: subprocess.Popen, sig=signal.SIGTERM, timeout: float = 30) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, sig)
    proc.wait(timeout=timeout)


def collect_static(url: str, force: bool = False) -> None:
    """The production settings serve hashed static files (whitenoise manifest): collect them first
    (minutes: every file is compressed; skipped when a manifest is there, unless `force`)."""
    static_root = Path(os.environ.get("STATIC_ROOT", ROOT / "var" / "static"))
    if (static_root / "staticfiles.json").exists() and not force:
        return
    subprocess.run(
        [str(ROOT / ".venv/bin/fabrique"), "collectstatic", "--noinput", "-v", "0"],
        env=server_env(url),
        check=True,
        cwd=ROOT,
    )


class Session:
    """One user's HTTP connection and cookies."""

    def __init__(self, cookies: dict | None = None):
        self.cookies = dict(cookies or {})
        self.conn = None

    def request(self, method: str, path: str, body: dict | None = None) -> tuple[int, str, dict]:
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()), "Host": f"{HOST}:{PORT}"}
        data = None
        if body is not None:
            data = urlencode(body)
            headers.update(
                {
                    "Content-Type": "application/x-www-form-urlencoded",
                    "Referer": f"http://{HOST}:{PORT}{path}",
                }
            )
        for attempt in range(2):
            try:
                if self.conn is None:
                    self.conn = http.client.HTTPConnection(HOST, PORT, timeout=60)
                self.conn.request(method, path, body=data, headers=headers)
                response = self.conn.getresponse()
                text = response.read().decode("utf-8", "replace")
                for header, value in response.getheaders():
                    if header.lower() == "set-cookie":
                        name, _, rest = value.partition("=")
                        self.cookies[name] = rest.split(";", 1)[0]
                if response.getheader("Connection", "").lower() == "close":
                    self.conn.close()
                    self.conn = None
                return response.status, text, dict(response.getheaders())
            except (OSError, http.client.HTTPException):
                if self.conn is not None:
                    self.conn.close()
                self.conn = None
                if attempt:
                    raise
        raise RuntimeError("unreachable")


def setup(label: str, url: str) -> tuple[list[tuple[str, str]], dict, str, dict]:
    """(pages, officer session cookie, fabrique slug, network head session cookie) of one data set, read
    through Django in a child process (one database per process). The network head's pages are the ones
    under /reseau/."""
    out = subprocess.run(
        [sys.executable, __file__, "--setup", label],
        env={**server_env(url), "DJANGO_SETTINGS_MODULE": "fabrique.settings.base"},
        check=True,
        stdout=subprocess.PIPE,
        text=True,
    ).stdout
    data = json.loads(out.strip().splitlines()[-1])
    return [tuple(p) for p in data["pages"]], data["cookies"], data["slug"], data["head_cookies"]


def _setup_child(label: str) -> None:
    import django

    django.setup()
    import pages as page_list
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.urls import reverse

    from fabrique.accounts.models import User
    from fabrique.fabriques.models import Fabrique

    def session_of(user: User) -> dict:
        store = SessionStore()
        store[SESSION_KEY] = str(user.pk)
        store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        store[HASH_SESSION_KEY] = user.get_session_auth_hash()
        store.create()
        return {"sessionid": store.session_key}

    slug, email = DATASETS[label]
    fabrique = Fabrique.objects.get(slug=slug)
    head_email = NETWORK_HEAD[label]
    head = (
        User.objects.get(email=head_email)
        if head_email
        else User.objects.filter(is_network_head=True).order_by("pk").first()
    )
    # the pages people click through; the whole-list downloads (exports, seconds each at network scale)
    # are measured by bench/pages.py, not mixed into every user's clicks
    found = [
        (name, link)
        for name, link in page_list.pages(fabrique)
        if not link.startswith("/reseau/") and "export" not in name and "cache emptied" not in name
    ]
    if head is not None:  # the network head: this year and last year, side by side and one indicator
        year = datetime.date.today().year
        found += [
            ("network head page", reverse("network:home")),
            ("network head page, last year", reverse("network:home") + f"?kind=year&year={year - 1}"),
            ("network head, one indicator", reverse("network:indicator", kwargs={"key": "needs.reports"})),
        ]
    print(
        json.dumps(
            {
                "pages": found,
                "cookies": session_of(User.objects.get(email=email)),
                "slug": slug,
                "head_cookies": session_of(head) if head else {},
            }
        )
    )


def submit_report(session: Session, slug: str, marker: str) -> bool:
    """A member of the public's report; True when the server acknowledged it (redirect to thanks)."""
    path = f"/f/{slug}/signaler/"
    status, text, _h = session.request("GET", path)
    token = CSRF_RE.search(text)
    if status != 200 or not token:
        return False
    status, _text, headers = session.request(
        "POST",
        path,
        {
            "csrfmiddlewaretoken": token.group(1),
            "title": f"Pas de laverie accessible {marker}",
            "description": "Il faut aller à la ville voisine pour laver son linge.",
            "commune": "",
            "reporter_name": "Camille Test",
            "reporter_type": "inhabitant",
            "reporter_email": "camille@example.org",
            "consent_processing": "on",
        },
    )
    return status == 302 and "merci" in headers.get("Location", "")


def run_load(
    pages: list, cookies: dict, slug: str, users: int, duration: float, run_id: str, head_cookies: dict
) -> dict:
    samples: dict[str, list[float]] = {}
    timeline: list[tuple[float, float]] = []  # (seconds since the start, response time) of every request
    errors: dict[str, int] = {}
    acknowledged: list[str] = []
    lock = threading.Lock()
    started = time.monotonic()
    stop_at = started + duration

    officer_pages = [p for p in pages if not p[1].startswith("/reseau/")]
    head_pages = [p for p in pages if p[1].startswith("/reseau/")]

    def user(index: int) -> None:
        rng = random.Random(index)
        public = index % 5 == 4
        head = index % HEAD_EVERY == HEAD_EVERY // 2 and bool(head_pages and head_cookies)
        session = Session() if public else Session(head_cookies if head else cookies)
        mine = head_pages if head else officer_pages
        time.sleep(rng.random())  # ramp-up over the first second
        n = 0
        while time.monotonic() < stop_at:
            n += 1
            t0 = time.perf_counter()
            if public:
                name, marker = "public report (GET form + POST)", f"[{run_id}-{index}-{n}]"
                try:
                    ok = submit_report(session, slug, marker)
                except Exception:  # noqa: BLE001 - counted as an error
                    ok = False
                if ok:
                    with lock:
                        acknowledged.append(marker)
            else:
                name, link = rng.choice(mine)
                try:
                    status, _t, _h = session.request("GET", link)
                    ok = status == 200
                except Exception:  # noqa: BLE001
                    ok = False
            elapsed = time.perf_counter() - t0
            with lock:
                samples.setdefault(name, []).append(elapsed)
                timeline.append((time.monotonic() - started, elapsed))
                if not ok:
                    errors[name] = errors.get(name, 0) + 1
            time.sleep(1.0)  # think time

    threads = [threading.Thread(target=user, args=(i,), daemon=True) for i in range(users)]
    t0 = time.monotonic()
    cpu0, machine0 = time.process_time(), machine_cpu()
    for t in threads:
        t.start()
    for t in threads:
        t.join(duration + 120)
    wall = time.monotonic() - t0
    busy, total = (b - a for a, b in zip(machine0, machine_cpu(), strict=True))
    return {
        "samples": samples,
        "timeline": timeline,
        "errors": errors,
        "wall": wall,
        "acknowledged": acknowledged,
        # where the CPU went: the load generator's own share, and the whole machine's
        "generator_cpu": (time.process_time() - cpu0) / wall,
        "machine_busy": busy / total if total else float("nan"),
    }


def machine_cpu() -> tuple[int, int]:
    """(busy, total) jiffies of all CPUs since boot, from /proc/stat (Linux; zeros elsewhere)."""
    try:
        fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    except OSError:
        return 0, 0
    idle = fields[3] + fields[4]  # idle + iowait
    return sum(fields) - idle, sum(fields)


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))] * 1000 if values else float("nan")


def print_run(title: str, result: dict) -> None:
    total = sum(len(v) for v in result["samples"].values())
    errors = sum(result["errors"].values())
    allv = [x for v in result["samples"].values() for x in v]
    print(f"\n### {title}\n")
    print(
        f"{total} requests in {result['wall']:.0f} s = {total / result['wall']:.1f} req/s; "
        f"p50 {pct(allv, 0.5):.0f} ms, p95 {pct(allv, 0.95):.0f} ms, p99 {pct(allv, 0.99):.0f} ms; errors: {errors}\n"
    )
    print(
        f"CPU: the load generator used {result['generator_cpu']:.0%} of one core; the machine was "
        f"{result['machine_busy']:.0%} busy ({os.cpu_count()} cores, everything on it counted)\n"
    )
    windows: dict[int, list[float]] = {}
    for at, elapsed in result["timeline"]:
        windows.setdefault(int(at // 10) * 10, []).append(elapsed)
    print(
        "p95 by 10-second window (warm-up shows in the first): "
        + ", ".join(f"{start}-{start + 10} s {pct(v, 0.95):.0f} ms" for start, v in sorted(windows.items()))
        + "\n"
    )
    print("| page | requests | p50 | p95 | p99 | errors |\n|---|---:|---:|---:|---:|---:|")
    for name, values in sorted(result["samples"].items()):
        print(
            f"| {name} | {len(values)} | {pct(values, 0.5):.0f} ms | {pct(values, 0.95):.0f} ms | "
            f"{pct(values, 0.99):.0f} ms | {result['errors'].get(name, 0)} |"
        )


def stored_markers(url: str, run_id: str) -> list[str]:
    import psycopg

    with psycopg.connect(url) as conn:
        rows = conn.execute(
            "SELECT title FROM needs_needreport WHERE title LIKE %s", [f"%[{run_id}-%"]
        ).fetchall()
    return [re.search(r"\[[^\]]+\]", title).group(0) for (title,) in rows]


def worker_env(url: str, mail_dir: Path) -> dict:
    """The production settings, e-mails written to files in `mail_dir` (counted by the crash test)."""
    return {
        **server_env(url),
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": str(mail_dir),
    }


def start_worker(url: str, mail_dir: Path) -> subprocess.Popen:
    """The task worker with the production settings; e-mails written to files in `mail_dir`."""
    return subprocess.Popen(
        [str(ROOT / ".venv/bin/fabrique"), "worker", "--interval", "0.2"],
        env=worker_env(url, mail_dir),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
        cwd=ROOT,
    )


def drain_tasks(url: str, mail_dir: Path) -> None:
    """Run the worker in batch mode until the queue is empty (the reclaim of the killed worker's tasks
    included: a task left running by a dead worker goes back to the queue)."""
    subprocess.run(
        [str(ROOT / ".venv/bin/fabrique"), "worker", "--batch"],
        env=worker_env(url, mail_dir),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        check=True,
        cwd=ROOT,
        timeout=600,
    )


def mailed_markers(mail_dir: Path, run_id: str) -> list[tuple[str, str]]:
    """(recipient, marker) of every e-mail written by the file backend that names a report of the run."""
    import email

    found = []
    pattern = re.compile(r"\[" + re.escape(run_id) + r"-\d+-\d+\]")
    for path in sorted(mail_dir.glob("*.log")):
        for chunk in path.read_text("utf-8", "replace").split("-" * 79):
            if not chunk.strip():
                continue
            message = email.message_from_string(chunk.strip("\n"))
            subject = str(email.header.make_header(email.header.decode_header(message.get("Subject", ""))))
            marker = pattern.search(subject)
            if marker:
                found.append((message.get("To", ""), marker.group(0)))
    return found


def dismisser(session: Session, url: str, slug: str, run_id: str, stop_at: float, log: dict) -> None:
    """An officer sets the run's reports aside as they arrive (a transition: stage + audit entry in one
    transaction), through the real form. `log` gets the pks whose dismissal was acknowledged."""
    import psycopg

    done: set[int] = set()
    while time.monotonic() < stop_at:
        try:
            with psycopg.connect(url) as conn:
                pks = [
                    pk
                    for (pk,) in conn.execute(
                        "SELECT id FROM needs_needreport WHERE title LIKE %s AND stage = 'received' ORDER BY id",
                        [f"%[{run_id}-%"],
                    ).fetchall()
                    if pk not in done
                ][:5]
        except psycopg.Error:
            pks = []
        for pk in pks:
            path = f"/espace/{slug}/besoins/signalements/{pk}/ecarter/"
            try:
                status, text, _h = session.request("GET", path)
                token = CSRF_RE.search(text)
                if status != 200 or not token:
                    log["failed"] += 1
                    continue
                status, _t, headers = session.request(
                    "POST", path, {"csrfmiddlewaretoken": token.group(1), "reason": "spam", "details": run_id}
                )
            except Exception:  # noqa: BLE001 - the server was killed under it
                log["failed"] += 1
                session.conn = None
                time.sleep(0.2)
                continue
            if status == 302:
                log["acknowledged"].append(pk)
                done.add(pk)
            else:
                log["failed"] += 1
        time.sleep(0.3)


def crash_test(url: str, slug: str, users: int, seconds: float, cookies: dict) -> dict:
    """A burst of public reports while an officer sets them aside; the web server AND the task worker
    are killed (-9, every process) in the middle, then started again while the burst goes on; then the
    queue is drained. Counts: every acknowledged report stored exactly once; every acknowledged
    dismissal applied with exactly one audit entry, and no report dismissed without its entry (no
    half-applied transition); every report's staff notifications created, each e-mail sent once."""
    import shutil
    import tempfile

    import psycopg

    run_id = "crash-" + uuid.uuid4().hex[:8]
    mail_dir = Path(tempfile.mkdtemp(prefix="fabrique-bench-mail-"))
    proc = start_server(url)
    worker = start_worker(url, mail_dir)
    acknowledged, failed = [], [0]
    dismissals: dict = {"acknowledged": [], "failed": 0}
    lock = threading.Lock()
    stop_at = time.monotonic() + seconds

    def reporter(index: int) -> None:
        session, n = Session(), 0
        while time.monotonic() < stop_at:
            n += 1
            marker = f"[{run_id}-{index}-{n}]"
            try:
                ok = submit_report(session, slug, marker)
            except Exception:  # noqa: BLE001 - the server was killed under it
                ok = False
            with lock:
                (acknowledged.append(marker) if ok else failed.__setitem__(0, failed[0] + 1))
            if not ok:
                session = Session()
                time.sleep(0.2)

    threads = [threading.Thread(target=reporter, args=(i,), daemon=True) for i in range(users)]
    threads.append(
        threading.Thread(
            target=dismisser, args=(Session(cookies), url, slug, run_id, stop_at, dismissals), daemon=True
        )
    )
    for t in threads:
        t.start()
    time.sleep(seconds / 3)
    stop_server(proc, signal.SIGKILL)
    stop_server(worker, signal.SIGKILL)
    killed_at = len(acknowledged)
    time.sleep(1)
    proc = start_server(url)
    worker = start_worker(url, mail_dir)
    for t in threads:
        t.join(seconds + 60)
    stop_server(proc)
    # a graceful stop lets the worker finish its task: after the load runs' thousand reports that can be
    # a whole fabrique's stored insights (tens of seconds on a busy machine)
    stop_server(worker, timeout=300)
    drain_tasks(url, mail_dir)
    stored = stored_markers(url, run_id)
    counts = {m: stored.count(m) for m in set(stored)}
    with psycopg.connect(url) as conn:
        dismissed = dict(
            conn.execute(
                """SELECT r.id, (SELECT count(*) FROM audit_auditentry a
                                 WHERE a.action = 'needs.needreport.dismissed' AND a.target_id = r.id::text)
                   FROM needs_needreport r WHERE r.title LIKE %s AND r.stage = 'dismissed'""",
                [f"%[{run_id}-%"],
            ).fetchall()
        )
        entries_on_received = conn.execute(
            """SELECT count(*) FROM audit_auditentry a JOIN needs_needreport r ON a.target_id = r.id::text
               WHERE a.action = 'needs.needreport.dismissed' AND r.title LIKE %s AND r.stage <> 'dismissed'""",
            [f"%[{run_id}-%"],
        ).fetchone()[0]
        notified = conn.execute(
            """SELECT substring(n.title from %s), count(*), count(DISTINCT n.recipient_id)
               FROM notifications_notification n WHERE n.title LIKE %s GROUP BY 1""",
            [r"(\[" + run_id + r"-[0-9]+-[0-9]+\])", f"%[{run_id}-%"],
        ).fetchall()
        pending_tasks = conn.execute(
            "SELECT count(*) FROM django_tasks_database_dbtaskresult WHERE status IN ('READY', 'RUNNING')"
        ).fetchone()[0]
    per_report = {marker: n for marker, n, _distinct in notified}
    expected = max(per_report.values(), default=0)
    mails = mailed_markers(mail_dir, run_id)
    shutil.rmtree(mail_dir, ignore_errors=True)
    acked = set(acknowledged)
    return {
        "acknowledged": len(acknowledged),
        "acknowledged_before_kill": killed_at,
        "failed_requests": failed[0],
        "stored": len(stored),
        "lost": sum(1 for m in acknowledged if m not in counts),
        "duplicated": sum(1 for n in counts.values() if n > 1),
        "stored_not_acknowledged": sum(1 for m in counts if m not in acked),
        "dismissals_acknowledged": len(dismissals["acknowledged"]),
        "dismissals_failed_requests": dismissals["failed"],
        "dismissals_lost": sum(1 for pk in dismissals["acknowledged"] if pk not in dismissed),
        "dismissed_without_one_audit_entry": sum(1 for n in dismissed.values() if n != 1),
        "dismissal_entries_on_reports_not_dismissed": entries_on_received,
        "staff_notifications_per_report": expected,
        "reports_missing_notifications": sum(1 for m in counts if per_report.get(m, 0) < expected),
        "emails": len(mails),
        "emails_sent_twice": len(mails) - len(set(mails)),
        "tasks_left_in_queue": pending_tasks,
    }


def pg_restart_test(url: str, slug: str, cookies: dict, users: int, seconds: float, restart: str) -> dict:
    """Staff pages and public reports while the database server restarts (`restart`, a shell command):
    during the outage requests must answer the French 503 page (never a 500), and afterwards the same
    gunicorn processes must serve again without being restarted."""
    proc = start_server(url)
    statuses: dict[int, int] = {}
    french_503 = [0]
    timeline: list[tuple[float, int]] = []
    lock = threading.Lock()
    t_start = time.monotonic()
    stop_at = t_start + seconds
    links = [f"/espace/{slug}/", f"/espace/{slug}/besoins/", f"/f/{slug}/signaler/"]

    def user(index: int) -> None:
        session = Session(cookies)
        n = 0
        while time.monotonic() < stop_at:
            n += 1
            try:
                status, text, _h = session.request("GET", links[(index + n) % len(links)])
            except Exception:  # noqa: BLE001 - no answer at all
                status, text = 0, ""
            with lock:
                statuses[status] = statuses.get(status, 0) + 1
                timeline.append((time.monotonic() - t_start, status))
                if status == 503 and "indisponible" in text.lower():
                    french_503[0] += 1
            time.sleep(0.2)

    threads = [threading.Thread(target=user, args=(i,), daemon=True) for i in range(users)]
    for t in threads:
        t.start()
    time.sleep(seconds / 3)
    restart_at = time.monotonic() - t_start
    subprocess.run(restart, shell=True, check=True)
    restarted_at = time.monotonic() - t_start
    for t in threads:
        t.join(seconds + 60)
    # recovery: the first moment after the restart from which every answer is a 200
    after = [(t, s) for t, s in timeline if t >= restarted_at]
    bad_after = [t for t, s in after if s != 200]
    recovered_at = max(bad_after) if bad_after else restarted_at
    last = [s for t, s in timeline if t > seconds - 2]
    stop_server(proc)
    return {
        "requests": sum(statuses.values()),
        "statuses": {str(k): v for k, v in sorted(statuses.items())},
        "french_503_pages": french_503[0],
        "server_errors_500": statuses.get(500, 0),
        "restart_command_s": round(restarted_at - restart_at, 2),
        "recovered_s_after_restart": round(recovered_at - restarted_at, 2),
        "last_2_s_all_200": all(s == 200 for s in last) and bool(last),
        "gunicorn_restarted": False,
    }


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--network", default="postgres://postgres@127.0.0.1:5432/fabrique_scale_big")
    parser.add_argument("--demo", default="postgres://postgres@127.0.0.1:5432/fabrique_scale_demo")
    parser.add_argument("--users", default="20,50")
    parser.add_argument("--duration", type=float, default=60)
    parser.add_argument("--crash-users", type=int, default=10)
    parser.add_argument("--crash-seconds", type=float, default=30)
    parser.add_argument("--datasets", default="demo,network")
    parser.add_argument(
        "--pg-restart",
        default="",
        help="shell command that restarts the PostgreSQL server of --pg-restart-url, run under load",
    )
    parser.add_argument("--pg-restart-url", default="", help="default: --demo")
    parser.add_argument("--pg-restart-seconds", type=float, default=20)
    parser.add_argument("--collectstatic", action="store_true", help="collect the static files again")
    parser.add_argument(
        "--gunicorn-env",
        default="",
        help="variables of fabrique/gunicorn_conf.py to try, e.g. WEB_CONCURRENCY=4",
    )
    parser.add_argument(
        "--redis-url",
        default=REDIS["url"],
        help='the cache of the served application (a database of its own, emptied); "" for local memory',
    )
    parser.add_argument("--setup", help=argparse.SUPPRESS)
    args = parser.parse_args()
    REDIS["url"] = args.redis_url
    if args.setup:
        _setup_child(args.setup)
        return 0
    args.pg_restart_url = args.pg_restart_url or args.demo
    GUNICORN_ENV.update(dict(pair.split("=", 1) for pair in args.gunicorn_env.split(",") if pair))
    print(f"# Load benchmark, {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}")
    print(
        f"gunicorn -c python:fabrique.gunicorn_conf {GUNICORN_ENV or ''}, production settings, "
        f"cache {REDIS['url'] or 'local memory'}, {os.cpu_count()} CPUs, think time 1 s"
    )
    summary = []
    collect_static(args.network, force=args.collectstatic)
    for label in args.datasets.split(","):
        url = getattr(args, label)
        pages, cookies, slug, head_cookies = setup(label, url)
        for users in [int(u) for u in args.users.split(",")]:
            proc = start_server(url)
            try:
                run_id = f"load-{label}-{users}-{uuid.uuid4().hex[:6]}"
                result = run_load(pages, cookies, slug, users, args.duration, run_id, head_cookies)
            finally:
                stop_server(proc)
            stored = stored_markers(url, run_id)
            lost = sum(1 for m in result["acknowledged"] if m not in stored)
            print_run(f"{label}, {users} users, {args.duration:.0f} s", result)
            print(
                f"\npublic reports acknowledged: {len(result['acknowledged'])}, stored: {len(stored)}, lost: {lost}"
            )
            allv = [x for v in result["samples"].values() for x in v]
            total = len(allv)
            summary.append(
                (
                    label,
                    users,
                    total / result["wall"],
                    pct(allv, 0.5),
                    pct(allv, 0.95),
                    sum(result["errors"].values()),
                    lost,
                )
            )
    print(
        "\n## Summary\n\n| data | users | req/s | p50 | p95 | errors | lost reports |\n|---|---:|---:|---:|---:|---:|---:|"
    )
    for label, users, rps, p50, p95, errors, lost in summary:
        print(f"| {label} | {users} | {rps:.1f} | {p50:.0f} ms | {p95:.0f} ms | {errors} | {lost} |")
    failed = False
    if args.crash_seconds > 0:
        _pages, cookies, slug, _head = setup("network", args.network)
        result = crash_test(args.network, slug, args.crash_users, args.crash_seconds, cookies)
        print(
            "\n## kill -9 of the web server and of the worker during a burst of public reports and of "
            "transitions (network data)\n"
        )
        print(json.dumps(result, indent=2))
        problems = [
            key
            for key in (
                "lost",
                "duplicated",
                "dismissals_lost",
                "dismissed_without_one_audit_entry",
                "dismissal_entries_on_reports_not_dismissed",
                "reports_missing_notifications",
                "emails_sent_twice",
                "tasks_left_in_queue",
            )
            if result[key]
        ]
        if problems:
            print(f"FAILED: {', '.join(problems)}")
            failed = True
    if args.pg_restart:
        label = "network" if args.pg_restart_url == args.network else "demo"
        _pages, cookies, slug, _head = setup(label, args.pg_restart_url)
        result = pg_restart_test(
            args.pg_restart_url, slug, cookies, args.crash_users, args.pg_restart_seconds, args.pg_restart
        )
        print(f"\n## PostgreSQL restarted under load ({label} data; `{args.pg_restart}`)\n")
        print(json.dumps(result, indent=2))
        if result["server_errors_500"] or not result["last_2_s_all_200"]:
            print("FAILED: a 500 during the outage, or no recovery without restarting gunicorn")
            failed = True
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
