from django.shortcuts import get_object_or_404
from django.views.generic import TemplateView

from fabrique.fabriques.models import Fabrique


class HomeView(TemplateView):
    template_name = "public/home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["fabriques"] = Fabrique.objects.filter(is_active=True).prefetch_related("departements")
        return context


class StaticPageView(TemplateView):
    pass


class FabriquePublicView(TemplateView):
    template_name = "public/fabrique.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        fabrique = get_object_or_404(Fabrique, slug=self.kwargs["fabrique_slug"], is_active=True)
        context["fabrique"] = fabrique
        context["public_workstreams"] = []
        return context
