"""The demo's network side: a second fabrique (experimenting) whose projects are in the library, and
models reproduced across the two fabriques, all through the services (audited)."""

import pytest
from django.core.management import call_command

from fabrique.audit.models import AuditEntry
from fabrique.demo import content
from fabrique.essaimage.models import ModelSheet, Replication
from fabrique.essaimage.selectors import library
from fabrique.fabriques.models import Fabrique, NetworkStatus

pytestmark = pytest.mark.django_db


def test_the_second_fabrique_has_its_projects_in_the_library():
    call_command("load_demo", verbosity=0)
    vendee = Fabrique.objects.get(slug=content.VENDEE["slug"])
    nantes = Fabrique.objects.get(slug=content.NANTES["slug"])
    assert vendee.network_status == NetworkStatus.EXPERIMENTING
    published = list(library())
    assert {s.fabrique for s in published} == {vendee, nantes}
    assert len([s for s in published if s.fabrique == vendee]) == 2
    assert {s.territory_kind for s in published if s.fabrique == vendee} == {"rural"}
    epicerie = ModelSheet.objects.get(fabrique=vendee, theme="food")
    assert Replication.objects.get(sheet=epicerie).fabrique == nantes
    assert Replication.objects.filter(fabrique=vendee).exists()
    assert AuditEntry.objects.filter(action="essaimage.modelsheet.replicated", fabrique=vendee).exists()
