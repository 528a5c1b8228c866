from django.contrib.auth.mixins import LoginRequiredMixin
from django.views.generic import TemplateView

from fabrique.fabriques.access import require_network_head

from .selectors import network_figures


class NetworkHomeView(LoginRequiredMixin, TemplateView):
    """Aggregate figures of every fabrique — counts only, never personal data."""

    template_name = "network/home.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            require_network_head(request.user)
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(network_figures())
        return context
