"""Every action leaves its trace: each case (tests/audit/cases/, one module per app) calls one service
for real and checks the audit entry it wrote: action, object, actor, fabrique and changed fields.
`test_every_service_audited.py` makes sure that every service has its case."""

from __future__ import annotations

import pytest

from tests.audit.cases import all_cases
from tests.audit.harness import check, params

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("case", params(all_cases()))
def test_the_service_writes_its_audit_entry(team, case):
    check(team, case)
