"""Back-office pages of the directory: organisations (structures), people (contacts), exchanges.

Thin views on the back-office base (`base.py`): parse with a form, fetch with `scoped_get` (another
fabrique's pk is a 404), call the service, turn its errors into French form errors.
"""

from types import SimpleNamespace

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import TemplateView

from fabrique.core.exports import Column
from fabrique.directory.errors import ProbableDuplicate
from fabrique.directory.filters import OrganizationFilter, PersonFilter
from fabrique.directory.forms import InteractionForm, OrganizationForm, PersonForm
from fabrique.directory.models import Interaction, Organization, Person
from fabrique.directory.selectors import (
    interaction_list,
    organization_list,
    organization_people,
    person_list,
    with_people_counts,
)
from fabrique.directory.services import (
    interaction_create,
    interaction_delete,
    organization_create,
    organization_delete,
    organization_update,
    person_create,
    person_delete,
    person_update,
)
from fabrique.fabriques.models import Permission
from fabrique.privacy.services import person_access_export, person_erase
from fabrique.reporting.links import organization_links, person_links
from fabrique.workstreams.selectors import workstreams_of_organization

from .base import (
    DeferredJoinPaginator,
    FabriqueViewMixin,
    FilteredListView,
    ObjectDetailView,
    ServiceFormView,
)


class DuplicateAwareFormView(ServiceFormView):
    """A directory form whose service may answer "probable duplicate": the form lists them and asks
    for a confirmation."""

    def domain_error(self, form, exc):
        if isinstance(exc, ProbableDuplicate):
            form.flag_duplicates(exc)
        else:
            super().domain_error(form, exc)


def masked_timeline(entries):
    """Timeline of an anonymised person: who did what and when, without the values it logged."""
    return [
        SimpleNamespace(
            created_at=e.created_at,
            actor_label=e.actor_label,
            action_label=e.action_label,
            changes=[],
            note="",
        )
        for e in entries
    ]


# --- organisations ---------------------------------------------------------------------------------------


class OrganizationListView(FilteredListView):
    template_name = "backoffice/directory/organization_list.html"
    export_name = "structures"
    export_columns = (
        Column(gettext_lazy("Nom"), lambda o: o.name, "name"),
        Column(gettext_lazy("Type"), lambda o: o.get_kind_display(), "kind"),
        Column(gettext_lazy("SIREN"), lambda o: o.siren, "siren"),
        Column(gettext_lazy("Commune"), lambda o: o.commune.name if o.commune else "", "commune"),
        Column(gettext_lazy("Code postal"), lambda o: o.postal_code, "postal_code"),
        Column(gettext_lazy("E-mail"), lambda o: o.email, "email"),
        Column(gettext_lazy("Téléphone"), lambda o: o.phone, "phone"),
        Column(gettext_lazy("Site web"), lambda o: o.website, "website"),
        Column(gettext_lazy("Rôles"), lambda o: ", ".join(o.roles or []), "roles"),
        Column(gettext_lazy("Créée le"), lambda o: o.created_at, "created_at"),
    )
    context_object_name = "organizations"
    filterset_class = OrganizationFilter
    paginator_class = DeferredJoinPaginator

    def get_queryset(self):
        return organization_list(fabrique=self.fabrique, filters=self.request.GET)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        # page first, then the people counts of the page's rows
        context["organizations"] = context["object_list"] = with_people_counts(context["object_list"])
        return context


class OrganizationDetailView(ObjectDetailView):
    template_name = "backoffice/directory/organization_detail.html"
    context_object_name = "organization"

    def get_queryset(self):
        return Organization.objects.select_related("commune", "commune__departement")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        organization = self.object
        context["people"] = organization_people(organization=organization)
        context["workstreams"] = workstreams_of_organization(organization=organization)
        context["links"] = organization_links(organization=organization)
        context["interactions"] = interaction_list(fabrique=self.fabrique, organization=organization)[:50]
        if context["can_edit"]:
            context["interaction_form"] = InteractionForm(
                instance=Interaction(organization=organization), organization=organization
            )
        return context


class OrganizationCreateView(DuplicateAwareFormView):
    template_name = "backoffice/directory/organization_form.html"
    form_class = OrganizationForm
    success_message = gettext_lazy("La structure « %(name)s » a été créée.")

    def perform(self, form):
        return organization_create(
            fabrique=self.fabrique,
            actor=self.request.user,
            allow_duplicate=form.allow_duplicate,
            **form.service_data(),
        )

    def success_url_for(self, obj):
        return self.url("organization_detail", pk=obj.pk)


class OrganizationUpdateView(OrganizationCreateView):
    success_message = gettext_lazy("La structure « %(name)s » a été modifiée.")

    def get_object(self):
        if not hasattr(self, "object"):
            self.object = self.scoped_get(Organization, self.kwargs["pk"])
        return self.object

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": self.get_object()}

    def perform(self, form):
        # a fresh row: the form has already written its values onto self.object
        organization = self.scoped_get(Organization, self.kwargs["pk"])
        return organization_update(
            organization=organization,
            actor=self.request.user,
            **form.service_data(),
            allow_duplicate=form.allow_duplicate,
        )

    def get_context_data(self, **kwargs):
        return super().get_context_data(organization=self.get_object(), **kwargs)


class OrganizationDeleteView(FabriqueViewMixin, TemplateView):
    permission = Permission.EDIT
    template_name = "backoffice/directory/organization_confirm_delete.html"

    def get_context_data(self, **kwargs):
        organization = self.scoped_get(Organization, self.kwargs["pk"])
        return super().get_context_data(
            organization=organization,
            people_count=organization_people(organization=organization).count(),
            **kwargs,
        )

    def post(self, request, *args, **kwargs):
        organization = self.scoped_get(Organization, self.kwargs["pk"])
        organization_delete(organization=organization, actor=request.user)
        messages.success(request, _("La structure « %(name)s » a été supprimée.") % {"name": organization})
        return redirect(self.url("organization_list"))


# --- people ----------------------------------------------------------------------------------------------


class PersonListView(FilteredListView):
    template_name = "backoffice/directory/person_list.html"
    export_name = "contacts"
    export_columns = (
        Column(gettext_lazy("Nom"), lambda p: p.last_name, "last_name"),
        Column(gettext_lazy("Prénom"), lambda p: p.first_name, "first_name"),
        Column(
            gettext_lazy("Structure"), lambda p: p.organization.name if p.organization else "", "organization"
        ),
        Column(gettext_lazy("Fonction"), lambda p: p.job_title, "job_title"),
        Column(gettext_lazy("E-mail"), lambda p: p.email, "email"),
        Column(gettext_lazy("Téléphone"), lambda p: p.phone, "phone"),
        Column(gettext_lazy("Finalité"), lambda p: p.get_purpose_display(), "purpose"),
        Column(gettext_lazy("Consentement"), lambda p: p.consent_given, "consent_given"),
        Column(gettext_lazy("Conserver jusqu'au"), lambda p: p.retention_until, "retention_until"),
    )
    context_object_name = "people"
    filterset_class = PersonFilter
    paginator_class = DeferredJoinPaginator

    def get_queryset(self):
        return person_list(fabrique=self.fabrique, filters=self.request.GET)


class PersonDetailView(ObjectDetailView):
    template_name = "backoffice/directory/person_detail.html"
    context_object_name = "person"

    def get_queryset(self):
        return Person.objects.select_related("organization")

    def get_timeline(self, person):
        timeline = super().get_timeline(person)
        return masked_timeline(timeline) if person.is_anonymized else timeline

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        person = self.object
        context["interactions"] = interaction_list(fabrique=self.fabrique, person=person)[:50]
        context["links"] = person_links(person=person)
        context["retention_passed"] = person.retention_until < timezone.localdate()
        if context["can_edit"] and not person.is_anonymized:
            context["interaction_form"] = InteractionForm(instance=Interaction(person=person))
        return context


class PersonCreateView(DuplicateAwareFormView):
    template_name = "backoffice/directory/person_form.html"
    form_class = PersonForm
    success_message = gettext_lazy("Le contact « %(name)s » a été créé.")

    def get_initial(self):
        initial = super().get_initial()
        organization_pk = self.request.GET.get("structure")
        if organization_pk and organization_pk.isdigit():
            initial["organization"] = organization_pk
        return initial

    def perform(self, form):
        return person_create(
            fabrique=self.fabrique,
            actor=self.request.user,
            allow_duplicate=form.allow_duplicate,
            **form.service_data(),
        )

    def success_url_for(self, obj):
        return self.url("person_detail", pk=obj.pk)


class PersonUpdateView(PersonCreateView):
    success_message = gettext_lazy("Le contact « %(name)s » a été modifié.")

    def get_object(self):
        if not hasattr(self, "object"):
            self.object = self.scoped_get(
                Person.objects.filter(anonymized_at__isnull=True), self.kwargs["pk"]
            )
        return self.object

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": self.get_object()}

    def perform(self, form):
        person = self.scoped_get(Person, self.kwargs["pk"])
        return person_update(
            person=person,
            actor=self.request.user,
            **form.service_data(),
            allow_duplicate=form.allow_duplicate,
        )

    def get_context_data(self, **kwargs):
        return super().get_context_data(person=self.get_object(), **kwargs)


class PersonDeleteView(FabriqueViewMixin, TemplateView):
    permission = Permission.EDIT
    template_name = "backoffice/directory/person_confirm_delete.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(person=self.scoped_get(Person, self.kwargs["pk"]), **kwargs)

    def post(self, request, *args, **kwargs):
        person = self.scoped_get(Person, self.kwargs["pk"])
        person_delete(person=person, actor=request.user)
        messages.success(request, _("Le contact « %(name)s » a été supprimé.") % {"name": person})
        return redirect(self.url("person_list"))


class PersonAnonymizeView(FabriqueViewMixin, TemplateView):
    permission = Permission.EDIT
    template_name = "backoffice/directory/person_confirm_anonymize.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(person=self.scoped_get(Person, self.kwargs["pk"]), **kwargs)

    def post(self, request, *args, **kwargs):
        person = self.scoped_get(Person, self.kwargs["pk"])
        log = person_erase(person=person, actor=request.user)
        messages.success(
            request,
            _(
                "Les données personnelles du contact ont été effacées partout : fiche, échanges, "
                "%(reports)s signalement(s), %(applications)s candidature(s), %(audit)s entrée(s) du journal masquée(s)."
            )
            % {
                "reports": len(log.summary["reports"]),
                "applications": len(log.summary["applications"]),
                "audit": log.summary["audit_entries_masked"],
            },
        )
        return redirect(self.url("person_detail", pk=person.pk))


class PersonAccessExportView(FabriqueViewMixin, View):
    """The right of access: a ZIP of what the fabrique holds about the person (JSON + files)."""

    permission = Permission.EDIT

    def get(self, request, *args, **kwargs):
        person = self.scoped_get(Person.objects.select_related("fabrique", "organization"), self.kwargs["pk"])
        data = person_access_export(person=person, actor=request.user)
        response = HttpResponse(data, content_type="application/zip")
        response["Content-Disposition"] = f'attachment; filename="donnees-contact-{person.pk}.zip"'
        return response


# --- exchanges -------------------------------------------------------------------------------------------


class InteractionCreateView(ServiceFormView):
    """The exchange form: inline on the organisation and person pages, alone here (errors, no JS)."""

    template_name = "backoffice/directory/interaction_form.html"
    form_class = InteractionForm
    form_fabrique = False
    success_message = gettext_lazy("L'échange a été ajouté à l'historique.")

    def get_target(self):
        if self.kwargs.get("organization_pk"):
            return self.scoped_get(Organization, self.kwargs["organization_pk"]), None
        return None, self.scoped_get(
            Person.objects.filter(anonymized_at__isnull=True), self.kwargs["person_pk"]
        )

    def get_form_kwargs(self):
        self.organization, self.person = self.get_target()
        kwargs = super().get_form_kwargs()
        kwargs["instance"] = Interaction(organization=self.organization, person=self.person)
        if self.organization is not None:
            kwargs["organization"] = self.organization
        return kwargs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["target"] = self.organization or self.person
        context["back_url"] = self.back_url()
        return context

    def back_url(self):
        if self.organization is not None:
            return self.url("organization_detail", pk=self.organization.pk)
        return self.url("person_detail", pk=self.person.pk)

    def perform(self, form):
        data = form.service_data()
        return interaction_create(
            fabrique=self.fabrique,
            actor=self.request.user,
            date=data["date"],
            kind=data["kind"],
            summary=data["summary"],
            organization=self.organization,
            person=self.person or data.get("person"),
        )

    def success_url_for(self, obj):
        return self.back_url()


class InteractionDeleteView(FabriqueViewMixin, TemplateView):
    """Confirmation page; POST soft-deletes. `?retour=contact` returns to the person's page."""

    permission = Permission.EDIT
    template_name = "backoffice/directory/interaction_confirm_delete.html"

    def get_interaction(self):
        return self.scoped_get(
            Interaction.objects.select_related("organization", "person"), self.kwargs["pk"]
        )

    def back_url(self, interaction, to_person: bool) -> str:
        if interaction.person_id and (to_person or not interaction.organization_id):
            return self.url("person_detail", pk=interaction.person_id)
        return self.url("organization_detail", pk=interaction.organization_id)

    def get_context_data(self, **kwargs):
        interaction = self.get_interaction()
        to_person = self.request.GET.get("retour") == "contact"
        return super().get_context_data(
            interaction=interaction,
            to_person=to_person,
            back_url=self.back_url(interaction, to_person),
            **kwargs,
        )

    def post(self, request, *args, **kwargs):
        interaction = self.get_interaction()
        interaction_delete(interaction=interaction, actor=request.user)
        messages.success(request, _("L'échange a été supprimé."))
        return redirect(self.back_url(interaction, request.POST.get("retour") == "contact"))


urlpatterns = [
    path("annuaire/structures/", OrganizationListView.as_view(), name="organization_list"),
    path("annuaire/structures/nouvelle/", OrganizationCreateView.as_view(), name="organization_create"),
    path("annuaire/structures/<int:pk>/", OrganizationDetailView.as_view(), name="organization_detail"),
    path(
        "annuaire/structures/<int:pk>/modifier/", OrganizationUpdateView.as_view(), name="organization_update"
    ),
    path(
        "annuaire/structures/<int:pk>/supprimer/",
        OrganizationDeleteView.as_view(),
        name="organization_delete",
    ),
    path(
        "annuaire/structures/<int:organization_pk>/echanges/",
        InteractionCreateView.as_view(),
        name="organization_interaction_create",
    ),
    path("annuaire/contacts/", PersonListView.as_view(), name="person_list"),
    path("annuaire/contacts/nouveau/", PersonCreateView.as_view(), name="person_create"),
    path("annuaire/contacts/<int:pk>/", PersonDetailView.as_view(), name="person_detail"),
    path("annuaire/contacts/<int:pk>/modifier/", PersonUpdateView.as_view(), name="person_update"),
    path("annuaire/contacts/<int:pk>/supprimer/", PersonDeleteView.as_view(), name="person_delete"),
    path("annuaire/contacts/<int:pk>/anonymiser/", PersonAnonymizeView.as_view(), name="person_anonymize"),
    path(
        "annuaire/contacts/<int:pk>/donnees/", PersonAccessExportView.as_view(), name="person_access_export"
    ),
    path(
        "annuaire/contacts/<int:person_pk>/echanges/",
        InteractionCreateView.as_view(),
        name="person_interaction_create",
    ),
    path("annuaire/echanges/<int:pk>/supprimer/", InteractionDeleteView.as_view(), name="interaction_delete"),
]
