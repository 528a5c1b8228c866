"""The team's pipeline: board by stage, filtered list with CSV export, committee queue, deadlines."""

from typing import Any

from django import forms
from django.http import HttpRequest, HttpResponse
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.generic import TemplateView

from fabrique.accounts.models import User
from fabrique.core.limits import SHORT_TEXT, validate_sane_date
from fabrique.fabriques.models import Fabrique, Permission
from fabrique.needs.services import officer_candidates
from fabrique.reporting.pipeline import (
    KIND_LABELS,
    PipelineFilters,
    awaiting_committee,
    pipeline_board,
    pipeline_items,
    stage_choices,
)
from fabrique.territories.forms import CommuneChoiceField
from fabrique.territories.models import Commune
from fabrique.workstreams.models import Workstream

from ..dashboard import dashboard_deadlines
from .base import FabriqueViewMixin, csv_response

LIST_LIMIT = 200  # rows of the filtered list on screen; the CSV export holds them all


class PipelineFilterForm(forms.Form):
    q = forms.CharField(label=_("Recherche"), required=False, max_length=SHORT_TEXT)
    kind = forms.ChoiceField(label=_("Type"), required=False)
    stage = forms.ChoiceField(label=_("Étape"), required=False)
    workstream = forms.ModelChoiceField(
        label=_("Chantier"), queryset=Workstream.objects.none(), required=False
    )
    commune = forms.ModelChoiceField(label=_("Commune"), queryset=Commune.objects.none(), required=False)
    officer = forms.ModelChoiceField(
        label=_("Chargé·e de mission"), queryset=User.objects.none(), required=False
    )
    since = forms.DateField(
        label=_("Modifié depuis le"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        validators=[validate_sane_date],
    )
    until = forms.DateField(
        label=_("Modifié jusqu'au"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        validators=[validate_sane_date],
    )

    def __init__(self, *args: Any, fabrique: Fabrique, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        fields: Any = self.fields  # choice fields (the stubs type them as plain fields)
        fields["kind"].choices = [("", _("Tous"))] + [
            (k, str(v).capitalize()) for k, v in KIND_LABELS.items()
        ]
        fields["stage"].choices = [("", _("Toutes"))] + stage_choices()
        fields["workstream"].queryset = Workstream.objects.filter(fabrique=fabrique)
        # the commune autocomplete, never a <select> of communes (territories.forms)
        fields["commune"] = CommuneChoiceField(
            label=_("Commune"),
            required=False,
            help_text="",
            error_messages={"invalid_choice": _("Aucune commune ne correspond à « %(value)s ».")},
        )
        # the team members who follow files (admins and officers), never partner or reader accounts
        fields["officer"].queryset = officer_candidates(fabrique=fabrique).order_by("last_name", "email")

    def filters(self) -> PipelineFilters:
        if not self.is_valid():
            return PipelineFilters()
        data = self.cleaned_data
        return PipelineFilters(
            kind=data["kind"] or "",
            stage=data["stage"] or "",
            workstream_id=data["workstream"].pk if data["workstream"] else None,
            commune_id=data["commune"].pk if data["commune"] else None,
            officer_id=data["officer"].pk if data["officer"] else None,
            since=data["since"],
            until=data["until"],
            q=data["q"].strip(),
        )


class PipelineBoardView(FabriqueViewMixin, TemplateView):
    permission = Permission.VIEW
    template_name = "backoffice/pipeline/board.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        form = PipelineFilterForm(self.request.GET or None, fabrique=self.fabrique)
        workstream = officer = None
        if form.is_bound and form.is_valid():
            workstream = form.cleaned_data["workstream"]
            officer = form.cleaned_data["officer"]
        context["form"] = form
        context["columns"] = pipeline_board(fabrique=self.fabrique, workstream=workstream, officer=officer)
        context["awaiting"] = awaiting_committee(fabrique=self.fabrique)
        context["deadlines"] = dashboard_deadlines(fabrique=self.fabrique, days=30)
        return context


class PipelineListView(FabriqueViewMixin, TemplateView):
    permission = Permission.VIEW
    template_name = "backoffice/pipeline/list.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        form = PipelineFilterForm(self.request.GET or None, fabrique=self.fabrique)
        context["form"] = form
        items = pipeline_items(fabrique=self.fabrique, filters=form.filters(), limit=LIST_LIMIT + 1)
        context["items"] = items[:LIST_LIMIT]
        context["truncated"] = len(items) > LIST_LIMIT
        context["limit"] = LIST_LIMIT
        context["querystring"] = self.request.GET.urlencode()
        return context


class PipelineExportView(FabriqueViewMixin, View):
    """The filtered list as CSV for a spreadsheet (UTF-8 with BOM, semicolons: opens in French Excel)."""

    permission = Permission.VIEW

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = PipelineFilterForm(request.GET or None, fabrique=self.fabrique)
        items = pipeline_items(fabrique=self.fabrique, filters=form.filters())
        return csv_response(
            filename=f"pipeline-{self.fabrique.slug}-{timezone.localdate().isoformat()}.csv",
            header=[
                _("Type"),
                _("Référence"),
                _("Intitulé"),
                _("Étape"),
                _("Chantier"),
                _("Commune"),
                _("Chargé·e de mission"),
                _("Dernier changement"),
                _("Lien"),
            ],
            rows=(
                [
                    item.kind_label,
                    item.reference,
                    item.title,
                    item.stage_label,
                    item.workstream,
                    item.commune,
                    item.officer,
                    timezone.localtime(item.updated).strftime("%d/%m/%Y %H:%M"),
                    request.build_absolute_uri(item.url) if item.url else "",
                ]
                for item in items
            ),
        )


urlpatterns = [
    path("pilotage/", PipelineBoardView.as_view(), name="pipeline_board"),
    path("pilotage/liste/", PipelineListView.as_view(), name="pipeline_list"),
    path("pilotage/export.csv", PipelineExportView.as_view(), name="pipeline_export"),
]
