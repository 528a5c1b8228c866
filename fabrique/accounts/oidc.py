"""Single sign-on by OpenID Connect: ProConnect (the French public agents' provider) or any provider
with a discovery document.

mozilla-django-oidc runs the authorization code flow (state, nonce, PKCE, the token request, the
id_token's signature against the provider's JWKS, a userinfo answered in JSON or as a signed JWT).
This module adds what it leaves to the application:

- the endpoints come from the discovery document (`{OIDC_ISSUER}/.well-known/openid-configuration`),
  cached for an hour, whose `issuer` must be the configured one;
- the id_token's `iss` and `aud` are checked (the library checks neither), and its `acr` when
  OIDC_ACR_VALUES is set (ProConnect's `eidas1`…);
- an account is matched by its VERIFIED e-mail address (`email_verified`); a login never creates an
  account nor gives a membership: an unknown address gets a French explanation (ask to be invited);
- a user with a second factor gives their code after the provider (fabrique.accounts.otp);
- logging out of the platform also ends the session at the provider (`end_session_endpoint`).

Nothing here runs unless OIDC_ISSUER and OIDC_CLIENT_ID are set (`enabled()`); the backend answers
only the callback of a login it started, never a password login.
"""

from __future__ import annotations

import hashlib
import logging
from typing import Any
from urllib.parse import urlencode

import requests
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured, SuspiciousOperation
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, resolve_url
from django.urls import reverse
from django.utils.crypto import get_random_string
from django.utils.translation import gettext as _
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.utils import import_from_settings
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

from fabrique.accounts.models import User

logger = logging.getLogger(__name__)

DISCOVERY_CACHE_SECONDS = 3600
BACKEND_PATH = "fabrique.accounts.oidc.OIDCBackend"
# the mozilla-django-oidc setting -> the discovery document's key
ENDPOINTS = {
    "OIDC_OP_AUTHORIZATION_ENDPOINT": "authorization_endpoint",
    "OIDC_OP_TOKEN_ENDPOINT": "token_endpoint",
    "OIDC_OP_USER_ENDPOINT": "userinfo_endpoint",
    "OIDC_OP_JWKS_ENDPOINT": "jwks_uri",
}
# what makes the provider unusable for this login (it is down, or answers nonsense)
PROVIDER_ERRORS = (requests.RequestException, ValueError, KeyError, ImproperlyConfigured)


class Refusal(Exception):
    """The provider authenticated the person, but the platform refuses the login (said in French)."""


def enabled() -> bool:
    return bool(settings.OIDC_ISSUER and settings.OIDC_RP_CLIENT_ID)


def provider_name() -> str:
    return str(settings.OIDC_PROVIDER_NAME or "OpenID Connect")


def acr_values() -> list[str]:
    return str(settings.OIDC_ACR_VALUES or "").split()


def provider_metadata() -> dict[str, Any]:
    """The provider's discovery document (cached); its issuer must be the configured one."""
    issuer = settings.OIDC_ISSUER.rstrip("/")
    key = "oidc-discovery:" + hashlib.sha256(issuer.encode()).hexdigest()
    metadata = cache.get(key)
    if metadata is None:
        response = requests.get(f"{issuer}/.well-known/openid-configuration", timeout=settings.OIDC_TIMEOUT)
        response.raise_for_status()
        metadata = response.json()
        if not isinstance(metadata, dict) or str(metadata.get("issuer", "")).rstrip("/") != issuer:
            raise ImproperlyConfigured("The discovery document names another issuer than OIDC_ISSUER.")
        cache.set(key, metadata, DISCOVERY_CACHE_SECONDS)
    return dict(metadata)


def oidc_setting(attr: str, *default: Any) -> Any:
    """mozilla-django-oidc's settings, the endpoints taken from the discovery document."""
    if attr in ENDPOINTS:
        return provider_metadata()[ENDPOINTS[attr]]
    return import_from_settings(attr, *default)


def _audiences(payload: dict[str, Any]) -> list[str]:
    aud = payload.get("aud")
    if isinstance(aud, str):
        return [aud]
    return [str(a) for a in aud] if isinstance(aud, list) else []


class OIDCBackend(OIDCAuthenticationBackend):  # type: ignore[misc]  # untyped library
    """Authenticates the callback of an OpenID Connect login (the only call that passes `nonce`)."""

    get_settings = staticmethod(oidc_setting)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # the endpoints are read when a callback is handled, not each time Django lists its backends
        self.UserModel = get_user_model()

    def authenticate(self, request: HttpRequest | None, **kwargs: Any) -> Any:
        if request is None or "nonce" not in kwargs or not enabled():
            return None
        super().__init__()
        return super().authenticate(request, **kwargs)

    def get_user(self, user_id: Any) -> Any:
        return ModelBackend.get_user(self, user_id)  # an inactive account's session ends

    def verify_token(self, token: str, **kwargs: Any) -> dict[str, Any]:
        """The signature and nonce (the library), then the issuer, the audience and the acr."""
        payload: dict[str, Any] = super().verify_token(token, **kwargs)
        is_id_token = "nonce" in kwargs  # the userinfo JWT is checked without nonce
        issuer = provider_metadata()["issuer"]
        if (is_id_token or "iss" in payload) and payload.get("iss") != issuer:
            raise SuspiciousOperation("OIDC token of another issuer.")
        audiences = _audiences(payload)
        client_id = settings.OIDC_RP_CLIENT_ID
        if (is_id_token or "aud" in payload) and client_id not in audiences:
            raise SuspiciousOperation("OIDC token for another client.")
        if is_id_token and len(audiences) > 1 and payload.get("azp") != client_id:
            raise SuspiciousOperation("OIDC token authorized for another party.")
        if is_id_token and acr_values() and payload.get("acr") not in acr_values():
            logger.warning("OIDC login refused: acr %r not in %r", payload.get("acr"), acr_values())
            raise Refusal(
                _(
                    "Le niveau d'authentification transmis par %(provider)s ne suffit pas pour cette "
                    "plateforme. Reconnectez-vous avec le niveau demandé."
                )
                % {"provider": provider_name()}
            )
        return payload

    def get_or_create_user(self, access_token: str, id_token: str, payload: dict[str, Any]) -> User:
        """The account whose address the provider verified; never a new one."""
        userinfo = self.get_userinfo(access_token, id_token, payload)
        if userinfo.get("sub") != payload.get("sub"):
            raise SuspiciousOperation("The userinfo answer is about another person than the id_token.")
        claims = {**payload, **userinfo}
        email = str(claims.get("email") or "").strip().lower()
        name = provider_name()
        if not email:
            raise Refusal(
                _("%(provider)s n'a pas transmis d'adresse e-mail : connexion impossible.")
                % {"provider": name}
            )
        verified = claims.get("email_verified") in (True, "true") or settings.OIDC_ASSUME_EMAIL_VERIFIED
        if not verified:
            logger.warning("OIDC login refused: address not verified by the provider")
            raise Refusal(
                _(
                    "%(provider)s n'indique pas que l'adresse %(email)s est vérifiée : la connexion est "
                    "refusée. Faites vérifier votre adresse auprès de %(provider)s, ou connectez-vous "
                    "avec votre mot de passe."
                )
                % {"provider": name, "email": email}
            )
        user = User.objects.filter(email__iexact=email).first()
        if user is None:
            logger.info("OIDC login refused: no account for the address")
            raise Refusal(
                _(
                    "Aucun compte n'existe pour l'adresse %(email)s. Se connecter avec %(provider)s ne "
                    "crée pas de compte : demandez à un·e administrateur·rice de votre fabrique de vous "
                    "inviter avec cette adresse, puis reconnectez-vous."
                )
                % {"email": email, "provider": name}
            )
        if not user.is_active:
            raise Refusal(_("Ce compte est désactivé."))
        return self.fill_name(user, claims)

    @staticmethod
    def fill_name(user: User, claims: dict[str, Any]) -> User:
        """An invited account without a name takes the provider's (ProConnect: given_name, usual_name)."""
        first = str(claims.get("given_name") or "").strip()[:150]
        last = str(claims.get("usual_name") or claims.get("family_name") or "").strip()[:150]
        changed = []
        if not user.first_name and first:
            user.first_name = first
            changed.append("first_name")
        if not user.last_name and last:
            user.last_name = last
            changed.append("last_name")
        if changed:
            user.save(update_fields=changed)
        return user


def _back_to_login(request: HttpRequest, message: str) -> HttpResponse:
    messages.error(request, message)
    return redirect("accounts:login")


def _unavailable(request: HttpRequest) -> HttpResponse:
    return _back_to_login(
        request,
        _(
            "Le service de connexion %(provider)s ne répond pas. Réessayez dans quelques minutes ou "
            "connectez-vous avec votre mot de passe."
        )
        % {"provider": provider_name()},
    )


class OIDCLoginView(OIDCAuthenticationRequestView):  # type: ignore[misc]  # untyped library
    """Sends the browser to the provider's authorization endpoint (state, nonce, PKCE, acr_values)."""

    get_settings = staticmethod(oidc_setting)

    def __init__(self, **kwargs: Any) -> None:
        super(OIDCAuthenticationRequestView, self).__init__(**kwargs)  # endpoints: in get()

    def get(self, request: HttpRequest) -> HttpResponse:
        if not enabled():
            raise Http404(_("La connexion unique n'est pas configurée."))
        try:
            self.OIDC_OP_AUTH_ENDPOINT = oidc_setting("OIDC_OP_AUTHORIZATION_ENDPOINT")
        except PROVIDER_ERRORS:
            logger.exception("OIDC discovery failed")
            return _unavailable(request)
        self.OIDC_RP_CLIENT_ID = settings.OIDC_RP_CLIENT_ID
        response: HttpResponse = super().get(request)
        return response

    def get_extra_params(self, request: HttpRequest) -> dict[str, str]:
        return {"acr_values": " ".join(acr_values())} if acr_values() else {}


class OIDCCallbackView(OIDCAuthenticationCallbackView):  # type: ignore[misc]  # untyped library
    """The provider's answer: a refusal is said in French on the login page, never a bare error."""

    get_settings = staticmethod(oidc_setting)
    refusal: str = ""

    def get(self, request: HttpRequest) -> HttpResponse:
        if not enabled():
            raise Http404(_("La connexion unique n'est pas configurée."))
        try:
            response: HttpResponse = super().get(request)
            return response
        except Refusal as refusal:
            return _back_to_login(request, str(refusal))
        except SuspiciousOperation as exc:  # a state, nonce, signature, issuer or audience that fails
            logger.warning("OIDC login refused: %s", exc)
        except PROVIDER_ERRORS:
            logger.exception("OIDC token exchange failed")
            return _unavailable(request)
        return self.login_failure()

    def login_failure(self) -> HttpResponse:
        return _back_to_login(
            self.request,
            _(
                "La connexion avec %(provider)s n'a pas abouti. Recommencez depuis la page de connexion "
                "ou connectez-vous avec votre mot de passe."
            )
            % {"provider": provider_name()},
        )

    def login_success(self) -> HttpResponse:
        from fabrique.accounts.otp import complete_login

        next_url = self.request.session.get("oidc_login_next") or resolve_url(settings.LOGIN_REDIRECT_URL)
        return complete_login(self.request, self.user, backend=BACKEND_PATH, next_url=next_url)


def end_session_url(request: HttpRequest, id_token: str) -> str | None:
    """Where to send the browser to log out at the provider too (None: the provider has no such page)."""
    try:
        endpoint = provider_metadata().get("end_session_endpoint")
    except PROVIDER_ERRORS:
        logger.exception("OIDC discovery failed at logout")
        return None
    if not endpoint:
        return None
    params = {
        "id_token_hint": id_token,
        "state": get_random_string(32),
        "post_logout_redirect_uri": request.build_absolute_uri(resolve_url(settings.LOGOUT_REDIRECT_URL)),
    }
    return f"{endpoint}?{urlencode(params)}"


def logout_redirect(request: HttpRequest, id_token: str | None) -> HttpResponse | None:
    """After the local logout: the provider's end_session when the session came from it."""
    if not id_token or not enabled():
        return None
    url = end_session_url(request, id_token)
    return HttpResponseRedirect(url) if url else None


def login_url() -> str:
    return reverse("accounts:oidc_login")
