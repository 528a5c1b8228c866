"""Settings read from the environment. With nothing set: SQLite under var/, debug on, console e-mail."""

import contextlib
import os
from pathlib import Path

import dj_database_url
import django_stubs_ext
from django.utils.translation import gettext_lazy as _

# lets the code write the generic types of django-stubs (`ModelForm[Need]`, `QuerySet[Need]`) at run time
django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent.parent  # the fabrique package
PROJECT_DIR = Path(os.environ.get("FABRIQUE_HOME", Path.cwd()))
VAR_DIR = Path(os.environ.get("FABRIQUE_VAR_DIR", PROJECT_DIR / "var"))
for _dir in (VAR_DIR, VAR_DIR / "static"):
    # read-only installs set FABRIQUE_VAR_DIR / STATIC_ROOT elsewhere
    with contextlib.suppress(OSError):
        _dir.mkdir(parents=True, exist_ok=True)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", True)
SECRET_KEY = os.environ.get("SECRET_KEY", "dev-only-insecure-key-change-me-in-production-0123456789")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "csp",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    "django_htmx",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_tasks",
    "django_tasks_db",
    # domain
    "fabrique.core",
    "fabrique.ops",
    "fabrique.accounts",
    "fabrique.fabriques",
    "fabrique.audit",
    "fabrique.territories",
    "fabrique.directory",
    "fabrique.workstreams",
    "fabrique.needs",
    "fabrique.committees",
    "fabrique.studies",
    "fabrique.projects",
    "fabrique.recruitment",
    "fabrique.support",
    "fabrique.intelligence",
    "fabrique.funding",
    "fabrique.grouping",
    "fabrique.imports",
    "fabrique.privacy",
    "fabrique.notifications",
    "fabrique.webhooks",
    "fabrique.handover",
    "fabrique.essaimage",
    "fabrique.demo",
    # interfaces
    "fabrique.public",
    "fabrique.backoffice",
    "fabrique.api",
    "fabrique.network",
    "django.forms",  # last: the project's form widget templates (templates/django/forms/) win
]
# form widgets render through the project's template engine, so that templates/django/forms/ can
# override Django's (the empty choice of every select reads "— choisir —", never "---------")
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "fabrique.core.middleware.RejectNulBytesMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",  # request.user.is_verified(): the second factor was given
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "fabrique.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "fabrique.core.context_processors.shell",
                "fabrique.backoffice.nav.backoffice_nav",
                "fabrique.backoffice.nav.notification_bell",
            ],
        },
    }
]

WSGI_APPLICATION = "fabrique.wsgi.application"

_default_sqlite = f"sqlite:///{VAR_DIR / 'fabrique.sqlite3'}"
# Persistent connections (one per worker thread, reused for CONN_MAX_AGE seconds) with a health
# check at the start of each request: after a PostgreSQL restart the first request reconnects
# instead of failing on a dead connection.
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", _default_sqlite),
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
        conn_health_checks=env_bool("CONN_HEALTH_CHECKS", True),
    )
}
# Migrations (and the GRANTs to the runtime role) run as the owner of the tables when this is set;
# the application itself connects with DATABASE_URL, a role that owns nothing (docs/operations.md).
MIGRATION_DATABASE_URL = os.environ.get("MIGRATION_DATABASE_URL", "")
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].update(
        {"init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"}
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    # OpenID Connect (ProConnect or another provider): answers only the callback of a login it started
    "fabrique.accounts.oidc.OIDCBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "backoffice:home"
LOGOUT_REDIRECT_URL = "public:home"

# Login throttling (django-axes): 5 failures on one account lock it for 15 minutes, whatever the
# address (the login form is the only password login: the API takes tokens, not passwords).
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_USERNAME_CALLABLE = "fabrique.accounts.lockout.axes_username"
# axes.W006 warns that a lockout without the address can be dodged by rotating user agents: ours is per
# account on purpose (an account is locked whatever the address, user agent or cookie).
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_USERNAME_FORM_FIELD = "username"  # the login form field (it holds the e-mail address)
AXES_VERBOSE = False

# Single sign-on by OpenID Connect (docs/deployment.md): off unless OIDC_ISSUER and OIDC_CLIENT_ID are
# set. The provider's endpoints come from its discovery document ({issuer}/.well-known/openid-configuration).
# An account is matched by its verified e-mail address; a login never creates an account nor a membership.
OIDC_ISSUER = os.environ.get("OIDC_ISSUER", "").rstrip("/")
OIDC_RP_CLIENT_ID = os.environ.get("OIDC_CLIENT_ID", "")
OIDC_RP_CLIENT_SECRET = os.environ.get("OIDC_CLIENT_SECRET", "")
OIDC_PROVIDER_NAME = os.environ.get("OIDC_PROVIDER_NAME", "ProConnect")
OIDC_RP_SCOPES = os.environ.get("OIDC_SCOPES", "openid email given_name usual_name")
# e.g. "eidas1": sent as acr_values, and the id_token's acr claim must be one of them
OIDC_ACR_VALUES = os.environ.get("OIDC_ACR_VALUES", "")
# only for a provider that vouches for every address it sends without an email_verified claim
OIDC_ASSUME_EMAIL_VERIFIED = env_bool("OIDC_ASSUME_EMAIL_VERIFIED", False)
OIDC_RP_SIGN_ALGO = os.environ.get("OIDC_SIGN_ALGO", "RS256")
OIDC_TIMEOUT = float(os.environ.get("OIDC_TIMEOUT", "10"))
OIDC_CREATE_USER = False
OIDC_STORE_ID_TOKEN = True  # the id_token_hint of the logout at the provider (end_session)
OIDC_USE_PKCE = True
OIDC_AUTHENTICATION_CALLBACK_URL = "accounts:oidc_callback"
LOGIN_REDIRECT_URL_FAILURE = "accounts:login"

# Second factor (django-otp, TOTP): the issuer shown in authenticator apps
OTP_TOTP_ISSUER = os.environ.get("OTP_TOTP_ISSUER", "Fabrique")

LANGUAGE_CODE = "fr"
# Only French is offered: no English catalogue exists for the platform's own texts, so offering
# English would mix English Django messages, dates and months into French pages. With French the
# only language, LocaleMiddleware answers French whatever the browser's Accept-Language.
LANGUAGES = [("fr", _("Français"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", VAR_DIR / "static"))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# E-mail: console by default; SMTP when EMAIL_HOST is set.
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "587"))
    EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
    EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
else:
    EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
    EMAIL_FILE_PATH = os.environ.get("EMAIL_FILE_PATH", str(VAR_DIR / "mail"))  # file-based backend (demo)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Fabrique <ne-pas-repondre@fabrique.localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Cache: Redis when REDIS_URL is set (shared rate limits across app servers), local memory otherwise.
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "fabrique.api.authentication.TokenAuthentication",  # personal tokens (Bearer), per fabrique
        "rest_framework.authentication.SessionAuthentication",  # the browser
    ],
    "DEFAULT_THROTTLE_CLASSES": ["fabrique.api.throttling.TokenRateThrottle"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PARSER_CLASSES": [
        "fabrique.api.parsers.BoundedJSONParser",  # nesting bounded: a 400, never a RecursionError
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_SCHEMA_CLASS": "fabrique.api.schema.FabriqueAutoSchema",  # documents the error answers
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "fabrique.api.exceptions.exception_handler",
}
# requests per token (DRF rate syntax); each personal token has its own budget
API_TOKEN_RATE = os.environ.get("API_TOKEN_RATE", "1200/hour")
SPECTACULAR_SETTINGS = {
    "TITLE": "API Fabrique",
    "DESCRIPTION": (
        "API REST des Fabriques à initiatives : mêmes services, mêmes règles et mêmes droits que le "
        "back-office.\n\n"
        "**Authentification** : un jeton personnel (page « Jetons d'API » du back-office), dans l'en-tête "
        "`Authorization: Bearer fab_…`. Un jeton vaut pour une fabrique, en lecture ou en écriture, jusqu'à "
        "sa date d'expiration, et jamais au-delà des droits de son titulaire. Le navigateur connecté "
        "utilise sa session.\n\n"
        "**Listes** : filtres en paramètres (un paramètre ou une valeur inconnus répondent 400), pagination "
        "par curseur (`next` / `previous`, `page_size` jusqu'à 200) pour les objets de la méthode.\n\n"
        '**Changements d\'étape** : `POST …/{id}/transitions/` avec `{"to": "…"}` ; 409 avec le motif '
        "en français quand la machine à états refuse.\n\n"
        '**Erreurs** : messages en français ; 400 par champ, sinon `{"detail": …, "code": …}`. '
        "429 : trop de requêtes pour ce jeton (en-tête `Retry-After`)."
    ),
    "VERSION": "1.0.0",
    "OAS_VERSION": "3.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
# a French page that says why a form was refused (fabrique.core.handlers)
CSRF_FAILURE_VIEW = "fabrique.core.handlers.csrf_failure"
X_FRAME_OPTIONS = "DENY"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
    # WeasyPrint and fontTools narrate every PDF at INFO level
    "loggers": {
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}

# Map background: empty = no tile server, boundaries drawn from the shipped GeoJSON only.
FABRIQUE_MAP_TILE_URL = os.environ.get("FABRIQUE_MAP_TILE_URL", "")
FABRIQUE_MAP_TILE_ATTRIBUTION = os.environ.get("FABRIQUE_MAP_TILE_ATTRIBUTION", "")

# Database triggers that make the audit log append-only (see audit migration 0002).
FABRIQUE_AUDIT_DB_TRIGGERS = True

# Absolute address of the site, for links in e-mails (follow-up links, password reset uses the request).
FABRIQUE_SITE_URL = os.environ.get("FABRIQUE_SITE_URL", "http://127.0.0.1:8000")

# Task queue (django-tasks, database backend: no broker). `fabrique worker` runs the tasks;
# `fabrique run_scheduled` (daily, cron / systemd timer) enqueues the scheduled jobs.
TASKS = {"default": {"BACKEND": os.environ.get("FABRIQUE_TASKS_BACKEND", "django_tasks_db.DatabaseBackend")}}
# webhooks (docs/webhooks.md): local and private addresses are refused unless allowed (development
# only: production.py forces False), short timeouts, disabled after N consecutive failed attempts
FABRIQUE_WEBHOOK_ALLOW_PRIVATE = env_bool("FABRIQUE_WEBHOOK_ALLOW_PRIVATE", DEBUG)
FABRIQUE_WEBHOOK_TIMEOUT = float(os.environ.get("FABRIQUE_WEBHOOK_TIMEOUT", "5"))
FABRIQUE_WEBHOOK_DISABLE_AFTER = int(os.environ.get("FABRIQUE_WEBHOOK_DISABLE_AFTER", "15"))
# indicator files with more data rows than this are imported by the worker, with progress on the page
FABRIQUE_IMPORT_BACKGROUND_ROWS = int(os.environ.get("FABRIQUE_IMPORT_BACKGROUND_ROWS", "5000"))
FABRIQUE_WORKER_HEARTBEAT = float(os.environ.get("FABRIQUE_WORKER_HEARTBEAT", "10"))
# Uploaded documents of applications and reports: never served by the web server, only through views
# that check access. Defaults to var/private-media.
FABRIQUE_PRIVATE_MEDIA_ROOT = os.environ.get("FABRIQUE_PRIVATE_MEDIA_ROOT", str(VAR_DIR / "private-media"))
# The network head's figures are kept this long in the cache (seconds; 0 = computed on every request).
FABRIQUE_NETWORK_FIGURES_SECONDS = int(os.environ.get("FABRIQUE_NETWORK_FIGURES_SECONDS", "300"))
# Public need-report form: submissions per hour and per address before a polite refusal.
FABRIQUE_REPORT_RATE_LIMIT = int(os.environ.get("FABRIQUE_REPORT_RATE_LIMIT", "5"))

# Content-Security-Policy (django-csp): scripts only from our own static files (no inline script, no
# handler attribute), nothing from outside. Styles allow inline because Tom Select, Leaflet and ReDoc
# position their widgets with style attributes; ReDoc's search runs in a blob: worker. A configured
# map tile server is the one outside origin allowed, for images.
_TILE_ORIGIN = ""
if FABRIQUE_MAP_TILE_URL:
    from urllib.parse import urlsplit

    _tile = urlsplit(FABRIQUE_MAP_TILE_URL.replace("{s}", "a").replace("{z}", "0").replace("{x}", "0"))
    _TILE_ORIGIN = f"{_tile.scheme}://{_tile.netloc.replace('a.', '*.', 1)}" if _tile.netloc else ""
# the logout form's answer redirects to the OpenID provider's end_session page: form-action allows it
_OIDC_ORIGIN = ""
if OIDC_ISSUER:
    from urllib.parse import urlsplit

    _oidc = urlsplit(OIDC_ISSUER)
    _OIDC_ORIGIN = f"{_oidc.scheme}://{_oidc.netloc}" if _oidc.netloc else ""
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:", *([_TILE_ORIGIN] if _TILE_ORIGIN else [])],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "worker-src": ["'self'", "blob:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'", *([_OIDC_ORIGIN] if _OIDC_ORIGIN else [])],
        "frame-ancestors": ["'none'"],
    }
}
