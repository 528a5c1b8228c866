"""Funder reports: the frozen snapshot of figures, and the PDF and XLSX made from it.

A report (`FunderReport`) names a funder and a period, or one agreement, and carries the team's
narrative sections. Each generation is a `FunderReportVersion`: a task (`generate_funder_report`)
computes the figures ONCE into a JSON snapshot (the figures as they were), then renders the PDF
(`fabrique.core.pdf`, charts as inline SVG) and the XLSX (openpyxl) from that snapshot only. A
regeneration makes a new version; old versions stay as they were."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal
from typing import Any

from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fabrique.core.exports import xlsx_set, xlsx_workbook
from fabrique.core.indicators import Filters, Period, indicators
from fabrique.reporting.charts import bar_chart, grouped_bars
from fabrique.reporting.figures import durations, funnel, reporting_table, trend_years

from .models import FunderReport, FundingAgreement

# the narrative sections the team writes before generating, in order
NARRATIVES: list[tuple[str, Any]] = [
    ("introduction", gettext_lazy("Présentation et contexte")),
    ("highlights", gettext_lazy("Faits marquants de la période")),
    ("outlook", gettext_lazy("Difficultés et perspectives")),
]
SNAPSHOT_FORMAT = 1


def _json_number(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    return value


def report_scope(report: FunderReport) -> tuple[Period, Filters, list[str] | None]:
    """The period, the filters and the indicator keys of a report (None: every indicator)."""
    period = Period(report.period_start, report.period_end)
    if report.agreement_id:
        agreement = report.agreement
        assert agreement is not None
        return period, Filters(agreement_id=agreement.pk), (agreement.required_indicators or None)
    required: set[str] = set()
    for keys in FundingAgreement.objects.filter(fabrique=report.fabrique, funder=report.funder).values_list(
        "required_indicators", flat=True
    ):
        required.update(keys or [])
    return period, Filters(funder_id=report.funder_id), (sorted(required) or None)


def funded_actions(report: FunderReport) -> list[dict[str, Any]]:
    """The funder's agreements that overlap the period (or the report's agreement), as plain data."""
    if report.agreement_id:
        rows = FundingAgreement.objects.filter(pk=report.agreement_id)
    else:
        rows = FundingAgreement.objects.filter(
            fabrique=report.fabrique, funder=report.funder, starts_on__lte=report.period_end
        ).filter(Q(ends_on__gte=report.period_start))
    rows = rows.select_related("study", "diagnosis", "workstream", "support_plan__project").order_by(
        "starts_on"
    )
    return [
        {
            "title": a.title,
            "reference": a.reference,
            "scope": str(a.get_scope_display()),
            "object": str(a.funded_object) if a.funded_object else "",
            "starts_on": a.starts_on.isoformat(),
            "ends_on": a.ends_on.isoformat(),
            "amount_granted": str(a.amount_granted),
            "amount_paid": str(a.amount_paid),
            "status": str(a.get_status_display()),
        }
        for a in rows[:200]
    ]


def build_snapshot(report: FunderReport) -> dict[str, Any]:
    """Every figure of the report, computed now, as JSON-serialisable data."""
    fabrique = report.fabrique
    period, filters, keys = report_scope(report)
    sections = reporting_table(fabrique, period=period, filters=filters, keys=keys)
    years = trend_years(period)
    # the funnel's steps that the report's indicators already counted
    known = {r.indicator.key: r.value for section in sections for r in section.rows}
    return {
        "format": SNAPSHOT_FORMAT,
        "fabrique": fabrique.name,
        "funder": str(report.funder),
        "agreement": report.agreement.title if report.agreement_id and report.agreement else "",
        "title": report.title,
        "period": {
            "start": period.start.isoformat() if period.start else None,
            "end": period.end.isoformat() if period.end else None,
            "label": period.label(),
        },
        "generated_at": timezone.now().isoformat(),
        "years": years,
        "narratives": [
            {"key": key, "label": str(label), "text": (report.narratives or {}).get(key, "")}
            for key, label in NARRATIVES
        ],
        "sections": [
            {
                "key": s.key,
                "label": s.label,
                "rows": [
                    {
                        "key": r.indicator.key,
                        "label": str(r.indicator.label),
                        "definition": str(r.indicator.definition),
                        "unit": r.indicator.unit,
                        "value": _json_number(r.value),
                        "trend": {str(y): _json_number(v) for y, v in r.trend.items()},
                    }
                    for r in s.rows
                ],
            }
            for s in sections
        ],
        "funnel": [
            {"key": s.key, "label": s.label, "value": _json_number(s.value), "rate": _json_number(s.rate)}
            for s in funnel(fabrique, period=period, filters=filters, known=known)
        ],
        "durations": [
            {"key": d.key, "label": d.label, "median_days": d.median_days, "count": d.count}
            for d in durations(fabrique, period=period, filters=filters)
        ],
        "actions": funded_actions(report),
    }


def _number(value: Any) -> Any:
    """A snapshot value back to a number (Decimal for amounts, int for counts); None stays None."""
    if value is None or isinstance(value, int | float):
        return value
    try:
        number = Decimal(str(value))
    except ArithmeticError:
        return value
    return int(number) if number == number.to_integral_value() and "." not in str(value) else number


def render_pdf(snapshot: dict[str, Any], *, logo_data_uri: str = "") -> bytes:
    """The report as PDF (WeasyPrint via core.pdf): name and logo, table of contents, page numbers,
    charts drawn from the snapshot."""
    from fabrique.core.pdf import html_to_pdf

    years = snapshot["years"]
    by_key = {row["key"]: row for section in snapshot["sections"] for row in section["rows"]}
    series = [
        (row["label"], {int(y): _number(v) or 0 for y, v in row["trend"].items()})
        for key in (
            "needs.reports_received",
            "needs.detected",
            "studies.launched",
            "projects.launched",
            "projects.enterprises_created",
        )
        if (row := by_key.get(key))
    ]
    context = {
        "s": snapshot,
        "logo": logo_data_uri,
        "funnel_chart": bar_chart(
            [(step["label"], _number(step["value"])) for step in snapshot["funnel"]],
            title=_("Entonnoir, du signalement à l'entreprise"),
        ),
        "trend_chart": grouped_bars(series, years, title=_("Évolution annuelle")) if series else "",
        "generated": datetime.datetime.fromisoformat(snapshot["generated_at"]),
    }
    return html_to_pdf(render_to_string("backoffice/reporting/report_pdf.html", context))


SHEET_TITLE_MAX = 31


def render_xlsx(snapshot: dict[str, Any]) -> bytes:
    """The report as XLSX: one sheet per section (summary, narratives, each indicator section, funnel,
    durations, funded actions); numbers and dates as real cell types; text as text."""
    from openpyxl.cell.cell import Cell

    wb = xlsx_workbook()

    def put(ws: Any, row: int, col: int, value: Any, *, header: bool = False) -> Cell:
        cell: Cell = xlsx_set(ws.cell(row=row, column=col), value, bold=header)  # text never a formula
        if isinstance(value, Decimal):
            cell.number_format = "#,##0.00"
        return cell

    def title(name: str) -> str:
        for ch in "[]:*?/\\":
            name = name.replace(ch, " ")
        return name[:SHEET_TITLE_MAX]

    summary = wb.active
    summary.title = title(_("Synthèse"))
    period = snapshot["period"]
    rows: list[tuple[str, Any]] = [
        (_("Fabrique"), snapshot["fabrique"]),
        (_("Financeur"), snapshot["funder"]),
        (_("Convention"), snapshot["agreement"]),
        (_("Rapport"), snapshot["title"]),
        (_("Début de la période"), datetime.date.fromisoformat(period["start"]) if period["start"] else None),
        (_("Fin de la période"), datetime.date.fromisoformat(period["end"]) if period["end"] else None),
        (_("Généré le"), datetime.datetime.fromisoformat(snapshot["generated_at"]).date()),
    ]
    for i, (label, value) in enumerate(rows, start=1):
        put(summary, i, 1, label, header=True)
        put(summary, i, 2, value)
    summary.column_dimensions["A"].width = 24
    summary.column_dimensions["B"].width = 60

    texts = wb.create_sheet(title(_("Textes de l'équipe")))
    put(texts, 1, 1, _("Partie"), header=True)
    put(texts, 1, 2, _("Texte"), header=True)
    for i, part in enumerate(snapshot["narratives"], start=2):
        put(texts, i, 1, part["label"])
        put(texts, i, 2, part["text"])
    texts.column_dimensions["B"].width = 100

    years = snapshot["years"]
    for section in snapshot["sections"]:
        ws = wb.create_sheet(title(section["label"]))
        header = [_("Indicateur"), _("Unité"), period["label"], *[str(y) for y in years], _("Définition")]
        for col, text in enumerate(header, start=1):
            put(ws, 1, col, text, header=True)
        for i, row in enumerate(section["rows"], start=2):
            put(ws, i, 1, row["label"])
            put(ws, i, 2, row["unit"])
            put(ws, i, 3, _number(row["value"]))
            for j, year in enumerate(years):
                put(ws, i, 4 + j, _number(row["trend"].get(str(year))))
            put(ws, i, 4 + len(years), row["definition"])
        ws.column_dimensions["A"].width = 48

    ws = wb.create_sheet(title(_("Entonnoir")))
    for col, text in enumerate([_("Étape"), _("Nombre"), _("Taux de passage (%)")], start=1):
        put(ws, 1, col, text, header=True)
    for i, step in enumerate(snapshot["funnel"], start=2):
        put(ws, i, 1, step["label"])
        put(ws, i, 2, _number(step["value"]))
        put(ws, i, 3, _number(step["rate"]))

    ws = wb.create_sheet(title(_("Durées")))
    for col, text in enumerate([_("Étape"), _("Durée médiane (jours)"), _("Mesures")], start=1):
        put(ws, 1, col, text, header=True)
    for i, d in enumerate(snapshot["durations"], start=2):
        put(ws, i, 1, d["label"])
        put(ws, i, 2, d["median_days"])
        put(ws, i, 3, d["count"])

    ws = wb.create_sheet(title(_("Actions financées")))
    header = [
        _("Convention"),
        _("Numéro"),
        _("Objet"),
        _("Début"),
        _("Fin"),
        _("Accordé (€)"),
        _("Versé (€)"),
        _("Statut"),
    ]
    for col, text in enumerate(header, start=1):
        put(ws, 1, col, text, header=True)
    for i, a in enumerate(snapshot["actions"], start=2):
        values = [
            a["title"],
            a["reference"],
            f"{a['scope']}{' : ' + a['object'] if a['object'] else ''}",
            datetime.date.fromisoformat(a["starts_on"]),
            datetime.date.fromisoformat(a["ends_on"]),
            Decimal(a["amount_granted"]),
            Decimal(a["amount_paid"]),
            a["status"],
        ]
        for col, value in enumerate(values, start=1):
            put(ws, i, col, value)

    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def all_indicator_keys() -> list[str]:
    return [i.key for i in indicators(reporting=True)]
