"""The commune field of the report and need forms: the shared territory field, restricted to the
fabrique's territory."""

import pytest

from fabrique.needs.forms import PublicReportForm
from fabrique.territories.models import Commune, Departement, Region

pytestmark = pytest.mark.django_db


@pytest.fixture
def communes(db):
    """Fictional communes (codes no real commune has), whatever reference data the test database holds."""
    region = Region.objects.create(code="9T", name="Région de test")
    north = Departement.objects.create(code="9N", name="Nord de test", region=region)
    south = Departement.objects.create(code="9S", name="Sud de test", region=region)
    return {
        "nantes": Commune.objects.create(code="9N001", name="Testville", departement=north, region=region),
        "reze": Commune.objects.create(code="9N002", name="Testbourg", departement=north, region=region),
        "yeu": Commune.objects.create(code="9S001", name="Île-de-Test", departement=south, region=region),
    }


def data(commune) -> dict:
    return {
        "title": "Laverie",
        "description": "Rien à moins de 3 km.",
        "reporter_name": "Samia",
        "reporter_type": "inhabitant",
        "consent_processing": "on",
        "commune": commune,
    }


def test_the_commune_is_typed_or_picked_within_the_fabriques_territory(fabrique, communes):
    fabrique.departements.add(communes["nantes"].departement)
    form = PublicReportForm(fabrique=fabrique)
    assert set(form.fields["commune"].queryset) == {communes["nantes"], communes["reze"]}
    for typed in ("9N001", "Testville (9N001)", "commune:9N001"):
        form = PublicReportForm(data(typed), fabrique=fabrique)
        assert form.is_valid(), form.errors
        assert form.cleaned_data["commune"] == communes["nantes"]
    outside = PublicReportForm(data("9S001"), fabrique=fabrique)
    assert not outside.is_valid()
    assert "Aucune commune ne correspond" in str(outside.errors["commune"])
    empty = PublicReportForm(data(""), fabrique=fabrique)
    assert empty.is_valid() and empty.cleaned_data["commune"] is None


def test_without_a_declared_territory_every_commune_is_accepted(fabrique, communes):
    form = PublicReportForm(data("9S001"), fabrique=fabrique)
    assert form.is_valid(), form.errors
    assert form.cleaned_data["commune"] == communes["yeu"]
