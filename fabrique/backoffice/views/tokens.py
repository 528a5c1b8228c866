"""My personal API tokens for this fabrique: create one (its value is shown once), revoke one."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView

from fabrique.api.models import ApiToken, TokenScope
from fabrique.api.tokens import MAX_ACTIVE_TOKENS, api_token_create, api_token_revoke
from fabrique.core.errors import DomainError
from fabrique.core.limits import validate_sane_date
from fabrique.fabriques.models import Permission

from .base import FabriqueViewMixin


class TokenForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("Nom du jeton"),
        max_length=80,
        help_text=gettext_lazy("Par exemple l'outil ou le script qui l'utilisera."),
    )
    scope = forms.ChoiceField(
        label=gettext_lazy("Portée"), choices=TokenScope.choices, initial=TokenScope.READ
    )
    expires_on = forms.DateField(
        label=gettext_lazy("Expire le"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=gettext_lazy("Un an au plus."),
        validators=[validate_sane_date],
    )


class ApiTokensView(FabriqueViewMixin, TemplateView):
    permission = Permission.VIEW
    template_name = "backoffice/account/api_tokens.html"

    def tokens(self) -> Any:
        # bounded: at most MAX_ACTIVE_TOKENS active ones, and the 20 latest ended ones
        mine = ApiToken.objects.filter(user=self.request.user.pk, fabrique=self.fabrique)
        active = list(mine.active()[:MAX_ACTIVE_TOKENS])
        ended = list(mine.exclude(pk__in=[t.pk for t in active])[:20])
        return active, ended

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        active, ended = self.tokens()
        context.update(
            active_tokens=active,
            ended_tokens=ended,
            can_write=self.membership.has_permission(Permission.DECIDE),
            form=kwargs.get("form")
            or TokenForm(initial={"expires_on": timezone.localdate() + datetime.timedelta(days=90)}),
            docs_url="/api/docs/",
        )
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if "revoke" in request.POST:
            return self.revoke(request)
        form = TokenForm(request.POST)
        if form.is_valid():
            try:
                token, clear = api_token_create(
                    user=self.user,
                    fabrique=self.fabrique,
                    actor=self.user,
                    **form.cleaned_data,
                )
            except DomainError as exc:
                form.add_error(None, exc.message)
            else:
                response = self.render_to_response(self.get_context_data(new_token=token, clear_token=clear))
                response["Cache-Control"] = "no-store"  # the clear token must not stay in a cache
                return response
        return self.render_to_response(self.get_context_data(form=form), status=400)

    def revoke(self, request: HttpRequest) -> HttpResponse:
        token = (
            ApiToken.objects.filter(
                user=request.user.pk, fabrique=self.fabrique, pk=request.POST["revoke"]
            ).first()
            if str(request.POST["revoke"]).isdigit()
            else None
        )
        if token is None:
            messages.error(request, _("Jeton introuvable."))
        else:
            api_token_revoke(token=token, actor=self.user)
            messages.success(request, _("Le jeton « %(name)s » est révoqué.") % {"name": token.name})
        return redirect(self.url("api_tokens"))


urlpatterns = [
    path("compte/jetons/", ApiTokensView.as_view(), name="api_tokens"),
]
