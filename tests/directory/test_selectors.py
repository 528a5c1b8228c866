import datetime

import pytest
from django.utils import timezone

from fabrique.core.indicators import indicator
from fabrique.directory.models import EcosystemRole, OrganizationKind, Purpose
from fabrique.directory.selectors import (
    organization_list,
    organization_probable_duplicates,
    people_retention_due,
    person_list,
)
from fabrique.directory.services import organization_delete, person_anonymize
from tests.workstreams.factories import make_workstream

from .factories import make_commune, make_organization, make_person

pytestmark = pytest.mark.django_db


def names(qs):
    return sorted(o.name for o in qs)


@pytest.fixture
def directory(team, other_team):
    nantes = make_commune(postal_codes="44000")
    roche = make_commune("85191", "La Roche-sur-Yon")
    f, u = team.fabrique, team.officer
    eco = make_organization(
        f,
        u,
        name="Les Écossolies",
        kind=OrganizationKind.SUPPORT_NETWORK,
        commune=nantes,
        siren="552100554",
        roles=[EcosystemRole.SUPPORT_NETWORK, EcosystemRole.COPIL_MEMBER],
    )
    ruche = make_organization(
        f,
        u,
        name="La Ruche de Saint-Herblain",
        kind=OrganizationKind.ASSOCIATION,
        email="bonjour@laruche.org",
        roles=[EcosystemRole.REPORTER],
    )
    mairie = make_organization(
        f,
        u,
        name="Mairie de La Roche-sur-Yon",
        kind=OrganizationKind.MUNICIPALITY,
        commune=roche,
        roles=[EcosystemRole.REPORTER, EcosystemRole.FUNDER],
    )
    make_organization(other_team.fabrique, other_team.officer, name="Écossolies de Vendée", siren="552100554")
    return {"eco": eco, "ruche": ruche, "mairie": mairie}


def test_list_is_scoped_to_the_fabrique(team, directory):
    assert names(organization_list(fabrique=team.fabrique)) == [
        "La Ruche de Saint-Herblain",
        "Les Écossolies",
        "Mairie de La Roche-sur-Yon",
    ]
    assert indicator("directory.organizations").value(team.fabrique) == 3


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("ecossolies", ["Les Écossolies"]),
        ("ÉCOSSOLIES", ["Les Écossolies"]),
        ("saint herblain", ["La Ruche de Saint-Herblain"]),
        ("st-herblain ruche", ["La Ruche de Saint-Herblain"]),
        ("552 100", ["Les Écossolies"]),
        ("laruche.org", ["La Ruche de Saint-Herblain"]),
        ("roche yon", ["Mairie de La Roche-sur-Yon"]),
        ("introuvable", []),
    ],
)
def test_search_is_accent_insensitive_on_name_siren_and_email(team, directory, query, expected):
    assert names(organization_list(fabrique=team.fabrique, filters={"q": query})) == expected


def test_filters(team, directory):
    f = team.fabrique
    assert names(organization_list(fabrique=f, filters={"kind": "municipality"})) == [
        "Mairie de La Roche-sur-Yon"
    ]
    assert names(organization_list(fabrique=f, filters={"role": "reporter"})) == [
        "La Ruche de Saint-Herblain",
        "Mairie de La Roche-sur-Yon",
    ]
    assert names(organization_list(fabrique=f, filters={"role": "funder"})) == ["Mairie de La Roche-sur-Yon"]
    assert names(organization_list(fabrique=f, filters={"departement": "85"})) == [
        "Mairie de La Roche-sur-Yon"
    ]
    commune = directory["eco"].commune_id
    assert names(organization_list(fabrique=f, filters={"commune": commune})) == ["Les Écossolies"]
    ws = make_workstream(f, team.officer, members=[directory["ruche"]])
    assert names(organization_list(fabrique=f, filters={"workstream": ws.pk})) == [
        "La Ruche de Saint-Herblain"
    ]


def test_a_filter_value_of_another_fabrique_matches_nothing(team, other_team, directory):
    foreign_ws = make_workstream(other_team.fabrique, other_team.officer)
    # invalid choice for this fabrique: the filter is ignored, never applied to the other fabrique's rows
    result = organization_list(fabrique=team.fabrique, filters={"workstream": foreign_ws.pk})
    assert all(o.fabrique_id == team.fabrique.pk for o in result)


def test_deleted_rows_leave_lists_and_duplicates(team, directory):
    organization_delete(organization=directory["eco"], actor=team.officer)
    assert "Les Écossolies" not in names(organization_list(fabrique=team.fabrique))
    assert not organization_probable_duplicates(fabrique=team.fabrique, name="x", siren="552100554").exists()


def test_people_list_search_and_count(team, directory):
    f, u = team.fabrique, team.officer
    make_person(
        f,
        u,
        first_name="Hélène",
        last_name="Gaudin",
        email="helene@ecossolies.fr",
        organization=directory["eco"],
    )
    make_person(
        f,
        u,
        first_name="Noé",
        last_name="Bérard",
        organization=directory["mairie"],
        purpose=Purpose.COMMITTEES,
    )
    gone = make_person(f, u, first_name="Anne", last_name="Onyme")
    person_anonymize(person=gone, actor=u)

    def people(**filters):
        return sorted(str(p) for p in person_list(fabrique=f, filters=filters))

    assert people(q="helene") == ["Hélène Gaudin"]
    assert people(q="BERARD noe") == ["Noé Bérard"]
    assert people(q="ecossolies.fr") == ["Hélène Gaudin"]
    assert people(role="funder") == ["Noé Bérard"]
    assert people(kind="support-network") == ["Hélène Gaudin"]
    assert people(purpose="committees") == ["Noé Bérard"]
    assert people(organization=directory["eco"].pk) == ["Hélène Gaudin"]
    assert indicator("directory.people").value(f) == 2  # anonymised contacts are not counted


def test_people_retention_due(team):
    f, u = team.fabrique, team.officer
    today = timezone.localdate()
    soon = make_person(f, u, last_name="Bientôt", retention_until=today + datetime.timedelta(days=10))
    past = make_person(f, u, last_name="Passé", retention_until=today - datetime.timedelta(days=1))
    make_person(f, u, last_name="Plus tard")
    due = list(people_retention_due(fabrique=f, until=today + datetime.timedelta(days=30)))
    assert due == [past, soon]
