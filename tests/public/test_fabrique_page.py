"""The public page of a fabrique: presentation, team and contacts, chantiers, projects in progress and
created enterprises, open calls, supporters with their logos, "signaler un besoin"; admin-editable."""

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from fabrique.directory.models import Organization, SupporterKind
from fabrique.fabriques.services import fabrique_update
from fabrique.projects.models import ProjectStage
from fabrique.workstreams.models import Workstream, WorkstreamStatus
from tests.directory.factories import make_organization
from tests.projects.factories import make_project

pytestmark = pytest.mark.django_db

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
    b"\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82"
)


@pytest.fixture(autouse=True)
def _memory_files(settings):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    }


def test_the_public_page_shows_what_a_fabrique_site_shows(client, team):
    fabrique = team.fabrique
    fabrique_update(
        fabrique=fabrique,
        actor=team.admin,
        description="Nous repérons les besoins du territoire.",
        public_how_we_work="Des ateliers ouverts chaque mois.",
        public_team="Claire Morvan — directrice — claire@fabrique.example.org\nInès Le Goff — chargée de mission",
        contact_email="contact@fabrique.example.org",
    )
    Workstream.objects.create(fabrique=fabrique, name="Alimentation durable", code="alim")
    Workstream.objects.create(fabrique=fabrique, name="Archivé", code="old", status=WorkstreamStatus.ARCHIVED)
    make_project(fabrique, title="Garage solidaire", is_public=True)
    make_project(fabrique, title="Projet interne", is_public=False)
    funder = make_organization(
        fabrique, team.admin, name="Banque des Territoires", public_supporter=SupporterKind.FUNDER
    )
    make_organization(fabrique, team.admin, name="Mairie partenaire", public_supporter=SupporterKind.PARTNER)
    make_organization(fabrique, team.admin, name="Structure discrète")
    funder.logo.save("bdt.png", ContentFile(PNG))  # the private storage, as an upload would
    page = client.get(reverse("public:fabrique", kwargs={"fabrique_slug": fabrique.slug})).content.decode()
    for text in (
        "Nous repérons les besoins du territoire.",
        "Des ateliers ouverts chaque mois.",
        "Claire Morvan",
        "mailto:claire@fabrique.example.org",
        "Inès Le Goff",
        "Alimentation durable",
        "Garage solidaire",
        "Mairie partenaire",
        "Signaler un besoin",
        "Financeurs",
        "labellisée",
    ):
        assert text in page, text
    assert "Projet interne" not in page and "Structure discrète" not in page and "Archivé" not in page
    logo_url = reverse("public:supporter_logo", kwargs={"fabrique_slug": fabrique.slug, "pk": funder.pk})
    assert logo_url in page
    response = client.get(logo_url)
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    # a structure that is not shown as a supporter has no public logo
    hidden = Organization.objects.get(name="Structure discrète")
    assert (
        client.get(
            reverse("public:supporter_logo", kwargs={"fabrique_slug": fabrique.slug, "pk": hidden.pk})
        ).status_code
        == 404
    )


def test_created_enterprises_are_listed_apart(client, team):
    from decimal import Decimal

    from fabrique.projects.models import Enterprise

    project = make_project(team.fabrique, title="Recyclerie", is_public=True, stage=ProjectStage.CREATED)
    Enterprise.objects.create(
        project=project,
        legal_name="SCIC La Recyclerie",
        legal_form="scic",
        created_on="2025-03-01",
        jobs_fte=Decimal("3"),
    )
    page = client.get(
        reverse("public:fabrique", kwargs={"fabrique_slug": team.fabrique.slug})
    ).content.decode()
    assert "SCIC La Recyclerie" in page and "créée en mars 2025" in page


def test_admins_edit_the_public_texts(login, team):
    client = login(team.admin)
    url = reverse("backoffice:fabrique_settings", kwargs={"fabrique_slug": team.fabrique.slug})
    form = client.get(url).content.decode()
    assert "public_team" in form and "public_how_we_work" in form
    response = client.post(
        url,
        {
            "name": team.fabrique.name,
            "public_team": "Ana Diaz — accueil — 02 40 00 00 00",
            "public_how_we_work": "X",
        },
    )
    assert response.status_code == 302
    team.fabrique.refresh_from_db()
    assert team.fabrique.public_team.startswith("Ana Diaz")
