"""Settings of the real `fabrique worker` processes started by tests/core/test_worker.py: the test
database (DATABASE_URL), the database task backend, e-mails written as files by a slow server."""

import os

from fabrique.settings.test import *  # noqa: F403

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
EMAIL_BACKEND = "tests.core.slow_email.SlowFileBackend"
EMAIL_FILE_PATH = os.environ["FABRIQUE_TEST_MAIL_DIR"]
FABRIQUE_WORKER_HEARTBEAT = 0.5
