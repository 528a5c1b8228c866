import logging
from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.utils.translation import gettext_lazy as _

from fabrique.core import ratelimit
from fabrique.core.limits import LONG_TEXT

logger = logging.getLogger(__name__)

# Password reset e-mails per hour: per address (protects a person's inbox) and per client address
# (protects every inbox from one sender). Over either limit nothing is sent, and the answer is the
# same confirmation page as always, so nobody learns whether an address has an account.
RESET_PER_ADDRESS = 3
RESET_PER_CLIENT = 10
RESET_WINDOW_SECONDS = 3600


class LoginForm(AuthenticationForm):
    username = forms.EmailField(
        label=_("Adresse e-mail"), widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True})
    )
    password = forms.CharField(
        label=_("Mot de passe"),
        strip=False,
        max_length=LONG_TEXT,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    error_messages = {
        "invalid_login": _(
            "Adresse e-mail ou mot de passe incorrect. Vérifiez la saisie (majuscules comprises)."
        ),
        "inactive": _("Ce compte est désactivé."),
    }


class ThrottledPasswordResetForm(PasswordResetForm):
    def save(self, **kwargs: Any) -> None:  # type: ignore[override]
        request = kwargs["request"]  # PasswordResetView always passes it
        email = self.cleaned_data["email"]
        allowed = ratelimit.hit(
            "password-reset-client", request, limit=RESET_PER_CLIENT, window=RESET_WINDOW_SECONDS
        ) and ratelimit.hit(
            "password-reset-address", request, limit=RESET_PER_ADDRESS, window=RESET_WINDOW_SECONDS, key=email
        )
        if not allowed:
            logger.warning("Password reset throttled (client %s)", ratelimit.client_ip(request))
            return
        super().save(**kwargs)
