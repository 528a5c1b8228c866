"""Back-office pages of need grouping: the probable-duplicates queue, side-by-side comparison, merge
and split of reports (with provenance), regrouping runs and their proposals, and the staff
suggestions fragment of the report entry form.

Thin views: fetch with `scoped_get` (another fabrique's object is a 404), call
`fabrique.needs.grouping`, turn its errors into French messages. Nothing is ever regrouped without a
member of staff accepting it.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from fabrique.audit.selectors import audit_timeline
from fabrique.core.errors import DomainError
from fabrique.fabriques.models import Permission
from fabrique.needs.forms import StaffReportForm
from fabrique.needs.grouping import (
    SUGGESTABLE_STAGES,
    duplicate_queue,
    duplicate_queue_live,
    learning_guard,
    need_suggestions,
    pair_model_adaptation,
    proposal_accept,
    proposal_reject,
    regrouping_run_create,
    regrouping_runs,
    report_last_merge,
    report_merge,
    report_need_suggestions,
    report_needs_set_aside,
    report_pair_score,
    report_split,
)
from fabrique.needs.grouping_forms import ReportMergeForm, ReportSplitForm, selected_need, suggestion_data
from fabrique.needs.models import GroupingProposal, Need, NeedReport, ReportStage
from fabrique.needs.selectors import reports_with_places

from .base import FabriqueViewMixin, ServiceFormView


class DuplicateQueueView(FabriqueViewMixin, TemplateView):
    """ "Doublons probables": open proposals, and the latest received reports with a probable need (their
    rankings computed beforehand by the worker: `duplicate_queue_warm`)."""

    permission = Permission.VIEW
    template_name = "needs/grouping/duplicate_queue.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            proposals=duplicate_queue(fabrique=self.fabrique),
            live=duplicate_queue_live(fabrique=self.fabrique),
        )
        return context


class DuplicateCompareView(FabriqueViewMixin, TemplateView):
    """Side by side: a report and a need (`?need=`) or another report (`?report=`)."""

    permission = Permission.VIEW
    template_name = "needs/grouping/compare.html"
    lookups = {"pk": NeedReport}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        report = self.scoped_get(reports_with_places(), self.kwargs["pk"])
        other_report = other_need = None
        if self.request.GET.get("report"):
            other_report = self.scoped_get(reports_with_places(), _int(self.request.GET["report"]))
            other_need = other_report.need
        elif self.request.GET.get("need"):
            other_need = self.scoped_get(
                Need.objects.select_related("commune"), _int(self.request.GET["need"])
            )
        elif report.need is not None:
            other_need = report.need
        score = report_pair_score(a=report, b=other_report) if other_report else None
        suggestions = report_need_suggestions(report=report)
        if other_need is None and other_report is None and suggestions:
            other_need = suggestions[0].need
        if other_need is not None and score is None:
            score = next((s.score for s in suggestions if s.need.pk == other_need.pk), None)
        context.update(
            report=report,
            other_report=other_report,
            other_need=other_need,
            other_need_reports=(
                other_need.reports.select_related("commune").order_by("created_at") if other_need else []
            ),
            score=score,
            suggestions=suggestions,
            set_aside=report_needs_set_aside(report=report),
            last_merge=report_last_merge(report=report),
            can_merge=other_need is not None
            and other_need.pk != report.need_id
            and other_need.stage in SUGGESTABLE_STAGES
            and report.stage != ReportStage.DISMISSED,
            timeline=audit_timeline(target=report),
        )
        return context


def _int(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise Http404 from None


class ReportMergeView(ServiceFormView):
    template_name = "needs/grouping/report_merge.html"
    form_class = ReportMergeForm
    form_fabrique = False
    lookups = {"pk": NeedReport}

    def get_report(self) -> NeedReport:
        if not hasattr(self, "report"):
            self.report = self.scoped_get(reports_with_places(), self.kwargs["pk"])
        return self.report

    def get_form_kwargs(self):
        report = self.get_report()
        needs = Need.objects.filter(fabrique=self.fabrique, stage__in=SUGGESTABLE_STAGES).exclude(
            pk=report.need_id or 0
        )
        return {**super().get_form_kwargs(), "needs": needs, "fabrique": self.fabrique}

    def get_initial(self):
        return {"need": self.request.GET.get("need") or None}

    def get_context_data(self, **kwargs):
        report = self.get_report()
        return super().get_context_data(
            report=report,
            suggestions=report_need_suggestions(report=report),
            set_aside=report_needs_set_aside(report=report),
            timeline=audit_timeline(target=report),
            **kwargs,
        )

    def perform(self, form):
        need = form.cleaned_data["need"]
        report_merge(report=self.get_report(), need=need, actor=self.user)
        return need

    def get_success_message(self, need) -> str:
        return _(
            "Le signalement %(report)s a été fusionné dans le besoin %(need)s. Vous pouvez l'en séparer à tout moment."
        ) % {"report": self.get_report().reference, "need": need.reference}

    def success_url_for(self, need) -> str:
        return self.url("need_detail", pk=need.pk)


class ReportSplitView(ServiceFormView):
    template_name = "needs/grouping/report_split.html"
    form_class = ReportSplitForm
    form_fabrique = False
    lookups = {"pk": NeedReport}

    def get_report(self) -> NeedReport:
        if not hasattr(self, "report"):
            self.report = self.scoped_get(reports_with_places(), self.kwargs["pk"])
        return self.report

    def get_last_merge(self):
        if not hasattr(self, "last_merge"):
            self.last_merge = report_last_merge(report=self.get_report())
        return self.last_merge

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "can_restore": self.get_last_merge() is not None}

    def get_context_data(self, **kwargs):
        report = self.get_report()
        return super().get_context_data(
            report=report, last_merge=self.get_last_merge(), timeline=audit_timeline(target=report), **kwargs
        )

    def perform(self, form):
        report = self.get_report()
        report_split(report=report, actor=self.user, mode=form.cleaned_data["mode"])
        return report

    def get_success_message(self, report) -> str:
        return _("Le signalement %(ref)s a été séparé.") % {"ref": report.reference}

    def success_url_for(self, report) -> str:
        return self.url("report_detail", pk=report.pk)


class ProposalMixin(FabriqueViewMixin, TemplateView):
    """GET: the proposal side by side, with the button; POST: the action."""

    permission = Permission.EDIT
    template_name = "needs/grouping/proposal_confirm.html"
    lookups = {"pk": GroupingProposal}
    action = ""

    def get_proposal(self) -> GroupingProposal:
        return self.scoped_get(GroupingProposal.objects.select_related("need", "run"), self.kwargs["pk"])

    def get_context_data(self, **kwargs):
        proposal = self.get_proposal()
        return super().get_context_data(
            proposal=proposal,
            reports=proposal.reports.select_related("commune", "need").order_by("created_at"),
            action=self.action,
            timeline=audit_timeline(target=proposal),
            **kwargs,
        )


class ProposalAcceptView(ProposalMixin):
    action = "accept"

    def post(self, request, *args, **kwargs):
        try:
            need = proposal_accept(proposal=self.get_proposal(), actor=self.user)
        except DomainError as exc:
            messages.error(request, exc.message)
            return redirect(self.url("duplicate_queue"))
        messages.success(
            request, _("Les signalements ont été regroupés dans le besoin %(ref)s.") % {"ref": need.reference}
        )
        return redirect(self.url("need_detail", pk=need.pk))


class ProposalRejectView(ProposalMixin):
    action = "reject"

    def post(self, request, *args, **kwargs):
        try:
            proposal_reject(proposal=self.get_proposal(), actor=self.user)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("La proposition a été rejetée : elle ne sera plus faite."))
        return redirect(self.url("duplicate_queue"))


class RegroupingRunsView(FabriqueViewMixin, TemplateView):
    """The fabrique's regrouping runs; while one is active the list refreshes itself (htmx polling)."""

    permission = Permission.VIEW
    template_name = "needs/grouping/runs.html"

    def get_template_names(self):
        if self.request.headers.get("HX-Request"):
            return ["needs/grouping/_runs.html"]
        return [self.template_name]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        runs = list(regrouping_runs(fabrique=self.fabrique)[:20])
        context.update(
            runs=runs,
            active=any(r.is_active for r in runs),
            adaptation=pair_model_adaptation(fabrique=self.fabrique),
            **learning_guard(),
        )
        return context


class RegroupingStartView(FabriqueViewMixin, TemplateView):
    permission = Permission.EDIT
    template_name = "needs/grouping/run_start.html"

    def post(self, request, *args, **kwargs):
        try:
            regrouping_run_create(fabrique=self.fabrique, actor=self.user)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(
                request,
                _(
                    "Le regroupement est lancé. Il ne fait que proposer : vous accepterez ou rejetterez chaque proposition."
                ),
            )
        return redirect(self.url("regrouping_runs"))


class StaffNeedSuggestionsView(FabriqueViewMixin, View):
    """The staff entry form's suggestions (htmx fragment): internal title, reference, stage, score."""

    permission = Permission.EDIT

    def get(self, request, *args, **kwargs):
        data = suggestion_data(StaffReportForm, fabrique=self.fabrique, params=request.GET)
        context = {
            "fabrique": self.fabrique,
            "suggestions": need_suggestions(fabrique=self.fabrique, data=data),
            "selected": selected_need(request.GET),
        }
        return render(request, "needs/grouping/_staff_suggestions.html", context)


urlpatterns = [
    path("besoins/doublons/", DuplicateQueueView.as_view(), name="duplicate_queue"),
    path("besoins/doublons/comparer/<int:pk>/", DuplicateCompareView.as_view(), name="duplicate_compare"),
    path("besoins/doublons/<int:pk>/accepter/", ProposalAcceptView.as_view(), name="proposal_accept"),
    path("besoins/doublons/<int:pk>/rejeter/", ProposalRejectView.as_view(), name="proposal_reject"),
    path("besoins/regroupements/", RegroupingRunsView.as_view(), name="regrouping_runs"),
    path("besoins/regroupements/lancer/", RegroupingStartView.as_view(), name="regrouping_start"),
    path("besoins/suggestions/", StaffNeedSuggestionsView.as_view(), name="need_suggestions"),
    path("besoins/signalements/<int:pk>/fusionner/", ReportMergeView.as_view(), name="report_merge"),
    path("besoins/signalements/<int:pk>/separer/", ReportSplitView.as_view(), name="report_split"),
]
