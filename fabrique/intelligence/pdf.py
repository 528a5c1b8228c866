"""The diagnosis as a PDF (rendered by `fabrique.core.pdf`: inline CSS and SVG, no URL fetched)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from django.http import HttpRequest

    from fabrique.fabriques.models import Fabrique

from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from fabrique.core.pdf import css_string, html_to_pdf


def diagnosis_pdf(*, diagnosis: Any, fabrique: Fabrique, request: HttpRequest | None = None) -> bytes:
    footer = css_string(f"{fabrique.name} — {_('Diagnostic territorial')} — {diagnosis.zone.name}")
    html = render_to_string(
        "intelligence/diagnosis_pdf.html",
        {"diagnosis": diagnosis, "fabrique": fabrique, "pdf": True, "footer": footer},
        request=request,
    )
    return html_to_pdf(html)
