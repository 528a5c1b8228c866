"""The fabrique within its network: hand-over of needs and projects to another fabrique, and the
essaimage library (models published by the network's fabriques, "reproduire ici").

A hand-over belongs to two fabriques: each sees it (`_handovers_of`), the sender offers and may
withdraw, the receiver's admins accept or refuse. Before acceptance the receiver sees what is offered
(title, description, stage, territory, number of reports), never the reporters' contact details.
"""

from __future__ import annotations

import os
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import path
from django.utils.http import content_disposition_header
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import ListView, TemplateView, View

from fabrique.accounts.models import User
from fabrique.audit.models import AuditEntry
from fabrique.core.choices import Public, Theme
from fabrique.core.errors import DomainError
from fabrique.core.limits import LONG_TEXT
from fabrique.directory.autocomplete import as_autocomplete
from fabrique.essaimage.models import ModelDocument, ModelSheet, Replication, TerritoryKind
from fabrique.essaimage.selectors import library, replication_places, visible_sheets
from fabrique.essaimage.services import (
    model_document_add,
    model_replicate,
    model_sheet_prefill,
    model_sheet_publish,
    model_sheet_update,
)
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
from fabrique.needs.models import Need, NeedReport, NeedStage
from fabrique.projects.models import Project

from .base import PAGE_SIZE, FabriqueViewMixin, ServiceFormView

DOCUMENT_TYPES = {
    ".pdf": "application/pdf",
    ".odt": "application/vnd.oasis.opendocument.text",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
}


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


# --- essaimage: the network's library of models -------------------------------------------------------


class LibraryFilterForm(forms.Form):
    q = forms.CharField(label=gettext_lazy("Rechercher"), required=False, max_length=100)
    theme = forms.ChoiceField(
        label=gettext_lazy("Thème"), required=False, choices=[("", "—"), *Theme.choices]
    )
    public = forms.ChoiceField(
        label=gettext_lazy("Public"), required=False, choices=[("", "—"), *Public.choices]
    )
    territory_kind = forms.ChoiceField(
        label=gettext_lazy("Territoire"), required=False, choices=[("", "—"), *TerritoryKind.choices]
    )
    mine = forms.BooleanField(label=gettext_lazy("Nos modèles seulement"), required=False)


class LibraryView(FabriqueViewMixin, ListView[ModelSheet]):
    """Every published model of the network, searchable by theme, public and type of territory."""

    permission = Permission.VIEW
    template_name = "backoffice/network/library.html"
    paginate_by = PAGE_SIZE
    context_object_name = "sheets"

    def get_queryset(self) -> QuerySet[ModelSheet]:
        form = LibraryFilterForm(self.request.GET or None)
        data = form.cleaned_data if form.is_valid() else {}
        return library(
            q=data.get("q", ""),
            theme=data.get("theme", ""),
            public=data.get("public", ""),
            territory_kind=data.get("territory_kind", ""),
            mine_of=self.fabrique if data.get("mine") else None,
        )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["filter_form"] = LibraryFilterForm(self.request.GET or None)
        places = replication_places(list(context["sheets"]))
        context["sheets_with_places"] = [(sheet, places.get(sheet.pk, [])) for sheet in context["sheets"]]
        context["filtered"] = any(v for k, v in self.request.GET.items() if k != "page")
        return context


class ModelSheetForm(forms.ModelForm[ModelSheet]):
    class Meta:
        model = ModelSheet
        fields = [
            "title",
            "need_answered",
            "public",
            "theme",
            "territory_kind",
            "economic_model",
            "partners",
            "results",
            "contact",
            "is_published",
        ]
        widgets = {
            name: forms.Textarea(attrs={"rows": 4})
            for name in ("need_answered", "economic_model", "partners", "results")
        }


class ModelSheetPublishView(ServiceFormView):
    """Publish a project (or the enterprise it created) as a model of the library."""

    permission = Permission.EDIT
    template_name = "backoffice/network/model_sheet_form.html"
    form_class = ModelSheetForm
    form_fabrique = False
    lookups = {"pk": Project}
    success_message = str(gettext_lazy("Le modèle « %(name)s » est publié dans la bibliothèque du réseau."))

    def project(self) -> Project:
        found: Project = self.scoped_get(
            Project.objects.select_related("study", "enterprise"), self.kwargs["pk"]
        )
        return found

    def get_initial(self) -> dict[str, Any]:
        return {**model_sheet_prefill(self.project()), "is_published": True}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["project"] = self.project()
        context["back_url"] = self.url("project_detail", pk=self.kwargs["pk"])
        return context

    def perform(self, form: Any) -> ModelSheet:
        return model_sheet_publish(
            fabrique=self.fabrique, actor=_user(self.request), project=self.project(), **form.cleaned_data
        )

    def success_url_for(self, obj: ModelSheet) -> str:
        return self.url("model_sheet_detail", pk=obj.pk)


def _own_sheets(fabrique: Fabrique) -> QuerySet[ModelSheet]:
    return ModelSheet.objects.filter(fabrique=fabrique)


def _others_published(fabrique: Fabrique) -> QuerySet[ModelSheet]:
    return visible_sheets(fabrique).filter(is_published=True).exclude(fabrique=fabrique)


class ModelSheetUpdateView(ServiceFormView):
    permission = Permission.EDIT
    template_name = "backoffice/network/model_sheet_form.html"
    form_class = ModelSheetForm
    form_fabrique = False
    lookups = {"pk": _own_sheets}
    success_message = str(gettext_lazy("Le modèle « %(name)s » est modifié."))

    def sheet(self) -> ModelSheet:
        found: ModelSheet = self.scoped_get(ModelSheet.objects.select_related("project"), self.kwargs["pk"])
        return found

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "instance": self.sheet()}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["sheet"] = self.sheet()
        context["back_url"] = self.url("model_sheet_detail", pk=self.kwargs["pk"])
        return context

    def perform(self, form: Any) -> ModelSheet:
        return model_sheet_update(sheet=self.sheet(), actor=_user(self.request), **form.cleaned_data)

    def success_url_for(self, obj: ModelSheet) -> str:
        return self.url("model_sheet_detail", pk=obj.pk)


class ReplicateForm(forms.Form):
    kind = forms.ChoiceField(
        label=gettext_lazy("Reproduire sous la forme"),
        choices=[
            ("need", gettext_lazy("d'un nouveau besoin à qualifier")),
            ("study", gettext_lazy("d'une étude d'opportunité sur un besoin déjà retenu")),
        ],
        widget=forms.RadioSelect,
        initial="need",
    )
    title = forms.CharField(label=gettext_lazy("Intitulé chez vous"), max_length=200, required=False)
    need = forms.ModelChoiceField(
        label=gettext_lazy("Besoin retenu (pour une étude)"),
        queryset=Need.objects.none(),
        required=False,
        error_messages={"invalid_choice": gettext_lazy("Choisissez un besoin retenu de votre fabrique.")},
    )

    def __init__(self, *args: Any, fabrique: Fabrique, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # the retained needs, by autocomplete (a fabrique retains hundreds over the years)
        self.fields["need"] = as_autocomplete(
            self.fields["need"],
            kind="retained_need",
            fabrique=fabrique,
            queryset=Need.objects.filter(fabrique=fabrique, stage=NeedStage.RETAINED),
        )


class ModelReplicateView(ServiceFormView):
    """ "Reproduire ici": a need or a study of this fabrique, linked to another fabrique's model."""

    permission = Permission.EDIT
    template_name = "backoffice/network/model_replicate.html"
    form_class = ReplicateForm
    lookups = {"pk": _others_published}
    success_message = str(gettext_lazy("Le modèle est reproduit dans votre fabrique."))

    def sheet(self) -> ModelSheet:
        return _others_published(self.fabrique).select_related("fabrique").get(pk=self.kwargs["pk"])

    def get_initial(self) -> dict[str, Any]:
        return {"title": self.sheet().title, "kind": "need"}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["sheet"] = self.sheet()
        return context

    def perform(self, form: Any) -> Replication:
        need = form.cleaned_data.get("need")
        return model_replicate(
            sheet=self.sheet(),
            fabrique=self.fabrique,
            actor=_user(self.request),
            kind=form.cleaned_data["kind"],
            need=need,
            title=form.cleaned_data["title"],
        )

    def success_url_for(self, obj: Replication) -> str:
        if obj.need_id:
            return self.url("need_detail", pk=obj.need_id)
        return self.url("study_detail", pk=obj.study_id)


class ModelSheetDetailView(FabriqueViewMixin, TemplateView):
    permission = Permission.VIEW
    template_name = "backoffice/network/model_sheet_detail.html"
    lookups = {"pk": visible_sheets}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        sheet = (
            visible_sheets(self.fabrique)
            .select_related("fabrique", "project__enterprise")
            .get(pk=self.kwargs["pk"])
        )
        own = sheet.fabrique_id == self.fabrique.pk
        context["sheet"] = sheet
        context["own"] = own
        context["documents"] = list(sheet.documents.all()[:50])
        replications = (
            Replication.objects.filter(sheet=sheet).select_related("fabrique").order_by("-created_at")[:100]
        )
        context["replications"] = list(replications)
        context["mine"] = [r for r in context["replications"] if r.fabrique_id == self.fabrique.pk]
        if own:
            context["project_url"] = self.url("project_detail", pk=sheet.project_id)
            context["timeline"] = (
                AuditEntry.objects.for_target(sheet)
                .filter(fabrique=self.fabrique)
                .select_related("actor")[:50]
            )
        return context


class ModelDocumentForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("Titre du document"), max_length=200)
    file = forms.FileField(
        label=gettext_lazy("Fichier"),
        help_text=gettext_lazy("PDF, ODT, DOCX, JPEG ou PNG, 10 Mo au plus."),
    )


class ModelDocumentAddView(ServiceFormView):
    permission = Permission.EDIT
    template_name = "backoffice/network/model_document_form.html"
    form_class = ModelDocumentForm
    form_fabrique = False
    lookups = {"pk": _own_sheets}
    success_message = str(gettext_lazy("Le document « %(name)s » est ajouté au modèle."))

    def sheet(self) -> ModelSheet:
        found: ModelSheet = self.scoped_get(ModelSheet, self.kwargs["pk"])
        return found

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["sheet"] = self.sheet()
        return context

    def perform(self, form: Any) -> ModelDocument:
        return model_document_add(
            sheet=self.sheet(),
            actor=_user(self.request),
            title=form.cleaned_data["title"],
            file=form.cleaned_data["file"],
        )

    def success_url_for(self, obj: ModelDocument) -> str:
        return self.url("model_sheet_detail", pk=obj.sheet_id)


class ModelDocumentView(FabriqueViewMixin, View):
    """A model's document, served after the access check (any fabrique that sees the sheet)."""

    permission = Permission.VIEW
    lookups = {"pk": visible_sheets}

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        document = ModelDocument.objects.filter(
            sheet__in=visible_sheets(self.fabrique), sheet_id=kwargs["pk"], pk=kwargs["document_pk"]
        ).first()
        if document is None:
            raise Http404(_("Document introuvable."))
        try:
            with document.file.open("rb") as handle:
                content = handle.read()  # at most 10 MB (checked on upload)
        except (FileNotFoundError, OSError) as exc:
            raise Http404(_("Le document est introuvable.")) from exc
        extension = os.path.splitext(document.file.name or "")[1].lower()
        response = HttpResponse(
            content, content_type=DOCUMENT_TYPES.get(extension, "application/octet-stream")
        )
        response["Content-Disposition"] = content_disposition_header(
            as_attachment=True, filename=f"{slugify(document.title) or 'document'}{extension}"
        )
        return response


urlpatterns += [
    path("reseau/bibliotheque/", LibraryView.as_view(), name="library"),
    path("reseau/bibliotheque/<int:pk>/", ModelSheetDetailView.as_view(), name="model_sheet_detail"),
    path("reseau/bibliotheque/<int:pk>/modifier/", ModelSheetUpdateView.as_view(), name="model_sheet_update"),
    path("reseau/bibliotheque/<int:pk>/reproduire/", ModelReplicateView.as_view(), name="model_replicate"),
    path(
        "reseau/bibliotheque/<int:pk>/documents/", ModelDocumentAddView.as_view(), name="model_document_add"
    ),
    path(
        "reseau/bibliotheque/<int:pk>/documents/<int:document_pk>/",
        ModelDocumentView.as_view(),
        name="model_document",
    ),
    path("projets/<int:pk>/publier-modele/", ModelSheetPublishView.as_view(), name="model_sheet_publish"),
]
