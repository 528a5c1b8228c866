"""Settings: production settings pass `fabrique check --deploy`; the default database is SQLite under var/."""

import os
import secrets
import subprocess
import sys


def clean_environ() -> dict:
    """The environment without what the test session sets for itself (browser tests' async flag)."""
    return {k: v for k, v in os.environ.items() if k not in {"DJANGO_ALLOW_ASYNC_UNSAFE", "DATABASE_URL"}}


def run_fabrique(*args, **env):
    environment = {**clean_environ(), **env}
    return subprocess.run(
        [sys.executable, "-m", "fabrique.manage", *args],
        capture_output=True,
        text=True,
        env=environment,
        timeout=120,
    )


def test_production_settings_pass_check_deploy(tmp_path):
    result = run_fabrique(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DJANGO_SETTINGS_MODULE="fabrique.settings.production",
        SECRET_KEY=secrets.token_urlsafe(60),
        ALLOWED_HOSTS="fabrique.example.org",
        FABRIQUE_SITE_URL="https://fabrique.example.org",
        DATABASE_URL=f"sqlite:///{tmp_path / 'prod.sqlite3'}",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_check_deploy_warns_without_the_site_url(settings):
    from fabrique.core.checks import site_url_check

    settings.FABRIQUE_SITE_URL = "http://127.0.0.1:8000"
    assert [w.id for w in site_url_check()] == ["fabrique.W001"]
    settings.FABRIQUE_SITE_URL = "https://fabrique.example.org"
    assert site_url_check() == []


def test_production_settings_refuse_a_missing_secret_key(tmp_path):
    env = {k: v for k, v in clean_environ().items() if k != "SECRET_KEY"}
    result = subprocess.run(
        [sys.executable, "-m", "fabrique.manage", "check"],
        capture_output=True,
        text=True,
        timeout=120,
        env={**env, "DJANGO_SETTINGS_MODULE": "fabrique.settings.production"},
    )
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_default_database_is_sqlite_under_var(tmp_path):
    env = {k: v for k, v in clean_environ().items() if k != "DJANGO_SETTINGS_MODULE"}
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE', "
            "'fabrique.settings.base'); django.setup(); from django.conf import settings; "
            "print(settings.DATABASES['default']['ENGINE'], settings.DATABASES['default']['NAME'])",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        env={**env, "FABRIQUE_VAR_DIR": str(tmp_path / "var")},
    )
    assert result.returncode == 0, result.stderr
    engine, name = result.stdout.split()
    assert engine == "django.db.backends.sqlite3"
    assert name == str(tmp_path / "var" / "fabrique.sqlite3")
