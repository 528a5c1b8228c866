"""Essaimage: the network's library of model sheets and their replications."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile

from fabrique.essaimage import services as s
from tests.audit.harness import case
from tests.conftest import make_team
from tests.projects.factories import make_project

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _sheet(t, fabrique=None, actor=None):
    return s.model_sheet_publish(
        fabrique=fabrique or t.fabrique,
        actor=actor or t.officer,
        project=make_project(fabrique or t.fabrique, title="Épicerie itinérante"),
        title="Épicerie itinérante en camion",
        need_answered="Plus de commerce alimentaire dans les bourgs ruraux.",
        theme="food",
        public="elderly",
        territory_kind="rural",
        economic_model="Marge sur les ventes.",
    )


def _document(t):
    sheet = _sheet(t)
    s.model_document_add(
        sheet=sheet,
        actor=t.officer,
        title="Budget",
        file=SimpleUploadedFile("budget.pdf", PDF, "application/pdf"),
    )
    return sheet


def _replicated(t):
    other = make_team("vendee", "Fabrique de test Vendée")
    sheet = _sheet(t, other.fabrique, other.officer)
    return s.model_replicate(sheet=sheet, fabrique=t.fabrique, actor=t.officer, kind="need")


CASES = [
    case(s.model_sheet_publish, _sheet, "essaimage.modelsheet.created", {"title", "need_answered"}),
    case(
        s.model_sheet_update,
        lambda t: s.model_sheet_update(sheet=_sheet(t), actor=t.officer, results="Trois emplois"),
        "essaimage.modelsheet.updated",
        {"results"},
    ),
    case(s.model_document_add, _document, "essaimage.modelsheet.document_added", {"document"}),
    case(s.model_replicate, _replicated, "essaimage.replication.created", {"kind", "sheet"}),
]
