"""The fabrique within its network: hand-over of needs and projects to another fabrique.

A hand-over belongs to two fabriques: each sees it (`_handovers_of`), the sender offers and may
withdraw, the receiver's admins accept or refuse. Before acceptance the receiver sees what is offered
(title, description, stage, territory, number of reports), never the reporters' contact details.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import ListView, TemplateView

from fabrique.accounts.models import User
from fabrique.audit.models import AuditEntry
from fabrique.core.errors import DomainError
from fabrique.core.limits import LONG_TEXT
from fabrique.fabriques.models import Fabrique, Permission
from fabrique.handover.models import HandOver, HandOverStatus
from fabrique.handover.services import (
    handover_accept,
    handover_offer,
    handover_refuse,
    handover_withdraw,
    need_offer_refusal,
    project_offer_refusal,
)
from fabrique.needs.models import Need, NeedReport
from fabrique.projects.models import Project

from .base import PAGE_SIZE, FabriqueViewMixin, ServiceFormView


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)  # the base's dispatch let only a logged-in member in
    return user


def _handovers_of(fabrique: Fabrique) -> QuerySet[HandOver]:
    return HandOver.objects.filter(Q(from_fabrique=fabrique) | Q(to_fabrique=fabrique))


def _received(fabrique: Fabrique) -> QuerySet[HandOver]:
    return HandOver.objects.filter(to_fabrique=fabrique)


def _sent(fabrique: Fabrique) -> QuerySet[HandOver]:
    return HandOver.objects.filter(from_fabrique=fabrique)


class HandOverOfferForm(forms.Form):
    to_fabrique = forms.ModelChoiceField(
        label=gettext_lazy("Fabrique destinataire"),
        queryset=Fabrique.objects.none(),
        empty_label="— choisir —",
    )
    reason = forms.CharField(
        label=gettext_lazy("Pourquoi cette fabrique ?"),
        max_length=LONG_TEXT,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy(
            "Un territoire qui lui appartient, une équipe mieux placée… Elle le lira avant de répondre."
        ),
    )

    def __init__(self, *args: Any, fabrique: Fabrique, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["to_fabrique"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Fabrique.objects.filter(is_active=True).exclude(pk=fabrique.pk).order_by("name")


class HandOverOfferView(ServiceFormView):
    """Offer a need or a project to another fabrique (the sender's admins)."""

    permission = Permission.MANAGE
    template_name = "backoffice/network/handover_offer.html"
    form_class = HandOverOfferForm
    model: type[Need] | type[Project] = Need
    success_message = str(gettext_lazy("La proposition est envoyée : la fabrique destinataire va répondre."))

    def target(self) -> Need | Project:
        if not hasattr(self, "_target"):
            found: Need | Project = self.scoped_get(self.model, self.kwargs["pk"])
            self._target = found
        return self._target

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        target = self.target()
        context["target"] = target
        context["refusal"] = (
            need_offer_refusal(target) if isinstance(target, Need) else project_offer_refusal(target)
        )
        context["back_url"] = self.url(f"{target._meta.model_name}_detail", pk=target.pk)
        return context

    def perform(self, form: Any) -> HandOver:
        return handover_offer(
            fabrique=self.fabrique,
            actor=_user(self.request),
            target=self.target(),
            to_fabrique=form.cleaned_data["to_fabrique"],
            reason=form.cleaned_data["reason"],
        )

    def success_url_for(self, obj: HandOver) -> str:
        return self.url("handover_detail", pk=obj.pk)


class NeedHandOverOfferView(HandOverOfferView):
    model = Need
    lookups = {"pk": Need}


class ProjectHandOverOfferView(HandOverOfferView):
    model = Project
    lookups = {"pk": Project}


class HandOverListView(FabriqueViewMixin, ListView[HandOver]):
    """What the fabrique offered and received, open offers first."""

    permission = Permission.VIEW
    template_name = "backoffice/network/handover_list.html"
    paginate_by = PAGE_SIZE
    context_object_name = "handovers"

    def get_queryset(self) -> QuerySet[HandOver]:
        from django.db.models import Case, IntegerField, Value, When

        return (
            _handovers_of(self.fabrique)
            .select_related("from_fabrique", "to_fabrique")
            .annotate(
                open_first=Case(
                    When(status=HandOverStatus.OFFERED, then=Value(0)),
                    default=Value(1),
                    output_field=IntegerField(),
                )
            )
            .order_by("open_first", "-created_at", "-pk")
        )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["waiting"] = _received(self.fabrique).filter(status=HandOverStatus.OFFERED).count()
        return context


class HandOverAnswerForm(forms.Form):
    decision = forms.ChoiceField(
        label=gettext_lazy("Votre réponse"),
        choices=[
            ("accept", gettext_lazy("Accepter : le dossier rejoint la fabrique")),
            ("refuse", gettext_lazy("Refuser")),
        ],
        widget=forms.RadioSelect,
    )
    answer_reason = forms.CharField(
        label=gettext_lazy("Motif"),
        required=False,
        max_length=LONG_TEXT,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("Obligatoire pour un refus ; la fabrique qui propose le lira."),
    )

    def __init__(self, *args: Any, fabrique: Fabrique | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)


class HandOverDetailView(FabriqueViewMixin, TemplateView):
    """One hand-over: what is offered (or the read-only trace of what left), the answer, the journal."""

    permission = Permission.VIEW
    template_name = "backoffice/network/handover_detail.html"
    lookups = {"pk": _handovers_of}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        handover = (
            _handovers_of(self.fabrique)
            .select_related(
                "from_fabrique",
                "to_fabrique",
                "need__commune",
                "project__commune",
                "offered_by",
                "answered_by",
            )
            .get(pk=self.kwargs["pk"])
        )
        receiving = handover.to_fabrique_id == self.fabrique.pk
        target = handover.target
        context["handover"] = handover
        context["receiving"] = receiving
        context["target"] = target
        open_offer = handover.status == HandOverStatus.OFFERED
        context["open_offer"] = open_offer
        # where the object is now: a link only when it belongs to this fabrique
        here = target is not None and target.fabrique_id == self.fabrique.pk
        context["target_url"] = (
            self.url(f"{target._meta.model_name}_detail", pk=target.pk) if here and target else ""
        )
        if target is not None and (open_offer or here):
            needs = [target] if isinstance(target, Need) else list(target.needs.all())
            context["report_count"] = NeedReport.objects.filter(need__in=needs).count()
        if receiving and open_offer and context["can_manage"]:
            context["answer_form"] = HandOverAnswerForm()
        context["trace_items"] = _trace_items(handover.trace)
        # each event is logged once per side: this fabrique's journal only
        context["timeline"] = (
            AuditEntry.objects.for_target(handover)
            .filter(fabrique=self.fabrique)
            .select_related("actor")[:50]
        )
        return context


def _trace_items(trace: dict[str, Any]) -> list[tuple[str, str]]:
    items = []
    for key, value in trace.items():
        if isinstance(value, list):
            shown = ", ".join(
                v.get("référence", "") + " " + v.get("intitulé", "") if isinstance(v, dict) else str(v)
                for v in value
            )
        elif isinstance(value, dict):
            shown = ", ".join(f"{k} : {v}" for k, v in value.items() if v and not isinstance(v, list | dict))
        else:
            shown = str(value)
        items.append((key, shown or "—"))
    return items


class HandOverAnswerView(FabriqueViewMixin, TemplateView):
    """The receiving admins accept or refuse (the form is also on the detail page)."""

    permission = Permission.MANAGE
    lookups = {"pk": _received}
    template_name = "backoffice/network/handover_confirm.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["handover"] = (
            _received(self.fabrique).select_related("from_fabrique").get(pk=self.kwargs["pk"])
        )
        context["answer_form"] = HandOverAnswerForm()
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        handover = _received(self.fabrique).get(pk=kwargs["pk"])
        form = HandOverAnswerForm(request.POST)
        detail = self.url("handover_detail", pk=handover.pk)
        if not form.is_valid():
            messages.error(request, _("Choisissez d'accepter ou de refuser."))
            return redirect(detail)
        try:
            if form.cleaned_data["decision"] == "accept":
                handover = handover_accept(
                    handover=handover,
                    actor=_user(request),
                    reason=form.cleaned_data["answer_reason"],
                )
                messages.success(
                    request,
                    _("Dossier accepté : il est désormais dans la fabrique sous la référence %(ref)s.")
                    % {"ref": handover.receiver_reference},
                )
            else:
                handover_refuse(
                    handover=handover, actor=_user(request), reason=form.cleaned_data["answer_reason"]
                )
                messages.success(request, _("Proposition refusée ; la fabrique qui l'a faite est prévenue."))
        except DomainError as exc:
            messages.error(request, exc.message)
        except ValidationError as exc:  # the service's: a refusal without its reason
            messages.error(request, " ".join(exc.messages))
        return redirect(detail)


class HandOverWithdrawView(FabriqueViewMixin, TemplateView):
    """The sender takes its offer back (GET asks for confirmation)."""

    permission = Permission.MANAGE
    lookups = {"pk": _sent}
    template_name = "backoffice/network/handover_confirm.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["handover"] = _sent(self.fabrique).select_related("to_fabrique").get(pk=self.kwargs["pk"])
        context["withdraw"] = True
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        handover = _sent(self.fabrique).get(pk=kwargs["pk"])
        try:
            handover_withdraw(handover=handover, actor=_user(request))
            messages.success(request, _("L'offre est retirée."))
        except DomainError as exc:
            messages.error(request, exc.message)
        return redirect(self.url("handover_detail", pk=handover.pk))


urlpatterns = [
    path("reseau/transmissions/", HandOverListView.as_view(), name="handover_list"),
    path("reseau/transmissions/<int:pk>/", HandOverDetailView.as_view(), name="handover_detail"),
    path("reseau/transmissions/<int:pk>/repondre/", HandOverAnswerView.as_view(), name="handover_answer"),
    path("reseau/transmissions/<int:pk>/retirer/", HandOverWithdrawView.as_view(), name="handover_withdraw"),
    path("besoins/<int:pk>/transmettre/", NeedHandOverOfferView.as_view(), name="need_handover"),
    path("projets/<int:pk>/transmettre/", ProjectHandOverOfferView.as_view(), name="project_handover"),
]
