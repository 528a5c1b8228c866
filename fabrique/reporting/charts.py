"""Charts drawn on the server as SVG: no JavaScript, readable in the browser and in the PDF.

Each chart is an image with a title (`role="img"`, `<title>`); the page always shows the same figures
in a data table next to it, which is what screen readers and exports use."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

Number = int | float | Decimal

PALETTE = ("#1f4e79", "#2e7d6f", "#b5651d", "#7b4f9d", "#a83246", "#4f6d1f")


def _fmt(value: Number | None) -> str:
    if value is None:
        return "—"
    if isinstance(value, Decimal | float) and value != int(value):
        return f"{value:.1f}".replace(".", ",")
    return f"{int(value):,}".replace(",", "\u202f")


def bar_chart(items: Sequence[tuple[str, Number | None]], *, title: str, width: int = 640) -> SafeString:
    """Horizontal bars, one per (label, value), the value written at the end of each bar."""
    bar_h, gap, label_w, value_w = 22, 8, 230, 70
    height = max(1, len(items)) * (bar_h + gap) + gap
    top = max((float(v) for _, v in items if v), default=0.0) or 1.0
    plot_w = width - label_w - value_w
    rows = []
    for index, (label, value) in enumerate(items):
        y = gap + index * (bar_h + gap)
        length = 0 if not value else max(2, int(plot_w * float(value) / top))
        short = label if len(label) <= 36 else label[:35] + "…"
        rows.append(
            format_html(
                '<text x="{}" y="{}" text-anchor="end" font-size="12">{}</text>'
                '<rect x="{}" y="{}" width="{}" height="{}" fill="{}"></rect>'
                '<text x="{}" y="{}" font-size="12">{}</text>',
                label_w - 6,
                y + 15,
                short,
                label_w,
                y,
                length,
                bar_h,
                PALETTE[0],
                label_w + length + 4,
                y + 15,
                _fmt(value),
            )
        )
    return format_html(
        '<svg class="chart" role="img" viewBox="0 0 {} {}" width="100%" xmlns="http://www.w3.org/2000/svg">'
        "<title>{}</title>{}</svg>",
        width,
        height,
        title,
        format_html_join("", "{}", ((row,) for row in rows)),
    )


def grouped_bars(
    series: Sequence[tuple[str, Mapping[int, Number]]], years: Sequence[int], *, title: str, width: int = 640
) -> SafeString:
    """Vertical bars per year, one colour per series (scaled together), with a legend."""
    height, left, bottom, top_pad = 240, 40, 40, 16
    legend_h = 18 * len(series)
    plot_h = height - bottom - top_pad
    plot_w = width - left - 10
    top = max((float(v) for _, by in series for v in by.values() if v), default=0.0) or 1.0
    slot = plot_w / max(1, len(years))
    bar_w = max(4.0, (slot - 12) / max(1, len(series)))
    parts = [
        format_html(
            '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="#555"></line>',
            left,
            top_pad + plot_h,
            left + plot_w,
            top_pad + plot_h,
        )
    ]
    for yi, year in enumerate(years):
        x0 = left + yi * slot + 6
        parts.append(
            format_html(
                '<text x="{}" y="{}" text-anchor="middle" font-size="12">{}</text>',
                round(left + yi * slot + slot / 2, 1),
                top_pad + plot_h + 16,
                year,
            )
        )
        for si, (_label, by) in enumerate(series):
            value = by.get(year) or 0
            h = plot_h * float(value) / top
            parts.append(
                format_html(
                    '<rect x="{}" y="{}" width="{}" height="{}" fill="{}"><title>{} : {}</title></rect>',
                    round(x0 + si * bar_w, 1),
                    round(top_pad + plot_h - h, 1),
                    round(bar_w - 2, 1),
                    round(h, 1),
                    PALETTE[si % len(PALETTE)],
                    year,
                    _fmt(value),
                )
            )
    for si, (label, _by) in enumerate(series):
        y = height + 4 + si * 18
        parts.append(
            format_html(
                '<rect x="{}" y="{}" width="12" height="12" fill="{}"></rect>'
                '<text x="{}" y="{}" font-size="12">{}</text>',
                left,
                y,
                PALETTE[si % len(PALETTE)],
                left + 18,
                y + 11,
                label,
            )
        )
    body = format_html_join("", "{}", ((p,) for p in parts))
    return format_html(
        '<svg class="chart" role="img" viewBox="0 0 {} {}" width="100%" xmlns="http://www.w3.org/2000/svg">'
        "<title>{}</title>{}</svg>",
        width,
        height + legend_h + 8,
        title,
        body,
    )
