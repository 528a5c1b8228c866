"""Production settings: `DJANGO_SETTINGS_MODULE=fabrique.settings.production`.

Requires SECRET_KEY, ALLOWED_HOSTS and DATABASE_URL in the environment.
Passes `fabrique check --deploy` without warnings.
"""

import os
from typing import Any, cast

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import env_bool

DEBUG = False
if "SECRET_KEY" not in os.environ or len(os.environ["SECRET_KEY"]) < 50:
    raise ImproperlyConfigured("SECRET_KEY must be set (at least 50 characters) in production.")
SECRET_KEY = os.environ["SECRET_KEY"]

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", str(60 * 60 * 24 * 365)))
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
# webhooks never call loopback, private or link-local addresses in production (SSRF)
FABRIQUE_WEBHOOK_ALLOW_PRIVATE = False
cast(dict[str, Any], LOGGING["root"])["level"] = os.environ.get("LOG_LEVEL", "INFO")  # noqa: F405
