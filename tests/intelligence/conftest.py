"""Fixtures of the intelligence tests: territories of 44 and 85 with the Filosofi references, loaded
once per session (again after a transactional test flushed them), a small Nantes-area world."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from fabrique.intelligence.loader import reference_indicators_load
from fabrique.intelligence.models import IndicatorValue
from tests.territories.fixtures import load_test_territories

DEPARTEMENTS = ["44", "85"]


def load_reference_data() -> None:
    """Territories and reference indicators of 44 and 85 (idempotent, quick when already there)."""
    load_test_territories()
    if not IndicatorValue.objects.filter(level="commune", code="44109").exists():
        reference_indicators_load(departements=DEPARTEMENTS)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        load_reference_data()


@pytest.fixture
def reference_data(db):
    load_reference_data()


@pytest.fixture
def media_root(settings, tmp_path):
    """Uploaded indicator files go to a temporary private media folder."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.FABRIQUE_PRIVATE_MEDIA_ROOT = str(tmp_path / "private-media")
    return settings.FABRIQUE_PRIVATE_MEDIA_ROOT


@dataclass
class NantesWorld:
    """Needs, organisations and projects around Nantes (44), for the context, map and diagnosis tests."""

    team: object
    mobility_rural: object  # need in Remouillé (1,932 inhabitants, 11 km from Clisson), mobility
    mobility_vallet: object  # need in Vallet (9 km from Clisson, another EPCI), mobility
    food_bellevue: object  # need in Saint-Herblain, QPV Bellevue, food
    housing_nantes: object  # need in Nantes, housing, no offer
    transport_org: object  # association in Clisson offering solidarity transport
    food_org: object  # épicerie solidaire in Saint-Herblain
    far_org: object  # mobility association in La Roche-sur-Yon (85), far away
    project: object  # project in Rezé on mobility
    workstream: object


def commune(code: str):
    from fabrique.territories.models import Commune

    return Commune.objects.get(code=code, kind=Commune.Kind.CURRENT)


def make_nantes_world(team) -> NantesWorld:
    from fabrique.directory.services import organization_create
    from fabrique.needs.services import need_create
    from fabrique.projects.services import project_create
    from fabrique.territories.models import QPV
    from fabrique.workstreams.services import workstream_create

    fabrique, officer = team.fabrique, team.officer
    bellevue = QPV.objects.filter(communes__code="44162").order_by("code").first()

    def need(title, code, theme, **extra):
        return need_create(
            fabrique=fabrique,
            actor=officer,
            **{"title": title, "commune": commune(code), "theme": theme, **extra},
        )

    transport = organization_create(
        fabrique=fabrique,
        actor=officer,
        name="Mobil'Aide Vignoble",
        kind="association",
        commune=commune("44043"),
        description="Transport solidaire par des chauffeurs bénévoles.",
        roles=["reporter"],
    )
    food = organization_create(
        fabrique=fabrique,
        actor=officer,
        name="Épicerie solidaire de Bellevue",
        kind="association",
        commune=commune("44162"),
        description="Épicerie sociale et paniers de légumes.",
    )
    far = organization_create(
        fabrique=fabrique,
        actor=officer,
        name="Vélos partagés yonnais",
        kind="association",
        commune=commune("85191"),
        description="Atelier vélo et prêt de vélos.",
    )
    organization_create(
        fabrique=fabrique,
        actor=officer,
        name="Ville de Clisson",
        kind="municipality",
        commune=commune("44043"),
        description="Commune capteur pour la mobilité.",
    )
    workstream = workstream_create(
        fabrique=fabrique, actor=officer, name="Mobilité inclusive", members=[transport]
    )
    world = NantesWorld(
        team=team,
        mobility_rural=need("Se rendre au travail sans voiture", "44142", "mobility", workstream=workstream),
        mobility_vallet=need("Aller au marché sans voiture", "44212", "mobility"),
        food_bellevue=need("Manger frais à petit prix", "44162", "food", qpv=bellevue),
        housing_nantes=need("Logements pour apprentis", "44109", "housing"),
        transport_org=transport,
        food_org=food,
        far_org=far,
        project=None,
        workstream=workstream,
    )
    world.project = project_create(
        fabrique=fabrique,
        actor=officer,
        title="Garage solidaire de Rezé",
        summary="Réparation et location de voitures.",
        commune=commune("44143"),
        workstream=workstream,
        needs=[],
    )
    return world


@pytest.fixture
def nantes(team, reference_data) -> NantesWorld:
    return make_nantes_world(team)
