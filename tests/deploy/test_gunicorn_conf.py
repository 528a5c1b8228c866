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
