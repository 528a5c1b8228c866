"""Fixtures of the support and outcome tests: projects at each stage, a started plan, directory rows."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from fabrique.core.text import normalize_organization_name
from fabrique.directory.models import Organization, OrganizationKind
from fabrique.projects.models import Project, ProjectStage
from fabrique.support.services import support_plan_start

VALID_SIRET = "73282932000074"  # a real, valid SIRET (key checked by stdnum)


def make_project(fabrique, *, title="Épicerie solidaire", stage=ProjectStage.LEADER_SELECTED, officer=None):
    return Project.objects.create(fabrique=fabrique, title=title, stage=stage, officer=officer)


def make_organization(fabrique, name: str, kind: str = OrganizationKind.SUPPORT_NETWORK, roles=()):
    return Organization.objects.create(
        fabrique=fabrique,
        name=name,
        kind=kind,
        roles=list(roles),
        normalized_name=normalize_organization_name(name),
    )


def enterprise_data(**overrides) -> dict:
    data = {
        "legal_name": "SCIC L'Épicerie du quartier",
        "legal_form": "scic",
        "siret": "732 829 320 00074",
        "created_on": timezone.localdate() - datetime.timedelta(days=10),
        "jobs_fte": Decimal("2.5"),
        "commune": None,
        "website": "",
        "organization": None,
    }
    return {**data, **overrides}


@pytest.fixture
def project(team):
    return make_project(team.fabrique, officer=team.officer)


@pytest.fixture
def plan(team, project):
    return support_plan_start(
        project=project,
        actor=team.officer,
        started_on=timezone.localdate() - datetime.timedelta(days=30),
        objectives="Boucler le plan de financement",
    )


@pytest.fixture
def network(team):
    return make_organization(team.fabrique, "Coopérative d'activités Ozon")


@pytest.fixture
def funder(team):
    return make_organization(team.fabrique, "France Active Pays de la Loire", OrganizationKind.FUNDER)
