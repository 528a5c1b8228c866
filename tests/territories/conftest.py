"""Territory tests need the 44/85 data: load it once per session (idempotent if tests/conftest.py
already does it, see tests/territories/fixtures.py)."""

import pytest

from .fixtures import load_test_territories


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        load_test_territories()
