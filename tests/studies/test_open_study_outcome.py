"""The committee decision "open a study": retains the need and opens its study in one step, where
the fabrique wants it."""

import pytest

from fabrique.audit.models import AuditEntry
from fabrique.committees.registry import outcomes_for
from fabrique.committees.services import decision_record
from fabrique.core.errors import DomainError
from fabrique.needs.models import NeedStage
from fabrique.studies.models import Study, StudyStage

from ..committees.factories import make_need

pytestmark = pytest.mark.django_db


def test_open_study_only_where_the_fabrique_wants_it(team):
    need = make_need(team.fabrique, stage=NeedStage.QUALIFYING)
    assert "open_study" not in [o.code for o in outcomes_for(need)]
    with pytest.raises(DomainError):
        decision_record(fabrique=team.fabrique, actor=team.officer, target=need, outcome="open_study")
    need.refresh_from_db()
    assert need.stage == NeedStage.QUALIFYING and not Study.objects.exists()


def test_open_study_retains_the_need_and_opens_the_study(team):
    team.fabrique.committee_opens_study = True
    team.fabrique.save(update_fields=["committee_opens_study"])
    need = make_need(team.fabrique, stage=NeedStage.QUALIFYING)
    need.officer = team.officer
    need.save(update_fields=["officer"])
    assert "open_study" in [o.code for o in outcomes_for(need)]
    decision = decision_record(
        fabrique=team.fabrique, actor=team.officer, target=need, outcome="open_study", reasons="Besoin avéré"
    )
    need.refresh_from_db()
    study = Study.objects.get()
    assert need.stage == NeedStage.IN_STUDY and need.decision_notes == "Besoin avéré"
    assert study.stage == StudyStage.IN_PROGRESS and list(study.needs.all()) == [need]
    assert study.title == need.title and study.officer == team.officer
    for action in ("needs.need.retained", "needs.need.in_study"):
        assert AuditEntry.objects.for_target(need).get(action=action).decision_ref == decision.reference
