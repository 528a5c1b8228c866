"""The territorial diagnosis of a zone, its services, and its PDF (rendered to PNG when pdftoppm exists)."""

import shutil
import subprocess

import pytest
from django.core.exceptions import ValidationError

from fabrique.audit.models import AuditEntry
from fabrique.intelligence.diagnosis import diagnosis_build, zone_communes
from fabrique.intelligence.pdf import diagnosis_pdf
from fabrique.intelligence.services import diagnosis_zone_create, diagnosis_zone_update
from fabrique.territories.models import EPCI, Commune

from .conftest import commune

pytestmark = pytest.mark.django_db


@pytest.fixture
def vineyard(nantes):
    team = nantes.team
    return diagnosis_zone_create(
        fabrique=team.fabrique,
        actor=team.officer,
        name="Vignoble et Vallet",
        description="Mobilité inclusive : état des lieux.",
        epcis=[EPCI.objects.get(siren="200067635")],
        communes=[commune("44212")],
    )


def test_zone_create_and_update_are_audited(nantes, vineyard):
    assert vineyard.name == "Vignoble et Vallet"
    assert len(zone_communes(vineyard)) == 17
    entry = AuditEntry.objects.for_target(vineyard).get()
    assert entry.action == "intelligence.diagnosiszone.created"
    updated = diagnosis_zone_update(
        zone=vineyard,
        actor=nantes.team.officer,
        name="Vignoble",
        communes=[],
        epcis=[EPCI.objects.get(siren="200067635")],
    )
    assert updated.name == "Vignoble"
    assert len(zone_communes(updated)) == 16
    assert AuditEntry.objects.for_target(vineyard).latest("pk").action == "intelligence.diagnosiszone.updated"


def test_zone_needs_a_current_commune_or_an_epci(team, reference_data):
    with pytest.raises(ValidationError):
        diagnosis_zone_create(fabrique=team.fabrique, actor=team.officer, name="Vide")
    delegated = Commune.objects.exclude(kind="commune-actuelle").filter(departement_id="44").first()
    with pytest.raises(ValidationError):
        diagnosis_zone_create(fabrique=team.fabrique, actor=team.officer, name="X", communes=[delegated])


def test_diagnosis_content(nantes, vineyard):
    diagnosis = diagnosis_build(zone=vineyard)
    assert diagnosis.population == sum(c.population for c in diagnosis.communes)
    assert {n.pk for n in diagnosis.needs} == {nantes.mobility_rural.pk, nantes.mobility_vallet.pk}
    mobility = next(row for row in diagnosis.themes if row.theme == "mobility")
    assert mobility.total == 2 and mobility.counts["open"] == 2
    assert [o.name for o in mobility.organizations] == ["Mobil'Aide Vignoble"]
    assert any(c.name == "Remouillé" for c in diagnosis.rural_communes)
    assert any("n'ont encore fait remonter aucun signalement" in gap for gap in diagnosis.gaps)
    assert diagnosis.readings  # income of the zone against Loire-Atlantique
    assert diagnosis.svg.startswith("<svg") and "Remouillé : 1 besoin" in diagnosis.svg


def test_gap_when_a_theme_has_needs_and_no_offer(nantes):
    zone = diagnosis_zone_create(
        fabrique=nantes.team.fabrique,
        actor=nantes.team.officer,
        name="Nantes Métropole",
        epcis=[EPCI.objects.get(siren="244400404")],
    )
    diagnosis = diagnosis_build(zone=zone)
    assert "Logement, habitat : 1 besoin signalé et aucune offre repérée dans la zone." in diagnosis.gaps
    assert any(q.name == "Bellevue" for q in diagnosis.qpvs)
    assert any("quartiers prioritaires" in gap for gap in diagnosis.gaps)


def test_pdf_is_generated_and_renders(nantes, vineyard, tmp_path):
    pdf = diagnosis_pdf(diagnosis=diagnosis_build(zone=vineyard), fabrique=nantes.team.fabrique)
    assert pdf.startswith(b"%PDF")
    assert len(pdf) > 10_000
    if shutil.which("pdftoppm") is None:
        pytest.skip("pdftoppm missing: the PNG rendering is not checked")
    target = tmp_path / "diagnostic.pdf"
    target.write_bytes(pdf)
    subprocess.run(
        ["pdftoppm", "-r", "40", "-png", "-f", "1", "-l", "1", str(target), str(tmp_path / "page")],
        check=True,
    )
    pages = list(tmp_path.glob("page*.png"))
    assert pages and pages[0].stat().st_size > 5_000
