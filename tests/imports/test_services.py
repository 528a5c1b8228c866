"""Imports of organisations, people and reports: mapping, preview, duplicates, apply, undo, bad files."""

import datetime
import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
from openpyxl import Workbook

from fabrique.audit.models import AuditEntry
from fabrique.core.errors import DomainError
from fabrique.directory.models import Organization, Person
from fabrique.directory.services import organization_create
from fabrique.imports.models import ImportPreset, ImportStatus
from fabrique.imports.parsing import CellError, parse_date
from fabrique.imports.services import (
    MAX_IMPORT_ROWS,
    import_apply,
    import_check,
    import_map,
    import_undo,
    import_upload,
)
from fabrique.needs.models import NeedReport, ReportFeatures


def csv_bytes(text: str, encoding: str = "utf-8") -> bytes:
    return text.encode(encoding)


def xlsx_bytes(rows) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


ORGS = """Nom;Type;SIREN;Commune;E-mail
Collectif 3R nantais;association;;Nantes;contact@3r.test
Atelier du vélo;Association;;44109;
Ressourcerie Sud;entreprise;;Rezé;
"""


@pytest.mark.django_db
@pytest.mark.parametrize(
    "text,expected",
    [
        ("01/02/2024", datetime.date(2024, 2, 1)),
        ("1/2/2024", datetime.date(2024, 2, 1)),
        ("01-02-24", datetime.date(2024, 2, 1)),
        ("01.02.2024", datetime.date(2024, 2, 1)),
        ("2024-02-01", datetime.date(2024, 2, 1)),
        ("2024-02-01T00:00:00", datetime.date(2024, 2, 1)),
        ("1er février 2024", datetime.date(2024, 2, 1)),
        ("1 févr. 2024", datetime.date(2024, 2, 1)),
        ("jeudi 1er février 2024", datetime.date(2024, 2, 1)),
        ("15 AOÛT 2023", datetime.date(2023, 8, 15)),
        ("45323", datetime.date(2024, 2, 1)),
    ],
)
def test_french_dates(text, expected):
    assert parse_date(text) == expected


@pytest.mark.parametrize("text", ["31/02/2024", "13/13/2024", "demain", "01/02/3024"])
def test_wrong_dates_are_refused_in_french(text):
    with pytest.raises(CellError) as excinfo:
        parse_date(text)
    assert "date" in str(excinfo.value)


@pytest.mark.django_db
def test_organizations_import_flags_close_names_and_applies_atomically(team):
    organization_create(
        fabrique=team.fabrique, actor=team.admin, name="Collectif 3R Nantes", kind="association"
    )
    batch = import_upload(
        fabrique=team.fabrique,
        actor=team.admin,
        kind="organizations",
        filename="structures.csv",
        data=csv_bytes(ORGS),
    )
    # the mapping is guessed from the column names
    assert batch.mapping["name"] == 0 and batch.mapping["kind"] == 1 and batch.mapping["commune"] == 3
    check = import_check(batch=batch)
    assert check.ok, [r.errors for r in check.rows]
    flagged = {r.line: r.duplicates for r in check.rows if r.duplicates}
    assert list(flagged) == [2]
    assert "Collectif 3R Nantes" in flagged[2][0]
    assert Organization.objects.filter(fabrique=team.fabrique).count() == 1  # the check wrote nothing
    batch = import_apply(batch=batch, actor=team.admin)
    assert batch.status == ImportStatus.APPLIED
    assert batch.skipped_lines == [2]
    names = set(Organization.objects.filter(fabrique=team.fabrique).values_list("name", flat=True))
    assert names == {"Collectif 3R Nantes", "Atelier du vélo", "Ressourcerie Sud"}
    velo = Organization.objects.get(name="Atelier du vélo")
    assert velo.commune.code == "44109" and velo.kind == "association"
    assert AuditEntry.objects.for_target(velo).filter(action="directory.organization.created").exists()
    assert AuditEntry.objects.for_target(batch).filter(action="imports.importbatch.applied").exists()
    # undo: the two rows created are soft-deleted, audited
    import_undo(batch=batch, actor=team.admin)
    names = set(Organization.objects.filter(fabrique=team.fabrique).values_list("name", flat=True))
    assert names == {"Collectif 3R Nantes"}
    assert AuditEntry.objects.for_target(velo).filter(action="directory.organization.deleted").exists()
    with pytest.raises(DomainError):
        import_undo(batch=batch, actor=team.admin)


@pytest.mark.django_db
def test_duplicates_imported_when_asked(team):
    organization_create(
        fabrique=team.fabrique, actor=team.admin, name="Collectif 3R Nantes", kind="association"
    )
    batch = import_upload(
        fabrique=team.fabrique, actor=team.admin, kind="organizations", filename="s.csv", data=csv_bytes(ORGS)
    )
    batch = import_map(
        batch=batch, actor=team.admin, mapping=batch.mapping, defaults={}, skip_duplicates=False
    )
    import_apply(batch=batch, actor=team.admin)
    assert Organization.objects.filter(fabrique=team.fabrique).count() == 4


@pytest.mark.django_db
def test_one_bad_row_blocks_everything_with_its_line(team):
    data = csv_bytes("Nom;Type;SIREN\nA;association;\nB;inconnu;\nC;association;12\n")
    batch = import_upload(
        fabrique=team.fabrique, actor=team.admin, kind="organizations", filename="s.csv", data=data
    )
    check = import_check(batch=batch)
    errors = {r.line: r.errors for r in check.error_rows}
    assert list(errors) == [3, 4]
    assert "« inconnu » n'est pas une valeur possible" in errors[3][0]
    assert "SIREN" in errors[4][0]
    with pytest.raises(DomainError) as excinfo:
        import_apply(batch=batch, actor=team.admin)
    assert "2 lignes sont en erreur" in excinfo.value.message
    assert not Organization.objects.filter(fabrique=team.fabrique).exists()


@pytest.mark.django_db
def test_missing_required_column_is_refused_at_mapping(team):
    data = csv_bytes("Raison;Ville\nA;Nantes\n")
    batch = import_upload(
        fabrique=team.fabrique, actor=team.admin, kind="organizations", filename="s.csv", data=data
    )
    assert batch.mapping["name"] is None
    with pytest.raises(ValidationError) as excinfo:
        import_map(batch=batch, actor=team.admin, mapping={"name": None, "kind": None}, defaults={})
    assert "Champ obligatoire" in str(excinfo.value.message_dict["name"])
    # fix the mapping: column 0 is the name, kind by default; saved as a preset
    batch = import_map(
        batch=batch,
        actor=team.admin,
        mapping={"name": 0, "commune": 1},
        defaults={"kind": "association"},
        preset_name="Notre tableur",
    )
    assert import_check(batch=batch).ok
    preset = ImportPreset.objects.get(fabrique=team.fabrique, name="Notre tableur")
    assert preset.mapping["name"] == "Raison" and preset.defaults == {"kind": "association"}
    again = import_upload(
        fabrique=team.fabrique,
        actor=team.admin,
        kind="organizations",
        filename="t.csv",
        data=data,
        preset=preset,
    )
    assert again.mapping["name"] == 0 and again.defaults == {"kind": "association"}


@pytest.mark.django_db
def test_people_import_matches_organizations_and_flags_same_email(team):
    organization_create(
        fabrique=team.fabrique,
        actor=team.admin,
        name="Atelier du vélo",
        kind="association",
        siren="552100554",
    )
    data = csv_bytes(
        "Nom;Prénom;E-mail;Structure;Téléphone\n"
        "Durand;Anne;anne@velo.test;Atelier du Velo;612345678\n"
        "Martin;Paul;ANNE@velo.test;552 100 554;\n"
        "Petit;Léa;;Inconnue SA;\n"
    )
    batch = import_upload(
        fabrique=team.fabrique, actor=team.admin, kind="people", filename="p.csv", data=data
    )
    batch = import_map(
        batch=batch,
        actor=team.admin,
        mapping=batch.mapping,
        defaults={"purpose": "other", "legal_basis": "legitimate-interest"},
    )
    check = import_check(batch=batch)
    rows = {r.line: r for r in check.rows}
    assert rows[2].values["phone"] == "+33612345678"
    assert rows[3].duplicates == ["même e-mail que la ligne 2"]
    assert "n'est pas dans l'annuaire" in rows[4].errors[0]


@pytest.mark.django_db
def test_reports_import_goes_through_grouping(team):
    data = csv_bytes(
        "Titre;Description;Commune;Date;Thème\n"
        "Pas de laverie solidaire;Les habitants du quartier n'ont pas de laverie;Nantes;1er février 2024;autre\n"
        "Pas d'épicerie;;Saint-Herblain;01/03/24;alimentation\n"
    )
    batch = import_upload(
        fabrique=team.fabrique, actor=team.officer, kind="reports", filename="r.csv", data=data
    )
    batch = import_apply(batch=batch, actor=team.officer)
    reports = NeedReport.objects.filter(pk__in=batch.created_ids).order_by("pk")
    assert [r.reported_on for r in reports] == [datetime.date(2024, 2, 1), datetime.date(2024, 3, 1)]
    assert reports[1].theme == "food"
    assert reports[0].commune.code == "44109"
    assert all(r.reference for r in reports)
    assert ReportFeatures.objects.filter(report__in=reports).count() == 2  # the grouping path
    assert AuditEntry.objects.for_target(reports[0]).filter(action="needs.needreport.created").exists()
    import_undo(batch=batch, actor=team.officer)
    assert not NeedReport.objects.filter(pk__in=batch.created_ids).exists()


# --- bad files -------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_cp1252_file_is_read(team):
    data = csv_bytes("Nom;Type\nAtelier du vélo;association\nŒuvre commune;association\n", "cp1252")
    batch = import_upload(
        fabrique=team.fabrique, actor=team.admin, kind="organizations", filename="s.csv", data=data
    )
    assert batch.encoding == "cp1252"
    assert batch.rows[0][1][0] == "Atelier du vélo"
    assert batch.rows[1][1][0] == "Œuvre commune"


@pytest.mark.django_db
def test_mixed_encoding_is_refused_in_french(team):
    data = "Nom;Type\nAtelier du vélo;association\n".encode() + "Forêt;association\n".encode("latin-1")
    with pytest.raises(DomainError) as excinfo:
        import_upload(
            fabrique=team.fabrique, actor=team.admin, kind="organizations", filename="s.csv", data=data
        )
    assert "encodages" in excinfo.value.message and "ligne 3" in excinfo.value.message


@pytest.mark.django_db
def test_too_many_rows_are_refused_with_a_clear_message(team):
    lines = ["Nom;Type"] + [f"Structure {i};association" for i in range(100_000)]
    with pytest.raises(DomainError) as excinfo:
        import_upload(
            fabrique=team.fabrique,
            actor=team.admin,
            kind="organizations",
            filename="s.csv",
            data=csv_bytes("\n".join(lines)),
        )
    assert "100\u202f000 lignes" in excinfo.value.message
    assert f"{MAX_IMPORT_ROWS:,}".replace(",", "\u202f") in excinfo.value.message
    assert not AuditEntry.objects.filter(action="imports.importbatch.uploaded").exists()


@pytest.mark.django_db
def test_xlsx_zip_bomb_is_refused(team):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"<a>" + b"0" * (80 * 1024 * 1024) + b"</a>")
    data = out.getvalue()
    assert len(data) < 1024 * 1024
    with pytest.raises(DomainError) as excinfo:
        import_upload(
            fabrique=team.fabrique, actor=team.admin, kind="organizations", filename="s.xlsx", data=data
        )
    assert "trop volumineux une fois décompressé" in excinfo.value.message


@pytest.mark.django_db
def test_formulas_are_not_imported(team):
    data = xlsx_bytes(
        [["Nom", "Type"], ['=HYPERLINK("http://x","clic")', "association"], ["Atelier", "association"]]
    )
    batch = import_upload(
        fabrique=team.fabrique, actor=team.admin, kind="organizations", filename="s.xlsx", data=data
    )
    check = import_check(batch=batch)
    assert [r.line for r in check.error_rows] == [2]
    assert "formule" in check.error_rows[0].errors[0]
    csv_data = csv_bytes("Nom;Type\n=1+2;association\n")
    batch = import_upload(
        fabrique=team.fabrique, actor=team.admin, kind="organizations", filename="s.csv", data=csv_data
    )
    assert "formule" in import_check(batch=batch).error_rows[0].errors[0]


@pytest.mark.django_db
def test_xlsx_dates_and_numbers(team):
    data = xlsx_bytes(
        [
            ["Titre", "Date", "Commune"],
            ["Pas de laverie", datetime.datetime(2024, 2, 1), 44109],
            ["Pas de bus", "01-02-24", "Nantes"],
        ]
    )
    batch = import_upload(
        fabrique=team.fabrique, actor=team.admin, kind="reports", filename="r.xlsx", data=data
    )
    check = import_check(batch=batch)
    assert check.ok, [r.errors for r in check.rows]
    assert [r.values["reported_on"] for r in check.rows] == [datetime.date(2024, 2, 1)] * 2


@pytest.mark.django_db
@pytest.mark.parametrize(
    "data,filename,message",
    [
        (b"", "s.csv", "vide"),
        (b"Nom;Type\n", "s.csv", "aucune ligne"),
        (b"PK\x03\x04garbage", "s.xlsx", "illisible"),
        (b"\x00\x01\x02binary", "s.csv", "n'est pas un fichier texte"),
        (b"abc", "s.xls", ".xls"),
    ],
)
def test_unreadable_files(team, data, filename, message):
    with pytest.raises(DomainError) as excinfo:
        import_upload(
            fabrique=team.fabrique, actor=team.admin, kind="organizations", filename=filename, data=data
        )
    assert message in excinfo.value.message


@pytest.mark.django_db
def test_undo_refused_when_a_report_was_worked_on(team):
    from fabrique.needs.services import need_create_from_report

    data = csv_bytes("Titre\nPas de laverie\n")
    batch = import_upload(
        fabrique=team.fabrique, actor=team.admin, kind="reports", filename="r.csv", data=data
    )
    batch = import_apply(batch=batch, actor=team.admin)
    report = NeedReport.objects.get(pk=batch.created_ids[0])
    need_create_from_report(report=report, actor=team.admin)
    with pytest.raises(DomainError) as excinfo:
        import_undo(batch=batch, actor=team.admin)
    assert report.reference in excinfo.value.message
    assert NeedReport.objects.filter(pk=report.pk).exists()


@pytest.mark.django_db
def test_people_cannot_be_linked_to_another_fabriques_organization(team, other_team):
    organization_create(
        fabrique=other_team.fabrique, actor=other_team.admin, name="Ailleurs", kind="association"
    )
    data = csv_bytes("Nom;Structure\nDurand;Ailleurs\n")
    batch = import_upload(
        fabrique=team.fabrique, actor=team.admin, kind="people", filename="p.csv", data=data
    )
    batch = import_map(
        batch=batch,
        actor=team.admin,
        mapping=batch.mapping,
        defaults={"purpose": "other", "legal_basis": "consent"},
    )
    assert "n'est pas dans l'annuaire" in import_check(batch=batch).error_rows[0].errors[0]
    assert not Person.objects.filter(fabrique=team.fabrique).exists()
