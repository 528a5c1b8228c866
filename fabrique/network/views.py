"""The network head's pages: every fabrique side by side over a period, one indicator compared across
fabriques and periods, exports. (The directory of the network's fabriques and its map is public
information, what each fabrique's own web site says: `fabrique.public.network`.)

Counts only, never personal data; small counts shown as "< 5" (see `selectors`). Only the network
head (or a superuser) gets in: `require_network_head`, checked before anything is read.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView

from fabrique.accounts.models import User
from fabrique.backoffice.views.base import csv_response
from fabrique.core.indicators import Period
from fabrique.fabriques.access import require_network_head
from fabrique.fabriques.models import Fabrique, NetworkStatus
from fabrique.fabriques.services import fabrique_update

from .exports import comparison_rows, table_rows, xlsx_bytes
from .forms import PeriodForm
from .selectors import figures_seconds, indicator_comparison, network_table, trend_bars

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class NetworkHeadMixin(LoginRequiredMixin):
    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if request.user.is_authenticated:
            require_network_head(request.user)
        return super().dispatch(request, *args, **kwargs)


class PeriodMixin(NetworkHeadMixin):
    request: HttpRequest

    def period_form(self) -> PeriodForm:
        if not self.request.GET:
            return PeriodForm(None, initial={"kind": "year", "year": timezone.localdate().year})
        data = self.request.GET.copy()
        if not data.get("year"):
            data["year"] = str(timezone.localdate().year)  # shown in the form, as used
        return PeriodForm(data)

    def period(self, form: PeriodForm) -> Period:
        return form.period()

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context: dict[str, Any] = super().get_context_data(**kwargs)  # type: ignore[misc]
        seconds = figures_seconds()
        context["figures_minutes"] = -(-seconds // 60) if seconds else 0  # rounded up
        return context


def _download(content: bytes, *, filename: str, content_type: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


class NetworkHomeView(PeriodMixin, TemplateView):
    """Every fabrique side by side over the chosen period, with the network's trend."""

    template_name = "network/home.html"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = self.period_form()
        period = self.period(form)
        export = request.GET.get("export")
        if export in ("csv", "xlsx"):
            table = network_table(period)
            header, rows = table_rows(table)
            stem = f"reseau-{slugify(period.short_label())}-{timezone.localdate().isoformat()}"
            if export == "csv":
                return csv_response(filename=f"{stem}.csv", header=header, rows=rows)
            notes = [(c.label, c.definition) for c in table.columns]
            title = _("Le réseau des fabriques — %(period)s") % {"period": period.short_label()}
            return _download(
                xlsx_bytes(title=title, header=header, rows=rows, notes=notes),
                filename=f"{stem}.xlsx",
                content_type=XLSX,
            )
        context = self.get_context_data(form=form, period=period, table=network_table(period))
        return self.render_to_response(context)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        query = kwargs["period"].as_query()
        context["query"] = urlencode(query)
        context["columns"] = [
            (column, trend, total, before)
            for column, trend, total, before in zip(
                kwargs["table"].columns,
                kwargs["table"].trends,
                kwargs["table"].totals,
                kwargs["table"].previous_totals,
                strict=True,
            )
        ]
        return context


class IndicatorComparisonView(PeriodMixin, TemplateView):
    """One indicator: every fabrique over the chosen period and the four before it."""

    template_name = "network/indicator.html"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = self.period_form()
        period = self.period(form)
        comparison = indicator_comparison(kwargs["key"], period)
        if comparison is None:
            raise Http404(_("Indicateur introuvable."))
        export = request.GET.get("export")
        if export in ("csv", "xlsx"):
            header, rows = comparison_rows(comparison)
            stem = f"reseau-{slugify(comparison.column.label)}-{slugify(period.short_label())}"
            if export == "csv":
                return csv_response(filename=f"{stem}.csv", header=header, rows=rows)
            title = f"{comparison.column.label} — {period.short_label()}"
            return _download(
                xlsx_bytes(
                    title=title,
                    header=header,
                    rows=rows,
                    notes=[(comparison.column.label, comparison.column.definition)],
                ),
                filename=f"{stem}.xlsx",
                content_type=XLSX,
            )
        bars = trend_bars(comparison.totals)
        context = self.get_context_data(
            form=form,
            period=period,
            comparison=comparison,
            query=urlencode(period.as_query()),
            trend=list(zip(comparison.periods, comparison.totals, bars, strict=True)),
        )
        return self.render_to_response(context)


class StatusForm(forms.Form):
    fabrique = forms.ModelChoiceField(queryset=Fabrique.objects.filter(is_active=True))
    network_status = forms.ChoiceField(label=gettext_lazy("Statut"), choices=NetworkStatus.choices)


class NetworkStatusView(NetworkHeadMixin, TemplateView):
    """The network head says which fabriques are established and which are experimenting (audited
    in each fabrique's journal)."""

    template_name = "network/statuses.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["fabriques"] = Fabrique.objects.filter(is_active=True).order_by("name", "pk")
        context["statuses"] = NetworkStatus.choices
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = StatusForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Choisissez une fabrique et un statut."))
            return redirect("network:statuses")
        fabrique = form.cleaned_data["fabrique"]
        user = request.user
        assert isinstance(user, User)
        fabrique_update(fabrique=fabrique, actor=user, network_status=form.cleaned_data["network_status"])
        messages.success(
            request,
            _("Statut de %(name)s : %(status)s.")
            % {"name": fabrique.name, "status": NetworkStatus(form.cleaned_data["network_status"]).label},
        )
        return redirect("network:statuses")
