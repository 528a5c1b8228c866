"""Test data of the directory: communes (territories reference rows) and directory rows via the services."""

from fabrique.directory.models import LegalBasis, OrganizationKind, Purpose
from fabrique.directory.services import organization_create, person_create
from fabrique.territories.models import Commune, Departement, Region

REGIONS = {"44": ("52", "Pays de la Loire"), "85": ("52", "Pays de la Loire"), "75": ("11", "Île-de-France")}
DEPARTEMENTS = {"44": "Loire-Atlantique", "85": "Vendée", "75": "Paris"}


def make_departement(code: str = "44") -> Departement:
    region_code, region_name = REGIONS.get(code, ("52", "Pays de la Loire"))
    region, _ = Region.objects.get_or_create(code=region_code, defaults={"name": region_name})
    departement, _ = Departement.objects.get_or_create(
        code=code, defaults={"name": DEPARTEMENTS.get(code, code), "region": region, "search_name": code}
    )
    return departement


def make_commune(
    code: str = "44109",
    name: str = "Nantes",
    *,
    kind: str = Commune.Kind.CURRENT,
    departement: str | None = None,
    postal_codes: str = "",
) -> Commune:
    dep = make_departement(departement or code[:2])
    commune, _ = Commune.objects.get_or_create(
        code=code,
        kind=kind,
        defaults={
            "name": name,
            "departement": dep,
            "region": dep.region,
            "postal_codes": postal_codes,
            "search_name": name.lower(),
        },
    )
    return commune


def make_organization(fabrique, actor=None, **kwargs):
    """An organisation through the service (duplicates allowed unless the test says otherwise)."""
    kwargs.setdefault("name", "La Ruche solidaire")
    kwargs.setdefault("kind", OrganizationKind.ASSOCIATION)
    kwargs.setdefault("allow_duplicate", True)
    return organization_create(fabrique=fabrique, actor=actor, **kwargs)


def make_person(fabrique, actor=None, **kwargs):
    kwargs.setdefault("last_name", "Martin")
    kwargs.setdefault("first_name", "Camille")
    kwargs.setdefault("purpose", Purpose.WORKSTREAMS)
    kwargs.setdefault("legal_basis", LegalBasis.LEGITIMATE_INTEREST)
    kwargs.setdefault("allow_duplicate", True)
    return person_create(fabrique=fabrique, actor=actor, **kwargs)
