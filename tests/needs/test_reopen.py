"""A decided need can be reopened (back to qualification) with a reason, from the back-office."""

import pytest
from django.core.exceptions import ValidationError

from fabrique.audit.models import AuditEntry
from fabrique.core.errors import DomainError
from fabrique.needs.models import NeedStage
from fabrique.needs.services import need_decide, need_reopen

from ..committees.factories import make_need

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("outcome", ["retained", "not_retained"])
def test_a_decided_need_is_reopened_with_its_reason(team, outcome):
    need = make_need(team.fabrique, stage=NeedStage.QUALIFYING)
    code = "already_answered" if outcome == "not_retained" else ""
    need_decide(need=need, actor=team.officer, outcome=outcome, reason_code=code)
    need.refresh_from_db()
    with pytest.raises(ValidationError):
        need_reopen(need=need, actor=team.officer, reason="  ")
    reopened = need_reopen(need=need, actor=team.officer, reason="Trois nouveaux signalements à Rezé.")
    assert reopened.stage == NeedStage.QUALIFYING and reopened.not_retained_reason == ""
    entry = AuditEntry.objects.for_target(need).filter(action="needs.need.qualifying").latest("pk")
    assert entry.note == "Trois nouveaux signalements à Rezé."
    # not twice: a need in qualification is not "decided"
    with pytest.raises(DomainError):
        need_reopen(need=need, actor=team.officer, reason="Encore")
