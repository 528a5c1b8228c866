"""Checking an indicator file against its column mapping: every row read, every problem named.

`import_plan(table=, mapping=)` reads every data row and returns the values to import and the problems
found, each with its line number in the file and the column name. The services import only a plan
without problems, in one transaction: nothing is ever half-imported.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .models import Aggregation, Level, ValueStatus
from .tabular import NotANumber, Table, cell_text, normalize_code, parse_value

MAX_PROBLEMS = 50

_CODE_FORMATS = {
    Level.COMMUNE: re.compile(r"^(\d{5}|2[AB]\d{3})$"),
    Level.IRIS: re.compile(r"^(\d{5}|2[AB]\d{3})\d{4}$"),
    Level.EPCI: re.compile(r"^\d{9}$"),
    Level.QPV: re.compile(r"^(Q[A-Z]\d{5}[A-Z]|QP\d{6})$"),
    Level.DEPARTEMENT: re.compile(r"^(\d{2}|2[AB]|97\d)$"),
}
_FORMAT_HINTS = {
    Level.COMMUNE: gettext_lazy("5 caractères, par exemple 44109"),
    Level.IRIS: gettext_lazy("9 caractères, par exemple 441090101"),
    Level.EPCI: gettext_lazy("SIREN à 9 chiffres, par exemple 244400404"),
    Level.QPV: gettext_lazy("par exemple QN04401M"),
    Level.DEPARTEMENT: gettext_lazy("par exemple 44 ou 2A"),
}


@dataclass(frozen=True)
class Problem:
    line: int | None
    column: str
    message: str

    def __str__(self) -> str:
        if self.line is None:
            return self.message
        if self.column:
            return _("Ligne %(line)s, colonne « %(column)s » : %(message)s") % {
                "line": self.line,
                "column": self.column,
                "message": self.message,
            }
        return _("Ligne %(line)s : %(message)s") % {"line": self.line, "message": self.message}


@dataclass(frozen=True)
class ParsedValue:
    line: int
    code: str
    value: float | None
    status: str
    weight: float | None = None


@dataclass
class ImportPlan:
    values: list[ParsedValue] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    more_problems: int = 0
    skipped_unknown: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def add(self, problem: Problem) -> None:
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(problem)
        else:
            self.more_problems += 1

    def summary(self) -> dict[str, Any]:
        counts = dict.fromkeys(ValueStatus.values, 0)
        for value in self.values:
            counts[value.status] += 1
        numbers = [v.value for v in self.values if v.value is not None]
        return {
            "rows": len(self.values),
            "ok": counts[ValueStatus.OK],
            "secret": counts[ValueStatus.SECRET],
            "missing": counts[ValueStatus.MISSING],
            "min": min(numbers) if numbers else None,
            "max": max(numbers) if numbers else None,
            "skipped_unknown": len(self.skipped_unknown),
            "skipped_codes": self.skipped_unknown[:20],
        }

    def messages(self) -> list[str]:
        lines = [str(p) for p in self.problems]
        if self.more_problems:
            lines.append(_("… et %(n)s autres erreurs.") % {"n": self.more_problems})
        return lines


def known_codes(level: str) -> set[str]:
    """Codes of `level` the territory tables know (communes of every kind: files may use an older geography)."""
    from fabrique.territories.models import EPCI, QPV, Commune, Departement

    if level in (Level.COMMUNE, Level.IRIS):
        return set(Commune.objects.values_list("code", flat=True))
    if level == Level.EPCI:
        return set(EPCI.objects.values_list("siren", flat=True))
    if level == Level.QPV:
        return set(QPV.objects.values_list("code", flat=True))
    if level == Level.DEPARTEMENT:
        return set(Departement.objects.values_list("code", flat=True))
    return set()


def commune_populations() -> dict[str, int]:
    from fabrique.territories.models import Commune

    out: dict[str, int] = {}
    for code, kind, population in Commune.objects.values_list("code", "kind", "population"):
        if population and (kind == Commune.Kind.CURRENT or code not in out):
            out[code] = population
    return out


def _column(mapping: dict[str, Any], key: str, width: int) -> int | None:
    value = mapping.get(key)
    if value in (None, ""):
        return None
    index = int(value)
    if index < 0 or index >= width:
        raise ValueError(key)
    return index


PROGRESS_EVERY = 2000


def import_plan(
    *, table: Table, mapping: dict[str, Any], progress: Callable[[int, int], object] | None = None
) -> ImportPlan:
    """Read every data row of `table` with `mapping` (level, header_row, code/value/denominator columns,
    ignore_unknown, aggregation) and return the values and the problems. `progress(done, total)` is
    called every PROGRESS_EVERY rows (a background import shows it)."""
    plan = ImportPlan()
    level = mapping.get("level")
    header_row = int(mapping.get("header_row") or 1)
    headers = table.header(header_row)
    if level not in _CODE_FORMATS:
        plan.add(Problem(None, "", _("Choisissez le niveau géographique du fichier.")))
        return plan
    if not headers:
        plan.add(
            Problem(
                None, "", _("La ligne d'en-têtes %(n)s n'existe pas dans le fichier.") % {"n": header_row}
            )
        )
        return plan
    try:
        code_col = _column(mapping, "code_column", len(headers))
        value_col = _column(mapping, "value_column", len(headers))
        denominator_col = _column(mapping, "denominator_column", len(headers))
    except (ValueError, TypeError):
        plan.add(Problem(None, "", _("Une des colonnes choisies n'existe pas dans le fichier.")))
        return plan
    if code_col is None or value_col is None:
        plan.add(Problem(None, "", _("Choisissez la colonne des codes et la colonne des valeurs.")))
        return plan
    if len({code_col, value_col, denominator_col} - {None}) < (3 if denominator_col is not None else 2):
        plan.add(
            Problem(
                None,
                "",
                _("La colonne des codes, celle des valeurs et le dénominateur doivent être différentes."),
            )
        )
        return plan

    code_name, value_name = headers[code_col], headers[value_col]
    denominator_name = headers[denominator_col] if denominator_col is not None else ""
    known = known_codes(level)
    ignore_unknown = bool(mapping.get("ignore_unknown"))
    aggregation = mapping.get("aggregation") or Aggregation.NONE
    populations = (
        commune_populations()
        if level == Level.COMMUNE and aggregation in (Aggregation.WEIGHTED_MEAN, Aggregation.WEIGHTED_MEDIAN)
        else {}
    )
    fmt = _CODE_FORMATS[level]
    seen: dict[str, int] = {}
    rows = table.data_rows(header_row)
    if not rows:
        plan.add(Problem(None, "", _("Le fichier ne contient aucune ligne de données sous les en-têtes.")))
        return plan
    for index, (line, row) in enumerate(rows):
        if progress is not None and index % PROGRESS_EVERY == 0:
            progress(index, len(rows))
        cells = list(row) + [None] * (len(headers) - len(row))
        raw_code = cells[code_col]
        code = normalize_code(raw_code, level)
        if not code:
            plan.add(Problem(line, code_name, _("le code du territoire est vide.")))
            continue
        if not fmt.match(code):
            plan.add(
                Problem(
                    line,
                    code_name,
                    _("« %(code)s » n'est pas un code de %(level)s (%(hint)s).")
                    % {
                        "code": cell_text(raw_code)[:40],
                        "level": Level(level).label,
                        "hint": _FORMAT_HINTS[level],
                    },
                )
            )
            continue
        lookup = code[:5] if level == Level.IRIS else code
        if lookup not in known:
            if ignore_unknown:
                plan.skipped_unknown.append(code)
                continue
            plan.add(
                Problem(
                    line,
                    code_name,
                    _("code %(level)s « %(code)s » inconnu des tables territoriales.")
                    % {"level": Level(level).label, "code": code},
                )
            )
            continue
        if code in seen:
            plan.add(
                Problem(
                    line,
                    code_name,
                    _("le code « %(code)s » figure déjà ligne %(first)s.")
                    % {"code": code, "first": seen[code]},
                )
            )
            continue
        seen[code] = line
        try:
            cell = parse_value(cells[value_col])
        except NotANumber as exc:
            plan.add(Problem(line, value_name, _not_a_number(str(exc))))
            continue
        value, status, weight = cell.value, cell.status, None
        if denominator_col is not None:
            try:
                denominator = parse_value(cells[denominator_col])
            except NotANumber as exc:
                plan.add(Problem(line, denominator_name, _not_a_number(str(exc))))
                continue
            if status == ValueStatus.OK:
                if denominator.status != ValueStatus.OK:
                    value, status = None, denominator.status
                elif not denominator.value:
                    value, status = None, ValueStatus.MISSING
                else:
                    assert cell.value is not None  # an OK cell has a value
                    value, weight = 100.0 * cell.value / denominator.value, denominator.value
        elif populations:
            weight = float(populations.get(code) or 0) or None
        plan.values.append(ParsedValue(line, code, value, status, weight))
    if plan.ok and not any(v.status == ValueStatus.OK for v in plan.values):
        plan.add(
            Problem(
                None,
                value_name,
                _("Aucune valeur numérique dans la colonne « %(column)s » : est-ce la bonne colonne ?")
                % {"column": value_name},
            )
        )
    return plan


def _not_a_number(text: str) -> str:
    return _(
        "« %(value)s » n'est pas un nombre (attendu : un nombre comme 1 234,5 ; « s » pour une valeur "
        "secrète ; « nd » ou vide pour une valeur manquante)."
    ) % {"value": text[:40]}


def guess_columns(headers: list[str], rows: list[list[Any]], level_hint: str = "") -> dict[str, Any]:
    """Pre-select the code column (CODGEO, COM, IRIS, EPCI, code…) and the first numeric column."""
    names = [h.strip().lower() for h in headers]
    code_col = next(
        (
            i
            for i, n in enumerate(names)
            if n
            in {
                "codgeo",
                "com",
                "codecommune",
                "code_commune",
                "code commune",
                "insee",
                "code insee",
                "iris",
                "code_iris",
                "epci",
                "siren",
                "code_qp",
                "code_qpv",
                "qp",
                "dep",
                "code",
            }
            or n.startswith(("codgeo", "code insee", "code_insee", "code géo", "code geo", "code_qp"))
        ),
        0,
    )
    value_col = None
    for i in range(len(headers)):
        if i == code_col:
            continue
        sample = [r[i] for r in rows[:20] if i < len(r)]
        numeric = 0
        for cell in sample:
            try:
                if parse_value(cell).status == ValueStatus.OK:
                    numeric += 1
            except NotANumber:
                pass
        if numeric and numeric >= len(sample) // 2:
            value_col = i
            break
    level = level_hint
    if not level:
        sample_codes = [normalize_code(r[code_col], "commune") for r in rows[:20] if code_col < len(r)]
        lengths = {len(c) for c in sample_codes if c}
        if lengths == {9} and names[code_col] in {"iris", "code_iris"}:
            level = Level.IRIS
        elif lengths == {9}:
            level = Level.EPCI
        elif lengths == {5}:
            level = Level.COMMUNE
        elif all(c.startswith("Q") for c in sample_codes if c) and sample_codes:
            level = Level.QPV
        elif lengths and lengths <= {2, 3}:
            level = Level.DEPARTEMENT
    return {"code_column": code_col, "value_column": value_col, "level": level}
