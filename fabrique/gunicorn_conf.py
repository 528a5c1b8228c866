"""gunicorn settings for production: `gunicorn -c python:fabrique.gunicorn_conf fabrique.wsgi`.

Every value can be changed through the environment (see docs/operations.md). Workers are
processes (sync workers): each keeps one persistent database connection (CONN_MAX_AGE).
"""

import gc
import multiprocessing
import os

# Behind the HTTPS reverse proxy, on the loopback interface by default.
bind = os.environ.get("FABRIQUE_BIND", "127.0.0.1:8000")
# 2 × cores + 1, at most 8 (each worker holds a database connection and about 150 MB).
workers = int(os.environ.get("WEB_CONCURRENCY", str(min(2 * multiprocessing.cpu_count() + 1, 8))))
# Long requests (PDF diagnoses, imports) are bounded; a stuck worker is replaced.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = 30
keepalive = 5
# Recycle workers now and then (memory of large imports and PDF rendering is returned to the system).
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "2000"))
max_requests_jitter = 200
# Trust X-Forwarded-Proto only from the proxy on this machine.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
# Heartbeat files in memory, not on a possibly slow disk.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")

# The application is loaded once in the master, then forked: the grouping engine's tables (gazetteer,
# word vectors, pair model: seconds of CPU on first use) are loaded there too, so neither the first
# requests of a worker nor those after a recycle stall behind that load.
preload_app = True


def when_ready(server: object) -> None:  # noqa: ARG001 - gunicorn's hook signature
    from django.db import connections

    from fabrique.core.warmup import warm_process

    warm_process()  # URLconf, catalogues, templates, grouping engine: inherited by every worker
    connections.close_all()  # never share a database connection with the forked workers
    # What the master holds now lives for the whole server: out of the collector's reach, the workers'
    # collections no longer touch (and so copy) those pages of memory (the Python documentation's advice
    # for servers that fork)
    gc.freeze()
