"""Webhooks of the fabrique (administrators): endpoints, their delivery log, replay and test."""

from __future__ import annotations

from typing import Any, cast

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView
from django_stubs_ext import StrOrPromise

from fabrique.core.errors import DomainError
from fabrique.fabriques.models import Fabrique, Permission
from fabrique.webhooks.events import PAYLOAD_VERSION
from fabrique.webhooks.forms import EndpointCreateForm, EndpointUpdateForm, SecretForm
from fabrique.webhooks.models import WebhookDelivery, WebhookEndpoint
from fabrique.webhooks.selectors import deliveries_of, endpoints_of
from fabrique.webhooks.services import (
    SIGNATURE_HEADER,
    delivery_replay,
    endpoint_create,
    endpoint_delete,
    endpoint_ping,
    endpoint_update,
    secret_rotate,
)

from .base import FabriqueViewMixin, ServiceFormView

SECRET_SESSION_KEY = "webhook-secret:%s"


def _deliveries(fabrique: Fabrique) -> Any:
    return WebhookDelivery.objects.filter(fabrique=fabrique, endpoint__deleted_at__isnull=True)


class WebhookListView(FabriqueViewMixin, TemplateView):
    permission = Permission.MANAGE
    template_name = "backoffice/webhooks/list.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context: dict[str, Any] = super().get_context_data(**kwargs)
        context["page"] = Paginator(endpoints_of(fabrique=self.fabrique), 25).get_page(
            self.request.GET.get("page")
        )
        return context


class _EndpointMixin(FabriqueViewMixin):
    kwargs: dict[str, Any]
    permission = Permission.MANAGE
    lookups = {"pk": WebhookEndpoint}

    def get_endpoint(self) -> WebhookEndpoint:
        if not hasattr(self, "_endpoint"):
            self._endpoint = cast(WebhookEndpoint, self.scoped_get(WebhookEndpoint, self.kwargs["pk"]))
        return self._endpoint

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context: dict[str, Any] = super().get_context_data(**kwargs)
        context["endpoint"] = self.get_endpoint()
        return context


class WebhookCreateView(ServiceFormView):
    permission = Permission.MANAGE
    template_name = "backoffice/webhooks/form.html"
    form_class = EndpointCreateForm
    form_fabrique = False

    def perform(self, form: Any) -> WebhookEndpoint:
        data = form.cleaned_data
        endpoint = endpoint_create(
            fabrique=self.fabrique,
            actor=self.user,
            secret=data["secret"],
            url=data["url"],
            description=data["description"],
            event_types=list(data["event_types"]),
        )
        self.request.session[SECRET_SESSION_KEY % endpoint.pk] = endpoint.secret
        return endpoint

    def get_success_message(self, obj: Any) -> str:
        return _("Le webhook est enregistré. Copiez son secret maintenant : il ne sera plus affiché.")

    def success_url_for(self, obj: WebhookEndpoint) -> str:
        return self.url("webhook_detail", pk=obj.pk)


class WebhookDetailView(_EndpointMixin, TemplateView):
    template_name = "backoffice/webhooks/detail.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        endpoint = context["endpoint"]
        # the secret is shown once, on the page that follows its creation or rotation
        context["new_secret"] = self.request.session.pop(SECRET_SESSION_KEY % endpoint.pk, "")
        context["page"] = Paginator(deliveries_of(endpoint=endpoint), 25).get_page(
            self.request.GET.get("page")
        )
        context["signature_header"] = SIGNATURE_HEADER
        context["payload_version"] = PAYLOAD_VERSION
        return context


class WebhookUpdateView(_EndpointMixin, ServiceFormView):
    template_name = "backoffice/webhooks/form.html"
    form_class = EndpointUpdateForm
    form_fabrique = False

    def get_success_message(self, obj: Any) -> str:
        return _("Le webhook est mis à jour.")

    def get_initial(self) -> dict[str, Any]:
        endpoint = self.get_endpoint()
        return {
            "url": endpoint.url,
            "description": endpoint.description,
            "event_types": endpoint.event_types,
            "is_active": endpoint.is_active,
        }

    def perform(self, form: Any) -> WebhookEndpoint:
        data = form.cleaned_data
        return endpoint_update(
            endpoint=self.get_endpoint(),
            actor=self.user,
            url=data["url"],
            description=data["description"],
            event_types=list(data["event_types"]),
            is_active=data["is_active"],
        )

    def success_url_for(self, obj: WebhookEndpoint) -> str:
        return self.url("webhook_detail", pk=obj.pk)


class WebhookSecretView(_EndpointMixin, ServiceFormView):
    template_name = "backoffice/webhooks/secret.html"
    form_class = SecretForm
    form_fabrique = False

    def perform(self, form: Any) -> WebhookEndpoint:
        endpoint = self.get_endpoint()
        secret = secret_rotate(endpoint=endpoint, actor=self.user, secret=form.cleaned_data["secret"])
        self.request.session[SECRET_SESSION_KEY % endpoint.pk] = secret
        return endpoint

    def get_success_message(self, obj: Any) -> str:
        return _("Nouveau secret enregistré. Copiez-le maintenant : il ne sera plus affiché.")

    def success_url_for(self, obj: WebhookEndpoint) -> str:
        return self.url("webhook_detail", pk=obj.pk)


class _ConfirmView(_EndpointMixin, TemplateView):
    """GET asks for confirmation; POST acts (`act()`), then back to the endpoint's page."""

    template_name = "backoffice/webhooks/confirm.html"
    title: StrOrPromise = ""
    question: StrOrPromise = ""
    button: StrOrPromise = ""
    danger = False

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(title=self.title, question=self.question, button=self.button, danger=self.danger)
        return context

    def act(self) -> str:  # pragma: no cover - abstract
        raise NotImplementedError

    def done_url(self) -> str:
        return self.url("webhook_detail", pk=self.get_endpoint().pk)

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            messages.success(request, self.act())
        except DomainError as exc:
            messages.error(request, exc.message)
        return redirect(self.done_url())


class WebhookPingView(_ConfirmView):
    title = gettext_lazy("Tester le webhook")
    question = gettext_lazy(
        "Un événement de test « webhook.ping » va être envoyé à cette adresse (même si le webhook est désactivé)."
    )
    button = gettext_lazy("Envoyer un test")

    def act(self) -> str:
        endpoint_ping(endpoint=self.get_endpoint(), actor=self.user)
        return _("Événement de test mis en file d'envoi : son résultat s'affiche dans le journal.")


class WebhookDeleteView(_ConfirmView):
    title = gettext_lazy("Supprimer le webhook")
    question = gettext_lazy("Ce webhook ne recevra plus rien ; les envois en attente sont annulés.")
    button = gettext_lazy("Supprimer")
    danger = True

    def act(self) -> str:
        endpoint_delete(endpoint=self.get_endpoint(), actor=self.user)
        return _("Le webhook est supprimé.")

    def done_url(self) -> str:
        return self.url("webhook_list")


class WebhookReplayView(_ConfirmView):
    lookups = {"pk": WebhookEndpoint, "delivery_pk": _deliveries}
    title = gettext_lazy("Rejouer une livraison")
    question = gettext_lazy(
        "Le même événement (même identifiant, même contenu) va être envoyé à nouveau, avec une nouvelle signature."
    )
    button = gettext_lazy("Rejouer")

    def get_delivery(self) -> WebhookDelivery:
        return cast(
            WebhookDelivery,
            self.scoped_get(deliveries_of(endpoint=self.get_endpoint()), self.kwargs["delivery_pk"]),
        )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["delivery"] = self.get_delivery()
        return context

    def act(self) -> str:
        delivery_replay(delivery=self.get_delivery(), actor=self.user)
        return _("Livraison rejouée : son résultat s'affiche dans le journal.")


urlpatterns = [
    path("parametres/webhooks/", WebhookListView.as_view(), name="webhook_list"),
    path("parametres/webhooks/nouveau/", WebhookCreateView.as_view(), name="webhook_create"),
    path("parametres/webhooks/<int:pk>/", WebhookDetailView.as_view(), name="webhook_detail"),
    path("parametres/webhooks/<int:pk>/modifier/", WebhookUpdateView.as_view(), name="webhook_update"),
    path("parametres/webhooks/<int:pk>/secret/", WebhookSecretView.as_view(), name="webhook_secret"),
    path("parametres/webhooks/<int:pk>/tester/", WebhookPingView.as_view(), name="webhook_ping"),
    path("parametres/webhooks/<int:pk>/supprimer/", WebhookDeleteView.as_view(), name="webhook_delete"),
    path(
        "parametres/webhooks/<int:pk>/livraisons/<int:delivery_pk>/rejouer/",
        WebhookReplayView.as_view(),
        name="webhook_replay",
    ),
]
