"""Indicator imports: upload, mapping, import — real-format files, bad files, nothing half-imported."""

import pytest
from django.core.exceptions import ValidationError

from fabrique.audit.models import AuditEntry
from fabrique.core.errors import TransitionNotAllowed
from fabrique.intelligence.models import ImportBatch, ImportStage, Indicator, IndicatorValue
from fabrique.intelligence.services import (
    ImportInvalid,
    import_batch_cancel,
    import_batch_map,
    import_batch_remap,
    import_batch_run,
    import_batch_upload,
    indicator_delete,
)
from fabrique.intelligence.tabular import FileReadError

from .helpers import upload

pytestmark = pytest.mark.django_db

NO_CAR = "menages_sans_voiture_nantes_metropole_latin1.csv"
INDICATOR = {
    "name": "Part des ménages sans voiture",
    "description": "Ménages sans voiture / ensemble des ménages.",
    "source": "INSEE, recensement de la population 2021",
    "source_url": "https://www.insee.fr/",
    "vintage": "2021",
    "unit": "%",
    "licence": "Licence Ouverte",
    "higher_is_worse": True,
    "aggregation": "ratio",
    "decimals": 1,
}
NO_CAR_MAPPING = {
    "level": "commune",
    "header_row": 4,
    "code_column": 0,
    "value_column": 3,
    "denominator_column": 2,
    "ignore_unknown": False,
}


def actions(target) -> list[str]:
    return list(AuditEntry.objects.for_target(target).order_by("pk").values_list("action", flat=True))


@pytest.fixture
def batch(team, media_root, reference_data):
    return import_batch_upload(fabrique=team.fabrique, actor=team.officer, uploaded_file=upload(NO_CAR))


def test_upload_detects_encoding_separator_header_and_columns(batch):
    assert batch.stage == ImportStage.UPLOADED
    assert batch.encoding == "cp1252"
    assert batch.delimiter == ";"
    assert batch.header_row == 4
    assert batch.mapping["code_column"] == 0
    assert batch.mapping["level"] == "commune"
    assert batch.original_name == NO_CAR
    assert actions(batch) == ["intelligence.importbatch.created"]


def test_full_import_of_a_latin1_file_with_secret_values(team, batch):
    # when
    plan = import_batch_map(batch=batch, actor=team.officer, mapping=NO_CAR_MAPPING, indicator_data=INDICATOR)
    batch.refresh_from_db()
    indicator = import_batch_run(batch=batch, actor=team.officer)
    # then
    batch.refresh_from_db()
    assert plan.ok and plan.summary()["rows"] == 24
    assert batch.stage == ImportStage.IMPORTED
    assert batch.indicator == indicator
    assert indicator.fabrique == team.fabrique
    assert indicator.name == "Part des ménages sans voiture"
    values = {v.code: v for v in IndicatorValue.objects.filter(indicator=indicator, level="commune")}
    assert len(values) == 24
    assert values["44109"].value == pytest.approx(31.25, abs=0.01)
    assert values["44109"].weight == pytest.approx(327734 / 2.1, abs=1)  # denominator kept as weight
    assert values["44171"].status == "secret" and values["44171"].value is None
    assert values["44094"].status == "missing"
    # the whole EPCI is covered: its value is computed; the département is not
    epci = IndicatorValue.objects.get(indicator=indicator, level="epci", code="244400404")
    assert epci.origin == "computed"
    assert 10 < epci.value < 35
    assert not IndicatorValue.objects.filter(indicator=indicator, level="departement").exists()
    assert batch.summary["ok"] == 22 and batch.summary["secret"] == 1 and batch.summary["missing"] == 1
    assert actions(batch) == [
        "intelligence.importbatch.created",
        "intelligence.importbatch.updated",
        "intelligence.importbatch.validated",
        "intelligence.importbatch.imported",
    ]
    assert actions(indicator) == ["intelligence.indicator.created", "intelligence.indicator.imported"]


def test_iris_file_in_utf8_with_bom(team, media_root, reference_data):
    batch = import_batch_upload(
        fabrique=team.fabrique, actor=team.officer, uploaded_file=upload("chomage_iris_utf8_bom.csv")
    )
    assert batch.encoding == "utf-8-sig"
    import_batch_map(
        batch=batch,
        actor=team.officer,
        mapping={"level": "iris", "header_row": 1, "code_column": 0, "value_column": 3},
        indicator_data={**INDICATOR, "name": "Taux de chômage", "aggregation": "mean", "unit": "%"},
    )
    indicator = import_batch_run(batch=batch, actor=team.officer)
    values = {v.code: v for v in IndicatorValue.objects.filter(indicator=indicator)}
    assert values["441620102"].value == pytest.approx(24.9)
    assert values["441430101"].status == "secret"
    assert values["441430102"].status == "missing"
    # communes computed from their IRIS (plain mean of the published ones)
    assert values["44162"].value == pytest.approx((7.5 + 24.9) / 2)
    assert values["44162"].origin == "computed"
    assert values["44143"].status == "secret"


def test_a_whole_departement_gives_its_reference(team, media_root, reference_data):
    from fabrique.territories.models import Commune

    lines = ["CODGEO;LIBGEO;P21_POP75P;P21_POP"]
    for code, name, pop in Commune.objects.filter(departement_id="44", kind="commune-actuelle").values_list(
        "code", "name", "population"
    ):
        lines.append(f"{code};{name};{round((pop or 0) * 0.1)};{pop}")
    content = ("\n".join(lines) + "\n").encode("utf-8")
    batch = import_batch_upload(
        fabrique=team.fabrique, actor=team.officer, uploaded_file=upload("pop75.csv", content)
    )
    import_batch_map(
        batch=batch,
        actor=team.officer,
        mapping={"level": "commune", "header_row": 1, "code_column": 0, "value_column": 2},
        indicator_data={
            **INDICATOR,
            "name": "Habitants de 75 ans ou plus",
            "unit": "habitants",
            "aggregation": "sum",
        },
    )
    indicator = import_batch_run(batch=batch, actor=team.officer)
    departement = IndicatorValue.objects.get(indicator=indicator, level="departement", code="44")
    total = sum(
        round((p or 0) * 0.1)
        for p in Commune.objects.filter(departement_id="44", kind="commune-actuelle").values_list(
            "population", flat=True
        )
    )
    assert departement.value == pytest.approx(total)
    assert not IndicatorValue.objects.filter(indicator=indicator, level="france").exists()


def test_unknown_codes_are_named_and_nothing_is_imported(team, media_root, reference_data):
    batch = import_batch_upload(
        fabrique=team.fabrique, actor=team.officer, uploaded_file=upload("population_codes_inconnus.csv")
    )
    before = (Indicator.objects.count(), IndicatorValue.objects.count())
    mapping = {"level": "commune", "header_row": 1, "code_column": 0, "value_column": 2}
    with pytest.raises(ImportInvalid) as error:
        import_batch_map(
            batch=batch,
            actor=team.officer,
            mapping=mapping,
            indicator_data=INDICATOR | {"aggregation": "sum"},
        )
    messages = error.value.messages
    assert (
        "Ligne 3, colonne « CODGEO » : code commune « 99999 » inconnu des tables territoriales." in messages
    )
    assert any(
        m.startswith("Ligne 5, colonne « CODGEO » : « 4A000 » n'est pas un code de commune") for m in messages
    )
    assert "rien n'a été importé" in error.value.message
    batch.refresh_from_db()
    assert batch.stage == ImportStage.UPLOADED
    assert (Indicator.objects.count(), IndicatorValue.objects.count()) == before
    # the import cannot run before a successful mapping
    with pytest.raises(TransitionNotAllowed):
        import_batch_run(batch=batch, actor=team.officer)


def test_ignore_unknown_codes_lists_them(team, media_root, reference_data):
    content = b"CODGEO;P21_POP\n44109;327734\n99999;12\n44162;50973\n"
    batch = import_batch_upload(
        fabrique=team.fabrique, actor=team.officer, uploaded_file=upload("p.csv", content)
    )
    plan = import_batch_map(
        batch=batch,
        actor=team.officer,
        mapping={
            "level": "commune",
            "header_row": 1,
            "code_column": 0,
            "value_column": 1,
            "ignore_unknown": True,
        },
        indicator_data=INDICATOR | {"aggregation": "sum"},
    )
    assert plan.skipped_unknown == ["99999"]
    indicator = import_batch_run(batch=batch, actor=team.officer)
    assert set(
        IndicatorValue.objects.filter(indicator=indicator, level="commune").values_list("code", flat=True)
    ) == {
        "44109",
        "44162",
    }


def test_wrong_value_column_names_row_and_column(team, batch):
    with pytest.raises(ImportInvalid) as error:
        import_batch_map(
            batch=batch,
            actor=team.officer,
            mapping={**NO_CAR_MAPPING, "value_column": 1, "denominator_column": None},
            indicator_data=INDICATOR | {"aggregation": "sum"},
        )
    first = error.value.messages[0]
    assert first.startswith("Ligne 5, colonne « Libellé » : « Basse-Goulaine » n'est pas un nombre")
    assert len(error.value.messages) == 24


def test_wrong_level_for_the_codes(team, batch):
    with pytest.raises(ImportInvalid) as error:
        import_batch_map(
            batch=batch,
            actor=team.officer,
            mapping={**NO_CAR_MAPPING, "level": "epci"},
            indicator_data=INDICATOR,
        )
    assert "n'est pas un code de intercommunalité (EPCI)" in error.value.messages[0]


def test_duplicate_codes(team, media_root, reference_data):
    content = b"CODGEO;X\n44109;1\n44109;2\n"
    batch = import_batch_upload(
        fabrique=team.fabrique, actor=team.officer, uploaded_file=upload("d.csv", content)
    )
    with pytest.raises(ImportInvalid) as error:
        import_batch_map(
            batch=batch,
            actor=team.officer,
            mapping={"level": "commune", "header_row": 1, "code_column": 0, "value_column": 1},
            indicator_data=INDICATOR | {"aggregation": "none"},
        )
    assert error.value.messages == ["Ligne 3, colonne « CODGEO » : le code « 44109 » figure déjà ligne 2."]


def test_indicator_description_is_validated_in_french(team, batch):
    with pytest.raises(ValidationError) as error:
        import_batch_map(
            batch=batch, actor=team.officer, mapping=NO_CAR_MAPPING, indicator_data=INDICATOR | {"name": ""}
        )
    assert "name" in error.value.message_dict
    batch.refresh_from_db()
    assert batch.stage == ImportStage.UPLOADED


def test_mixed_encodings_create_no_batch(team, media_root):
    with pytest.raises(FileReadError, match="mélange deux encodages"):
        import_batch_upload(
            fabrique=team.fabrique, actor=team.officer, uploaded_file=upload("encodages_melanges.csv")
        )
    assert not ImportBatch.objects.exists()


def test_a_failure_during_the_import_leaves_nothing(team, batch, monkeypatch):
    import_batch_map(batch=batch, actor=team.officer, mapping=NO_CAR_MAPPING, indicator_data=INDICATOR)
    before = (Indicator.objects.count(), IndicatorValue.objects.count(), AuditEntry.objects.count())

    def broken(**kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr("fabrique.intelligence.services.indicator_references_compute", broken)
    with pytest.raises(RuntimeError):
        import_batch_run(batch=batch, actor=team.officer)
    batch.refresh_from_db()
    assert batch.stage == ImportStage.VALIDATED
    assert (Indicator.objects.count(), IndicatorValue.objects.count(), AuditEntry.objects.count()) == before


def test_file_changed_on_disk_is_checked_again(team, batch):
    import_batch_map(batch=batch, actor=team.officer, mapping=NO_CAR_MAPPING, indicator_data=INDICATOR)
    with batch.file.open("wb") as fh:
        fh.write(b"x;y\n1;2\n")
    with pytest.raises(ImportInvalid):
        import_batch_run(batch=batch, actor=team.officer)
    assert not Indicator.objects.filter(fabrique=team.fabrique).exists()


def test_reimport_replaces_the_values(team, batch, media_root):
    import_batch_map(batch=batch, actor=team.officer, mapping=NO_CAR_MAPPING, indicator_data=INDICATOR)
    indicator = import_batch_run(batch=batch, actor=team.officer)
    content = b"CODGEO;Part\n44109;30,0\n"
    second = import_batch_upload(
        fabrique=team.fabrique, actor=team.officer, uploaded_file=upload("v2.csv", content)
    )
    import_batch_map(
        batch=second,
        actor=team.officer,
        mapping={"level": "commune", "header_row": 1, "code_column": 0, "value_column": 1},
        indicator=indicator,
    )
    import_batch_run(batch=second, actor=team.officer)
    values = IndicatorValue.objects.filter(indicator=indicator, level="commune")
    assert [(v.code, v.value) for v in values] == [("44109", 30.0)]
    assert actions(indicator)[-1] == "intelligence.indicator.imported"


def test_another_fabriques_indicator_cannot_be_targeted(team, other_team, batch):
    foreign = Indicator.objects.create(
        fabrique=other_team.fabrique,
        code="x",
        name="X",
        source="s",
        vintage="1",
        unit="",
        licence="l",
        level="commune",
    )
    with pytest.raises(ValidationError):
        import_batch_map(batch=batch, actor=team.officer, mapping=NO_CAR_MAPPING, indicator=foreign)


def test_stage_transitions(team, batch):
    import_batch_map(batch=batch, actor=team.officer, mapping=NO_CAR_MAPPING, indicator_data=INDICATOR)
    batch.refresh_from_db()
    back = import_batch_remap(batch=batch, actor=team.officer)
    assert back.stage == ImportStage.UPLOADED
    assert actions(batch)[-1] == "intelligence.importbatch.uploaded"
    cancelled = import_batch_cancel(batch=batch, actor=team.officer)
    assert cancelled.stage == ImportStage.CANCELLED
    assert actions(batch)[-1] == "intelligence.importbatch.cancelled"
    with pytest.raises(TransitionNotAllowed):
        import_batch_remap(batch=cancelled, actor=team.officer)
    with pytest.raises(TransitionNotAllowed):
        import_batch_map(
            batch=cancelled, actor=team.officer, mapping=NO_CAR_MAPPING, indicator_data=INDICATOR
        )


def test_indicator_delete_is_soft_and_audited(team, batch):
    import_batch_map(batch=batch, actor=team.officer, mapping=NO_CAR_MAPPING, indicator_data=INDICATOR)
    indicator = import_batch_run(batch=batch, actor=team.officer)
    indicator_delete(indicator=indicator, actor=team.officer)
    assert not Indicator.objects.filter(pk=indicator.pk).exists()
    assert Indicator.all_objects.get(pk=indicator.pk).deleted_at is not None
    assert actions(indicator)[-1] == "intelligence.indicator.deleted"


def test_import_command(team, media_root, reference_data, capsys):
    from django.core.management import CommandError, call_command

    from .helpers import DATA

    args = [
        str(DATA / NO_CAR),
        "--fabrique",
        team.fabrique.slug,
        "--level",
        "commune",
        "--code-column",
        "0",
        "--value-column",
        "3",
        "--denominator-column",
        "2",
        "--name",
        "Ménages sans voiture",
        "--source",
        "INSEE",
        "--vintage",
        "2021",
        "--licence",
        "Licence Ouverte",
        "--unit",
        "%",
        "--aggregation",
        "ratio",
        "--higher-is-worse",
    ]
    call_command("import_indicator", *args)
    assert "22 valeurs, 1 secrètes, 1 manquantes" in capsys.readouterr().out
    indicator = Indicator.objects.get(fabrique=team.fabrique)
    assert indicator.higher_is_worse is True
    bad = [str(DATA / "population_codes_inconnus.csv"), *args[1:7], "--value-column", "2", *args[11:]]
    bad[bad.index("ratio")] = "sum"
    with pytest.raises(CommandError, match="rien n'a été importé"):
        call_command("import_indicator", *bad)
    assert "99999" in capsys.readouterr().err
    assert Indicator.objects.filter(fabrique=team.fabrique).count() == 1
