"""Funders' agreements, reporting deadlines and funder reports: services (validated, audited), pages,
the generation task, the PDF (text extracted) and the XLSX (loaded back, cell by cell)."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from pypdf import PdfReader

from fabrique.audit.models import AuditEntry
from fabrique.directory.models import Organization
from fabrique.funding.handlers import REMIND_DAYS_BEFORE, reporting_deadline_reminders
from fabrique.funding.models import AgreementScope, FunderReportVersion, FundingAgreement, ReportStatus
from fabrique.funding.reports import build_snapshot, render_xlsx
from fabrique.funding.services import (
    agreement_create,
    agreement_update,
    deadline_add,
    deadline_mark_done,
    funder_report_create,
    funder_report_generate,
)
from fabrique.notifications.models import Notification
from fabrique.workstreams.models import Workstream

from .builders import d, need, report


@pytest.fixture
def funder(team):
    return Organization.objects.create(fabrique=team.fabrique, name="Fondation Malakoff", kind="foundation")


def _agreement(team, funder, **extra):
    fields = {
        "funder": funder,
        "title": "Programme 2025",
        "starts_on": d("2025-01-01"),
        "ends_on": d("2025-12-31"),
        "amount_granted": Decimal("40000"),
        "amount_paid": Decimal("10000"),
        **extra,
    }
    return agreement_create(fabrique=team.fabrique, actor=team.admin, **fields)


def test_agreement_create_is_validated_and_audited(team, other_team, funder):
    agreement = _agreement(team, funder, required_indicators=["needs.reports_received"])
    entry = AuditEntry.objects.get(action="funding.fundingagreement.created")
    assert entry.target_id == str(agreement.pk)
    foreign = Organization.objects.create(fabrique=other_team.fabrique, name="Autre", kind="funder")
    with pytest.raises(ValidationError) as exc:
        _agreement(team, foreign)
    assert "funder" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        _agreement(team, funder, ends_on=d("2024-01-01"))
    assert "ends_on" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        _agreement(team, funder, amount_paid=Decimal("50000"))
    assert "amount_paid" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        _agreement(team, funder, scope=AgreementScope.WORKSTREAM)
    assert "workstream" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        _agreement(team, funder, required_indicators=["nope"])
    assert "required_indicators" in exc.value.message_dict


def test_agreement_update_keeps_only_the_scope_object(team, funder):
    ws = Workstream.objects.create(fabrique=team.fabrique, name="Mobilité", code="mobilite")
    agreement = _agreement(team, funder)
    updated = agreement_update(
        agreement=agreement, actor=team.admin, scope=AgreementScope.WORKSTREAM, workstream=ws
    )
    assert updated.workstream == ws
    assert AuditEntry.objects.filter(
        action="funding.fundingagreement.updated", target_id=agreement.pk
    ).exists()
    back = agreement_update(agreement=updated, actor=team.admin, scope=AgreementScope.PROGRAMME)
    assert back.workstream is None


def test_deadlines_remind_the_team_once(team, funder):
    agreement = _agreement(team, funder)
    today = datetime.date(2026, 3, 1)
    soon = deadline_add(
        agreement=agreement,
        actor=team.admin,
        label="Bilan intermédiaire",
        due_on=today + datetime.timedelta(days=REMIND_DAYS_BEFORE),
    )
    late = deadline_add(
        agreement=agreement, actor=team.admin, label="Bilan final", due_on=today - datetime.timedelta(days=1)
    )
    assert reporting_deadline_reminders(day=today) >= 2
    titles = set(Notification.objects.filter(kind="funder_deadline").values_list("title", flat=True))
    assert any("Bilan intermédiaire" in t for t in titles)
    assert any("en retard" in t and "Bilan final" in t for t in titles)
    count = Notification.objects.filter(kind="funder_deadline").count()
    reporting_deadline_reminders(day=today)
    assert Notification.objects.filter(kind="funder_deadline").count() == count  # once
    deadline_mark_done(deadline=late, actor=team.admin, done_on=today)
    assert AuditEntry.objects.filter(action="funding.fundingagreement.deadline_done").exists()
    assert soon.done_on is None


def test_agreement_pages(team, funder, login):
    agreement = _agreement(team, funder)
    client = login(team.officer)
    slug = team.fabrique.slug
    listing = client.get(reverse("backoffice:agreement_list", kwargs={"fabrique_slug": slug}))
    assert "Programme 2025" in listing.content.decode()
    detail = client.get(
        reverse("backoffice:agreement_detail", kwargs={"fabrique_slug": slug, "pk": agreement.pk})
    )
    assert "Ce que la convention a financé" in detail.content.decode()
    response = client.post(
        reverse("backoffice:agreement_create", kwargs={"fabrique_slug": slug}),
        {
            "funder": funder.pk,
            "title": "Étude mobilité",
            "scope": "programme",
            "starts_on": "2026-01-01",
            "ends_on": "2025-01-01",
            "amount_granted": "1000",
            "amount_paid": "0",
            "status": "signed",
        },
    )
    assert response.status_code == 200
    assert "La fin de la convention doit suivre son début." in response.content.decode()
    assert not FundingAgreement.objects.filter(title="Étude mobilité").exists()


def test_reporting_page_and_drill_down(team, login):
    need(team.fabrique, "2025-02-01", title="Épicerie solidaire", theme="food")
    report(
        team.fabrique, "2025-02-01", title="Pas d'épicerie", theme="food", reporter_email="secret@exemple.org"
    )
    client = login(team.reader)
    slug = team.fabrique.slug
    page = client.get(
        reverse("backoffice:reporting_dashboard", kwargs={"fabrique_slug": slug}), {"year": 2025}
    )
    html = page.content.decode()
    assert page.status_code == 200
    assert "<svg" in html and "Entonnoir" in html
    drill = client.get(
        reverse(
            "backoffice:reporting_drill", kwargs={"fabrique_slug": slug, "key": "needs.reports_received"}
        ),
        {"year": 2025, "breakdown": "theme", "bucket": "food"},
    )
    body = drill.content.decode()
    assert "Pas d&#x27;épicerie" in body or "Pas d'épicerie" in body
    assert "secret@exemple.org" not in body
    unknown = client.get(reverse("backoffice:reporting_drill", kwargs={"fabrique_slug": slug, "key": "nope"}))
    assert unknown.status_code == 404
    bad = client.get(
        reverse("backoffice:reporting_dashboard", kwargs={"fabrique_slug": slug}),
        {"start": "2025-05-01", "end": "2025-01-01"},
    )
    assert "La fin de la période doit suivre son début." in bad.content.decode()


def _small_case(team, funder):
    report(team.fabrique, "2025-03-01", theme="food")
    report(team.fabrique, "2025-04-01", theme="food")
    need(team.fabrique, "2025-04-02")
    agreement = _agreement(team, funder, required_indicators=["needs.reports_received", "needs.detected"])
    return funder_report_create(
        fabrique=team.fabrique,
        actor=team.admin,
        funder=funder,
        agreement=agreement,
        title="Compte rendu 2025",
        period_start=d("2025-01-01"),
        period_end=d("2025-12-31"),
        narratives={
            "introduction": "=SOMME(A1:A2) n'est pas une formule",
            "highlights": "Deux signalements.",
        },
    )


def test_generation_freezes_figures_and_versions(team, funder, django_capture_on_commit_callbacks):
    rep = _small_case(team, funder)
    with django_capture_on_commit_callbacks(execute=True):
        v1 = funder_report_generate(report=rep, actor=team.admin)
    v1 = FunderReportVersion.objects.get(pk=v1.pk)
    assert v1.status == ReportStatus.DONE and v1.progress == 100
    assert (
        AuditEntry.objects.filter(action="funding.funderreport.generated", target_id=str(rep.pk)).count() == 1
    )
    rows = {r["key"]: r["value"] for s in v1.snapshot["sections"] for r in s["rows"]}
    assert rows == {"needs.reports_received": 2, "needs.detected": 1}
    # new data after the generation: v1 keeps its figures, v2 has the new ones
    report(team.fabrique, "2025-05-01")
    with django_capture_on_commit_callbacks(execute=True):
        v2 = funder_report_generate(report=rep, actor=team.admin)
    v1.refresh_from_db()
    v2.refresh_from_db()
    assert v2.number == 2
    assert {r["key"]: r["value"] for s in v1.snapshot["sections"] for r in s["rows"]}[
        "needs.reports_received"
    ] == 2
    assert {r["key"]: r["value"] for s in v2.snapshot["sections"] for r in s["rows"]}[
        "needs.reports_received"
    ] == 3


def test_pdf_text(team, funder, django_capture_on_commit_callbacks):
    rep = _small_case(team, funder)
    with django_capture_on_commit_callbacks(execute=True):
        version = funder_report_generate(report=rep, actor=team.admin)
    version.refresh_from_db()
    reader = PdfReader(io.BytesIO(bytes(version.pdf)))
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert team.fabrique.name in text
    assert "Compte rendu 2025" in text
    assert "Fondation Malakoff" in text
    assert "Sommaire" in text
    assert "Signalements reçus" in text
    assert "Deux signalements." in text
    assert f"1 / {len(reader.pages)}" in text  # page numbers
    assert "Actions financées" in text and "Programme 2025" in text


def test_xlsx_cell_by_cell(team, funder):
    rep = _small_case(team, funder)
    snapshot = build_snapshot(rep)
    wb = openpyxl.load_workbook(io.BytesIO(render_xlsx(snapshot)))
    assert wb.sheetnames == [
        "Synthèse",
        "Textes de l'équipe",
        "Détection des besoins",
        "Entonnoir",
        "Durées",
        "Actions financées",
    ]
    summary = wb["Synthèse"]
    assert summary["A2"].value == "Financeur" and summary["B2"].value == "Fondation Malakoff"
    assert summary["B5"].value == datetime.datetime(2025, 1, 1) and summary["B5"].data_type == "d"
    assert summary["B6"].value == datetime.datetime(2025, 12, 31)
    texts = wb["Textes de l'équipe"]
    assert texts["B2"].value == "=SOMME(A1:A2) n'est pas une formule"
    assert texts["B2"].data_type == "s" and texts["B2"].quotePrefix
    needs = wb["Détection des besoins"]
    assert [c.value for c in needs[1]][:3] == ["Indicateur", "Unité", "année 2025"]
    assert (
        needs["A2"].value == "signalements reçus" and needs["C2"].value == 2 and needs["C2"].data_type == "n"
    )
    assert needs["A3"].value == "besoins détectés" and needs["C3"].value == 1
    assert [needs.cell(row=2, column=c).value for c in (4, 5, 6)] == [0, 0, 2]  # 2023, 2024, 2025
    funnel = wb["Entonnoir"]
    assert [funnel.cell(row=r, column=2).value for r in range(2, 7)] == [2, 1, 0, 0, 0]
    assert funnel["C3"].value == 50
    actions = wb["Actions financées"]
    assert actions["A2"].value == "Programme 2025"
    assert (
        actions["D2"].value == datetime.datetime(2025, 1, 1) and actions["D2"].number_format == "DD/MM/YYYY"
    )
    assert actions["F2"].value == 40000 and actions["F2"].data_type == "n"


def test_report_pages_and_downloads(team, funder, login, django_capture_on_commit_callbacks):
    rep = _small_case(team, funder)
    client = login(team.officer)
    slug = team.fabrique.slug
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("backoffice:funder_report_generate", kwargs={"fabrique_slug": slug, "pk": rep.pk})
        )
    assert response.status_code == 302
    detail = client.get(
        reverse("backoffice:funder_report_detail", kwargs={"fabrique_slug": slug, "pk": rep.pk})
    )
    assert "Classeur XLSX" in detail.content.decode()
    reader_client = login(team.reader)
    pdf = reader_client.get(
        reverse(
            "backoffice:funder_report_download",
            kwargs={"fabrique_slug": slug, "pk": rep.pk, "number": 1, "fmt": "pdf"},
        )
    )
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert bytes(pdf.content).startswith(b"%PDF")
    xlsx = reader_client.get(
        reverse(
            "backoffice:funder_report_download",
            kwargs={"fabrique_slug": slug, "pk": rep.pk, "number": 1, "fmt": "xlsx"},
        )
    )
    assert xlsx.status_code == 200
    assert (
        reader_client.post(
            reverse("backoffice:funder_report_generate", kwargs={"fabrique_slug": slug, "pk": rep.pk})
        ).status_code
        == 403
    )
    other = reader_client.get(
        reverse(
            "backoffice:funder_report_download",
            kwargs={"fabrique_slug": slug, "pk": rep.pk, "number": 1, "fmt": "exe"},
        )
    )
    assert other.status_code == 404
