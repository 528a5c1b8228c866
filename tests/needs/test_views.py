"""Back-office pages of detection and qualification: French errors, nothing saved on bad input,
writes refused to readers, another fabrique's objects not found."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from fabrique.committees.models import Decision
from fabrique.needs.models import Criterion, CriterionScore, Need, NeedReport, NeedStage, ReportStage
from fabrique.needs.services import need_report_submit

from .conftest import report_data

pytestmark = pytest.mark.django_db


def url(fabrique, name: str, **kwargs) -> str:
    return reverse(f"backoffice:{name}", kwargs={"fabrique_slug": fabrique.slug, **kwargs})


# --- reports -----------------------------------------------------------------------------------------------


def test_staff_entry_of_a_report(login, team):
    client = login(team.officer)
    assert client.get(url(team.fabrique, "report_create")).status_code == 200
    response = client.post(
        url(team.fabrique, "report_create"),
        {
            "title": "Pas de réparation de vélos",
            "source": "creativity_session",
            "source_detail": "Séance du 12 mars",
            "reported_on": "2026-03-12",
            "reporter_name": "Conseil citoyen",
            "reporter_type": "association",
        },
    )
    report = NeedReport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == url(team.fabrique, "report_detail", pk=report.pk)
    assert (report.entered_by, report.source, str(report.reported_on)) == (
        team.officer,
        "creativity_session",
        "2026-03-12",
    )


def test_staff_entry_with_errors_saves_nothing(login, team):
    client = login(team.officer)
    response = client.post(
        url(team.fabrique, "report_create"), {"title": "", "source": "", "reported_on": "hier"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Le formulaire contient des erreurs" in html
    assert "Dites en une phrase ce qui manque." in html
    assert "Saisissez une date valide." in html
    assert not NeedReport.objects.exists()


def test_readers_see_reports_but_cannot_write(login, team, make_report):
    report = make_report()
    client = login(team.reader)
    assert client.get(url(team.fabrique, "report_list")).status_code == 200
    detail = client.get(url(team.fabrique, "report_detail", pk=report.pk))
    assert detail.status_code == 200
    assert url(team.fabrique, "report_attach", pk=report.pk) not in detail.content.decode()  # no edit buttons
    for name in ("report_attach", "need_create_from_report", "report_dismiss", "report_detach"):
        assert client.post(url(team.fabrique, name, pk=report.pk), {}).status_code == 403
    assert client.post(url(team.fabrique, "report_create"), report_data()).status_code == 403
    assert NeedReport.objects.count() == 1


def test_another_fabriques_report_is_not_found(login, team, other_team):
    foreign = need_report_submit(fabrique=other_team.fabrique, **report_data())
    for role in ("officer", "reader", "partner"):
        client = login(team.user(role))
        for name in ("report_detail", "report_attach", "report_dismiss", "report_document"):
            assert client.get(url(team.fabrique, name, pk=foreign.pk)).status_code == 404


def test_list_filters(login, team, make_report):
    make_report(title="Laverie", theme="services")
    make_report(title="Covoiturage", theme="mobility")
    client = login(team.reader)
    html = client.get(url(team.fabrique, "report_list"), {"theme": "mobility"}).content.decode()
    assert "Covoiturage" in html and "Laverie" not in html
    html = client.get(url(team.fabrique, "report_list"), {"q": "laver"}).content.decode()
    assert "Laverie" in html and "Covoiturage" not in html


def test_create_a_need_from_a_report_page(login, team, make_report):
    report = make_report(title="Laverie manquante")
    client = login(team.officer)
    page = client.get(url(team.fabrique, "need_create_from_report", pk=report.pk))
    assert report.title in page.content.decode()  # prefilled
    response = client.post(
        url(team.fabrique, "need_create_from_report", pk=report.pk),
        {"title": "Garde d'enfants en horaires atypiques", "public_title": "Garde d'enfants le soir"},
    )
    need = Need.objects.get()
    assert response["Location"] == url(team.fabrique, "need_detail", pk=need.pk)
    report.refresh_from_db()
    assert report.need == need


def test_create_a_need_without_title_saves_nothing(login, team, make_report):
    report = make_report()
    response = login(team.officer).post(
        url(team.fabrique, "need_create_from_report", pk=report.pk), {"title": ""}
    )
    assert "Donnez un intitulé au besoin." in response.content.decode()
    assert not Need.objects.exists()


def test_attach_search_and_detach_pages(login, team, make_report, make_need):
    need = make_need(title="Laverie solidaire")
    other = make_need(title="Covoiturage rural")
    report = make_report(title="Laver son linge")
    client = login(team.officer)
    html = client.get(url(team.fabrique, "report_attach", pk=report.pk)).content.decode()
    # the needs are not listed: an autocomplete fed by the bounded record search
    assert 'data-types="need"' in html and need.reference not in html and "<option" not in html
    # without JavaScript a typed title is resolved on the server, or refused in French
    response = client.post(url(team.fabrique, "report_attach", pk=report.pk), {"need": "inexistant"})
    assert "Aucun élément ne correspond à « inexistant »." in response.content.decode()
    # a need of another fabrique (or nothing) is refused in French
    response = client.post(url(team.fabrique, "report_attach", pk=report.pk), {"need": ""})
    assert "Choisissez le besoin auquel rattacher ce signalement." in response.content.decode()
    response = client.post(url(team.fabrique, "report_attach", pk=report.pk), {"need": "laverie"})
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.need == need
    response = client.post(url(team.fabrique, "report_attach", pk=report.pk), {"need": str(other.pk)})
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.need == other
    # detach
    assert client.get(url(team.fabrique, "report_detach", pk=report.pk)).status_code == 200
    client.post(url(team.fabrique, "report_detach", pk=report.pk))
    report.refresh_from_db()
    assert (report.stage, report.need) == (ReportStage.RECEIVED, None)


def test_attaching_and_detaching_from_a_report_page_record_the_teams_decisions(
    login, team, make_report, make_need
):
    from fabrique.grouping.models import PairDecision
    from fabrique.needs.grouping import team_decisions

    need = make_need(title="Laverie solidaire")
    other = make_need(title="Covoiturage rural")
    report = make_report(title="Laver son linge")
    laverie = set(need.reports.values_list("pk", flat=True))
    covoiturage = set(other.reports.values_list("pk", flat=True))
    assert laverie and covoiturage
    client = login(team.officer)
    client.post(url(team.fabrique, "report_attach", pk=report.pk), {"need": str(need.pk)})
    client.post(url(team.fabrique, "report_attach", pk=report.pk), {"need": str(other.pk)})
    client.post(url(team.fabrique, "report_detach", pk=report.pk))
    report.refresh_from_db()
    assert (report.stage, report.need) == (ReportStage.RECEIVED, None)
    rows = PairDecision.objects.filter(fabrique=team.fabrique)
    assert {r.source for r in rows} == {"merge", "split"}
    # the latest decision on each pair: not the laverie (moved away), not the covoiturage (detached)
    latest = {frozenset((a, b)): same for a, b, same in team_decisions(fabrique=team.fabrique)}
    assert {frozenset((report.pk, o)) for o in laverie | covoiturage} <= set(latest)
    assert not any(latest[frozenset((report.pk, o))] for o in laverie | covoiturage)


def test_dismiss_page(login, team, make_report):
    report = make_report()
    client = login(team.officer)
    response = client.post(url(team.fabrique, "report_dismiss", pk=report.pk), {"reason": ""})
    assert "Choisissez le motif pour lequel le signalement est écarté." in response.content.decode()
    report.refresh_from_db()
    assert report.stage == ReportStage.RECEIVED
    client.post(url(team.fabrique, "report_dismiss", pk=report.pk), {"reason": "spam"})
    report.refresh_from_db()
    assert (report.stage, report.dismiss_reason) == (ReportStage.DISMISSED, "spam")


def test_report_document_is_served_to_the_team_only(login, team, make_report, client):
    from django.core.files.base import ContentFile

    from .conftest import PDF

    report = make_report(evidence_document=ContentFile(PDF, name="preuve.pdf"))
    response = login(team.reader).get(url(team.fabrique, "report_document", pk=report.pk))
    assert response.status_code == 200
    assert response.content == PDF
    assert response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"]
    no_document = make_report()
    assert login(team.reader).get(url(team.fabrique, "report_document", pk=no_document.pk)).status_code == 404
    assert login(team.partner).get(url(team.fabrique, "report_document", pk=report.pk)).status_code == 403


def test_my_reports_lists_only_the_partners_own_reports_with_public_status(login, team, officer, criteria):
    from fabrique.needs.services import need_create_from_report, need_score_set

    own = need_report_submit(
        fabrique=team.fabrique, **report_data(title="MON-SIGNALEMENT"), submitted_by=team.partner
    )
    need_report_submit(fabrique=team.fabrique, **report_data(title="AUTRE-SIGNALEMENT"))
    need = need_create_from_report(report=own, actor=officer, title="TITRE-INTERNE")
    need_score_set(need=need, criterion=criteria[0], score=1, comment="COMMENTAIRE-INTERNE", actor=officer)
    # when
    response = login(team.partner).get(url(team.fabrique, "my_reports"))
    # then
    html = response.content.decode()
    assert response.status_code == 200
    assert "MON-SIGNALEMENT" in html
    assert "L&#x27;équipe de la fabrique examine ce besoin." in html
    assert (
        reverse(
            "public:report_followup",
            kwargs={"fabrique_slug": team.fabrique.slug, "token": own.followup_token},
        )
        in html
    )
    for hidden in ("AUTRE-SIGNALEMENT", "TITRE-INTERNE", "COMMENTAIRE-INTERNE"):
        assert hidden not in html
    # partners cannot open the team's pages
    assert login(team.partner).get(url(team.fabrique, "report_list")).status_code == 403
    assert login(team.partner).get(url(team.fabrique, "need_detail", pk=need.pk)).status_code == 403


# --- needs -------------------------------------------------------------------------------------------------


def test_need_list_filters_and_search(login, team, make_need):
    make_need(title="Laverie", theme="services")
    make_need(title="Covoiturage", theme="mobility", stage=NeedStage.RETAINED)
    client = login(team.reader)
    html = client.get(url(team.fabrique, "need_list"), {"stage": "retained"}).content.decode()
    assert "Covoiturage" in html and "Laverie" not in html
    html = client.get(url(team.fabrique, "need_list"), {"q": "lave"}).content.decode()
    assert "Laverie" in html and "Covoiturage" not in html
    html = client.get(url(team.fabrique, "need_list"), {"stage": "n-importe"}).content.decode()
    assert "Sélectionnez un choix valide" in html


def test_need_detail_shows_reports_reporters_qualification_decisions_and_timeline(
    login, team, qualifying_need, criteria
):
    from fabrique.needs.services import need_decide, need_score_set

    need_score_set(
        need=qualifying_need, criterion=criteria[0], score=3, comment="Chiffres CAF", actor=team.officer
    )
    need_decide(
        need=qualifying_need, actor=team.officer, outcome="more_evidence", reasons="Compter les familles"
    )
    html = login(team.reader).get(url(team.fabrique, "need_detail", pk=qualifying_need.pk)).content.decode()
    report = qualifying_need.reports.get()
    assert url(team.fabrique, "report_detail", pk=report.pk) in html
    assert "Camille Martin" in html  # the reporter, for the team
    assert "Chiffres CAF" in html and "3/18" in html
    assert "Éléments complémentaires à rassembler" in html and "Compter les familles" in html
    assert "Historique" in html
    assert url(team.fabrique, "need_update", pk=qualifying_need.pk) not in html  # reader: no edit button
    officer_html = (
        login(team.officer).get(url(team.fabrique, "need_detail", pk=qualifying_need.pk)).content.decode()
    )
    assert url(team.fabrique, "need_update", pk=qualifying_need.pk) in officer_html


def test_need_update_page(login, team, make_need):
    need = make_need()
    client = login(team.officer)
    response = client.post(
        url(team.fabrique, "need_update", pk=need.pk),
        {
            "title": "Laverie",
            "public_title": "Une laverie",
            "officer": team.officer.pk,
            "next_step_due": "2026-13-45",
        },
    )
    assert "Saisissez une date valide." in response.content.decode()
    need.refresh_from_db()
    assert need.public_title == ""
    response = client.post(
        url(team.fabrique, "need_update", pk=need.pk),
        {"title": "Laverie", "public_title": "Une laverie", "officer": team.officer.pk},
    )
    assert response.status_code == 302
    need.refresh_from_db()
    assert (need.public_title, need.officer) == ("Une laverie", team.officer)
    assert (
        login(team.committee).post(url(team.fabrique, "need_update", pk=need.pk), {"title": "x"}).status_code
        == 403
    )


def test_qualification_page(login, team, make_need, criteria):
    need = make_need()
    client = login(team.officer)
    page = client.get(url(team.fabrique, "need_qualify", pk=need.pk))
    assert criteria[0].label in page.content.decode()
    # out of bounds: French error, nothing saved
    response = client.post(url(team.fabrique, "need_qualify", pk=need.pk), {f"score_{criteria[0].pk}": "4"})
    assert "La note va de 0 à 3." in response.content.decode()
    response = client.post(
        url(team.fabrique, "need_qualify", pk=need.pk), {f"comment_{criteria[1].pk}": "Sans note"}
    )
    assert "Donnez une note à ce critère" in response.content.decode()
    assert not CriterionScore.objects.exists()
    need.refresh_from_db()
    assert need.stage == NeedStage.NEW
    # valid
    response = client.post(
        url(team.fabrique, "need_qualify", pk=need.pk),
        {
            f"score_{criteria[0].pk}": "0",
            f"score_{criteria[1].pk}": "3",
            f"comment_{criteria[1].pk}": "Rien à 10 km",
        },
    )
    assert response.status_code == 302
    need.refresh_from_db()
    assert need.stage == NeedStage.QUALIFYING
    assert sorted(CriterionScore.objects.values_list("score", flat=True)) == [0, 3]
    assert login(team.committee).post(url(team.fabrique, "need_qualify", pk=need.pk), {}).status_code == 403


def test_qualification_page_without_criteria_says_so(login, team, make_need):
    need = make_need()
    html = login(team.officer).get(url(team.fabrique, "need_qualify", pk=need.pk)).content.decode()
    assert "pas encore de critères" in html


def test_decision_page(login, team, qualifying_need):
    client = login(team.committee)  # committee members decide
    page = client.get(url(team.fabrique, "need_decide", pk=qualifying_need.pk))
    assert "Non retenu" in page.content.decode()
    response = client.post(
        url(team.fabrique, "need_decide", pk=qualifying_need.pk),
        {"outcome": "not_retained", "reason_code": "", "decided_on": "2026-01-15"},
    )
    assert "Choisissez le motif pour lequel le besoin n&#x27;est pas retenu." in response.content.decode()
    assert not Decision.objects.exists()
    response = client.post(
        url(team.fabrique, "need_decide", pk=qualifying_need.pk),
        {
            "outcome": "not_retained",
            "reason_code": "too_few",
            "reasons": "Trois familles",
            "decided_on": "2026-01-15",
        },
    )
    assert response.status_code == 302
    need = Need.objects.get(pk=qualifying_need.pk)
    assert (need.stage, need.not_retained_reason) == (NeedStage.NOT_RETAINED, "too_few")
    decision = Decision.objects.get()
    assert (decision.decided_by, str(decision.decided_on)) == (team.committee, "2026-01-15")
    assert login(team.reader).post(url(team.fabrique, "need_decide", pk=need.pk), {}).status_code == 403


def test_decision_reasons_come_from_the_service_as_field_errors(login, team, qualifying_need):
    """The reasons rule lives in `need_decide`/`decision_record`; the form shows it on its field."""
    client = login(team.committee)
    target = url(team.fabrique, "need_decide", pk=qualifying_need.pk)
    response = client.post(target, {"outcome": "more_evidence", "reasons": " ", "decided_on": "2026-01-15"})
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors["reasons"] == ["Indiquez les éléments complémentaires attendus."]
    response = client.post(
        target, {"outcome": "not_retained", "reason_code": "other", "decided_on": "2026-01-15"}
    )
    assert response.status_code == 200
    assert "Expliquez le motif" in response.context["form"].errors["reasons"][0]
    tomorrow = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
    response = client.post(target, {"outcome": "retained", "reasons": "Avéré", "decided_on": tomorrow})
    assert response.status_code == 200  # decision_record's rule, on the form's field
    assert response.context["form"].errors["decided_on"] == [
        "La date de la décision ne peut pas être dans le futur."
    ]
    assert not Decision.objects.exists()


def test_no_decision_on_a_new_need(login, team, make_need):
    need = make_need()
    client = login(team.officer)
    assert (
        "Commencez par qualifier ce besoin"
        in client.get(url(team.fabrique, "need_decide", pk=need.pk)).content.decode()
    )
    response = client.post(
        url(team.fabrique, "need_decide", pk=need.pk), {"outcome": "retained", "decided_on": "2026-01-01"}
    )
    assert response.status_code == 200
    assert not Decision.objects.exists()


def test_another_fabriques_need_is_not_found(login, team, other_team):
    from fabrique.needs.services import need_create_from_report

    foreign = need_create_from_report(
        report=need_report_submit(fabrique=other_team.fabrique, **report_data()), actor=other_team.officer
    )
    client = login(team.admin)
    for name in ("need_detail", "need_update", "need_qualify", "need_decide"):
        assert client.get(url(team.fabrique, name, pk=foreign.pk)).status_code == 404
    assert client.post(url(team.fabrique, "need_update", pk=foreign.pk), {"title": "x"}).status_code == 404
    assert Need.objects.get(pk=foreign.pk).title != "x"


# --- criteria ----------------------------------------------------------------------------------------------


def test_criteria_settings(login, team):
    client = login(team.admin)
    client.post(url(team.fabrique, "criteria_settings"), {"action": "defaults"})
    assert Criterion.objects.filter(fabrique=team.fabrique).count() == 6
    response = client.post(
        url(team.fabrique, "criteria_settings"), {"action": "add", "label": "", "weight": "9"}
    )
    html = response.content.decode()
    assert "Donnez l&#x27;intitulé du critère." in html and "Le poids va de 1 à 5." in html
    assert Criterion.objects.filter(fabrique=team.fabrique).count() == 6
    client.post(
        url(team.fabrique, "criteria_settings"), {"action": "add", "label": "Élus mobilisés", "weight": "2"}
    )
    added = Criterion.objects.get(fabrique=team.fabrique, label="Élus mobilisés")
    client.post(url(team.fabrique, "criteria_settings"), {"action": "up", "criterion": added.pk})
    ordered = list(Criterion.objects.filter(fabrique=team.fabrique).order_by("order"))
    assert ordered[-2] == added
    client.post(
        url(team.fabrique, "criterion_update", pk=added.pk),
        {"label": "Élus engagés", "weight": "1", "help_text": ""},
    )
    added.refresh_from_db()
    assert (added.label, added.is_active) == ("Élus engagés", False)  # unchecked box: deactivated
    assert login(team.officer).get(url(team.fabrique, "criteria_settings")).status_code == 403


# --- dashboard -----------------------------------------------------------------------------------------------


def test_dashboard_shows_figures_and_deadlines(login, team, make_report, make_need):
    import datetime

    from fabrique.needs.services import need_update

    make_report()
    need = make_need(stage=NeedStage.QUALIFYING)
    need_update(
        need=need,
        actor=team.officer,
        next_step_due=datetime.date.today() + datetime.timedelta(days=3),
    )
    html = login(team.reader).get(url(team.fabrique, "dashboard")).content.decode()
    assert "signalements reçus ce mois-ci" in html
    assert "besoin : en qualification" in html  # one need: singular
    assert "prochaine étape" in html


def test_network_columns_are_counts(team, make_need):
    from fabrique.network.selectors import network_figures

    make_need(stage=NeedStage.RETAINED)
    figures = network_figures()
    assert "Besoins signalés" in [str(c) for c in figures["columns"]]
    row = next(r for r in figures["rows"] if r["fabrique"] == team.fabrique)
    columns = [str(c) for c in figures["columns"]]
    assert row["values"][columns.index("Besoins signalés")] == 1
    assert row["values"][columns.index("Besoins retenus")] == 1
