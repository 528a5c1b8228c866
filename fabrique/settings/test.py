"""Test settings: fast hashing, in-memory e-mail, database from DATABASE_URL (SQLite by default)."""

import os

import dj_database_url

from .base import *  # noqa: F403
from .base import VAR_DIR

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'test.sqlite3'}"), conn_max_age=0
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3" and os.environ.get("FABRIQUE_CHROMIUM"):
    # Browser runs: the live server answers from several threads. SQLite's default test database
    # is in-memory with a shared cache, where a reader's table lock makes a concurrent write fail
    # at once ("database table is locked"); a file database waits on the lock instead.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test-browser.sqlite3")}
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# the cache is shared by the tests of a process: figures are computed on every request (the cache
# itself is tested with this setting overridden)
FABRIQUE_NETWORK_FIGURES_SECONDS = 0
AXES_ENABLED = True
DEBUG = False
FABRIQUE_AUDIT_DB_TRIGGERS = False  # see audit migration 0002
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# never the production variable: a test must not write into a real private folder
FABRIQUE_PRIVATE_MEDIA_ROOT = os.environ.get(
    "FABRIQUE_TEST_PRIVATE_MEDIA_ROOT", str(VAR_DIR / "test-private-media")
)
# tasks run in-process, right after the commit (tests of the real worker switch to the database backend)
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
# the webhook tests run their receiver on 127.0.0.1; the SSRF tests turn this off
FABRIQUE_WEBHOOK_ALLOW_PRIVATE = True
FABRIQUE_WEBHOOK_TIMEOUT = 2.0
