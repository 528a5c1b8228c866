"""The diagnosis as a PDF, rendered from HTML with WeasyPrint.

The HTML carries its own CSS inline and the map as inline SVG; the fetcher refuses every URL except
`data:`, so rendering never reaches the network or the file system.
"""

from __future__ import annotations

from django.template.loader import render_to_string
from weasyprint import HTML
from weasyprint.urls import URLFetcher

_CSS_UNSAFE = str.maketrans({"\\": " ", '"': "'", "<": " ", ">": " ", "\n": " ", "\r": " "})


def css_string(value: str) -> str:
    """`value` made safe inside a double-quoted CSS string of the inline <style> (render it with |safe)."""
    return str(value).translate(_CSS_UNSAFE)[:150]


def html_to_pdf(html: str) -> bytes:
    fetcher = URLFetcher(allowed_protocols={"data"}, timeout=1)
    return HTML(string=html, base_url=None, url_fetcher=fetcher).write_pdf()


def diagnosis_pdf(*, diagnosis, fabrique, request=None) -> bytes:
    from django.utils.translation import gettext as _

    footer = css_string(f"{fabrique.name} — {_('Diagnostic territorial')} — {diagnosis.zone.name}")
    html = render_to_string(
        "intelligence/diagnosis_pdf.html",
        {"diagnosis": diagnosis, "fabrique": fabrique, "pdf": True, "footer": footer},
        request=request,
    )
    return html_to_pdf(html)
