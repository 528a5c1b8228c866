"""The directory and workstream URLs against the shared permission matrix machinery.

tests/test_permission_matrix.py checks every URL once tests/matrix/directory.py and
tests/matrix/workstreams.py expose these parts; this test runs them on their own meanwhile.
"""

import re

import pytest

from tests.conftest import make_team, make_user
from tests.test_permission_matrix import ROLE_PERMS, check_url, discover
from tests.workstreams import matrix as workstreams_matrix
from tests.world import SECRET_B, Side, World

from . import matrix as directory_matrix

pytestmark = pytest.mark.django_db

MATRIX = {**directory_matrix.MATRIX, **workstreams_matrix.MATRIX}
OWN_ROUTES = ("annuaire/", "chantiers/", "organizations/", "people/", "workstreams/")


@pytest.fixture
def world() -> World:
    a = Side(team=make_team("fab-a", "Fabrique A"))
    b = Side(team=make_team("fab-b", "Fabrique B"), secret=SECRET_B)
    for side, label in ((a, "A"), (b, f"B {SECRET_B}")):
        directory_matrix.populate(side, label)
        workstreams_matrix.populate(side, label)
    return World(a=a, b=b, network_head=make_user("tete@reseau.test", is_network_head=True))


def test_every_url_of_the_directory_and_workstreams_is_declared():
    ours = {name for name, route, _kw in discover() if any(part in route for part in OWN_ROUTES)}
    assert ours == set(MATRIX)


def _forbidden_anyway(problem: str, rule) -> bool:
    """A role without the page's permission gets 403 before any object is looked up (FabriqueViewMixin
    checks the permission first), whichever fabrique the pk belongs to: that reveals nothing."""
    match = re.search(r"with another fabrique's object as (\w+): 403$", problem)
    return bool(match) and match.group(1) not in ROLE_PERMS.get(rule.access, set())


def test_directory_and_workstream_permissions(world):
    problems = []
    for name, _route, kwargs_names in discover():
        if name in MATRIX:
            rule = MATRIX[name]
            problems += [
                p for p in check_url(name, rule, world, kwargs_names) if not _forbidden_anyway(p, rule)
            ]
    assert not problems, "\n".join(problems)
