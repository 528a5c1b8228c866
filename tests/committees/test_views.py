import html

import pytest
from django.urls import reverse

from fabrique.backoffice.dashboard import dashboard_deadlines, dashboard_figures
from fabrique.committees.models import AgendaItem, Committee, CommitteeType, Decision, Meeting, MeetingStatus
from fabrique.committees.selectors import candidate_key
from fabrique.committees.services import agenda_item_add
from fabrique.core.services import soft_delete
from fabrique.studies.models import StudyStage
from tests.directory.factories import make_person

from .factories import committee_type, make_awaiting_study, make_committee, make_meeting

pytestmark = pytest.mark.django_db


def text(response) -> str:
    return html.unescape(response.content.decode())


def url(team, name, **kwargs):
    return reverse(f"backoffice:{name}", kwargs={"fabrique_slug": team.fabrique.slug, **kwargs})


@pytest.fixture
def meeting(team):
    return make_meeting(make_committee(team.fabrique, team.officer), team.officer)


# --- committees ----------------------------------------------------------------------------------------------


def test_create_a_committee_with_members(team, login):
    person = make_person(team.fabrique, team.admin, last_name="Durand")
    data = {
        "name": "Copil alimentation",
        "committee_type": committee_type(team.fabrique).pk,
        "members": [person.pk],
    }
    response = login(team.officer).post(url(team, "committee_create"), data)
    committee = Committee.objects.get()
    assert response.status_code == 302 and response.url == url(team, "committee_detail", pk=committee.pk)
    assert list(committee.members.all()) == [person]
    page = login(team.officer).get(url(team, "committee_detail", pk=committee.pk))
    assert "Durand" in text(page) and "Création — comité" in text(page)


def test_committee_form_errors_are_french_and_save_nothing(team, other_team, login):
    foreign = make_person(other_team.fabrique, other_team.admin)
    data = {"name": "", "committee_type": committee_type(team.fabrique).pk, "members": [foreign.pk]}
    response = login(team.officer).post(url(team, "committee_create"), data)
    assert response.status_code == 200
    body = text(response)
    assert "Ce champ est obligatoire." in body
    assert "Aucun élément ne correspond" in body  # a contact of another fabrique is never found
    assert not Committee.objects.exists()


def test_reader_cannot_create_and_other_fabrique_gets_404(team, other_team, login):
    response = login(team.reader).post(url(team, "committee_create"), {"name": "X"})
    assert response.status_code == 403
    committee = make_committee(other_team.fabrique, other_team.officer)
    assert login(team.admin).get(url(team, "committee_detail", pk=committee.pk)).status_code == 404
    assert login(team.reader).get(url(team, "committee_update", pk=committee.pk)).status_code == 404


def test_committee_type_settings(team, login):
    client = login(team.admin)
    response = client.post(url(team, "committee_type_settings"), {"action": "defaults"})
    assert response.status_code == 302
    assert CommitteeType.objects.filter(fabrique=team.fabrique).count() == 3
    response = client.post(
        url(team, "committee_type_settings"),
        {"action": "create", "new-label": "", "new-kind": "other", "new-order": "4"},
    )
    assert response.status_code == 200 and "Ce champ est obligatoire." in text(response)
    client.post(
        url(team, "committee_type_settings"),
        {"action": "create", "new-label": "Comité des financeurs", "new-kind": "other", "new-order": "4"},
    )
    added = CommitteeType.objects.get(label="Comité des financeurs")
    client.post(
        url(team, "committee_type_settings"),
        {
            "action": "update",
            "type": added.pk,
            f"type-{added.pk}-label": "Comité des partenaires financeurs",
            f"type-{added.pk}-kind": "other",
            f"type-{added.pk}-order": "5",
        },
    )
    added.refresh_from_db()
    assert added.label == "Comité des partenaires financeurs"
    client.post(url(team, "committee_type_settings"), {"action": "delete", "type": added.pk})
    assert not CommitteeType.objects.filter(pk=added.pk).exists()
    assert login(team.officer).get(url(team, "committee_type_settings")).status_code == 403


# --- meetings and agenda -------------------------------------------------------------------------------------


def test_plan_a_meeting_and_mark_it_held(team, login):
    committee = make_committee(team.fabrique, team.officer)
    client = login(team.officer)
    response = client.post(
        url(team, "meeting_create", pk=committee.pk), {"date": "pas une date", "place": "Mairie"}
    )
    assert response.status_code == 200 and "Saisissez une date et une heure valides." in text(response)
    assert not Meeting.objects.exists()
    response = client.post(
        url(team, "meeting_create", pk=committee.pk), {"date": "2030-03-12T14:30", "place": "Mairie"}
    )
    meeting = Meeting.objects.get()
    assert response.url == url(team, "meeting_detail", pk=meeting.pk)
    client.post(
        url(team, "meeting_update", pk=meeting.pk),
        {"date": "2030-03-12T14:30", "place": "Mairie", "status": "held"},
    )
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.HELD


def test_add_an_item_from_the_waiting_list(team, other_team, meeting, login):
    study = make_awaiting_study(team.fabrique, team.officer)
    client = login(team.officer)
    page = text(client.get(url(team, "meeting_detail", pk=meeting.pk)))
    assert "En attente d'un comité" in page and str(study) in page
    response = client.post(url(team, "agenda_item_add", pk=meeting.pk), {"target": candidate_key(study)})
    assert response.status_code == 302
    item = AgendaItem.objects.get()
    assert item.target == study
    # another fabrique's study is not a choice, and nothing is added
    foreign = make_awaiting_study(other_team.fabrique, other_team.officer)
    response = client.post(url(team, "agenda_item_add", pk=meeting.pk), {"target": candidate_key(foreign)})
    assert response.status_code == 200 and "Aucun dossier à examiner ne correspond" in text(response)
    response = client.post(url(team, "agenda_item_add", pk=meeting.pk), {"target": "", "title": ""})
    assert "Choisissez un dossier ou indiquez l'intitulé" in text(response)
    assert AgendaItem.objects.count() == 1


def test_the_agenda_picker_is_a_bounded_autocomplete_of_the_fabrique(team, other_team, meeting, login):
    """The "dossier" is never a <select> of every candidate: the record search's "agenda" source answers
    at most RECORD_SEARCH_LIMIT of the fabrique's decidable objects; a typed title is resolved."""
    from fabrique.directory.autocomplete import RECORD_SEARCH_LIMIT
    from fabrique.needs.models import Need, NeedStage

    for i in range(RECORD_SEARCH_LIMIT + 3):
        Need.objects.create(fabrique=team.fabrique, title=f"Laverie {i}", stage=NeedStage.QUALIFYING)
    study = make_awaiting_study(team.fabrique, team.officer, title="Épicerie sociale du bourg")
    make_awaiting_study(other_team.fabrique, other_team.officer, title="Épicerie sociale voisine")
    client = login(team.officer)
    page = text(client.get(url(team, "meeting_detail", pk=meeting.pk)))
    assert 'data-types="agenda"' in page and '<select name="target"' not in page

    def search(query: str) -> list[dict]:
        found = client.get(url(team, "record_search"), {"q": query, "types": "agenda"}).json()["results"]
        return found

    assert len(search("laverie")) == RECORD_SEARCH_LIMIT
    assert [r["value"] for r in search("epicerie sociale")] == [candidate_key(study)]  # accents ignored
    assert search(candidate_key(study))[0]["label"].endswith(str(study))
    response = client.post(url(team, "agenda_item_add", pk=meeting.pk), {"target": "laverie"})
    assert "désigne plusieurs dossiers" in text(response)
    response = client.post(url(team, "agenda_item_add", pk=meeting.pk), {"target": "épicerie sociale"})
    assert response.status_code == 302
    assert AgendaItem.objects.get().target == study
    # once on the agenda, it is still offered, marked
    assert search("epicerie")[0]["label"].endswith("(déjà inscrit)")


def test_remove_an_item(team, meeting, login):
    item = agenda_item_add(meeting=meeting, actor=team.officer, title="Tour de table")
    client = login(team.officer)
    assert client.get(url(team, "agenda_item_remove", pk=meeting.pk, item_pk=item.pk)).status_code == 200
    assert (
        login(team.committee)
        .post(url(team, "agenda_item_remove", pk=meeting.pk, item_pk=item.pk))
        .status_code
        == 403
    )
    client = login(team.officer)
    client.post(url(team, "agenda_item_remove", pk=meeting.pk, item_pk=item.pk))
    assert not AgendaItem.objects.exists()


def test_an_item_of_another_meeting_is_404(team, meeting, login):
    other_meeting = make_meeting(make_committee(team.fabrique, team.officer, name="Autre"), team.officer)
    item = agenda_item_add(meeting=other_meeting, actor=team.officer, title="Tour de table")
    client = login(team.officer)
    assert client.get(url(team, "agenda_item_decide", pk=meeting.pk, item_pk=item.pk)).status_code == 404


# --- decisions -----------------------------------------------------------------------------------------------


def test_committee_member_records_a_decision_with_votes(team, meeting, login):
    study = make_awaiting_study(team.fabrique, team.officer)
    item = agenda_item_add(meeting=meeting, actor=team.officer, target=study)
    target = url(team, "agenda_item_decide", pk=meeting.pk, item_pk=item.pk)
    client = login(team.committee)
    page = text(client.get(target))
    assert "Poursuivre l'étude" in page and "No-go : pas de modèle pertinent" in page

    response = client.post(target, {"outcome": "no_go", "reasons": ""})
    assert response.status_code == 200
    assert "Choisissez le motif de la décision" in text(response)
    response = client.post(target, {"outcome": "continue", "votes_for": "-2"})
    assert "Assurez-vous que cette valeur est supérieure ou égale à 0." in text(response)
    assert not Decision.objects.exists()

    response = client.post(
        target,
        {"outcome": "no_go", "reason_code": "no_funding", "reasons": "Pas de financeur.", "votes_for": "4"},
    )
    assert response.status_code == 302
    decision = Decision.objects.get()
    assert (decision.meeting, decision.agenda_item, decision.votes_for) == (meeting, item, 4)
    study.refresh_from_db()
    assert study.stage == StudyStage.NO_GO
    assert "Pas de financeur." in text(client.get(url(team, "meeting_detail", pk=meeting.pk)))


def test_a_refused_decision_shows_the_domain_message(team, meeting, login, monkeypatch):
    import fabrique.projects.services as project_services
    from fabrique.core.errors import DomainError

    def refuse(**kwargs):
        raise DomainError("Le projet ne peut pas être créé.")

    monkeypatch.setattr(project_services, "project_create_from_study", refuse)
    study = make_awaiting_study(team.fabrique, team.officer)
    item = agenda_item_add(meeting=meeting, actor=team.officer, target=study)
    response = login(team.officer).post(
        url(team, "agenda_item_decide", pk=meeting.pk, item_pk=item.pk), {"outcome": "go"}
    )
    assert response.status_code == 200
    assert "Le projet ne peut pas être créé." in text(response)
    assert not Decision.objects.exists()
    study.refresh_from_db()
    assert study.stage == StudyStage.AWAITING_DECISION


def test_reader_cannot_decide(team, meeting, login):
    item = agenda_item_add(
        meeting=meeting, actor=team.officer, target=make_awaiting_study(team.fabrique, team.officer)
    )
    response = login(team.reader).post(
        url(team, "agenda_item_decide", pk=meeting.pk, item_pk=item.pk), {"outcome": "continue"}
    )
    assert response.status_code == 403
    assert not Decision.objects.exists()


# --- print and PDF -------------------------------------------------------------------------------------------


def test_print_views_and_pdfs(team, meeting, login):
    study = make_awaiting_study(team.fabrique, team.officer)
    item = agenda_item_add(meeting=meeting, actor=team.officer, target=study, presenter="Camille")
    client = login(team.reader)
    agenda = text(client.get(url(team, "meeting_agenda_print", pk=meeting.pk)))
    assert "Ordre du jour" in agenda and str(study) in agenda and "@page" in agenda
    assert 'href="http' not in agenda  # no remote resource
    login(team.committee).post(
        url(team, "agenda_item_decide", pk=meeting.pk, item_pk=item.pk),
        {"outcome": "continue", "reasons": "Approfondir", "votes_for": "3", "votes_against": "1"},
    )
    minutes = text(client.get(url(team, "meeting_minutes_print", pk=meeting.pk)))
    assert "Relevé des décisions" in minutes and "Approfondir" in minutes
    for name in ("meeting_agenda_pdf", "meeting_minutes_pdf"):
        response = client.get(url(team, name, pk=meeting.pk))
        assert response["Content-Type"] == "application/pdf"
        assert response.content.startswith(b"%PDF")
        assert response["Content-Disposition"].startswith("attachment; filename=")


# --- dashboard -----------------------------------------------------------------------------------------------


def test_dashboard_shows_upcoming_meetings(team, login):
    import datetime

    from django.utils import timezone

    committee = make_committee(team.fabrique, team.officer, name="Comité d'engagement")
    make_meeting(committee, team.officer, date=timezone.now() + datetime.timedelta(days=3))
    deadlines = dashboard_deadlines(fabrique=team.fabrique)
    assert any("Comité d'engagement" in d.label for d in deadlines)
    figures = {f.label: f.value for f in dashboard_figures(fabrique=team.fabrique)}
    # "1 séance", "2 séances" (the meeting may fall in the next quarter: 0 séance)
    assert (figures.get("séance ce trimestre") or figures.get("séances ce trimestre") or 0) >= 0
    assert "séance ce trimestre" in figures or "séances ce trimestre" in figures
    page = text(login(team.reader).get(url(team, "dashboard")))
    assert "Séance : Comité d'engagement" in page


def test_the_waiting_list_shows_the_oldest_files_of_each_kind_and_says_there_are_more(team, login):
    from fabrique.backoffice.views.committees import WAITING_PER_KIND
    from fabrique.needs.models import NeedStage

    from .factories import make_need

    needs = [
        make_need(team.fabrique, title=f"Besoin en attente {i:02d}", stage=NeedStage.QUALIFYING)
        for i in range(WAITING_PER_KIND + 2)
    ]
    scheduled = needs[0]
    agenda_item_add(
        meeting=make_meeting(make_committee(team.fabrique, team.officer), team.officer),
        actor=team.officer,
        target=scheduled,
    )
    body = text(login(team.officer).get(url(team, "committee_list")))
    shown = [n for n in needs if n.title in body.split("En attente d'un comité", 1)[1]]
    # the scheduled one is left out, then the oldest WAITING_PER_KIND; the newest is not shown
    assert shown == needs[1 : WAITING_PER_KIND + 1]
    assert f"Seuls les {WAITING_PER_KIND} dossiers les plus anciens de chaque type sont affichés." in body

    soft_delete(
        instance=needs[-1], actor=team.officer, fabrique=team.fabrique
    )  # now exactly WAITING_PER_KIND wait, all shown, no message
    body = text(login(team.officer).get(url(team, "committee_list")))
    assert needs[WAITING_PER_KIND].title in body and "les plus anciens" not in body
