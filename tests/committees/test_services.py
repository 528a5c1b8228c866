import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from fabrique.audit.models import AuditEntry
from fabrique.committees import registry
from fabrique.committees.models import (
    AgendaItem,
    Committee,
    CommitteeKind,
    CommitteeType,
    Decision,
    Meeting,
    MeetingStatus,
)
from fabrique.committees.services import (
    agenda_item_add,
    agenda_item_decide,
    agenda_item_remove,
    committee_type_delete,
    committee_types_setup_defaults,
    committee_update,
    meeting_create,
    meeting_update,
)
from fabrique.core.errors import DomainError, TransitionNotAllowed
from fabrique.core.workflow import transition
from fabrique.fabriques.services import fabrique_create
from fabrique.studies.models import Study, StudyStage
from tests.directory.factories import make_person

from .factories import committee_type, make_awaiting_study, make_committee, make_meeting, make_study

pytestmark = pytest.mark.django_db


def actions(target) -> list[str]:
    return list(AuditEntry.objects.for_target(target).values_list("action", flat=True))


# --- committee types -----------------------------------------------------------------------------------------


def test_default_committee_types_are_created_once(team):
    created = committee_types_setup_defaults(fabrique=team.fabrique)
    assert {t.kind for t in created} == {
        CommitteeKind.STEERING,
        CommitteeKind.COMMITMENT,
        CommitteeKind.SELECTION,
    }
    assert committee_types_setup_defaults(fabrique=team.fabrique) == []
    assert CommitteeType.objects.filter(fabrique=team.fabrique).count() == 3


def test_a_new_fabrique_gets_the_default_committee_types(team):
    fabrique = fabrique_create(actor=team.admin, name="Fabrique neuve", slug="neuve")
    labels = set(CommitteeType.objects.filter(fabrique=fabrique).values_list("label", flat=True))
    assert {"Comité de pilotage", "Comité d'engagement", "Comité de sélection"} <= labels


def test_a_committee_type_in_use_cannot_be_deleted(team):
    committee = make_committee(team.fabrique, team.officer)
    with pytest.raises(DomainError):
        committee_type_delete(committee_type=committee.committee_type, actor=team.admin)
    unused = CommitteeType.objects.get(fabrique=team.fabrique, kind=CommitteeKind.SELECTION)
    committee_type_delete(committee_type=unused, actor=team.admin)
    assert not CommitteeType.objects.filter(pk=unused.pk).exists()
    assert AuditEntry.objects.filter(action="committees.committeetype.deleted").count() == 1


# --- committees: tenancy -------------------------------------------------------------------------------------


def test_committee_members_come_from_the_fabriques_directory(team, other_team):
    ours = make_person(team.fabrique, team.admin, last_name="Durand")
    theirs = make_person(other_team.fabrique, other_team.admin, last_name="Étrangère")
    with pytest.raises(ValidationError) as exc:
        make_committee(team.fabrique, team.officer, members=[ours, theirs])
    assert "members" in exc.value.message_dict
    assert "n'appartiennent pas à la fabrique" in exc.value.message_dict["members"][0]
    assert not Committee.objects.exists()
    committee = make_committee(team.fabrique, team.officer, members=[ours])
    assert list(committee.members.all()) == [ours]
    assert actions(committee) == ["committees.committee.created"]


def test_committee_type_and_study_must_belong_to_the_fabrique(team, other_team):
    committee = make_committee(team.fabrique, team.officer)
    with pytest.raises(ValidationError) as exc:
        committee_update(
            committee=committee,
            actor=team.officer,
            committee_type=committee_type(other_team.fabrique),
        )
    assert "committee_type" in exc.value.message_dict
    foreign_study = make_study(other_team.fabrique, other_team.officer)
    with pytest.raises(ValidationError) as exc:
        committee_update(committee=committee, actor=team.officer, study=foreign_study)
    assert "study" in exc.value.message_dict
    committee.refresh_from_db()
    assert committee.study is None


def test_meeting_attendees_come_from_the_fabriques_directory(team, other_team):
    committee = make_committee(team.fabrique, team.officer)
    theirs = make_person(other_team.fabrique, other_team.admin)
    with pytest.raises(ValidationError):
        make_meeting(committee, team.officer, attendees=[theirs])
    assert not Meeting.objects.exists()


# --- meeting status ------------------------------------------------------------------------------------------


def test_meeting_status_changes_through_the_workflow(team):
    meeting = make_meeting(make_committee(team.fabrique, team.officer), team.officer)
    assert meeting.status == MeetingStatus.PLANNED
    meeting = meeting_update(meeting=meeting, actor=team.officer, status=MeetingStatus.HELD, place="Salle B")
    meeting.refresh_from_db()
    assert (meeting.status, meeting.place) == (MeetingStatus.HELD, "Salle B")
    assert actions(meeting)[:2] == ["committees.meeting.held", "committees.meeting.updated"]
    with pytest.raises(TransitionNotAllowed):
        meeting_update(meeting=meeting, actor=team.officer, status=MeetingStatus.CANCELLED)
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.HELD


def test_a_meeting_with_decisions_cannot_be_cancelled(team):
    study = make_awaiting_study(team.fabrique, team.officer)
    meeting = make_meeting(make_committee(team.fabrique, team.officer), team.officer)
    item = agenda_item_add(meeting=meeting, actor=team.officer, target=study)
    agenda_item_decide(item=item, actor=team.committee, outcome="continue")
    meeting = meeting_update(meeting=meeting, actor=team.officer, status=MeetingStatus.PLANNED)
    with pytest.raises(TransitionNotAllowed) as exc:
        transition(instance=meeting, to=MeetingStatus.CANCELLED, actor=team.officer)
    assert "décisions" in exc.value.message


# --- agenda ---------------------------------------------------------------------------------------------------


def test_agenda_item_about_a_decidable_object(team):
    study = make_awaiting_study(team.fabrique, team.officer)
    meeting = make_meeting(make_committee(team.fabrique, team.officer), team.officer)
    item = agenda_item_add(meeting=meeting, actor=team.officer, target=study, presenter="Camille")
    assert item.target == study
    assert item.title == str(study)
    assert item.order == 1
    assert actions(meeting)[0] == "committees.meeting.item_added"
    free = agenda_item_add(meeting=meeting, actor=team.officer, title="Point d'information sur le budget")
    assert free.order == 2 and free.target is None


def test_agenda_item_refusals(team, other_team):
    meeting = make_meeting(make_committee(team.fabrique, team.officer), team.officer)
    in_progress = make_study(team.fabrique, team.officer)
    with pytest.raises(DomainError) as exc:
        agenda_item_add(meeting=meeting, actor=team.officer, target=in_progress)
    assert "n'appelle pas de décision" in exc.value.message
    foreign = make_awaiting_study(other_team.fabrique, other_team.officer)
    with pytest.raises(DomainError):
        agenda_item_add(meeting=meeting, actor=team.officer, target=foreign)
    with pytest.raises(ValidationError):
        agenda_item_add(meeting=meeting, actor=team.officer, title="  ")
    awaiting = make_awaiting_study(team.fabrique, team.officer, title="Épicerie mobile")
    agenda_item_add(meeting=meeting, actor=team.officer, target=awaiting)
    with pytest.raises(DomainError) as exc:
        agenda_item_add(meeting=meeting, actor=team.officer, target=awaiting)
    assert "déjà à l'ordre du jour" in exc.value.message
    assert meeting.items.count() == 1


def test_agenda_of_a_cancelled_meeting_is_frozen(team):
    meeting = make_meeting(make_committee(team.fabrique, team.officer), team.officer)
    item = agenda_item_add(meeting=meeting, actor=team.officer, title="Tour de table")
    meeting_update(meeting=meeting, actor=team.officer, status=MeetingStatus.CANCELLED)
    with pytest.raises(DomainError):
        agenda_item_add(meeting=meeting, actor=team.officer, title="Autre point")
    with pytest.raises(DomainError):
        agenda_item_remove(item=item, actor=team.officer)


def test_remove_an_undecided_item(team):
    meeting = make_meeting(make_committee(team.fabrique, team.officer), team.officer)
    item = agenda_item_add(meeting=meeting, actor=team.officer, title="Tour de table")
    agenda_item_remove(item=item, actor=team.officer)
    assert not AgendaItem.objects.filter(pk=item.pk).exists()
    assert actions(meeting)[0] == "committees.meeting.item_removed"


# --- decisions on agenda items --------------------------------------------------------------------------------


def test_agenda_item_decision_performs_the_transition_and_links_the_meeting(team):
    study = make_awaiting_study(team.fabrique, team.officer)
    meeting = make_meeting(make_committee(team.fabrique, team.officer), team.officer)
    item = agenda_item_add(meeting=meeting, actor=team.officer, target=study)

    decision = agenda_item_decide(
        item=item,
        actor=team.committee,
        outcome="continue",
        reasons="Approfondir la piste avec les garages associatifs.",
        votes_for=5,
        votes_against=1,
        votes_abstain=2,
    )

    study.refresh_from_db()
    assert study.stage == StudyStage.IN_PROGRESS
    assert decision.meeting == meeting and decision.agenda_item == item
    assert (decision.votes_for, decision.votes_against, decision.votes_abstain) == (5, 1, 2)
    assert decision.decided_on == timezone.localtime(meeting.date).date()
    assert decision.decided_by == team.committee
    entry = AuditEntry.objects.for_target(study).get(action="studies.study.in_progress")
    assert entry.decision_ref == decision.reference
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.HELD  # a decision means the meeting took place
    assert "committees.meeting.item_decided" in actions(meeting)


def test_an_item_is_decided_once(team):
    study = make_awaiting_study(team.fabrique, team.officer)
    meeting = make_meeting(make_committee(team.fabrique, team.officer), team.officer)
    item = agenda_item_add(meeting=meeting, actor=team.officer, target=study)
    agenda_item_decide(item=item, actor=team.committee, outcome="continue")
    with pytest.raises(DomainError):
        agenda_item_decide(item=item, actor=team.committee, outcome="continue")
    with pytest.raises(DomainError):
        agenda_item_remove(item=item, actor=team.officer)
    assert Decision.objects.count() == 1


def test_a_refused_decision_leaves_nothing(team):
    study = make_awaiting_study(team.fabrique, team.officer)
    meeting = make_meeting(make_committee(team.fabrique, team.officer), team.officer)
    item = agenda_item_add(meeting=meeting, actor=team.officer, target=study)
    audit_count = AuditEntry.objects.count()

    with pytest.raises(ValidationError) as exc:  # no-go needs its reason (a field error of the form)
        agenda_item_decide(item=item, actor=team.committee, outcome="no_go")
    assert "motif" in exc.value.message_dict["reason_code"][0]
    with pytest.raises(DomainError):  # not an outcome of a study
        agenda_item_decide(item=item, actor=team.committee, outcome="retained")
    with pytest.raises(DomainError):
        agenda_item_decide(item=item, actor=team.committee, outcome="continue", votes_for=-1)

    assert not Decision.objects.exists()
    assert AuditEntry.objects.count() == audit_count
    study.refresh_from_db()
    meeting.refresh_from_db()
    assert study.stage == StudyStage.AWAITING_DECISION
    assert meeting.status == MeetingStatus.PLANNED


def test_a_handler_refusing_half_way_rolls_everything_back(team, monkeypatch):
    # given the go handler fails after the study's transition (the project cannot be created)
    import fabrique.projects.services as project_services

    def refuse(**kwargs):
        raise DomainError("Projet impossible à créer.")

    monkeypatch.setattr(project_services, "project_create_from_study", refuse)
    study = make_awaiting_study(team.fabrique, team.officer)
    meeting = make_meeting(make_committee(team.fabrique, team.officer), team.officer)
    item = agenda_item_add(meeting=meeting, actor=team.officer, target=study)
    # when the committee decides go
    with pytest.raises(DomainError):
        agenda_item_decide(item=item, actor=team.committee, outcome="go")
    # then nothing stays: no decision, the study still awaits, the meeting is still planned
    study.refresh_from_db()
    meeting.refresh_from_db()
    assert study.stage == StudyStage.AWAITING_DECISION
    assert not Decision.objects.exists()
    assert meeting.status == MeetingStatus.PLANNED
    assert "studies.study.go" not in actions(study)


def test_a_free_item_has_nothing_to_decide(team):
    meeting = make_meeting(make_committee(team.fabrique, team.officer), team.officer)
    item = agenda_item_add(meeting=meeting, actor=team.officer, title="Tour de table")
    with pytest.raises(DomainError):
        agenda_item_decide(item=item, actor=team.committee, outcome="go")


def test_decision_date_is_the_meeting_date_when_it_is_past(team):
    study = make_awaiting_study(team.fabrique, team.officer)
    past = timezone.now() - datetime.timedelta(days=10)
    meeting = meeting_create(
        committee=make_committee(team.fabrique, team.officer), actor=team.officer, date=past
    )
    item = agenda_item_add(meeting=meeting, actor=team.officer, target=study)
    decision = agenda_item_decide(item=item, actor=team.officer, outcome="continue")
    assert decision.decided_on == timezone.localtime(past).date()


def test_registry_tells_the_decidable_stages(team):
    assert registry.decidable_stages(Study) == frozenset({StudyStage.AWAITING_DECISION})
    assert [o.code for o in registry.registered_outcomes(Study)] == ["go", "no_go", "continue"]


def test_a_committee_retains_a_need_and_lists_what_waits(team):
    from fabrique.committees.selectors import agenda_candidates
    from fabrique.needs.models import NeedStage

    from .factories import make_need

    need = make_need(team.fabrique, title="Épicerie solidaire", stage=NeedStage.QUALIFYING)
    study = make_awaiting_study(team.fabrique, team.officer)
    make_study(team.fabrique, team.officer, title="Étude en cours")  # nothing to decide yet
    waiting = {c.obj for c in agenda_candidates(fabrique=team.fabrique, include_scheduled=False)}
    assert waiting == {need, study}
    meeting = make_meeting(
        make_committee(team.fabrique, team.officer, kind=CommitteeKind.COMMITMENT), team.officer
    )
    item = agenda_item_add(meeting=meeting, actor=team.officer, target=need)
    waiting = {c.obj for c in agenda_candidates(fabrique=team.fabrique, include_scheduled=False)}
    assert waiting == {study}
    decision = agenda_item_decide(item=item, actor=team.committee, outcome="retained", votes_for=6)
    need.refresh_from_db()
    assert need.stage == NeedStage.RETAINED
    assert (
        AuditEntry.objects.for_target(need).get(action="needs.need.retained").decision_ref
        == decision.reference
    )
