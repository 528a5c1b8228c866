"""A decided need can be reopened (back to qualification) with a reason, from the back-office."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

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


def test_a_decided_need_is_reopened_from_its_page(team, login):
    """Issue 14: the state machine allowed it, the pages offered no way to do it."""
    need = make_need(team.fabrique, stage=NeedStage.QUALIFYING)
    need_decide(need=need, actor=team.officer, outcome="retained", reason_code="")
    kwargs = {"fabrique_slug": team.fabrique.slug, "pk": need.pk}
    detail, reopen = (
        reverse("backoffice:need_detail", kwargs=kwargs),
        reverse("backoffice:need_reopen", kwargs=kwargs),
    )
    assert f'href="{reopen}"' not in login(team.reader).get(detail).content.decode()  # readers do not decide
    client = login(team.officer)
    assert f'href="{reopen}"' in client.get(detail).content.decode()
    assert "Pourquoi réexaminer ce besoin" in client.get(reopen).content.decode()
    response = client.post(reopen, {"reason": "Trois nouveaux signalements à Rezé."})
    assert response.status_code == 302 and response["Location"] == detail
    need.refresh_from_db()
    assert need.stage == NeedStage.QUALIFYING
    assert (
        f'href="{reopen}"' not in client.get(detail).content.decode()
    )  # in qualification: nothing to reopen
