"""The production gunicorn configuration loads the application once and warms the grouping engine before
forking, without leaving a database connection for the workers to share."""

import importlib

import pytest

from fabrique.grouping import features, territory

pytestmark = pytest.mark.django_db


def test_the_master_warms_the_grouping_engine_and_closes_its_connections(monkeypatch):
    from django import db

    closed = []
    monkeypatch.setattr(db.connections, "close_all", lambda: closed.append(True))
    conf = importlib.import_module("fabrique.gunicorn_conf")
    assert conf.preload_app is True
    territory.territories.cache_clear()
    features.word_vectors.cache_clear()
    conf.when_ready(server=None)
    assert territory.territories.cache_info().currsize == 1
    assert features.word_vectors.cache_info().currsize == 1
    assert closed == [True]


def test_the_master_compiles_every_template_and_imports_every_view_before_forking():
    """Measured: without it, each worker's first pages cost up to 1.5 s (the URLconf imports every view
    module on the first request, templates are compiled on first use) — five workers at once after a start."""
    from django.template import engines
    from django.urls import clear_url_caches, get_resolver

    from fabrique.core.warmup import warm_process

    clear_url_caches()
    engine = engines["django"].engine
    for loader in engine.template_loaders:
        if hasattr(loader, "reset"):
            loader.reset()
    counts = warm_process()
    assert counts["templates"] > 200
    assert counts["url_namespaces"] >= 5
    cached = [loader for loader in engine.template_loaders if hasattr(loader, "get_template_cache")]
    assert cached, "the production settings keep compiled templates (the cached loader)"
    assert "backoffice/base.html" in cached[0].get_template_cache
    assert "backoffice" in get_resolver().namespace_dict
