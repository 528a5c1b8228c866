"""The fabrique's own settings (administrators): presentation, territory covered, team and roles."""

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView

from fabrique.audit.selectors import audit_timeline
from fabrique.core.errors import DomainError
from fabrique.fabriques.forms import FabriqueSettingsForm, MemberInviteForm, MembershipForm
from fabrique.fabriques.models import Fabrique, Membership, Permission
from fabrique.fabriques.services import fabrique_update, member_invite, membership_change
from fabrique.territories.forms import TerritorySelection

from .base import FabriqueViewMixin, ServiceFormView


class FabriqueSettingsView(ServiceFormView):
    permission = Permission.MANAGE
    template_name = "backoffice/settings/fabrique_settings.html"
    form_class = FabriqueSettingsForm
    form_fabrique = False
    success_message = gettext_lazy("Les paramètres de la fabrique sont enregistrés.")

    def get_form_kwargs(self) -> dict[str, Any]:
        kwargs = super().get_form_kwargs()
        kwargs["instance"] = self.fabrique
        kwargs.setdefault("initial", {})["coverage"] = TerritorySelection.of_fabrique(self.fabrique)
        return kwargs

    def perform(self, form: FabriqueSettingsForm) -> Fabrique:
        coverage = form.cleaned_data["coverage"]
        data = {name: form.cleaned_data[name] for name in form.Meta.fields}
        return fabrique_update(
            fabrique=self.fabrique,
            actor=self.user,
            coverage={
                "communes": coverage.communes,
                "epcis": coverage.epcis,
                "departements": coverage.departements,
            },
            **data,
        )

    def success_url_for(self, fabrique: Fabrique) -> str:
        return self.url("fabrique_settings")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["timeline"] = audit_timeline(target=self.fabrique)
        return context


class TeamView(FabriqueViewMixin, TemplateView):
    permission = Permission.MANAGE
    template_name = "backoffice/settings/team.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["memberships"] = (
            Membership.objects.filter(fabrique=self.fabrique)
            .select_related("user")
            .order_by("-is_active", "user__last_name")
        )
        context["form"] = kwargs.get("form") or MemberInviteForm()
        return context


class TeamInviteView(TeamView):
    """GET shows the team page (the form lives there); POST invites."""

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = MemberInviteForm(request.POST)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form), status=400)
        data = form.cleaned_data
        try:
            membership, created = member_invite(
                fabrique=self.fabrique,
                actor=self.user,
                email=data["email"],
                role=data["role"],
                first_name=data["first_name"],
                last_name=data["last_name"],
            )
        except (ValidationError, DomainError) as exc:
            form.add_error(None, exc.message if isinstance(exc, DomainError) else exc)
            return self.render_to_response(self.get_context_data(form=form), status=400)
        if created:
            # the e-mail with the password link: handler of "accounts.user.invited" (fabriques.handlers)
            messages.success(request, _("Invitation envoyée à %(email)s.") % {"email": membership.user.email})
        else:
            messages.success(
                request,
                _("%(user)s a désormais le rôle « %(role)s ».")
                % {"user": membership.user, "role": membership.get_role_display()},
            )
        return redirect(self.url("team"))


class MembershipUpdateView(ServiceFormView):
    permission = Permission.MANAGE
    template_name = "backoffice/settings/membership_form.html"
    form_class = MembershipForm
    form_fabrique = False
    success_message = gettext_lazy("Le rôle est mis à jour.")
    lookups = {"pk": Membership}

    def get_membership(self) -> Membership:
        membership: Membership = self.scoped_get(Membership.objects.select_related("user"), self.kwargs["pk"])
        return membership

    def get_initial(self) -> dict[str, Any]:
        membership = self.get_membership()
        return {"role": membership.role, "is_active": membership.is_active}

    def perform(self, form: MembershipForm) -> Membership:
        return membership_change(
            membership=self.get_membership(),
            actor=self.user,
            role=form.cleaned_data["role"],
            is_active=form.cleaned_data["is_active"],
        )

    def success_url_for(self, membership: Membership) -> str:
        return self.url("team")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["member"] = self.get_membership()
        return context


urlpatterns = [
    path("parametres/", FabriqueSettingsView.as_view(), name="fabrique_settings"),
    path("parametres/equipe/", TeamView.as_view(), name="team"),
    path("parametres/equipe/inviter/", TeamInviteView.as_view(), name="team_invite"),
    path("parametres/equipe/<int:pk>/", MembershipUpdateView.as_view(), name="membership_update"),
]
