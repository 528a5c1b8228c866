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
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
AXES_ENABLED = True
DEBUG = False
FABRIQUE_AUDIT_DB_TRIGGERS = False  # see audit migration 0002
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
FABRIQUE_PRIVATE_MEDIA_ROOT = str(VAR_DIR / "test-private-media")
