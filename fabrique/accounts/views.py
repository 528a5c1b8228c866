"""The login and logout pages: the password, the OpenID provider's button, the second step (code)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse

from . import oidc
from .forms import LoginForm
from .otp import complete_login


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm

    def form_valid(self, form: Any) -> HttpResponse:
        user = form.get_user()
        # the backend that accepted the password (ModelBackend): the code, if any, comes before login()
        return complete_login(self.request, user, backend=user.backend, next_url=self.get_success_url())

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        if oidc.enabled():
            context["oidc_provider"] = oidc.provider_name()
            context["oidc_url"] = oidc.login_url()
        return context


class LogoutView(auth_views.LogoutView):
    """Logs out here, then at the OpenID provider when the session came from it (end_session)."""

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        id_token = request.session.get("oidc_id_token")
        response = super().post(request, *args, **kwargs)
        return oidc.logout_redirect(request, id_token) or response
