"""Issue 10 item 5: a database that does not answer gives a French 503 page, then the site recovers."""

import contextlib
import sqlite3

import pytest
from django.db import connection
from django.test import Client

from fabrique.fabriques.models import Fabrique


@contextlib.contextmanager
def database_unavailable(fabrique_table: str):
    """A real failure of the database for the application's connection while the block runs.

    PostgreSQL: the connection is pointed at a port where nothing listens (connection refused).
    SQLite (the in-memory test database cannot be closed): another connection holds a write lock
    on the table the page reads, so the page's query fails with "database table is locked".
    """
    if connection.vendor == "sqlite":
        blocker = sqlite3.connect(connection.settings_dict["NAME"], uri=True, isolation_level=None)
        blocker.execute("BEGIN")
        blocker.execute(f"UPDATE {fabrique_table} SET name = name")
        try:
            yield
        finally:
            blocker.execute("ROLLBACK")
            blocker.close()
        return
    saved = dict(connection.settings_dict)
    connection.close()
    connection.settings_dict.update(HOST="127.0.0.1", PORT="1")
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict.clear()
        connection.settings_dict.update(saved)


@pytest.mark.django_db(transaction=True)
def test_database_down_answers_french_503_in_the_site_layout_then_recovers(team):
    client = Client(raise_request_exception=False)
    assert client.get(f"/f/{team.fabrique.slug}/").status_code == 200
    with database_unavailable(Fabrique._meta.db_table):
        response = client.get(f"/f/{team.fabrique.slug}/")
    assert response.status_code == 503
    assert response["Retry-After"]
    page = response.content.decode()
    assert "Service momentanément indisponible" in page
    assert 'class="site-header"' in page  # the site's layout, not Django's bare error
    # the application recovers by itself: the next request opens a new connection
    assert client.get(f"/f/{team.fabrique.slug}/").status_code == 200


@pytest.mark.django_db
def test_other_errors_stay_500_in_french(client, settings):
    from fabrique.core.handlers import server_error

    try:
        raise ValueError("boom")
    except ValueError:
        response = server_error(None)
    assert response.status_code == 500
    assert "Une erreur est survenue" in response.content.decode()
