"""Imports of organisations, people and need reports from CSV / XLSX files (docs/imports.md).

upload (`import_upload`: the file read once, with the caps of the indicator import) → column
mapping (`import_map`, optionally saved as a preset) → check (`import_check`: every row parsed and
validated, duplicates flagged, nothing written — the preview and the dry run) → apply
(`import_apply`: one transaction, the whole file or nothing, each row through the domain's own
service, so reports get their grouping features like typed ones) → undo (`import_undo`: the rows the
batch created are soft-deleted, audited). Every step is audited on the batch.
"""

from __future__ import annotations

import datetime
import re
import zipfile
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from io import BytesIO
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from fabrique.audit.services import audit_log, diff
from fabrique.core.errors import DomainError
from fabrique.core.services import soft_delete
from fabrique.core.text import fold, name_similarity, normalize, normalize_organization_name
from fabrique.directory.models import Organization, Person
from fabrique.directory.validators import phone_normalize, validate_phone
from fabrique.intelligence.tabular import FileReadError, Table, cell_text, read_table, read_xlsx
from fabrique.needs.models import NeedReport, ReportStage
from fabrique.territories.models import Commune, SearchEntry

from .models import ImportBatch, ImportKind, ImportPreset, ImportStatus
from .parsing import CellError, parse_bool, parse_choice, parse_date, parse_email, parse_siren, text_cell
from .schema import SCHEMAS, Target, guess_mapping

if TYPE_CHECKING:
    from fabrique.accounts.models import User
    from fabrique.fabriques.models import Fabrique

# A batch is applied in one request and one transaction: bounded so that it stays a few seconds.
# Bigger files are refused with a message that says how to split them.
MAX_IMPORT_ROWS = 5_000
# Two names at least this close (core.text.name_similarity) are flagged as a probable duplicate.
SIMILAR_NAME = 0.85
# The preview lists at most this many rows with a problem (the counts cover every row).
MAX_LISTED_PROBLEMS = 200


class ImportError_(DomainError):
    code = "import_refused"


def _thousands(n: int) -> str:
    return f"{n:,}".replace(",", "\u202f")


# --- upload ------------------------------------------------------------------------------------------------


def _cell(value: object) -> str:
    """A cell kept as text: dates ISO, whole numbers without ".0", booleans oui/non."""
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if value.time() == datetime.time(0) else value.isoformat()
    return cell_text(value)


def _has_formulas(data: bytes) -> bool:
    try:
        with zipfile.ZipFile(BytesIO(data)) as archive:
            for info in archive.infolist():
                if info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml"):
                    with archive.open(info) as member:
                        content = member.read()
                    if b"<f>" in content or b"<f " in content:
                        return True
    except (zipfile.BadZipFile, OSError, ValueError):
        return False
    return False


def _read(data: bytes, filename: str) -> Table:
    try:
        table = read_table(data, filename=filename)
        if table.file_format == "xlsx" and _has_formulas(data):
            # a formula without a cached value (a file written by a program, never opened in a
            # spreadsheet) reads as empty: keep its text so that the row says it is a formula
            formulas = read_xlsx(data, table.sheet, data_only=False)
            for row, formula_row in zip(table.rows, formulas.rows, strict=False):
                for index, value in enumerate(row):
                    text = formula_row[index] if index < len(formula_row) else None
                    if value is None and isinstance(text, str) and text.startswith("="):
                        row[index] = text
    except FileReadError as exc:
        raise ImportError_(exc.message, code="file_unreadable") from exc
    return table


def import_upload(
    *,
    fabrique: Fabrique,
    actor: User,
    kind: str,
    filename: str,
    data: bytes,
    preset: ImportPreset | None = None,
) -> ImportBatch:
    """Read the file (CSV in any usual encoding, or XLSX) and keep it as a draft batch, with the
    mapping of `preset` or one guessed from the column names. A file that cannot be read, is empty
    or too long is refused with a French message and nothing is kept."""
    if kind not in SCHEMAS:
        raise ValidationError({"kind": _("Choisissez ce que contient le fichier.")})
    schema = SCHEMAS[kind]
    table = _read(data, filename)
    rows = list(table.rows)
    while rows and not any(_cell(c) for c in rows[0]):
        rows.pop(0)
    if not rows:
        raise ImportError_(_("Le fichier ne contient aucune ligne."), code="empty")
    header = [_cell(c) or _("Colonne %(n)s") % {"n": i + 1} for i, c in enumerate(rows[0])]
    data_rows = [
        [line, [_cell(c) for c in row]]
        for line, row in enumerate(rows[1:], start=2)
        if any(_cell(c) for c in row)
    ]
    if not data_rows:
        raise ImportError_(
            _("Le fichier n'a qu'une ligne d'en-tête : aucune ligne à importer."), code="no_rows"
        )
    if len(data_rows) > MAX_IMPORT_ROWS:
        raise ImportError_(
            _(
                "Le fichier compte %(n)s lignes ; un import en accepte %(max)s au plus. Découpez-le en "
                "plusieurs fichiers (par exemple par année ou par commune) et importez-les l'un après l'autre."
            )
            % {"n": _thousands(len(data_rows)), "max": _thousands(MAX_IMPORT_ROWS)},
            code="too_many_rows",
        )
    if preset is not None and (preset.fabrique_id != fabrique.pk or preset.kind != kind):
        raise ValidationError({"preset": _("Ce modèle ne correspond pas à ce type d'import.")})
    mapping = _preset_mapping(preset, header) if preset is not None else guess_mapping(schema, header)
    batch = ImportBatch(
        fabrique=fabrique,
        kind=kind,
        filename=filename[:255],
        file_format=table.file_format,
        encoding=table.encoding,
        sheet=table.sheet[:100],
        header=header,
        rows=data_rows,
        mapping=dict(mapping.items()),
        defaults=dict(preset.defaults) if preset is not None else {},
        created_by=actor,
    )
    with transaction.atomic():
        batch.save()
        audit_log(
            actor=actor,
            fabrique=fabrique,
            target=batch,
            action="imports.importbatch.uploaded",
            new={
                "kind": kind,
                "filename": batch.filename,
                "rows": len(data_rows),
                "format": table.file_format,
                "encoding": table.encoding,
            },
        )
    return batch


def _preset_mapping(preset: ImportPreset, header: list[str]) -> dict[str, int | None]:
    """A preset names columns; this file's columns of those names (compared folded)."""
    folded = [fold(h) for h in header]
    mapping: dict[str, int | None] = {}
    for key, name in preset.mapping.items():
        wanted = fold(str(name or ""))
        mapping[key] = folded.index(wanted) if wanted and wanted in folded else None
    return mapping


# --- mapping -----------------------------------------------------------------------------------------------


def import_map(
    *,
    batch: ImportBatch,
    actor: User,
    mapping: dict[str, int | None],
    defaults: dict[str, str],
    skip_duplicates: bool = True,
    preset_name: str = "",
) -> ImportBatch:
    """Choose which column fills which field. A required field needs a column (or, for a choice, a
    default value); a column fills one field at most. `preset_name` saves the mapping by column name."""
    _check_draft(batch)
    schema = SCHEMAS[batch.kind]
    errors: dict[str, list[str]] = {}
    width = len(batch.header)
    clean: dict[str, int | None] = {}
    seen: dict[int, str] = {}
    for target in schema.targets:
        index = mapping.get(target.key)
        if index is not None and not (0 <= int(index) < width):
            errors.setdefault(target.key, []).append(_("Cette colonne n'existe pas dans le fichier."))
            continue
        if index is not None:
            index = int(index)
            if index in seen:
                errors.setdefault(target.key, []).append(
                    _("La colonne « %(column)s » remplit déjà le champ « %(field)s ».")
                    % {"column": batch.header[index], "field": schema.target(seen[index]).label}
                )
            seen[index] = target.key
        clean[target.key] = index
    clean_defaults: dict[str, str] = {}
    for key, value in defaults.items():
        if not value:
            continue
        target = schema.target(key)
        if not target.default_allowed or value not in dict(target.choices):
            errors.setdefault(key, []).append(_("Valeur par défaut inconnue."))
            continue
        clean_defaults[key] = value
    for target in schema.targets:
        if target.required and clean.get(target.key) is None and target.key not in clean_defaults:
            errors.setdefault(target.key, []).append(
                _("Champ obligatoire : choisissez la colonne qui le contient")
                + (_(" ou une valeur par défaut.") if target.default_allowed else ".")
            )
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        locked = ImportBatch.objects.select_for_update().get(pk=batch.pk)
        _check_draft(locked)
        old_named = {**_named_mapping(locked, locked.mapping), **_named_defaults(locked, locked.defaults)}
        locked.mapping = clean
        locked.defaults = clean_defaults
        locked.skip_duplicates = skip_duplicates
        locked.save(update_fields=["mapping", "defaults", "skip_duplicates", "updated_at"])
        changed_old, changed_new = diff(
            old_named, {**_named_mapping(locked, clean), **_named_defaults(locked, clean_defaults)}
        )
        audit_log(
            actor=actor,
            fabrique=locked.fabrique,
            target=locked,
            action="imports.importbatch.mapped",
            # only what changed, field labels -> column names
            old=changed_old,
            new=changed_new,
        )
        if preset_name.strip():
            preset_save(
                fabrique=locked.fabrique,
                actor=actor,
                kind=locked.kind,
                name=preset_name.strip(),
                mapping={k: (locked.header[v] if v is not None else None) for k, v in clean.items()},
                defaults=clean_defaults,
            )
    return locked


def _named_mapping(batch: ImportBatch, mapping: dict[str, Any]) -> dict[str, Any]:
    schema = SCHEMAS[batch.kind]
    out = {}
    for key, index in mapping.items():
        if key in schema.keys:
            label = str(schema.target(key).label)
            out[label] = batch.header[index] if isinstance(index, int) and index < len(batch.header) else None
    return out


def _named_defaults(batch: ImportBatch, defaults: dict[str, str]) -> dict[str, Any]:
    schema = SCHEMAS[batch.kind]
    return {
        _("%(field)s (si vide)") % {"field": schema.target(key).label}: dict(
            schema.target(key).choice_pairs
        ).get(value, value)
        for key, value in defaults.items()
        if key in schema.keys
    }


def preset_save(
    *,
    fabrique: Fabrique,
    actor: User,
    kind: str,
    name: str,
    mapping: dict[str, str | None],
    defaults: dict[str, str],
) -> ImportPreset:
    """Save (or replace, same name) a mapping preset: target field -> column name."""
    if not name or len(name) > 120:
        raise ValidationError({"preset_name": _("Donnez au modèle un nom de 120 caractères au plus.")})
    with transaction.atomic():
        preset = (
            ImportPreset.objects.select_for_update().filter(fabrique=fabrique, kind=kind, name=name).first()
        )
        if preset is None:
            preset = ImportPreset(fabrique=fabrique, kind=kind, name=name, mapping=mapping, defaults=defaults)
            preset.save()
            action = "imports.importpreset.created"
        else:
            preset.mapping, preset.defaults = mapping, defaults
            preset.save(update_fields=["mapping", "defaults", "updated_at"])
            action = "imports.importpreset.updated"
        audit_log(
            actor=actor,
            fabrique=fabrique,
            target=preset,
            action=action,
            new={"name": name, "mapping": mapping},
        )
    return preset


def _check_draft(batch: ImportBatch) -> None:
    if batch.status != ImportStatus.DRAFT:
        raise ImportError_(_("Cet import a déjà été appliqué : il ne peut plus changer."), code="not_draft")


# --- check (preview and dry run) -----------------------------------------------------------------------


@dataclass
class RowCheck:
    line: int
    values: dict[str, Any]
    cells: list[str]
    errors: list[str] = field(default_factory=list)
    duplicates: list[str] = field(default_factory=list)

    @property
    def skipped(self) -> bool:
        return bool(self.duplicates)


@dataclass
class ImportCheck:
    batch: ImportBatch
    rows: list[RowCheck]

    @property
    def error_rows(self) -> list[RowCheck]:
        return [r for r in self.rows if r.errors]

    @property
    def duplicate_rows(self) -> list[RowCheck]:
        return [r for r in self.rows if r.duplicates and not r.errors]

    @property
    def ok(self) -> bool:
        return not self.error_rows

    @property
    def to_create(self) -> list[RowCheck]:
        skip = self.batch.skip_duplicates
        return [r for r in self.rows if not r.errors and not (skip and r.duplicates)]

    @property
    def problem_rows(self) -> list[RowCheck]:
        return [r for r in self.rows if r.errors or r.duplicates][:MAX_LISTED_PROBLEMS]

    @property
    def problem_count(self) -> int:
        return sum(1 for r in self.rows if r.errors or r.duplicates)

    def summary(self) -> str:
        return ngettext(
            "%(n)s ligne, %(errors)s en erreur, %(dups)s doublon(s) probable(s), %(create)s à créer.",
            "%(n)s lignes, %(errors)s en erreur, %(dups)s doublon(s) probable(s), %(create)s à créer.",
            len(self.rows),
        ) % {
            "n": len(self.rows),
            "errors": len(self.error_rows),
            "dups": len(self.duplicate_rows),
            "create": len(self.to_create),
        }


_CODE_IN_BRACKETS = re.compile(r"\((\d[0-9AB]\d{3})\)\s*$")
_INSEE = re.compile(r"^\d[0-9AB]\d{3}$")


class _Communes:
    """Every commune named in the file, resolved with two queries (codes, then names)."""

    def __init__(self, texts: set[str]) -> None:
        self.by_text: dict[str, Commune | str] = {}
        codes: dict[str, str] = {}
        names: dict[str, str] = {}
        for text in texts:
            bracket = _CODE_IN_BRACKETS.search(text)
            compact = text.replace(" ", "").upper()
            if bracket:
                codes[text] = bracket.group(1)
            elif _INSEE.match(compact):
                codes[text] = compact
            else:
                names[text] = normalize(text)
        current = [Commune.Kind.CURRENT, Commune.Kind.ARRONDISSEMENT]
        found = {
            c.code: c
            for c in Commune.objects.filter(code__in=set(codes.values()), kind__in=current).select_related(
                "departement"
            )
        }
        name_codes: dict[str, set[str]] = defaultdict(set)
        for search_name, code in SearchEntry.objects.filter(
            search_name__in=set(names.values()), kind="commune", commune_kind__in=current
        ).values_list("search_name", "code"):
            name_codes[search_name].add(code)
        by_name_code = {
            c.code: c
            for c in Commune.objects.filter(
                code__in={next(iter(v)) for v in name_codes.values() if len(v) == 1}, kind__in=current
            )
        }
        for text, code in codes.items():
            self.by_text[text] = found.get(code) or _("code INSEE « %(code)s » inconnu") % {"code": code}
        for text, name in names.items():
            options = name_codes.get(name, set())
            if len(options) == 1 and next(iter(options)) in by_name_code:
                self.by_text[text] = by_name_code[next(iter(options))]
            elif len(options) > 1:
                self.by_text[text] = _(
                    "plusieurs communes s'appellent « %(name)s » (%(codes)s) : indiquez le code INSEE"
                ) % {"name": text, "codes": ", ".join(sorted(options))}
            else:
                self.by_text[text] = _("commune « %(name)s » inconnue") % {"name": text}

    def get(self, text: str) -> Commune:
        value = self.by_text[text]
        if isinstance(value, str):
            raise CellError(value[:1].upper() + value[1:] + ".")
        return value


@dataclass
class _Known:
    """What the fabrique already holds, read once for the duplicate checks (one query each)."""

    organizations: list[tuple[int, str, str, str]] = field(
        default_factory=list
    )  # pk, name, normalized, siren
    people_emails: dict[str, str] = field(default_factory=dict)
    people_names: dict[str, str] = field(default_factory=dict)
    report_keys: dict[str, str] = field(default_factory=dict)


def _known(batch: ImportBatch) -> _Known:
    known = _Known()
    fabrique_id = batch.fabrique_id
    if batch.kind in (ImportKind.ORGANIZATIONS, ImportKind.PEOPLE):
        known.organizations = list(
            Organization.objects.filter(fabrique_id=fabrique_id).values_list(
                "pk", "name", "normalized_name", "siren"
            )
        )
    if batch.kind == ImportKind.PEOPLE:
        for email, first, last in Person.objects.filter(
            fabrique_id=fabrique_id, anonymized_at__isnull=True
        ).values_list("email", "first_name", "last_name"):
            label = f"{first} {last}".strip()
            if email:
                known.people_emails[email.lower()] = label
            known.people_names[normalize(label)] = label
    if batch.kind == ImportKind.REPORTS:
        for reference, title, commune_id in NeedReport.objects.filter(fabrique_id=fabrique_id).values_list(
            "reference", "title", "commune_id"
        ):
            known.report_keys[f"{normalize(title)}|{commune_id or ''}"] = reference
    return known


class _SimilarNames:
    """Names indexed by the first three letters of their words, to compare only plausible pairs."""

    def __init__(self) -> None:
        self.by_prefix: dict[str, list[tuple[str, str]]] = defaultdict(list)

    def add(self, normalized: str, label: str) -> None:
        for word in set(normalized.split()):
            if len(word) >= 3:
                self.by_prefix[word[:3]].append((normalized, label))

    def similar(self, name: str) -> list[str]:
        normalized = normalize_organization_name(name)
        seen: set[str] = set()
        found = []
        for word in set(normalized.split()):
            for other, label in self.by_prefix.get(word[:3], []) if len(word) >= 3 else []:
                if other in seen:
                    continue
                seen.add(other)
                if name_similarity(normalized, other) >= SIMILAR_NAME:
                    found.append(label)
        return found


def _parse_cell(
    target: Target, raw: str, *, communes: _Communes, organizations: _OrganizationIndex | None
) -> Any:
    if target.parser == "text":
        return text_cell(raw, max_length=target.max_length)
    text_cell(raw)  # formulas refused whatever the field
    if target.parser == "email":
        return parse_email(raw)
    if target.parser == "siren":
        return parse_siren(raw)
    if target.parser == "date":
        return parse_date(raw)
    if target.parser == "bool":
        return parse_bool(raw)
    if target.parser == "choice":
        return parse_choice(raw, target.choice_pairs)
    if target.parser == "phone":
        text = raw.strip()
        if text.isdigit() and len(text) == 9 and text[0] in "123456789":
            text = "0" + text  # a spreadsheet number cell drops the leading zero
        if not text:
            return ""
        try:
            validate_phone(text)
        except ValidationError as exc:
            raise CellError(
                _("« %(value)s » n'est pas un numéro de téléphone valide.") % {"value": raw}
            ) from exc
        return phone_normalize(text)
    if target.parser == "commune":
        return communes.get(raw.strip()) if raw.strip() else None
    if target.parser == "organization":
        assert organizations is not None
        return organizations.get(raw.strip()) if raw.strip() else None
    raise AssertionError(target.parser)  # pragma: no cover


class _OrganizationIndex:
    def __init__(self, known: list[tuple[int, str, str, str]]) -> None:
        self.by_siren = {siren: pk for pk, _n, _nn, siren in known if siren}
        self.by_name: dict[str, list[int]] = defaultdict(list)
        for pk, _name, normalized, _siren in known:
            self.by_name[normalized].append(pk)
        self.objects: dict[int, Organization] = {}

    def get(self, text: str) -> int:
        compact = re.sub(r"\s", "", text)
        if compact.isdigit() and len(compact) in (9, 14):
            pk = self.by_siren.get(compact[:9])
            if pk is None:
                raise CellError(
                    _("Aucune structure de l'annuaire n'a le SIREN « %(value)s ».") % {"value": text}
                )
            return pk
        pks = self.by_name.get(normalize_organization_name(text), [])
        if len(pks) == 1:
            return pks[0]
        if len(pks) > 1:
            raise CellError(
                _("Plusieurs structures de l'annuaire s'appellent « %(value)s » : indiquez son SIREN.")
                % {"value": text}
            )
        raise CellError(
            _("La structure « %(value)s » n'est pas dans l'annuaire : importez d'abord les structures.")
            % {"value": text}
        )


def _validate_model(model: type[Any], values: dict[str, Any], exclude: list[str]) -> list[str]:
    """The model's own validation (field lengths, formats, SIREN key...) without touching the database."""
    instance = model(**{k: v for k, v in values.items() if k not in exclude})
    try:
        instance.full_clean(exclude=[*exclude, "fabrique"], validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        messages = []
        for name, errors in exc.message_dict.items():
            try:
                label = str(model._meta.get_field(name).verbose_name)
            except Exception:  # noqa: BLE001 - a non-field error
                label = ""
            for message in errors:
                messages.append(f"{label} : {message}" if label else message)
        return messages
    return []


def import_check(*, batch: ImportBatch) -> ImportCheck:
    """Every row parsed and validated, duplicates flagged; nothing is written (the dry run)."""
    schema = SCHEMAS[batch.kind]
    mapped = [(schema.target(k), i) for k, i in batch.mapping.items() if i is not None and k in schema.keys]
    commune_targets = [i for t, i in mapped if t.parser == "commune"]
    communes = _Communes(
        {
            row[i].strip()
            for _line, row in batch.rows
            for i in commune_targets
            if i < len(row) and row[i].strip()
        }
    )
    known = _known(batch)
    organizations = _OrganizationIndex(known.organizations) if batch.kind == ImportKind.PEOPLE else None
    similar = _SimilarNames()
    if batch.kind == ImportKind.ORGANIZATIONS:
        for _pk, name, normalized, _siren in known.organizations:
            similar.add(normalized, _("« %(name)s » (annuaire)") % {"name": name})
    sirens = {siren: name for _pk, name, _n, siren in known.organizations if siren}
    file_emails: dict[str, int] = {}
    file_sirens: dict[str, int] = {}
    file_report_keys: dict[str, int] = {}
    results = []
    for line, cells in batch.rows:
        check = RowCheck(line=line, values={}, cells=cells)
        for target, index in mapped:
            raw = cells[index] if index < len(cells) else ""
            try:
                value = _parse_cell(target, raw, communes=communes, organizations=organizations)
            except CellError as exc:
                check.errors.append(f"{target.label} : {exc}")
                continue
            check.values[target.key] = value
        for key, value in batch.defaults.items():
            if check.values.get(key) in (None, ""):
                check.values[key] = value
        for target in schema.targets:
            if (
                target.required
                and check.values.get(target.key) in (None, "")
                and not any(e.startswith(f"{target.label} :") for e in check.errors)
            ):
                check.errors.append(_("%(field)s : valeur obligatoire manquante.") % {"field": target.label})
        if not check.errors:
            check.errors.extend(_row_model_errors(batch.kind, check.values))
        _flag_duplicates(batch, check, known, similar, sirens, file_emails, file_sirens, file_report_keys)
        results.append(check)
    return ImportCheck(batch=batch, rows=results)


def _row_model_errors(kind: str, values: dict[str, Any]) -> list[str]:
    if kind == ImportKind.ORGANIZATIONS:
        return _validate_model(Organization, values, exclude=["commune"])
    if kind == ImportKind.PEOPLE:
        data = {k: v for k, v in values.items() if k != "organization"}
        return _validate_model(Person, data, exclude=["organization"])
    data = dict(values.items())
    data.setdefault("source", "other")
    return _validate_model(
        NeedReport, data, exclude=["commune", "qpv", "reporter_person", "reporter_organization"]
    )


def _flag_duplicates(
    batch: ImportBatch,
    check: RowCheck,
    known: _Known,
    similar: _SimilarNames,
    sirens: dict[str, str],
    file_emails: dict[str, int],
    file_sirens: dict[str, int],
    file_report_keys: dict[str, int],
) -> None:
    values = check.values
    if batch.kind == ImportKind.ORGANIZATIONS:
        siren = values.get("siren") or ""
        if siren and siren in sirens:
            check.duplicates.append(_("même SIREN que « %(name)s » (annuaire)") % {"name": sirens[siren]})
        elif siren and siren in file_sirens:
            check.duplicates.append(_("même SIREN que la ligne %(line)s") % {"line": file_sirens[siren]})
        name = values.get("name") or ""
        if name:
            for label in similar.similar(name):
                check.duplicates.append(_("nom proche de %(other)s") % {"other": label})
            similar.add(
                normalize_organization_name(name),
                _("la ligne %(line)s (« %(name)s »)") % {"line": check.line, "name": name},
            )
        if siren:
            file_sirens.setdefault(siren, check.line)
    elif batch.kind == ImportKind.PEOPLE:
        email = values.get("email") or ""
        if email and email in known.people_emails:
            check.duplicates.append(
                _("même e-mail que « %(name)s » (annuaire)") % {"name": known.people_emails[email] or email}
            )
        elif email and email in file_emails:
            check.duplicates.append(_("même e-mail que la ligne %(line)s") % {"line": file_emails[email]})
        elif not email:
            full = normalize(f"{values.get('first_name', '')} {values.get('last_name', '')}")
            if full and full in known.people_names:
                check.duplicates.append(
                    _("même nom que « %(name)s » (annuaire)") % {"name": known.people_names[full]}
                )
        if email:
            file_emails.setdefault(email, check.line)
    else:
        commune = values.get("commune")
        key = f"{normalize(values.get('title') or '')}|{commune.pk if commune else ''}"
        if values.get("title") and key in known.report_keys:
            check.duplicates.append(
                _("même titre et même commune que le signalement %(ref)s") % {"ref": known.report_keys[key]}
            )
        elif values.get("title") and key in file_report_keys:
            check.duplicates.append(
                _("même titre et même commune que la ligne %(line)s") % {"line": file_report_keys[key]}
            )
        file_report_keys.setdefault(key, check.line)


# --- apply and undo --------------------------------------------------------------------------------------


def _creator(batch: ImportBatch, actor: User) -> Callable[[dict[str, Any]], int]:
    from fabrique.directory.services import organization_create, person_create
    from fabrique.needs.grouping import need_report_submit_grouped

    fabrique = batch.fabrique
    organizations: dict[int, Organization] = {}

    def create_organization(values: dict[str, Any]) -> int:
        return organization_create(fabrique=fabrique, actor=actor, allow_duplicate=True, **values).pk

    def create_person(values: dict[str, Any]) -> int:
        pk = values.pop("organization", None)
        if pk is not None:
            if pk not in organizations:
                organizations[pk] = Organization.objects.get(pk=pk, fabrique=fabrique)
            values["organization"] = organizations[pk]
        values["consent_given"] = bool(values.get("consent_given"))
        return person_create(fabrique=fabrique, actor=actor, allow_duplicate=True, **values).pk

    def create_report(values: dict[str, Any]) -> int:
        values.setdefault("source", "other")
        values["source_detail"] = (_("Import du fichier « %(name)s »") % {"name": batch.filename})[:200]
        # the same path as a report typed by staff: grouping features, suggestions, audit
        return need_report_submit_grouped(fabrique=fabrique, data=values, entered_by=actor).pk

    return {
        ImportKind.ORGANIZATIONS: create_organization,
        ImportKind.PEOPLE: create_person,
        ImportKind.REPORTS: create_report,
    }[ImportKind(batch.kind)]


def import_apply(*, batch: ImportBatch, actor: User) -> ImportBatch:
    """Create every valid row in one transaction: any error and nothing is created. Rows flagged as
    probable duplicates are skipped when the batch says so (the default)."""
    with transaction.atomic():
        locked = ImportBatch.objects.select_for_update().select_related("fabrique").get(pk=batch.pk)
        _check_draft(locked)
        check = import_check(batch=locked)
        if not check.ok:
            raise ImportError_(
                ngettext(
                    "%(n)s ligne est en erreur : corrigez le fichier ou la correspondance des colonnes. Rien n'a été importé.",
                    "%(n)s lignes sont en erreur : corrigez le fichier ou la correspondance des colonnes. Rien n'a été importé.",
                    len(check.error_rows),
                )
                % {"n": len(check.error_rows)},
                code="rows_in_error",
            )
        create = _creator(locked, actor)
        created: list[int] = []
        for row in check.to_create:
            try:
                created.append(create(dict(row.values)))
            except ValidationError as exc:
                messages = "; ".join(exc.messages)
                raise ImportError_(
                    _("Ligne %(line)s : %(error)s Rien n'a été importé.")
                    % {"line": row.line, "error": messages},
                    code="row_refused",
                ) from exc
            except DomainError as exc:
                raise ImportError_(
                    _("Ligne %(line)s : %(error)s Rien n'a été importé.")
                    % {"line": row.line, "error": exc.message},
                    code="row_refused",
                ) from exc
        locked.created_ids = created
        locked.skipped_lines = [r.line for r in check.rows if r not in check.to_create]
        locked.status = ImportStatus.APPLIED
        locked.applied_at = timezone.now()
        locked.save(update_fields=["created_ids", "skipped_lines", "status", "applied_at", "updated_at"])
        audit_log(
            actor=actor,
            fabrique=locked.fabrique,
            target=locked,
            action="imports.importbatch.applied",
            old={"status": ImportStatus.DRAFT},
            new={
                "status": ImportStatus.APPLIED,
                "created": len(created),
                "skipped_lines": locked.skipped_lines,
            },
        )
    return locked


def _created_model(kind: str) -> type[Any]:
    return {
        ImportKind.ORGANIZATIONS: Organization,
        ImportKind.PEOPLE: Person,
        ImportKind.REPORTS: NeedReport,
    }[ImportKind(kind)]


def import_undo(*, batch: ImportBatch, actor: User) -> ImportBatch:
    """Soft-delete what the batch created (audited, one entry per row and one on the batch). Refused,
    with the reason, when the team has worked on those rows since (a report attached to a need or
    dismissed, a structure with contacts)."""
    with transaction.atomic():
        locked = ImportBatch.objects.select_for_update().select_related("fabrique").get(pk=batch.pk)
        if locked.status != ImportStatus.APPLIED:
            raise ImportError_(_("Seul un import appliqué peut être annulé."), code="not_applied")
        model = _created_model(locked.kind)
        objects: list[Any] = list(model.objects.filter(fabrique=locked.fabrique, pk__in=locked.created_ids))
        blockers = _undo_blockers(locked.kind, objects)
        if blockers:
            raise ImportError_(
                _("L'import ne peut plus être annulé : %(reasons)s.") % {"reasons": "; ".join(blockers[:5])},
                code="undo_refused",
            )
        for instance in objects:
            if locked.kind == ImportKind.REPORTS:
                from fabrique.needs.models import ReportFeatures

                ReportFeatures.objects.filter(report=instance).delete()
            soft_delete(instance=instance, actor=actor, fabrique=locked.fabrique)
        locked.status = ImportStatus.UNDONE
        locked.undone_at = timezone.now()
        locked.save(update_fields=["status", "undone_at", "updated_at"])
        audit_log(
            actor=actor,
            fabrique=locked.fabrique,
            target=locked,
            action="imports.importbatch.undone",
            old={"status": ImportStatus.APPLIED},
            new={"status": ImportStatus.UNDONE, "deleted": len(objects)},
        )
    return locked


def _undo_blockers(kind: str, objects: list[Any]) -> list[str]:
    blockers = []
    if kind == ImportKind.REPORTS:
        for report in objects:
            if report.need_id is not None or report.stage != ReportStage.RECEIVED:
                blockers.append(
                    _("le signalement %(ref)s a déjà été traité (rattaché ou écarté)")
                    % {"ref": report.reference}
                )
    elif kind == ImportKind.ORGANIZATIONS:
        ids = [o.pk for o in objects]
        used = set(Person.objects.filter(organization_id__in=ids).values_list("organization_id", flat=True))
        used |= set(
            NeedReport.objects.filter(reporter_organization_id__in=ids).values_list(
                "reporter_organization_id", flat=True
            )
        )
        for organization in objects:
            if organization.pk in used:
                blockers.append(
                    _("la structure « %(name)s » a des contacts ou des signalements")
                    % {"name": organization.name}
                )
    return blockers
