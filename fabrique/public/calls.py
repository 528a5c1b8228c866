"""Public pages of the calls for project leaders: the open calls of a fabrique, one call, the
application form (document checked by its content) and its confirmation.

No login, no private data: only what the team chose to publish in the call."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import path
from django.utils.translation import gettext as _
from django.views.generic import FormView, TemplateView

from fabrique.core import ratelimit
from fabrique.core.errors import DomainError
from fabrique.core.forms import add_service_errors
from fabrique.fabriques.models import Fabrique
from fabrique.recruitment.forms import ApplicationForm
from fabrique.recruitment.models import Call
from fabrique.recruitment.selectors import call_criteria, call_public_get, call_public_list
from fabrique.recruitment.services import application_submit

if TYPE_CHECKING:
    from django.views.generic.base import ContextMixin, View

    class _Base(ContextMixin, View): ...
else:
    _Base = object

# applications per hour and per address before a polite refusal (a real candidate sends one)
APPLICATION_RATE_LIMIT = 5


class PublicFabriqueMixin(_Base):
    def get_fabrique(self) -> Fabrique:
        if not hasattr(self, "fabrique"):
            self.fabrique = get_object_or_404(Fabrique, slug=self.kwargs["fabrique_slug"], is_active=True)
        return self.fabrique

    def get_call(self) -> Call:
        if not hasattr(self, "call"):
            call = call_public_get(fabrique=self.get_fabrique(), slug=self.kwargs["call_slug"])
            if call is None:
                raise Http404(_("Appel introuvable."))
            self.call = call
        return self.call

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["fabrique"] = self.get_fabrique()
        return context


class CallListView(PublicFabriqueMixin, TemplateView):
    template_name = "public/calls/call_list.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["calls"] = call_public_list(fabrique=self.get_fabrique())
        return context


class CallDetailView(PublicFabriqueMixin, TemplateView):
    template_name = "public/calls/call_detail.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        call = self.get_call()
        context["call"] = call
        context["criteria"] = call_criteria(call=call)
        return context


class ApplicationCreateView(PublicFabriqueMixin, FormView[ApplicationForm]):
    template_name = "public/calls/application_form.html"
    form_class = ApplicationForm

    def form_valid(self, form: ApplicationForm) -> HttpResponse:
        call = self.get_call()
        if form.is_robot:  # answer as if all went well, keep nothing
            return redirect("public:application_done", fabrique_slug=call.fabrique.slug, call_slug=call.slug)
        if not ratelimit.hit("application", self.request, limit=APPLICATION_RATE_LIMIT):
            form.add_error(
                None,
                _(
                    "Plusieurs candidatures viennent d'être envoyées depuis cette connexion. Réessayez dans "
                    "une heure, ou écrivez à la fabrique : %(email)s."
                )
                % {"email": call.fabrique.contact_email or _("voir la page de la fabrique")},
            )
            return self.render_to_response(self.get_context_data(form=form), status=429)
        try:
            application_submit(call=call, **form.service_data(), document=form.cleaned_data["document"])
        except ValidationError as exc:
            ratelimit.refund("application", self.request)
            add_service_errors(form, exc)
            return self.form_invalid(form)
        except DomainError as exc:
            ratelimit.refund("application", self.request)
            form.add_error(None, exc.message)
            return self.form_invalid(form)
        return redirect("public:application_done", fabrique_slug=call.fabrique.slug, call_slug=call.slug)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        call = self.get_call()
        context["call"] = call
        context["open"] = call.accepts_applications
        return context


class ApplicationDoneView(PublicFabriqueMixin, TemplateView):
    template_name = "public/calls/application_done.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["call"] = self.get_call()
        return context


urlpatterns = [
    path("appels/", CallListView.as_view(), name="call_list"),
    path("appels/<slug:call_slug>/", CallDetailView.as_view(), name="call_detail"),
    path("appels/<slug:call_slug>/candidater/", ApplicationCreateView.as_view(), name="application_create"),
    path(
        "appels/<slug:call_slug>/candidature-envoyee/",
        ApplicationDoneView.as_view(),
        name="application_done",
    ),
]
