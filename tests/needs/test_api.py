"""API of reports and needs: reads for the team, report creation through the service."""

import pytest
from django.urls import reverse

from fabrique.needs.models import NeedReport, ReportSource

pytestmark = pytest.mark.django_db


def api(fabrique, name: str, **kwargs) -> str:
    return reverse(f"api:{name}", kwargs={"fabrique_slug": fabrique.slug, **kwargs})


def test_list_and_retrieve_reports_and_needs(login, team, make_need, make_report):
    need = make_need(title="Laverie")
    make_report(title="Covoiturage", theme="mobility")
    client = login(team.reader)
    reports = client.get(api(team.fabrique, "need-report-list")).json()
    assert reports["count"] == 2
    filtered = client.get(api(team.fabrique, "need-report-list"), {"theme": "mobility"}).json()
    assert [r["title"] for r in filtered["results"]] == ["Covoiturage"]
    needs = client.get(api(team.fabrique, "need-list")).json()
    assert [n["reference"] for n in needs["results"]] == [need.reference]
    detail = client.get(api(team.fabrique, "need-detail", pk=need.pk)).json()
    assert detail["stage"] == "new" and detail["reports"] == [need.reports.get().pk]


def test_create_a_report(login, team):
    response = login(team.officer).post(
        api(team.fabrique, "need-report-list"),
        {"title": "Pas de laverie", "source": "phone", "reporter_name": "Mairie"},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    report = NeedReport.objects.get()
    assert response.json()["reference"] == report.reference
    assert (report.entered_by, report.source) == (team.officer, ReportSource.PHONE)


def test_create_with_errors_answers_400_in_french_and_saves_nothing(login, team):
    client = login(team.officer)
    response = client.post(api(team.fabrique, "need-report-list"), {}, content_type="application/json")
    assert response.status_code == 400
    assert "title" in response.json()
    response = client.post(
        api(team.fabrique, "need-report-list"),
        {"title": "X", "consent_notifications": True},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "Indiquez une adresse e-mail" in str(response.json())
    assert not NeedReport.objects.exists()


def test_readers_cannot_create_and_other_fabriques_are_not_found(login, team, other_team, make_need):
    assert login(team.reader).post(api(team.fabrique, "need-report-list"), {"title": "X"}).status_code == 403
    assert login(team.partner).get(api(team.fabrique, "need-list")).status_code == 403
    need = make_need()
    for user in (other_team.admin, other_team.reader):
        client = login(user)
        assert client.get(api(team.fabrique, "need-list")).status_code == 404
        assert client.get(api(other_team.fabrique, "need-detail", pk=need.pk)).status_code == 404
        assert (
            client.get(api(other_team.fabrique, "need-report-detail", pk=need.reports.get().pk)).status_code
            == 404
        )
    assert NeedReport.objects.count() == 1
