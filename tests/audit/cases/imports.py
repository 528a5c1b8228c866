"""Imports of organisations, people and reports from a spreadsheet: upload, mapping, apply, undo."""

from __future__ import annotations

from fabrique.imports import services as s
from tests.audit.harness import case

ORGS = b"Nom;Type;SIREN;Commune;E-mail\nAtelier du v\xc3\xa9lo;association;;44109;\n"


def _batch(t):
    return s.import_upload(
        fabrique=t.fabrique, actor=t.admin, kind="organizations", filename="structures.csv", data=ORGS
    )


def _mapped(t):
    batch = _batch(t)
    return s.import_map(batch=batch, actor=t.admin, mapping=batch.mapping, defaults={}, skip_duplicates=True)


def _applied(t):
    return s.import_apply(batch=_batch(t), actor=t.admin)


CASES = [
    case(s.import_upload, _batch, "imports.importbatch.uploaded", actor="admin"),
    case(s.import_map, _mapped, "imports.importbatch.mapped", actor="admin"),
    case(s.import_apply, _applied, "imports.importbatch.applied", actor="admin"),
    case(
        s.import_undo,
        lambda t: s.import_undo(batch=_applied(t), actor=t.admin),
        "imports.importbatch.undone",
        actor="admin",
    ),
    case(
        s.preset_save,
        lambda t: s.preset_save(
            fabrique=t.fabrique,
            actor=t.admin,
            kind="organizations",
            name="Export CRM",
            mapping={"name": "Nom"},
            defaults={},
        ),
        "imports.importpreset.created",
        {"name", "mapping"},
        actor="admin",
    ),
]
