"""Permission matrix of the spreadsheet imports (staff who may edit).

`populate` gives each side (names carry `label`):
- import_draft: an organisations file read, with its guessed mapping (mapping and preview steps);
- import_applied: an organisations file imported (undo available).
"""

from .rules import E, Rule, foreign_pk, pk

DRAFT = {"params": pk("import_draft"), "foreign": foreign_pk("import_draft")}
APPLIED = {"params": pk("import_applied"), "foreign": foreign_pk("import_applied")}

MATRIX = {
    "backoffice:import_list": Rule(E, post=True),
    # the preview checks every row of the file: a fixed number of queries (the directory read once)
    "backoffice:import_detail": Rule(E, **DRAFT),
    "backoffice:import_mapping": Rule(E, **DRAFT, post=True),
    # actions: GET shows the batch page, POST acts (tested in tests/imports/test_views.py)
    "backoffice:import_apply": Rule(E, **DRAFT),
    "backoffice:import_undo": Rule(E, **APPLIED),
}


def populate(side, label: str) -> None:
    from fabrique.imports.services import import_apply, import_upload

    fabrique, officer = side.team.fabrique, side.team.officer
    content = f"Nom;Type;Commune\nStructure importée {label};association;Nantes\n".encode()
    draft = import_upload(
        fabrique=fabrique,
        actor=officer,
        kind="organizations",
        filename=f"structures-{label}.csv",
        data=content,
    )
    applied = import_upload(
        fabrique=fabrique,
        actor=officer,
        kind="organizations",
        filename=f"appliqué-{label}.csv",
        data=f"Nom;Type\nAutre structure importée {label};association\n".encode(),
    )
    applied = import_apply(batch=applied, actor=officer)
    side.objects.update(import_draft=draft, import_applied=applied)
