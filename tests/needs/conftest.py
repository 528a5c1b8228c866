"""Fixtures of the needs tests: criteria, reports and needs built through the services, files kept
in memory, a clean rate-limit cache."""

import pytest
from django.core.cache import cache

from fabrique.needs.models import Criterion, Need, NeedStage
from fabrique.needs.services import (
    criteria_setup_defaults,
    need_create_from_report,
    need_report_submit,
)
from fabrique.territories.models import Commune

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


@pytest.fixture
def carquefou():
    """A commune of the fabrique's territory (Loire-Atlantique), for reports placed by their code."""
    return Commune.objects.filter(code="44026").first()


@pytest.fixture(autouse=True)
def _memory_files_and_clean_cache(settings):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    }
    settings.FABRIQUE_SITE_URL = "https://fabrique.example.org"
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def criteria(fabrique) -> list[Criterion]:
    criteria_setup_defaults(fabrique=fabrique)
    return list(Criterion.objects.filter(fabrique=fabrique).order_by("order"))


def report_data(**extra) -> dict:
    return {
        "title": "Pas de garde d'enfants le soir",
        "description": "Les parents qui travaillent en horaires décalés n'ont aucune solution.",
        "reporter_name": "Camille Martin",
        "reporter_email": "camille@example.org",
        "reporter_type": "inhabitant",
        "consent_processing": True,
        **extra,
    }


@pytest.fixture
def make_report(fabrique):
    def _make(fabrique=fabrique, **extra):
        return need_report_submit(fabrique=fabrique, **report_data(**extra))

    return _make


@pytest.fixture
def make_need(make_report, officer):
    def _make(stage: str | None = None, **extra) -> Need:
        report = make_report(**extra)
        need = need_create_from_report(report=report, actor=officer)
        if stage is not None:
            Need.objects.filter(pk=need.pk).update(stage=stage)
            need.refresh_from_db()
        return need

    return _make


@pytest.fixture
def qualifying_need(make_need) -> Need:
    return make_need(stage=NeedStage.QUALIFYING)
