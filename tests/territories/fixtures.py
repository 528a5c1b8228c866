"""Territory reference data for tests: Loire-Atlantique (44) and Vendée (85), loaded once per session.

Wire it in tests/conftest.py (session-scoped, so every test database starts with it):

    from tests.territories.fixtures import load_test_territories

    @pytest.fixture(scope="session")
    def django_db_setup(django_db_setup, django_db_blocker):
        with django_db_blocker.unblock():
            load_test_territories()

Tests run in transactions that roll back, so the rows stay for the whole session. A test marked
`transaction=True` (or using `transactional_db`/`live_server`) flushes the tables at its end:
tests that need territories after such a test call `load_test_territories()` again (≈0.5 s).
"""

from fabrique.territories.loader import territories_load
from fabrique.territories.models import Commune, SearchEntry

TEST_DEPARTEMENTS = ("44", "85")


def territories_loaded() -> bool:
    return (
        Commune.objects.filter(departement_id__in=TEST_DEPARTEMENTS, kind=Commune.Kind.CURRENT).count() > 400
        and SearchEntry.objects.exists()
    )


def load_test_territories(*, force: bool = False) -> None:
    """Load régions, départements, all EPCI, and the communes/postal codes/QPVs of 44 and 85.

    Idempotent; skipped when the data is already there (e.g. with --reuse-db) unless `force`.
    """
    if force or not territories_loaded():
        territories_load(departements=TEST_DEPARTEMENTS)
