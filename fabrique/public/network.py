"""The network's fabriques, publicly: status, territory covered, chantiers, contact and a map.

What each fabrique's own web site says about itself, never about people (the contact is the fabrique's
address). The network head's pages link here for their directory. Fixed number of queries."""

from __future__ import annotations

from typing import Any

from django.urls import path
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from fabrique.fabriques.models import NetworkStatus
from fabrique.network.directory import STATUS_COLOURS, network_directory, network_map_svg


class NetworkDirectoryView(TemplateView):
    template_name = "public/network.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        status = self.request.GET.get("statut", "")
        entries = network_directory(status=status)
        context["entries"] = entries
        context["status"] = status
        context["statuses"] = NetworkStatus.choices
        context["status_colours"] = [(label, STATUS_COLOURS[value]) for value, label in NetworkStatus.choices]
        context["map_svg"] = network_map_svg(entries, label=_("Carte des fabriques du réseau"))
        context["public_links"] = True
        return context


urlpatterns = [path("reseau-des-fabriques/", NetworkDirectoryView.as_view(), name="network_directory")]
