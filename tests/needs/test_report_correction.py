"""Staff correct what a report says after its entry: audited, the original kept and shown."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from fabrique.audit.models import AuditEntry
from fabrique.needs.selectors import report_corrections
from fabrique.needs.services import need_report_correct
from fabrique.territories.models import Commune, Departement, Region

pytestmark = pytest.mark.django_db


@pytest.fixture
def communes(db):
    region = Region.objects.create(code="9T", name="Région de test")  # fictional codes
    dep = Departement.objects.create(code="9N", name="Nord de test", region=region)
    return (
        Commune.objects.create(code="9N001", name="Testvile", departement=dep, region=region),
        Commune.objects.create(code="9N002", name="Testville", departement=dep, region=region),
    )


def test_correction_keeps_the_original_in_the_log(team, make_report, communes):
    typo, right = communes
    report = make_report(commune=typo, theme="mobility")
    corrected = need_report_correct(
        report=report,
        actor=team.officer,
        data={"commune": right, "theme": "food", "title": report.title},
        reason="Faute de frappe dans la commune",
    )
    report.refresh_from_db()
    assert (report.commune, report.theme) == (right, "food") == (corrected.commune, corrected.theme)
    entry = AuditEntry.objects.for_target(report).get(action="needs.needreport.corrected")
    assert entry.old_values == {"commune": str(typo), "theme": "mobility"}
    assert entry.new_values == {"commune": str(right), "theme": "food"}
    assert entry.note == "Faute de frappe dans la commune" and entry.actor == team.officer
    # a second correction: the original stays the first value
    need_report_correct(report=report, actor=team.officer, data={"theme": "housing"}, reason="Encore")
    corrections, originals = report_corrections(report=report)
    assert len(corrections) == 2
    assert dict(originals)["thème"] == "mobilité" and dict(originals)["commune"] == str(typo)
    # nothing changed: nothing logged
    need_report_correct(report=report, actor=team.officer, data={"theme": "housing"})
    assert AuditEntry.objects.for_target(report).filter(action="needs.needreport.corrected").count() == 2
    # who reported and how cannot be corrected here; bad values are refused
    with pytest.raises(TypeError):
        need_report_correct(report=report, actor=team.officer, data={"reporter_email": "x@example.org"})
    with pytest.raises(ValidationError):
        need_report_correct(report=report, actor=team.officer, data={"theme": "nonsense"})


def test_correction_page(team, make_report, communes, login):
    typo, right = communes
    report = make_report(commune=typo)
    team.fabrique.communes.add(typo, right)
    url = reverse("backoffice:report_correct", kwargs={"fabrique_slug": team.fabrique.slug, "pk": report.pk})
    client = login(team.officer)
    page = client.get(url).content.decode()
    assert "Motif de la correction" in page
    response = client.post(
        url,
        {
            "title": report.title,
            "description": report.description,
            "commune": right.code,
            "reported_on": report.reported_on.isoformat(),
            "reason": "Commune mal saisie",
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    report.refresh_from_db()
    assert report.commune == right
    detail = client.get(response["Location"]).content.decode()
    assert "Corrigé le" in detail and "Commune mal saisie" in detail and "Testvile" in detail
    assert login(team.reader).get(url).status_code == 403
