"""Writes of territorial intelligence: indicator imports, indicators, diagnosis zones, priority weights.

Keyword-only, atomic and audited. An import goes through three steps, each a service: the upload
(`import_batch_upload`: the file is read, its encoding and separator detected, it is kept), the mapping
(`import_batch_map`: every row is checked against the chosen columns and level; on any problem
nothing is saved and `ImportInvalid` lists them by line and column) and the import
(`import_batch_run`: the file is checked again and its values replace the indicator's in one
transaction).
"""

from __future__ import annotations

import datetime
import hashlib
import json
import os
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any, TypedDict, Unpack

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from fabrique.audit.services import audit_log
from fabrique.core.errors import DomainError, TransitionNotAllowed
from fabrique.core.services import audited_create, audited_update, check_fields
from fabrique.core.workflow import transition

from .importer import ImportPlan, Problem, guess_columns, import_plan
from .models import (
    IMPORT_LEVELS,
    Aggregation,
    BackgroundState,
    DiagnosisZone,
    ImportBatch,
    ImportStage,
    Indicator,
    IndicatorValue,
    Level,
    PriorityWeights,
    ValueOrigin,
)
from .references import Geography, Item, computed_values
from .tabular import FileReadError, Table, guess_header_row, read_table

if TYPE_CHECKING:
    from django.core.files import File

    from fabrique.accounts.models import User
    from fabrique.fabriques.models import Fabrique
    from fabrique.territories.models import EPCI, Commune


class IndicatorFields(TypedDict, total=False):
    """The description of an indicator (a new one in `import_batch_map`, changes in `indicator_update`)."""

    name: str
    description: str
    source: str
    source_url: str
    vintage: str
    unit: str
    licence: str
    higher_is_worse: bool | None
    aggregation: str
    decimals: int


class ImportMapping(TypedDict, total=False):
    """How to read an imported file (`import_batch_map`)."""

    level: str
    header_row: int
    sheet: str
    code_column: int | str | None
    value_column: int | str | None
    denominator_column: int | str | None
    ignore_unknown: bool


class ZoneFields(TypedDict, total=False):
    name: str
    description: str


class PriorityWeightFields(TypedDict, total=False):
    """Weights 0 to 10 of each component (PriorityWeights.COMPONENTS) and the neighbourhood radius."""

    qualification: int
    reports: int
    poverty: int
    income: int
    qpv: int
    rural: int
    no_offer: int
    nearby: int
    radius_km: int


BATCH = 2000


class ImportInvalid(DomainError):
    """The file does not fit its mapping: `problems` name each row and column. Nothing was saved."""

    code = "import_invalid"

    def __init__(self, plan: ImportPlan):
        self.plan = plan
        count = len(plan.problems) + plan.more_problems
        super().__init__(
            ngettext(
                "Le fichier contient %(n)s erreur : rien n'a été importé.",
                "Le fichier contient %(n)s erreurs : rien n'a été importé.",
                count,
            )
            % {"n": count},
            code=self.code,
        )

    @property
    def messages(self) -> list[str]:
        return self.plan.messages()


# --- reading a stored file ----------------------------------------------------------------------------


# A file is parsed once: the parsed table is kept next to it in the private storage, named after a hash
# of the file's bytes and the sheet, so each later step (mapping, checking, import) reads that instead of
# parsing the CSV or XLSX again, and a file changed on disk is parsed (and checked) again.


def _table_cache_name(batch: ImportBatch, data: bytes, sheet: str) -> str:
    digest = hashlib.sha256(data + b"\0" + sheet.encode()).hexdigest()[:32]
    return f"{batch.file.name}.{digest}.table.json"


def _jsonable(value: object) -> object:
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()  # what cell_text() makes of it anyway
    return value


def _table_store(batch: ImportBatch, data: bytes, sheet: str, table: Table) -> None:
    name = _table_cache_name(batch, data, sheet)
    storage = batch.file.storage
    if storage.exists(name):
        return
    payload = {
        "rows": [[_jsonable(cell) for cell in row] for row in table.rows],
        "file_format": table.file_format,
        "encoding": table.encoding,
        "delimiter": table.delimiter,
        "sheet": table.sheet,
        "sheets": table.sheets,
    }
    storage.save(name, ContentFile(json.dumps(payload, ensure_ascii=False).encode()))


def _table_load(batch: ImportBatch, data: bytes, sheet: str) -> Table | None:
    name = _table_cache_name(batch, data, sheet)
    storage = batch.file.storage
    if not storage.exists(name):
        return None
    try:
        with storage.open(name, "rb") as fh:
            payload = json.loads(fh.read())
        return Table(**payload)
    except (OSError, ValueError, TypeError):  # damaged: parse the file again
        return None


def import_batch_table(*, batch: ImportBatch, sheet: str | None = None) -> Table:
    """The stored file of `batch` as a table, parsed once (FileReadError if it became unreadable)."""
    sheet = batch.sheet if sheet is None else sheet
    with batch.file.open("rb") as fh:
        data = fh.read()
    table = _table_load(batch, data, sheet)
    if table is None:
        table = read_table(data, filename=batch.original_name, sheet=sheet)
        _table_store(batch, data, sheet, table)
    return table


# --- import steps ------------------------------------------------------------------------------------------


def import_batch_upload(*, fabrique: Fabrique, actor: User | None, uploaded_file: File[bytes]) -> ImportBatch:
    """Read the uploaded file (CSV or XLSX), detect encoding, separator and header row, and keep it.

    Raises FileReadError (French message) when the file cannot be read as a table; nothing is saved.
    """
    data = uploaded_file.read()
    original = os.path.basename(getattr(uploaded_file, "name", "") or "fichier.csv")[:255]
    table = read_table(data, filename=original)
    header_row = guess_header_row(table)
    headers = table.header(header_row)
    if len(headers) < 2:
        raise FileReadError(
            _(
                "Le fichier n'a qu'une colonne : il faut au moins une colonne de codes et une colonne de valeurs."
            )
        )
    rows = [row for _line, row in table.data_rows(header_row)]
    mapping = {"header_row": header_row, **guess_columns(headers, rows)}
    extension = "xlsx" if table.file_format == "xlsx" else "csv"
    stored_name = f"{slugify(os.path.splitext(original)[0])[:60] or 'indicateur'}.{extension}"
    batch = ImportBatch(
        fabrique=fabrique,
        original_name=original,
        file_format=table.file_format,
        encoding=table.encoding,
        delimiter=table.delimiter,
        sheet=table.sheet,
        header_row=header_row,
        mapping=mapping,
        uploaded_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    with transaction.atomic():
        batch.file.save(stored_name, ContentFile(data), save=False)
        batch = audited_create(instance=batch, actor=actor, fabrique=fabrique)
    _table_store(batch, data, batch.sheet, table)
    return batch


def _indicator_candidate(*, fabrique: Fabrique, data: IndicatorFields, level: str) -> Indicator:
    """An unsaved indicator built from `data`, validated (ValidationError with French messages)."""
    check_fields(data, IndicatorFields)
    values = {k: (v.strip() if isinstance(v, str) else v) for k, v in data.items()}
    indicator = Indicator(
        fabrique=fabrique, level=level, code=_free_code(fabrique=fabrique, data=values), **values
    )
    indicator.full_clean(exclude=["code"])
    return indicator


def _free_code(*, fabrique: Fabrique, data: Mapping[str, Any]) -> str:
    base = slugify(f"{data.get('name', '')} {data.get('vintage', '')}")[:70] or "indicateur"
    taken = set(
        Indicator.objects.filter(fabrique=fabrique, code__startswith=base).values_list("code", flat=True)
    )
    code, n = base, 2
    while code in taken:
        code, n = f"{base}-{n}", n + 1
    return code


def import_batch_map(
    *,
    batch: ImportBatch,
    actor: User | None,
    mapping: ImportMapping,
    indicator_data: IndicatorFields | None = None,
    indicator: Indicator | None = None,
) -> ImportPlan:
    """Check the whole file against `mapping` and, when it fits, store the mapping (stage "validated").

    `mapping`: level, header_row, sheet, code_column, value_column, denominator_column, ignore_unknown.
    The target is a new indicator (`indicator_data`) or one of the fabrique's indicators (`indicator`,
    whose values at that level the file will replace). Raises ValidationError (indicator fields),
    ImportInvalid (rows) or FileReadError; nothing is saved then.
    """
    if batch.stage not in (ImportStage.UPLOADED, ImportStage.VALIDATED):
        raise TransitionNotAllowed(
            _("Cet import est terminé : déposez à nouveau le fichier pour le refaire.")
        )
    settings: dict[str, Any] = dict(mapping)
    level = settings.get("level")
    if level not in IMPORT_LEVELS:
        raise ValidationError({"level": _("Choisissez le niveau géographique du fichier.")})
    if indicator is not None:
        if indicator.fabrique_id != batch.fabrique_id or indicator.is_deleted:
            raise ValidationError({"indicator": _("Cet indicateur n'appartient pas à la fabrique.")})
        if level not in (indicator.level, Level.DEPARTEMENT):
            raise ValidationError(
                {
                    "indicator": _(
                        "L'indicateur « %(name)s » est au niveau %(level)s : importez un fichier de ce niveau, "
                        "ou des valeurs départementales de référence."
                    )
                    % {"name": indicator.name, "level": indicator.get_level_display()}
                }
            )
        aggregation = indicator.aggregation
        target: dict[str, Any] = {"indicator_id": indicator.pk}
    else:
        candidate = _indicator_candidate(fabrique=batch.fabrique, data=indicator_data or {}, level=level)
        aggregation = candidate.aggregation
        target = {"indicator": dict(indicator_data or {})}
    if settings.get("denominator_column") not in (None, "") and aggregation not in (
        Aggregation.RATIO,
        Aggregation.NONE,
    ):
        raise ValidationError(
            {
                "aggregation": _(
                    "Avec une colonne dénominateur, choisissez le calcul « rapport de deux colonnes »."
                )
            }
        )
    sheet = settings.get("sheet", batch.sheet) or ""
    table = import_batch_table(batch=batch, sheet=sheet)
    plan = import_plan(table=table, mapping={**settings, "aggregation": aggregation})
    if not plan.ok:
        raise ImportInvalid(plan)
    stored = {**settings, **target, "aggregation": aggregation}
    with transaction.atomic():
        locked, _changed = audited_update(
            instance=batch,
            actor=actor,
            fabrique=batch.fabrique,
            data={
                "mapping": stored,
                "sheet": table.sheet,
                "header_row": int(settings.get("header_row") or 1),
                "summary": plan.summary(),
            },
        )
        transition(instance=locked, to=ImportStage.VALIDATED, actor=actor)
    batch.refresh_from_db()
    return plan


def _check_not_running(batch: ImportBatch) -> None:
    if batch.background in (BackgroundState.QUEUED, BackgroundState.RUNNING):
        raise DomainError(_("L'import est en cours en arrière-plan : attendez qu'il se termine."))


def import_batch_remap(*, batch: ImportBatch, actor: User | None) -> ImportBatch:
    _check_not_running(ImportBatch.objects.get(pk=batch.pk))
    """Back to the mapping step (validated → uploaded)."""
    return transition(instance=batch, to=ImportStage.UPLOADED, actor=actor)


def import_batch_cancel(*, batch: ImportBatch, actor: User | None) -> ImportBatch:
    _check_not_running(ImportBatch.objects.get(pk=batch.pk))
    return transition(instance=batch, to=ImportStage.CANCELLED, actor=actor)


def _check_ready(batch: ImportBatch) -> None:
    if batch.stage != ImportStage.VALIDATED:
        raise TransitionNotAllowed(
            _("Associez d'abord les colonnes du fichier : l'import n'est pas prêt.")
            if batch.stage == ImportStage.UPLOADED
            else _("Cet import est terminé.")
        )


def import_batch_run(
    *, batch: ImportBatch, actor: User | None, progress: Callable[[int, int], object] | None = None
) -> Indicator:
    """Import the values of a validated batch: the indicator is created (or its values at that level
    replaced) and its references recomputed, all in one transaction. The file is read (its parsed
    table) and checked again first, outside the transaction (`progress(done, total)` follows the
    rows); ImportInvalid or FileReadError leave everything as it was."""
    current = ImportBatch.objects.get(pk=batch.pk)
    _check_ready(current)
    plan = import_plan(table=import_batch_table(batch=current), mapping=current.mapping, progress=progress)
    if not plan.ok:
        raise ImportInvalid(plan)
    with transaction.atomic():
        locked = ImportBatch.objects.select_for_update().get(pk=batch.pk)
        _check_ready(locked)
        if locked.mapping != current.mapping or locked.file.name != current.file.name:
            raise DomainError(_("L'import a été modifié pendant sa vérification : relancez-le."))
        mapping = locked.mapping
        level = mapping["level"]
        if "indicator_id" in mapping:
            indicator = Indicator.objects.filter(pk=mapping["indicator_id"], fabrique=locked.fabrique).first()
            if indicator is None:
                raise DomainError(_("L'indicateur visé par cet import a été supprimé."))
        else:
            candidate = _indicator_candidate(fabrique=locked.fabrique, data=mapping["indicator"], level=level)
            indicator = audited_create(instance=candidate, actor=actor, fabrique=locked.fabrique)
        replaced = IndicatorValue.objects.filter(
            indicator=indicator, level=level, origin=ValueOrigin.FILE
        ).count()
        IndicatorValue.objects.filter(indicator=indicator, level=level).delete()
        IndicatorValue.objects.bulk_create(
            [
                IndicatorValue(
                    indicator=indicator,
                    level=level,
                    code=v.code,
                    value=v.value,
                    status=v.status,
                    weight=v.weight,
                    origin=ValueOrigin.FILE,
                    batch=locked,
                )
                for v in plan.values
            ],
            batch_size=BATCH,
        )
        computed = indicator_references_compute(indicator=indicator)
        summary = {**plan.summary(), "replaced": replaced, "computed": computed}
        audit_log(
            actor=actor,
            fabrique=locked.fabrique,
            target=indicator,
            action="intelligence.indicator.imported",
            new={
                "fichier": locked.original_name,
                "niveau": level,
                "valeurs": summary["ok"],
                "secret": summary["secret"],
                "manquantes": summary["missing"],
                "remplacées": replaced,
            },
        )
        transition(
            instance=locked,
            to=ImportStage.IMPORTED,
            actor=actor,
            extra={
                "indicator": indicator,
                "imported_at": timezone.now(),
                "summary": summary,
                "background": "",
                "background_error": "",
                "progress": {"step": "done", "done": len(plan.values), "total": len(plan.values)},
            },
        )
    batch.refresh_from_db()
    return indicator


# --- large imports in the background -----------------------------------------------------------------


def background_threshold() -> int:
    """Files with more data rows than this are imported by the worker, with progress on the page."""
    return int(getattr(settings, "FABRIQUE_IMPORT_BACKGROUND_ROWS", 5000))


def import_batch_is_large(batch: ImportBatch) -> bool:
    return int((batch.summary or {}).get("rows") or 0) > background_threshold()


def import_batch_queue(*, batch: ImportBatch, actor: User) -> ImportBatch:
    """Hand the import of a validated batch to the worker (task `run_indicator_import`); the page
    shows its progress. Refused while it is already queued or running."""
    with transaction.atomic():
        locked = ImportBatch.objects.select_for_update().get(pk=batch.pk)
        _check_ready(locked)
        if locked.background in (BackgroundState.QUEUED, BackgroundState.RUNNING):
            raise DomainError(_("Cet import est déjà en cours."))
        locked.background = BackgroundState.QUEUED
        locked.background_error = ""
        locked.progress = {"step": "queued", "done": 0, "total": int((locked.summary or {}).get("rows") or 0)}
        locked.save(update_fields=["background", "background_error", "progress", "updated_at"])
        audit_log(
            actor=actor,
            fabrique=locked.fabrique,
            target=locked,
            action="intelligence.importbatch.queued",
            new={"lignes": locked.progress["total"]},
        )

        def enqueue() -> None:
            from .tasks import run_indicator_import

            run_indicator_import.enqueue(
                batch_id=locked.pk, actor_id=actor.pk, fabrique_id=locked.fabrique_id
            )

        transaction.on_commit(enqueue)
    return locked


def _progress_saver(batch_id: int) -> Callable[[int, int], None]:
    def save(done: int, total: int) -> None:
        ImportBatch.objects.filter(pk=batch_id).update(
            progress={"step": "check", "done": done, "total": total}, updated_at=timezone.now()
        )

    return save


def import_batch_run_background(*, batch_id: int, actor_id: int | None) -> str:
    """The worker's side of `import_batch_queue`: run the import, saving the progress as it goes; a
    refusal (the file no longer fits, the batch changed) is kept on the batch for the page and the
    user is told. A task run again after a killed worker starts over (the import is atomic)."""
    from fabrique.accounts.models import User

    batch = ImportBatch.objects.filter(pk=batch_id).select_related("fabrique").first()
    if (
        batch is None
        or batch.stage != ImportStage.VALIDATED
        or batch.background
        not in (
            BackgroundState.QUEUED,
            BackgroundState.RUNNING,
        )
    ):
        return "nothing to do"
    actor = User.objects.filter(pk=actor_id).first() if actor_id else None
    total = int((batch.summary or {}).get("rows") or 0)
    ImportBatch.objects.filter(pk=batch_id).update(
        background=BackgroundState.RUNNING, progress={"step": "check", "done": 0, "total": total}
    )
    saver = _progress_saver(batch_id)
    try:
        import_batch_run(batch=batch, actor=actor, progress=saver)
    except ImportInvalid as exc:
        _background_failed(batch, actor, "\n".join([exc.message, *exc.messages[:20]]))
        return "invalid"
    except (DomainError, FileReadError) as exc:
        _background_failed(batch, actor, exc.message)
        return "refused"
    return "imported"


def _background_failed(batch: ImportBatch, actor: User | None, message: str) -> None:
    with transaction.atomic():
        ImportBatch.objects.filter(pk=batch.pk).update(
            background=BackgroundState.FAILED, background_error=message[:5000], progress={}
        )
        audit_log(
            actor=actor,
            fabrique=batch.fabrique,
            target=batch,
            action="intelligence.importbatch.failed",
            new={"erreur": message[:300]},
        )


def indicator_references_compute(*, indicator: Indicator, geography: Geography | None = None) -> int:
    """Recompute the EPCI, département and France values (and communes from IRIS) of `indicator`
    from its values at its own level; values a file gave at those levels are kept. Returns the count."""
    with transaction.atomic():
        IndicatorValue.objects.filter(indicator=indicator, origin=ValueOrigin.COMPUTED).delete()
        base = [
            Item(code, value, status, weight)
            for code, value, status, weight in IndicatorValue.objects.filter(
                indicator=indicator, level=indicator.level
            ).values_list("code", "value", "status", "weight")
        ]
        provided = set(
            IndicatorValue.objects.filter(indicator=indicator)
            .exclude(level=indicator.level)
            .values_list("level", "code")
        )
        rows = computed_values(
            items=base,
            level=indicator.level,
            aggregation=indicator.aggregation,
            geography=geography or Geography.from_db(),
            skip=provided,
        )
        IndicatorValue.objects.bulk_create(
            [
                IndicatorValue(
                    indicator=indicator,
                    level=level,
                    code=code,
                    value=combined.value,
                    status=combined.status,
                    weight=combined.weight,
                    origin=ValueOrigin.COMPUTED,
                )
                for level, code, combined in rows
            ],
            batch_size=BATCH,
        )
    return len(rows)


# --- indicators ---------------------------------------------------------------------------------------------


def _check_own(indicator: Indicator) -> None:
    if indicator.is_reference:
        raise DomainError(_("Les indicateurs de référence partagés ne se modifient pas."))


def indicator_update(*, indicator: Indicator, actor: User, **fields: Unpack[IndicatorFields]) -> Indicator:
    """Edit the description of an imported indicator (name, source, unit, licence, direction…)."""
    _check_own(indicator)
    check_fields(fields, IndicatorFields)
    data = {k: (v.strip() if isinstance(v, str) else v) for k, v in fields.items()}
    with transaction.atomic():
        updated, changed = audited_update(
            instance=indicator, actor=actor, fabrique=indicator.fabrique, data=data
        )
        if changed and "aggregation" in data:
            indicator_references_compute(indicator=updated)
    return updated


def indicator_delete(*, indicator: Indicator, actor: User) -> Indicator:
    """Soft delete of an imported indicator (its values stay, hidden with it)."""
    _check_own(indicator)
    with transaction.atomic():
        locked = Indicator.all_objects.select_for_update().get(pk=indicator.pk)
        if locked.deleted_at is not None:
            return locked
        locked.deleted_at = timezone.now()
        locked.save(update_fields=["deleted_at", "updated_at"])
        audit_log(
            actor=actor,
            fabrique=locked.fabrique,
            target=locked,
            action="intelligence.indicator.deleted",
            old={"name": locked.name, "vintage": locked.vintage},
        )
    return locked


# --- diagnosis zones ---------------------------------------------------------------------------------------


def _zone_territories(
    *, communes: Iterable[Commune], epcis: Iterable[EPCI]
) -> tuple[list[Commune], list[EPCI]]:
    from fabrique.territories.models import Commune

    communes, epcis = list(communes), list(epcis)
    if not communes and not epcis:
        raise ValidationError({"territories": _("Choisissez au moins une commune ou une intercommunalité.")})
    wrong = [c for c in communes if c.kind != Commune.Kind.CURRENT]
    if wrong:
        raise ValidationError(
            {
                "territories": _(
                    "%(name)s n'est pas une commune actuelle : choisissez sa commune de rattachement."
                )
                % {"name": wrong[0].name}
            }
        )
    return communes, epcis


def diagnosis_zone_create(
    *,
    fabrique: Fabrique,
    actor: User,
    communes: Iterable[Commune] = (),
    epcis: Iterable[EPCI] = (),
    **data: Unpack[ZoneFields],
) -> DiagnosisZone:
    check_fields(data, ZoneFields)
    communes, epcis = _zone_territories(communes=communes, epcis=epcis)
    zone = DiagnosisZone(
        fabrique=fabrique, **{k: v.strip() if isinstance(v, str) else v for k, v in data.items()}
    )
    return audited_create(
        instance=zone, actor=actor, fabrique=fabrique, m2m={"communes": communes, "epcis": epcis}
    )


def diagnosis_zone_update(
    *,
    zone: DiagnosisZone,
    actor: User,
    communes: Iterable[Commune] = (),
    epcis: Iterable[EPCI] = (),
    **fields: Unpack[ZoneFields],
) -> DiagnosisZone:
    check_fields(fields, ZoneFields)
    communes, epcis = _zone_territories(communes=communes, epcis=epcis)
    data = {k: v.strip() if isinstance(v, str) else v for k, v in fields.items()}
    zone, _changed = audited_update(
        instance=zone,
        actor=actor,
        fabrique=zone.fabrique,
        data=data,
        m2m={"communes": communes, "epcis": epcis},
    )
    return zone


# --- priority weights ----------------------------------------------------------------------------------------


def priority_weights_set(
    *, fabrique: Fabrique, actor: User, **data: Unpack[PriorityWeightFields]
) -> PriorityWeights:
    """Create or change the fabrique's priority weights (0 to 10 each) and neighbourhood radius."""
    check_fields(data, PriorityWeightFields)
    with transaction.atomic():
        weights = PriorityWeights.objects.select_for_update().filter(fabrique=fabrique).first()
        current = weights or PriorityWeights(fabrique=fabrique)
        weights_given: dict[str, Any] = dict(data)
        if sum(weights_given.get(k, getattr(current, k)) for k in PriorityWeights.COMPONENTS) == 0:
            raise ValidationError(_("Donnez un poids à au moins une composante."))
        if weights is None:
            return audited_create(
                instance=PriorityWeights(fabrique=fabrique, **data), actor=actor, fabrique=fabrique
            )
        weights, _changed = audited_update(instance=weights, actor=actor, fabrique=fabrique, data=data)
        return weights


__all__ = [
    "ImportInvalid",
    "Problem",
    "import_batch_upload",
    "import_batch_map",
    "import_batch_remap",
    "import_batch_cancel",
    "import_batch_run",
    "import_batch_table",
    "indicator_references_compute",
    "indicator_update",
    "indicator_delete",
    "diagnosis_zone_create",
    "diagnosis_zone_update",
    "priority_weights_set",
]
