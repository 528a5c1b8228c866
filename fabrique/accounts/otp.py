"""The optional second factor (django-otp): a TOTP application and single-use backup codes.

- Enrolment (`accounts:second_factor`): a TOTP device is created unconfirmed, its QR code drawn here as
  SVG (no outside service); a first right code confirms it and shows ten backup codes, once.
- Login: a user with a confirmed device is not logged in after the password (or the OpenID provider):
  the session keeps a pending login for a few minutes and `accounts:login_code` asks for the code.
  A wrong code counts as a failed login for django-axes (same lockout as a wrong password, per
  account) and the device's own throttle delays the next try.
- A fabrique may require the second factor of its admins (`Fabrique.admins_require_otp`): the
  back-office sends an admin without a verified session to enrol or to give their code
  (`second_factor_redirect`, called by FabriqueViewMixin).
"""

from __future__ import annotations

import io
import time
from typing import Any

import qrcode
import qrcode.image.svg
from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_lockout_response
from django import forms
from django.conf import settings
from django.contrib import auth, messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.contrib.auth.signals import user_login_failed
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django_otp import login as otp_login
from django_otp import match_token, user_has_device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from fabrique.accounts.models import User

PENDING_KEY = "fabrique_otp_pending"
PENDING_SECONDS = 300  # between the password (or the provider) and the code
BACKUP_CODES = 10
TOTP_NAME = "totp"
BACKUP_NAME = "backup"


class CodeForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("Code à usage unique"),
        max_length=16,
        help_text=gettext_lazy(
            "Les 6 chiffres de votre application d'authentification, ou un code de secours."
        ),
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True, "size": 10}
        ),
    )

    def clean_code(self) -> str:
        return "".join(str(self.cleaned_data["code"]).split())


def is_verified(user: Any) -> bool:
    check = getattr(user, "is_verified", None)
    return bool(check and check())


def safe_next(request: HttpRequest, url: str | None) -> str:
    if url and url_has_allowed_host_and_scheme(url, {request.get_host()}, require_https=request.is_secure()):
        return url
    return resolve_url(settings.LOGIN_REDIRECT_URL)


def complete_login(request: HttpRequest, user: User, *, backend: str, next_url: str) -> HttpResponse:
    """After the password or the OpenID provider: log in, or ask for the code first."""
    if user_has_device(user):
        request.session[PENDING_KEY] = {
            "user": user.pk,
            "backend": backend,
            "next": next_url,
            "since": time.time(),
        }
        return redirect("accounts:login_code")
    auth.login(request, user, backend=backend)
    return HttpResponseRedirect(safe_next(request, next_url))


def pending_user(request: HttpRequest) -> tuple[User | None, dict[str, Any]]:
    pending = request.session.get(PENDING_KEY)
    if not isinstance(pending, dict) or time.time() - float(pending.get("since", 0)) > PENDING_SECONDS:
        request.session.pop(PENDING_KEY, None)
        return None, {}
    user = User.objects.filter(pk=int(pending.get("user") or 0), is_active=True).first()
    return user, pending


def second_factor_redirect(request: HttpRequest) -> HttpResponse:
    """An admin of a fabrique that requires the second factor, without a verified session."""
    query = urlencode({"next": request.get_full_path()})
    if user_has_device(request.user):
        messages.info(request, _("Cette fabrique exige le second facteur : saisissez votre code."))
        return HttpResponseRedirect(f"{reverse('accounts:login_code')}?{query}")
    messages.warning(
        request,
        _(
            "Cette fabrique exige un second facteur pour ses administrateur·rices : activez-le pour "
            "accéder au back-office."
        ),
    )
    return HttpResponseRedirect(f"{reverse('accounts:second_factor')}?{query}")


def qr_svg(data: str) -> SafeString:
    """The QR code of `data` as inline SVG (drawn here: the secret never leaves the server)."""
    image = qrcode.make(data, image_factory=qrcode.image.svg.SvgPathImage, box_size=8, border=2)
    buffer = io.BytesIO()
    image.save(buffer)
    svg = buffer.getvalue().decode()
    svg = svg[svg.index("<svg") :]  # without the XML declaration, to sit inside the page
    return mark_safe(svg.replace("<svg ", '<svg role="img" aria-hidden="true" focusable="false" ', 1))  # noqa: S308 - drawn by qrcode from our own data


def secret_of(device: TOTPDevice) -> str:
    from base64 import b32encode

    secret = b32encode(device.bin_key).decode()
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def new_backup_codes(user: User) -> list[str]:
    """Replaces the user's backup codes with ten new ones (each works once)."""
    device, _created = StaticDevice.objects.get_or_create(
        user=user, name=BACKUP_NAME, defaults={"confirmed": True}
    )
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(BACKUP_CODES)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    return codes


def admin_requirements(user: User) -> list[str]:
    """The fabriques where `user` is an admin and the second factor is required."""
    from fabrique.fabriques.models import Membership, Role

    return list(
        Membership.objects.filter(
            user=user, role=Role.ADMIN, is_active=True, fabrique__admins_require_otp=True
        ).values_list("fabrique__name", flat=True)
    )


def throttled(user: User) -> bool:
    """django-otp delays a device after a wrong code (1 s, then 2, 4…): a code typed meanwhile is refused."""
    devices = [*TOTPDevice.objects.filter(user=user), *StaticDevice.objects.filter(user=user)]
    return any(not device.verify_is_allowed()[0] for device in devices)


THROTTLED = gettext_lazy("Patientez quelques secondes après un code erroné, puis saisissez le nouveau code.")


def _locked(request: HttpRequest, user: User) -> bool:
    return bool(AxesProxyHandler.is_locked(request, {"username": user.email.lower()}))


def lockout(request: HttpRequest, credentials: dict[str, str]) -> HttpResponse:
    """django-axes' answer to a locked account (the French page, HTTP 429)."""
    response: HttpResponse = get_lockout_response(request, None, credentials)
    return response


class LoginCodeView(View):
    """The second step of the login: the code of a user with a device (or of a session to verify)."""

    template_name = "accounts/login_code.html"

    def user_and_next(self, request: HttpRequest) -> tuple[User | None, str, bool]:
        """(user, next URL, pending login?)"""
        user, pending = pending_user(request)
        if user is not None:
            return user, pending.get("next", ""), True
        account = request.user
        if isinstance(account, User) and account.is_authenticated and user_has_device(account):
            return account, request.GET.get("next") or request.POST.get("next") or "", False
        return None, "", False

    def get(self, request: HttpRequest) -> HttpResponse:
        user, next_url, _pending = self.user_and_next(request)
        if user is None:
            return redirect("accounts:login")
        if is_verified(request.user) and request.user == user:
            return HttpResponseRedirect(safe_next(request, next_url))
        return render(request, self.template_name, {"form": CodeForm(), "next": next_url})

    def post(self, request: HttpRequest) -> HttpResponse:
        user, next_url, pending = self.user_and_next(request)
        if user is None:
            messages.error(request, _("La connexion a expiré : recommencez."))
            return redirect("accounts:login")
        credentials = {"username": user.email.lower()}
        if _locked(request, user):
            request.session.pop(PENDING_KEY, None)
            return lockout(request, credentials)
        form = CodeForm(request.POST)
        device = None
        wait = throttled(user)
        if form.is_valid():
            with transaction.atomic():
                device = match_token(user, form.cleaned_data["code"])
        if device is None:
            # a wrong code is a failed login: django-axes counts it against the account
            user_login_failed.send(sender=__name__, credentials=credentials, request=request)
            if _locked(request, user):
                request.session.pop(PENDING_KEY, None)
                return lockout(request, credentials)
            if form.is_valid():
                form.add_error(
                    "code",
                    _("Code incorrect ou déjà utilisé. Attendez le code suivant de votre application.")
                    if not wait
                    else str(THROTTLED),
                )
            return render(request, self.template_name, {"form": form, "next": next_url}, status=400)
        if pending:
            backend = request.session[PENDING_KEY]["backend"]
            request.session.pop(PENDING_KEY, None)
            auth.login(request, user, backend=backend)
        otp_login(request, device)
        return HttpResponseRedirect(safe_next(request, next_url))


class SecondFactorView(LoginRequiredMixin, View):
    """The user's second factor: enrol (QR code, first code), new backup codes, turn it off."""

    template_name = "accounts/second_factor.html"

    def context(self, request: HttpRequest, **extra: Any) -> dict[str, Any]:
        user: User = request.user  # type: ignore[assignment]
        confirmed = TOTPDevice.objects.filter(user=user, confirmed=True).first()
        context: dict[str, Any] = {
            "device": confirmed,
            "verified": is_verified(user),
            "required_by": admin_requirements(user),
            "next": request.GET.get("next") or request.POST.get("next") or "",
            "form": CodeForm(),
            **extra,
        }
        if confirmed is None:
            enrolling = TOTPDevice.objects.filter(user=user, confirmed=False).first()
            if enrolling is None:
                enrolling = TOTPDevice.objects.create(user=user, name=TOTP_NAME, confirmed=False)
            context["enrolling"] = enrolling
            context["qr"] = qr_svg(enrolling.config_url)
            context["secret"] = secret_of(enrolling)
        else:
            backup = StaticDevice.objects.filter(user=user, name=BACKUP_NAME).first()
            context["backup_left"] = backup.token_set.count() if backup else 0
        return context

    def get(self, request: HttpRequest) -> HttpResponse:
        return render(request, self.template_name, self.context(request))

    def post(self, request: HttpRequest) -> HttpResponse:
        action = request.POST.get("action")
        user: User = request.user  # type: ignore[assignment]
        if action == "confirm":
            return self.confirm(request, user)
        if action == "backup_codes":
            if not is_verified(user):
                messages.error(request, _("Saisissez d'abord votre code pour gérer le second facteur."))
                return redirect("accounts:second_factor")
            return render(
                request, "accounts/backup_codes.html", {"codes": new_backup_codes(user), "next": ""}
            )
        if action == "disable":
            return self.disable(request, user)
        return redirect("accounts:second_factor")

    def confirm(self, request: HttpRequest, user: User) -> HttpResponse:
        device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
        form = CodeForm(request.POST)
        if device is None or TOTPDevice.objects.filter(user=user, confirmed=True).exists():
            return redirect("accounts:second_factor")
        wait = not device.verify_is_allowed()[0]
        if not (form.is_valid() and device.verify_token(form.cleaned_data["code"])):
            if form.is_valid() and wait:
                form.add_error("code", str(THROTTLED))
            elif form.is_valid():
                form.add_error(
                    "code",
                    _("Code incorrect. Vérifiez l'heure de votre téléphone et saisissez le code affiché."),
                )
            return render(request, self.template_name, self.context(request, form=form), status=400)
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        otp_login(request, device)
        codes = new_backup_codes(user)
        messages.success(request, _("Le second facteur est activé."))
        next_url = request.POST.get("next") or ""
        return render(request, "accounts/backup_codes.html", {"codes": codes, "next": next_url})

    def disable(self, request: HttpRequest, user: User) -> HttpResponse:
        required_by = admin_requirements(user)
        if required_by:
            messages.error(
                request,
                _(
                    "Impossible de désactiver le second facteur : %(fabriques)s l'exige pour ses administrateur·rices."
                )
                % {"fabriques": ", ".join(required_by)},
            )
            return redirect("accounts:second_factor")
        form = CodeForm(request.POST)
        credentials = {"username": user.email.lower()}
        device = match_token(user, form.cleaned_data["code"]) if form.is_valid() else None
        if device is None:
            user_login_failed.send(sender=__name__, credentials=credentials, request=request)
            form.add_error("code", _("Code incorrect : le second facteur reste activé."))
            return render(request, self.template_name, self.context(request, form=form), status=400)
        TOTPDevice.objects.filter(user=user).delete()
        StaticDevice.objects.filter(user=user).delete()
        messages.success(request, _("Le second facteur est désactivé."))
        return redirect("accounts:second_factor")
