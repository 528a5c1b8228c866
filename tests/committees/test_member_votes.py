"""Committee votes per member (optional), the quorum, conflicts of interest recorded as abstentions."""

import pytest
from django.urls import reverse

from fabrique.committees.models import MemberVote
from fabrique.committees.services import agenda_item_add, agenda_item_decide, committee_update
from fabrique.core.errors import DomainError
from fabrique.recruitment.models import ApplicationStage

from ..directory.factories import make_organization, make_person
from ..projects.factories import make_project
from ..recruitment.factories import make_application, make_call
from .factories import make_committee, make_meeting

pytestmark = pytest.mark.django_db


@pytest.fixture
def board(team):
    """A selection committee of three; Inès comes from the structure that applies."""
    ruche = make_organization(team.fabrique, name="La Ruche solidaire")
    other = make_organization(team.fabrique, name="Coop Vélo")
    ines = make_person(team.fabrique, first_name="Inès", last_name="Bernard", organization=ruche)
    paul = make_person(team.fabrique, first_name="Paul", last_name="Durand", organization=other)
    zoe = make_person(team.fabrique, first_name="Zoé", last_name="Petit")
    committee = make_committee(
        team.fabrique, team.officer, name="Comité de sélection", members=[ines, paul, zoe]
    )
    call = make_call(make_project(team.fabrique))
    application = make_application(call, stage=ApplicationStage.UNDER_REVIEW, organization=ruche)
    meeting = make_meeting(committee, team.officer, attendees=[ines, paul, zoe])
    item = agenda_item_add(meeting=meeting, actor=team.officer, target=application)
    return committee, meeting, item, application, (ines, paul, zoe)


def test_member_votes_with_a_conflict_of_interest(team, board):
    committee, meeting, item, application, (ines, paul, zoe) = board
    # Inès's structure applies: she cannot vote for it
    with pytest.raises(DomainError) as exc:
        agenda_item_decide(
            item=item,
            actor=team.officer,
            outcome="selected",
            member_votes=[{"person": ines, "choice": "for"}, {"person": paul, "choice": "for"}],
        )
    assert "conflit d'intérêts" in str(exc.value)
    decision = agenda_item_decide(
        item=item,
        actor=team.officer,
        outcome="selected",
        member_votes=[
            {"person": ines, "choice": "abstain"},
            {"person": paul, "choice": "for"},
            {"person": zoe, "choice": "against"},
        ],
    )
    assert (decision.votes_for, decision.votes_against, decision.votes_abstain) == (1, 1, 1)
    votes = {v.person_id: v for v in MemberVote.objects.filter(decision=decision)}
    assert votes[ines.pk].conflict_of_interest and votes[ines.pk].choice == "abstain"
    assert not votes[paul.pk].conflict_of_interest
    application.refresh_from_db()
    assert application.stage == ApplicationStage.SELECTED


def test_totals_must_match_the_members_votes(team, board):
    committee, meeting, item, application, (ines, paul, zoe) = board
    with pytest.raises(DomainError):
        agenda_item_decide(
            item=item,
            actor=team.officer,
            outcome="selected",
            votes_for=3,
            member_votes=[{"person": paul, "choice": "for"}],
        )


def test_quorum(team, board):
    committee, meeting, item, application, (ines, paul, zoe) = board
    committee_update(committee=committee, actor=team.officer, quorum=3)
    meeting.attendees.set([paul, zoe])
    with pytest.raises(DomainError) as exc:
        agenda_item_decide(item=item, actor=team.officer, outcome="selected")
    assert "Quorum non atteint" in str(exc.value)
    application.refresh_from_db()
    assert application.stage == ApplicationStage.UNDER_REVIEW
    meeting.attendees.set([ines, paul, zoe])
    agenda_item_decide(item=item, actor=team.officer, outcome="selected")


def test_decision_page_offers_a_vote_per_member(team, board, login):
    committee, meeting, item, application, (ines, paul, zoe) = board
    url = reverse(
        "backoffice:agenda_item_decide",
        kwargs={"fabrique_slug": team.fabrique.slug, "pk": meeting.pk, "item_pk": item.pk},
    )
    client = login(team.officer)
    page = client.get(url).content.decode()
    assert f'name="vote_{paul.pk}"' in page and f'name="conflict_{ines.pk}"' in page
    assert "Sa structure est concernée" in page
    response = client.post(
        url,
        {
            "outcome": "selected",
            f"conflict_{ines.pk}": "on",
            f"vote_{paul.pk}": "for",
            f"vote_{zoe.pk}": "for",
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    vote = MemberVote.objects.get(person=ines)
    assert vote.conflict_of_interest and vote.choice == "abstain"
