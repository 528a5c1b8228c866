"""load_territories: counts for 44/85, idempotency, parents, postal codes, QPVs, search_name."""

import pytest
from django.core.management import call_command

from fabrique.territories.loader import territories_load
from fabrique.territories.models import (
    EPCI,
    QPV,
    Commune,
    Departement,
    PostalCode,
    Region,
    SearchEntry,
    SearchTerm,
)

pytestmark = pytest.mark.django_db

Kind = Commune.Kind


def table_counts() -> dict[str, int]:
    return {
        "regions": Region.objects.count(),
        "departements": Departement.objects.count(),
        "epcis": EPCI.objects.count(),
        "epci_departements": EPCI.departements.through.objects.count(),
        "communes": Commune.objects.count(),
        "postal_codes": PostalCode.objects.count(),
        "qpvs": QPV.objects.count(),
        "qpv_communes": QPV.communes.through.objects.count(),
        "entries": SearchEntry.objects.count(),
        "terms": SearchTerm.objects.count(),
    }


def test_counts_for_44_and_85():
    assert Region.objects.count() == 26
    assert Departement.objects.count() == 109
    assert EPCI.objects.count() == 1255  # every EPCI, whatever --departements says
    for dep, current, delegated, associated in (("44", 207, 20, 0), ("85", 253, 42, 8)):
        communes = Commune.objects.filter(departement_id=dep)
        assert communes.filter(kind=Kind.CURRENT).count() == current
        assert communes.filter(kind=Kind.DELEGATED).count() == delegated
        assert communes.filter(kind=Kind.ASSOCIATED).count() == associated
    assert Commune.objects.exclude(departement_id__in=["44", "85"]).count() == 0
    assert PostalCode.objects.count() == 468
    assert QPV.objects.count() == 23
    assert SearchEntry.objects.filter(kind="commune").count() == 530


def test_second_load_changes_nothing():
    # given the session data (44, 85)
    before = table_counts()
    ids = dict(Commune.objects.values_list("code", "pk").filter(kind=Kind.CURRENT))
    # when
    report = territories_load(departements=["44", "85"])
    # then
    assert not report.changed, report.counts
    assert table_counts() == before
    assert dict(Commune.objects.values_list("code", "pk").filter(kind=Kind.CURRENT)) == ids


def test_command_is_quiet_and_idempotent(capsys):
    call_command("load_territories", departements="44,85", quiet=True)
    assert capsys.readouterr().out == ""
    call_command("load_territories", departements="44,85")
    assert "rien à changer" in capsys.readouterr().out


def test_a_changed_row_is_updated_back():
    Commune.objects.filter(code="44162", kind=Kind.CURRENT).update(name="Saint-Herblin", population=1)
    report = territories_load(departements=["44"])
    assert report.counts["communes"]["updated"] == 1
    commune = Commune.objects.get(code="44162", kind=Kind.CURRENT)
    assert (commune.name, commune.population) == ("Saint-Herblain", 50973)


def test_commune_fields():
    herblain = Commune.objects.select_related("epci").get(code="44162", kind=Kind.CURRENT)
    assert herblain.search_name == "st herblain"
    assert herblain.epci.name == "Nantes Métropole"
    assert herblain.departement_id == "44" and herblain.region_id == "52"
    assert herblain.postal_codes == "44800"
    assert list(herblain.postal_code_rows.values_list("code", flat=True)) == ["44800"]
    assert herblain.longitude == pytest.approx(-1.65, abs=0.1)
    assert herblain.latitude == pytest.approx(47.22, abs=0.1)
    assert herblain.parent_id is None
    nantes = Commune.objects.get(code="44109", kind=Kind.CURRENT)
    assert sorted(nantes.postal_code_rows.values_list("code", flat=True)) == [
        "44000",
        "44100",
        "44200",
        "44300",
    ]


def test_epci_kinds_and_departements():
    nm = EPCI.objects.get(siren="244400404")
    assert nm.kind == EPCI.Kind.METROPOLE
    assert nm.population == 683981
    assert list(nm.departements.values_list("code", flat=True)) == ["44"]
    assert EPCI.objects.get(siren="200046977").kind == EPCI.Kind.METROPOLE_LYON
    ancenis = EPCI.objects.get(siren="244400552")  # CC du Pays d'Ancenis spans 44 and 49
    assert sorted(ancenis.departements.values_list("code", flat=True)) == ["44", "49"]


def test_parent_of_communes_deleguees():
    # a déléguée with its own code: Anetz belongs to Vair-sur-Loire (44163)
    anetz = Commune.objects.get(code="44004", kind=Kind.DELEGATED)
    assert anetz.parent.code == "44163" and anetz.parent.kind == Kind.CURRENT
    assert anetz.epci_id == anetz.parent.epci_id
    # a déléguée sharing the code of its commune nouvelle
    shared = Commune.objects.filter(
        kind=Kind.DELEGATED, code__in=Commune.objects.filter(kind=Kind.CURRENT).values("code")
    )
    assert shared.exists()
    for delegated in shared:
        assert delegated.parent.code == delegated.code
    assert not Commune.objects.filter(
        kind__in=[Kind.DELEGATED, Kind.ASSOCIATED], parent__isnull=True
    ).exists()
    assert not Commune.objects.filter(kind=Kind.CURRENT, parent__isnull=False).exists()


def test_parent_of_arrondissements_municipaux():
    # when Paris, Lyon and Marseille are loaded too (rolled back after the test)
    territories_load(departements=["75", "69", "13"])
    # then
    for code, parent in (("75101", "75056"), ("75120", "75056"), ("69381", "69123"), ("13201", "13055")):
        arrondissement = Commune.objects.get(code=code)
        assert arrondissement.kind == Kind.ARRONDISSEMENT
        assert arrondissement.parent.code == parent
        assert arrondissement.parent.kind == Kind.CURRENT
    assert Commune.objects.get(code="75056").children.count() == 20
    assert Commune.objects.get(code="13055").children.count() == 16
    assert Commune.objects.get(code="69123").children.count() == 9
    # and the 44/85 data is untouched
    assert Commune.objects.filter(departement_id="44", kind=Kind.CURRENT).count() == 207


def test_qpvs():
    bellevue = QPV.objects.get(code="QN04405M")
    assert bellevue.name == "Bellevue"
    assert sorted(bellevue.communes.values_list("code", flat=True)) == ["44109", "44162"]
    assert bellevue.search_name == "bellevue"
    assert bellevue.geometry["type"] == "MultiPolygon"
    lon, lat = bellevue.geometry["coordinates"][0][0][0]
    assert -1.7 < lon < -1.5 and 47.1 < lat < 47.3
    assert set(QPV.objects.get(code="QN08501I").communes.values_list("code", flat=True)) == {"85191"}


def test_departements_option_validates_codes():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("load_territories", departements="44;drop table", quiet=True)
