"""The committees and studies parts of the permission matrix, on their own, until every module has
declared its part and tests/test_permission_matrix.py runs whole (then this file can go)."""

import pytest

from tests.matrix import committees, studies
from tests.test_permission_matrix import MATRIX, check_url, discover
from tests.world import build_world

pytestmark = pytest.mark.django_db

OURS = {**committees.MATRIX, **studies.MATRIX}


def test_committees_and_studies_part():
    world = build_world()
    problems = []
    found = set()
    for name, _route, kwargs_names in discover():
        if name in OURS or name in ("backoffice:dashboard", "network:home"):
            found.add(name)
            problems += check_url(name, MATRIX[name], world, kwargs_names)
    assert set(OURS) <= found
    assert not problems, "\n".join(problems)
