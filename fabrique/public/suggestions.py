"""Public suggestions while a report is written: "Ce besoin a peut-être déjà été signalé".

An htmx fragment (`public:need_suggestions`, GET with the report form's fields) listing the closest
needs of the fabrique with only their public title and public status, as radios `same_as_need`
whose values are signed tokens (never a need id, see `fabrique.needs.grouping_forms`): the choice is
sent with the report and the report is attached at submission (`need_report_submit_grouped`). Nothing private (internal title, notes, reports, reporters, scores)
is ever rendered here.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import path
from django.views import View

from fabrique.fabriques.models import Fabrique
from fabrique.needs.forms import PublicReportForm
from fabrique.needs.grouping import public_need_suggestions
from fabrique.needs.grouping_forms import selected_need, suggested_need_id, suggestion_data, suggestion_token


class NeedSuggestionsView(View):
    template_name = "needs/grouping/_public_suggestions.html"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        fabrique = get_object_or_404(Fabrique, slug=kwargs["fabrique_slug"], is_active=True)
        data = suggestion_data(PublicReportForm, fabrique=fabrique, params=request.GET)
        suggestions = [
            {"s": s, "token": suggestion_token(need_id=s.need_id, fabrique_id=fabrique.pk)}
            for s in public_need_suggestions(fabrique=fabrique, data=data)
        ]
        selected = selected_need(request.GET)
        context = {
            "fabrique": fabrique,
            "suggestions": suggestions,
            "selected": selected,
            "selected_id": suggested_need_id(selected, fabrique_id=fabrique.pk) if selected else None,
        }
        response = render(request, self.template_name, context)
        response["Cache-Control"] = "private, no-store"
        response["X-Robots-Tag"] = "noindex, nofollow"
        return response


urlpatterns = [
    path("signaler/suggestions/", NeedSuggestionsView.as_view(), name="need_suggestions"),
]
