"""The reporting page (the programme's indicators over a period, with filters and charts), the
drill-down behind each figure, and the funders' agreements."""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Max, Model, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import NoReverseMatch, path, reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import ListView, TemplateView

from fabrique.core.errors import DomainError
from fabrique.core.exports import Column
from fabrique.core.indicators import Filters, Indicator, NotApplicable, Period, indicator
from fabrique.fabriques.models import Permission
from fabrique.funding.forms import AgreementForm, DeadlineForm, FunderReportForm
from fabrique.funding.models import (
    FunderReport,
    FunderReportVersion,
    FundingAgreement,
    ReportingDeadline,
    ReportStatus,
)
from fabrique.funding.selectors import agreements_with_deadlines, upcoming_deadlines
from fabrique.funding.services import (
    agreement_create,
    agreement_update,
    deadline_add,
    deadline_mark_done,
    funder_report_create,
    funder_report_generate,
    funder_report_update,
)
from fabrique.reporting.charts import bar_chart, grouped_bars
from fabrique.reporting.figures import durations, funnel, reporting_table, trend_years
from fabrique.reporting.filters import ReportingFilterForm
from fabrique.reporting.maps import needs_map

from .base import PAGE_SIZE, ExportMixin, FabriqueViewMixin, ObjectDetailView, ServiceFormView

# the breakdowns shown on the reporting page: (indicator key, breakdown keys)
PAGE_BREAKDOWNS = (
    ("needs.reports_received", ("theme", "public", "qpv", "rurality", "epci", "commune")),
    ("needs.detected", ("theme", "qpv", "rurality")),
    ("studies.completed", ("outcome",)),
    ("recruitment.leaders_found", ("way", "leader")),
    ("projects.enterprises_created", ("legal_form",)),
    ("projects.stopped", ("reason",)),
)
# the series of the yearly trend chart
TREND_KEYS = (
    "needs.reports_received",
    "needs.detected",
    "studies.launched",
    "projects.launched",
    "projects.enterprises_created",
)


def reporting_context(*, fabrique: Any, form: ReportingFilterForm, breakdowns: bool = True) -> dict[str, Any]:
    """Everything the reporting page (and a report) shows for the form's period and filters."""
    period, filters = form.period(), form.filters()
    active = None if filters.is_empty else filters
    sections = reporting_table(fabrique, period=period, filters=active)
    years = trend_years(period)
    by_key = {row.indicator.key: row for section in sections for row in section.rows}
    steps = funnel(fabrique, period=period, filters=active, known={k: row.value for k, row in by_key.items()})
    trend_series = [(str(by_key[k].indicator.label), by_key[k].trend) for k in TREND_KEYS if k in by_key]
    splits = []
    if breakdowns:
        for key, names in PAGE_BREAKDOWNS:
            ind = indicator(key)
            for name in names:
                buckets = ind.breakdown(fabrique, name, period=period, filters=active)
                splits.append(
                    {
                        "indicator": ind,
                        "breakdown": ind.breakdown_of(name),
                        "buckets": buckets,
                        "chart": bar_chart(
                            [(b.label, b.count) for b in buckets],
                            title=f"{ind.label} — {ind.breakdown_of(name).label}",
                        )
                        if buckets
                        else "",
                    }
                )
    return {
        "period": period,
        "period_label": period.label(),
        "filters": filters,
        "sections": sections,
        "years": years,
        "funnel": steps,
        "funnel_chart": bar_chart(
            [(s.label, s.value) for s in steps], title=_("Entonnoir, du signalement à l'entreprise")
        ),
        "trend_series": trend_series,
        "trend_chart": grouped_bars(trend_series, years, title=_("Évolution annuelle")),
        "durations": durations(fabrique, period=period, filters=active),
        "splits": splits,
        "needs_map": needs_map(fabrique, period=period, filters=active) if breakdowns else None,
    }


class ReportingDashboardView(FabriqueViewMixin, TemplateView):
    permission = Permission.VIEW
    template_name = "backoffice/reporting/dashboard.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        form = ReportingFilterForm(self.request.GET or None, fabrique=self.fabrique)
        context["form"] = form
        context["querystring"] = form.querystring()
        context.update(reporting_context(fabrique=self.fabrique, form=form))
        return context


# rows to join for each drilled model (their description reads them)
DRILL_RELATED: dict[str, tuple[str, ...]] = {
    "application": ("project",),
    "followup": ("enterprise",),
    "fundingline": ("plan__project",),
    "fundingagreement": ("funder",),
    "workshop": ("study",),
    "enterprise": ("project",),
}


def drill_url(row: Model, fabrique: Any) -> str:
    """The back-office page of a drilled row ("" when it has none)."""
    name = row._meta.model_name
    targets = {
        "needreport": ("report_detail", row.pk),
        "workshop": ("study_detail", getattr(row, "study_id", None)),
        "followup": ("enterprise_detail", getattr(row, "enterprise_id", None)),
        "fundingline": ("support_plan_detail", getattr(row, "plan_id", None)),
        "fundingagreement": ("agreement_detail", row.pk),
    }
    url_name, pk = targets.get(str(name), (f"{name}_detail", row.pk))
    try:
        return reverse(f"backoffice:{url_name}", kwargs={"fabrique_slug": fabrique.slug, "pk": pk})
    except NoReverseMatch:
        return ""


class ReportingDrillView(FabriqueViewMixin, TemplateView):
    """The rows behind one figure of the reporting page (same period and filters), paginated."""

    permission = Permission.VIEW
    template_name = "backoffice/reporting/drill.html"

    def get_indicator(self) -> Indicator:
        try:
            found = indicator(self.kwargs["key"])
        except KeyError as exc:
            raise Http404(_("Indicateur inconnu.")) from exc
        if not found.reporting:
            raise Http404(_("Indicateur inconnu."))
        return found

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        ind = self.get_indicator()
        form = ReportingFilterForm(self.request.GET or None, fabrique=self.fabrique)
        period, filters = form.period(), form.filters()
        breakdown = self.request.GET.get("breakdown", "")
        bucket = self.request.GET.get("bucket")
        if breakdown and breakdown not in {b.key for b in ind.breakdowns}:
            raise Http404(_("Ventilation inconnue."))
        try:
            rows: QuerySet[Any] | None = ind.drill_rows(
                self.fabrique,
                period=period,
                filters=None if filters.is_empty else filters,
                breakdown=breakdown,
                bucket=bucket,
            )
        except NotApplicable:
            rows = None
        page = None
        if rows is not None:
            related = DRILL_RELATED.get(str(rows.model._meta.model_name), ())
            rows = rows.select_related(*related).order_by("-pk")
            page = Paginator(rows, PAGE_SIZE).get_page(self.request.GET.get("page"))
            context["items"] = [
                {"label": ind.describe_row(row), "url": drill_url(row, self.fabrique)} for row in page
            ]
        params = self.request.GET.copy()
        params.pop("page", None)
        context.update(
            {
                "indicator": ind,
                "value": ind.value(self.fabrique, period=period, filters=filters)
                if not filters.is_empty
                else ind.value(self.fabrique, period=period),
                "period_label": period.label(),
                "page_obj": page,
                "not_applicable": rows is None,
                "bucket_label": self._bucket_label(ind, breakdown, bucket),
                "querystring": params.urlencode(),
                "back_query": form.querystring(),
            }
        )
        return context

    def _bucket_label(self, ind: Indicator, breakdown: str, bucket: str | None) -> str:
        if not breakdown or bucket is None:
            return ""
        dimension = ind.breakdown_of(breakdown)
        shown = dimension.labels(bucket) if bucket else _("non renseigné")
        return f"{dimension.label} : {shown}"


urlpatterns = [
    path("rapports/", ReportingDashboardView.as_view(), name="reporting_dashboard"),
    path("rapports/indicateur/<str:key>/", ReportingDrillView.as_view(), name="reporting_drill"),
]


# --- funders' agreements ------------------------------------------------------------------------------


class AgreementListView(ExportMixin, FabriqueViewMixin, ListView[FundingAgreement]):  # type: ignore[misc]
    """The fabrique's agreements with their next reporting deadline (late ones first)."""

    permission = Permission.VIEW
    template_name = "backoffice/reporting/agreement_list.html"
    paginate_by = PAGE_SIZE
    export_name = "conventions"
    export_columns = (
        Column(gettext_lazy("Intitulé"), lambda a: a.title, "title"),
        Column(gettext_lazy("Numéro"), lambda a: a.reference, "reference"),
        Column(gettext_lazy("Financeur"), lambda a: a.funder.name, "funder"),
        Column(gettext_lazy("Statut"), lambda a: a.get_status_display(), "status"),
        Column(gettext_lazy("Début"), lambda a: a.starts_on, "starts_on"),
        Column(gettext_lazy("Fin"), lambda a: a.ends_on, "ends_on"),
        Column(gettext_lazy("Montant accordé (€)"), lambda a: a.amount_granted, "amount_granted"),
        Column(gettext_lazy("Montant versé (€)"), lambda a: a.amount_paid, "amount_paid"),
        Column(gettext_lazy("Prochaine échéance"), lambda a: a.next_deadline, "next_deadline"),
    )

    def get_queryset(self) -> QuerySet[FundingAgreement]:
        return agreements_with_deadlines(fabrique=self.fabrique)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["deadlines"] = upcoming_deadlines(fabrique=self.fabrique)
        context["today"] = timezone.localdate()
        return context


class AgreementDetailView(ObjectDetailView):
    template_name = "backoffice/reporting/agreement_detail.html"
    context_object_name = "agreement"

    def get_queryset(self) -> QuerySet[FundingAgreement]:
        return FundingAgreement.objects.select_related(
            "funder", "study", "diagnosis", "workstream", "support_plan__project"
        )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        agreement: FundingAgreement = self.object
        period = Period(agreement.starts_on, agreement.ends_on)
        keys = agreement.required_indicators or None
        context["period_label"] = period.label()
        context["sections"] = reporting_table(
            self.fabrique, period=period, filters=Filters(agreement_id=agreement.pk), keys=keys, trends=False
        )
        context["deadlines"] = list(agreement.deadlines.all())
        context["deadline_form"] = DeadlineForm()
        context["today"] = timezone.localdate()
        context["reports"] = list(agreement.reports.order_by("-created_at")[:20])
        return context


class AgreementCreateView(ServiceFormView):
    permission = Permission.EDIT
    template_name = "backoffice/reporting/agreement_form.html"
    form_class = AgreementForm
    success_message = _("Convention « %(name)s » enregistrée.")

    def perform(self, form: Any) -> FundingAgreement:
        return agreement_create(fabrique=self.fabrique, actor=self.user, **form.service_data())

    def success_url_for(self, obj: FundingAgreement) -> str:
        return self.url("agreement_detail", pk=obj.pk)


class AgreementUpdateView(ServiceFormView):
    permission = Permission.EDIT
    template_name = "backoffice/reporting/agreement_form.html"
    form_class = AgreementForm
    lookups = {"pk": FundingAgreement}
    success_message = _("Convention « %(name)s » modifiée.")

    def get_form_kwargs(self) -> dict[str, Any]:
        kwargs = super().get_form_kwargs()
        self.agreement = self.scoped_get(FundingAgreement, self.kwargs["pk"])
        kwargs["instance"] = self.agreement
        return kwargs

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["agreement"] = self.agreement
        return context

    def perform(self, form: Any) -> FundingAgreement:
        return agreement_update(agreement=self.agreement, actor=self.user, **form.service_data())

    def success_url_for(self, obj: FundingAgreement) -> str:
        return self.url("agreement_detail", pk=obj.pk)


class DeadlineAddView(ServiceFormView):
    permission = Permission.EDIT
    template_name = "backoffice/reporting/deadline_form.html"
    form_class = DeadlineForm
    form_fabrique = False
    lookups = {"pk": FundingAgreement}
    success_message = _("Échéance « %(name)s » ajoutée.")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["agreement"] = self.scoped_get(FundingAgreement, self.kwargs["pk"])
        return context

    def perform(self, form: Any) -> ReportingDeadline:
        agreement = self.scoped_get(FundingAgreement, self.kwargs["pk"])
        return deadline_add(agreement=agreement, actor=self.user, **form.cleaned_data)

    def success_url_for(self, obj: ReportingDeadline) -> str:
        return self.url("agreement_detail", pk=obj.agreement_id)


class DeadlineDoneView(FabriqueViewMixin, TemplateView):
    """GET asks for confirmation; POST marks a reporting deadline done today (or not done with `undo`)."""

    permission = Permission.EDIT
    lookups = {"pk": FundingAgreement}
    template_name = "backoffice/reporting/confirm.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        agreement = self.scoped_get(FundingAgreement, self.kwargs["pk"])
        deadline = get_object_or_404(ReportingDeadline, agreement=agreement, pk=self.kwargs["deadline_pk"])
        context.update(
            heading=_("Compte rendu rendu ?"),
            question=_("Marquer « %(label)s » (échéance du %(day)s) comme rendu aujourd'hui ?")
            % {"label": deadline.label, "day": deadline.due_on.strftime("%d/%m/%Y")},
            button=_("Marquer rendu"),
            back_url=self.url("agreement_detail", pk=agreement.pk),
        )
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        agreement = self.scoped_get(FundingAgreement, kwargs["pk"])
        deadline = get_object_or_404(ReportingDeadline, agreement=agreement, pk=kwargs["deadline_pk"])
        done_on = None if request.POST.get("undo") else timezone.localdate()
        deadline_mark_done(deadline=deadline, actor=self.user, done_on=done_on)
        messages.success(request, _("Échéance mise à jour."))
        return redirect(self.url("agreement_detail", pk=agreement.pk))


urlpatterns += [
    path("financeurs/conventions/", AgreementListView.as_view(), name="agreement_list"),
    path("financeurs/conventions/nouvelle/", AgreementCreateView.as_view(), name="agreement_create"),
    path("financeurs/conventions/<int:pk>/", AgreementDetailView.as_view(), name="agreement_detail"),
    path("financeurs/conventions/<int:pk>/modifier/", AgreementUpdateView.as_view(), name="agreement_update"),
    path(
        "financeurs/conventions/<int:pk>/echeances/", DeadlineAddView.as_view(), name="agreement_deadline_add"
    ),
    path(
        "financeurs/conventions/<int:pk>/echeances/<int:deadline_pk>/fait/",
        DeadlineDoneView.as_view(),
        name="agreement_deadline_done",
    ),
]


# --- funder reports -----------------------------------------------------------------------------------


class FunderReportListView(FabriqueViewMixin, ListView[FunderReport]):
    permission = Permission.VIEW
    template_name = "backoffice/reporting/report_list.html"
    paginate_by = PAGE_SIZE

    def get_queryset(self) -> QuerySet[FunderReport]:
        return (
            FunderReport.objects.filter(fabrique=self.fabrique)
            .select_related("funder", "agreement")
            .annotate(last_version=Max("versions__number"))
            .order_by("-created_at")
        )


class FunderReportCreateView(ServiceFormView):
    permission = Permission.EDIT
    template_name = "backoffice/reporting/report_form.html"
    form_class = FunderReportForm
    success_message = _("Rapport « %(name)s » enregistré : relisez-le puis générez-le.")

    def get_initial(self) -> dict[str, Any]:
        initial = super().get_initial()
        agreement_pk = self.request.GET.get("agreement", "")
        if agreement_pk.isdigit():
            agreement = FundingAgreement.objects.filter(fabrique=self.fabrique, pk=agreement_pk).first()
            if agreement is not None:
                initial.update(
                    agreement=agreement,
                    funder=agreement.funder_id,
                    title=_("Compte rendu — %(title)s") % {"title": agreement.title},
                    period_start=agreement.starts_on,
                    period_end=agreement.ends_on,
                )
        else:
            year = timezone.localdate().year - 1
            initial.update(period_start=datetime.date(year, 1, 1), period_end=datetime.date(year, 12, 31))
        return initial

    def perform(self, form: Any) -> FunderReport:
        return funder_report_create(fabrique=self.fabrique, actor=self.user, **form.service_data())

    def success_url_for(self, obj: FunderReport) -> str:
        return self.url("funder_report_detail", pk=obj.pk)


class FunderReportUpdateView(ServiceFormView):
    permission = Permission.EDIT
    template_name = "backoffice/reporting/report_form.html"
    form_class = FunderReportForm
    lookups = {"pk": FunderReport}
    success_message = _("Rapport « %(name)s » modifié.")

    def get_form_kwargs(self) -> dict[str, Any]:
        kwargs = super().get_form_kwargs()
        self.report = self.scoped_get(FunderReport, self.kwargs["pk"])
        kwargs["initial_report"] = self.report
        kwargs["initial"] = {
            "funder": self.report.funder_id,
            "agreement": self.report.agreement_id,
            "title": self.report.title,
            "period_start": self.report.period_start,
            "period_end": self.report.period_end,
        }
        return kwargs

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["report"] = self.report
        return context

    def perform(self, form: Any) -> FunderReport:
        return funder_report_update(report=self.report, actor=self.user, **form.service_data())

    def success_url_for(self, obj: FunderReport) -> str:
        return self.url("funder_report_detail", pk=obj.pk)


class FunderReportDetailView(ObjectDetailView):
    template_name = "backoffice/reporting/report_detail.html"
    context_object_name = "report"

    def get_queryset(self) -> QuerySet[FunderReport]:
        return FunderReport.objects.select_related("funder", "agreement")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        from fabrique.funding.reports import NARRATIVES

        context = super().get_context_data(**kwargs)
        report: FunderReport = self.object
        versions = list(
            report.versions.defer("pdf", "xlsx", "snapshot")
            .select_related("requested_by")
            .order_by("-number")[:20]
        )
        context["versions"] = versions
        context["running"] = any(v.status in (ReportStatus.PENDING, ReportStatus.RUNNING) for v in versions)
        context["narratives"] = [(label, (report.narratives or {}).get(key, "")) for key, label in NARRATIVES]
        return context


class FunderReportGenerateView(FabriqueViewMixin, TemplateView):
    """GET asks for confirmation; POST generates a new version of the report (a task; the report's
    page shows its progress)."""

    permission = Permission.EDIT
    lookups = {"pk": FunderReport}
    template_name = "backoffice/reporting/confirm.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        report = self.scoped_get(FunderReport, self.kwargs["pk"])
        context.update(
            heading=_("Générer le rapport"),
            question=_("Calculer les chiffres de « %(title)s » maintenant et en faire une nouvelle version ?")
            % {"title": report.title},
            button=_("Générer"),
            back_url=self.url("funder_report_detail", pk=report.pk),
        )
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        report = self.scoped_get(FunderReport, kwargs["pk"])
        try:
            version = funder_report_generate(report=report, actor=self.user)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Génération de la version %(n)s lancée.") % {"n": version.number})
        return redirect(self.url("funder_report_detail", pk=report.pk))


class FunderReportDownloadView(FabriqueViewMixin, View):
    """The PDF or XLSX of one generated version."""

    permission = Permission.VIEW
    lookups = {"pk": FunderReport}

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        report = self.scoped_get(FunderReport, kwargs["pk"])
        version = get_object_or_404(
            FunderReportVersion, report=report, number=kwargs["number"], status=ReportStatus.DONE
        )
        fmt = kwargs["fmt"]
        if fmt not in ("pdf", "xlsx"):
            raise Http404(_("Format inconnu."))
        content = version.pdf if fmt == "pdf" else version.xlsx
        if not content:
            raise Http404(_("Fichier introuvable."))
        types = {
            "pdf": "application/pdf",
            "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        }
        response = HttpResponse(bytes(content), content_type=types[fmt])
        name = slugify(report.title)[:60] or "rapport"
        response["Content-Disposition"] = f'attachment; filename="{name}-v{version.number}.{fmt}"'
        return response


urlpatterns += [
    path("financeurs/rapports/", FunderReportListView.as_view(), name="funder_report_list"),
    path("financeurs/rapports/nouveau/", FunderReportCreateView.as_view(), name="funder_report_create"),
    path("financeurs/rapports/<int:pk>/", FunderReportDetailView.as_view(), name="funder_report_detail"),
    path(
        "financeurs/rapports/<int:pk>/modifier/",
        FunderReportUpdateView.as_view(),
        name="funder_report_update",
    ),
    path(
        "financeurs/rapports/<int:pk>/generer/",
        FunderReportGenerateView.as_view(),
        name="funder_report_generate",
    ),
    path(
        "financeurs/rapports/<int:pk>/versions/<int:number>.<fmt>",
        FunderReportDownloadView.as_view(),
        name="funder_report_download",
    ),
]
