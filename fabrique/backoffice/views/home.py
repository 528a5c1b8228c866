from django.contrib.auth.mixins import LoginRequiredMixin
from django.shortcuts import redirect
from django.urls import path
from django.views.generic import TemplateView

from fabrique.audit.selectors import audit_recent_for_fabrique
from fabrique.fabriques.access import memberships_of
from fabrique.fabriques.models import Permission

from ..dashboard import dashboard_deadlines, dashboard_figures
from .base import FabriqueViewMixin


class HomeView(LoginRequiredMixin, TemplateView):
    """After login: straight to the user's fabrique, or a choice when several."""

    template_name = "backoffice/choose_fabrique.html"

    def get(self, request, *args, **kwargs):
        memberships = list(memberships_of(request.user))
        if len(memberships) == 1:
            membership = memberships[0]
            if not membership.has_permission(Permission.VIEW):  # partners: their own reports
                return redirect("backoffice:my_reports", fabrique_slug=membership.fabrique.slug)
            return redirect("backoffice:dashboard", fabrique_slug=membership.fabrique.slug)
        if not memberships and request.user.is_network_head:
            return redirect("network:home")
        return self.render_to_response(self.get_context_data(memberships=memberships))


class DashboardView(FabriqueViewMixin, TemplateView):
    permission = Permission.VIEW
    template_name = "backoffice/dashboard.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["recent_activity"] = audit_recent_for_fabrique(fabrique=self.fabrique, limit=15)
        context["deadlines"] = dashboard_deadlines(fabrique=self.fabrique, days=30)
        context["figures"] = dashboard_figures(fabrique=self.fabrique)
        return context


class AuditLogView(FabriqueViewMixin, TemplateView):
    permission = Permission.MANAGE
    template_name = "backoffice/audit_log.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["entries"] = audit_recent_for_fabrique(fabrique=self.fabrique, limit=300)
        return context


urlpatterns = [path("", HomeView.as_view(), name="home")]
fabrique_urlpatterns = [
    path("", DashboardView.as_view(), name="dashboard"),
    path("journal/", AuditLogView.as_view(), name="audit_log"),
]
