"""Permission matrix of territorial intelligence: indicators and their import, map, diagnoses,
priorities, the context of a need.

`populate` gives each side (names carry `label`):
- import_batch: a file just uploaded (mapping step);
- validated_batch: a file mapped and ready to import (confirmation step);
- indicator: an indicator imported by the fabrique;
- diagnosis_zone: a diagnosis zone (Nantes);
and uses `need` from the needs module.
"""

from .rules import E, Rule, V, foreign_pk, pk

BATCH = {"params": pk("import_batch"), "foreign": foreign_pk("import_batch")}
ZONE = {"params": pk("diagnosis_zone"), "foreign": foreign_pk("diagnosis_zone")}

_MATRIX = {
    "backoffice:indicators": Rule(V),
    "backoffice:indicator_import": Rule(E, post=True),
    "backoffice:indicator_import_preview": Rule(E, **BATCH, post=True),
    "backoffice:indicator_import_confirm": Rule(
        E, params=pk("validated_batch"), foreign=foreign_pk("validated_batch"), post=True
    ),
    "backoffice:indicator_detail": Rule(V, params=pk("indicator"), foreign=foreign_pk("indicator")),
    # deletes on any confirmed POST: checked by GET (confirmation page); POST rights in tests/intelligence
    "backoffice:indicator_delete": Rule(E, params=pk("indicator"), foreign=foreign_pk("indicator")),
    "backoffice:map": Rule(V),
    "backoffice:map_data": Rule(V),
    "backoffice:diagnosis_list": Rule(V),
    "backoffice:diagnosis_create": Rule(E, post=True),
    # the zone, its communes, and one query per indicator level read (fixed, not per row)
    "backoffice:diagnosis_detail": Rule(V, **ZONE, queries=25),
    "backoffice:diagnosis_update": Rule(E, **ZONE, post=True),
    # the diagnosis page's sections, rendered to PDF: same fixed queries as diagnosis_detail
    "backoffice:diagnosis_pdf": Rule(V, **ZONE, queries=25),
    # reads the stored insights, ranked in SQL (10 queries). It used 25 alone and 26 in a full run when
    # it computed the ranking in the request: the national reference indicators (poverty, income) are
    # committed to the test database by tests/intelligence's session fixture, and when one exists the
    # ranking read its département/France values (one more query per indicator present) — the count
    # depended on which tests ran first, not on the page. Now that runs in the worker (insights.py).
    "backoffice:priorities": Rule(V),
    "backoffice:priority_settings": Rule(E, post=True),
    "backoffice:need_context": Rule(V, params=pk("need"), foreign=foreign_pk("need")),
}


MATRIX = _MATRIX


def populate(side, label: str) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from fabrique.intelligence.services import (
        diagnosis_zone_create,
        import_batch_map,
        import_batch_run,
        import_batch_upload,
    )
    from fabrique.territories.models import Commune
    from tests.territories.fixtures import load_test_territories

    load_test_territories()
    fabrique, officer = side.team.fabrique, side.team.officer
    content = f"Code;Libellé;Valeur {label}\n44109;Nantes;12,5\n44162;Saint-Herblain;s\n".encode(
        "cp1252", "replace"
    )
    indicator_data = {
        "name": f"Indicateur {label}",
        "source": f"Source {label}",
        "vintage": "2021",
        "unit": "%",
        "licence": "Licence Ouverte",
        "aggregation": "weighted_mean",
    }
    mapping = {"level": "commune", "header_row": 1, "code_column": 0, "value_column": 2}

    def batch(name: str):
        return import_batch_upload(
            fabrique=fabrique, actor=officer, uploaded_file=SimpleUploadedFile(name, content)
        )

    uploaded = batch("indicateur.csv")
    validated = batch("indicateur-pret.csv")
    import_batch_map(batch=validated, actor=officer, mapping=mapping, indicator_data=indicator_data)
    imported = batch("indicateur-importe.csv")
    import_batch_map(batch=imported, actor=officer, mapping=mapping, indicator_data=indicator_data)
    indicator = import_batch_run(batch=imported, actor=officer)
    zone = diagnosis_zone_create(
        fabrique=fabrique,
        actor=officer,
        name=f"Zone {label}",
        description=f"Diagnostic {label}",
        communes=[Commune.objects.get(code="44109", kind=Commune.Kind.CURRENT)],
    )
    uploaded.refresh_from_db()
    validated.refresh_from_db()
    side.objects.update(
        import_batch=uploaded, validated_batch=validated, indicator=indicator, diagnosis_zone=zone
    )
