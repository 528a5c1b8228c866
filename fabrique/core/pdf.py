"""The one PDF renderer: documents (agendas, minutes, studies, diagnoses) rendered from HTML with WeasyPrint.

The HTML carries its own CSS inline and the fetcher refuses every URL except `data:`: a document never
reaches the network or the file system, so rendering is deterministic and safe with user-entered text.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from django.template.loader import render_to_string
from weasyprint import HTML
from weasyprint.urls import URLFetcher

_CSS_UNSAFE = str.maketrans({"\\": " ", '"': "'", "<": " ", ">": " ", "\n": " ", "\r": " "})


def css_string(value: str) -> str:
    """`value` made safe inside a double-quoted CSS string of an inline <style> (render it with |safe)."""
    return str(value).translate(_CSS_UNSAFE)[:150]


def html_to_pdf(html: str) -> bytes:
    fetcher = URLFetcher(allowed_protocols={"data"}, timeout=1)
    pdf: bytes = HTML(string=html, base_url=None, url_fetcher=fetcher).write_pdf()
    return pdf


def pdf_response(
    *, template: str, context: dict[str, Any], filename: str, request: Any = None
) -> HttpResponse:
    """Render `template` for print (`pdf` is true in its context) and answer with the PDF as a download."""
    html = render_to_string(template, {**context, "pdf": True}, request=request)
    response = HttpResponse(html_to_pdf(html), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
