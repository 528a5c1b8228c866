"""Authentication of the API: a personal token (`Authorization: Bearer fab_…`), or the browser session."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from rest_framework import authentication, exceptions

from .models import TOKEN_PREFIX, ApiToken, token_digest
from .tokens import api_token_touch


class TokenAuthentication(authentication.BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request: Any) -> tuple[Any, ApiToken] | None:
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(_("En-tête Authorization invalide : « Bearer <jeton> »."))
        try:
            clear = header[1].decode()
        except UnicodeDecodeError as exc:
            raise exceptions.AuthenticationFailed(_("Jeton invalide.")) from exc
        if not clear.startswith(TOKEN_PREFIX) or len(clear) > 200:
            raise exceptions.AuthenticationFailed(_("Jeton invalide."))
        token = ApiToken.objects.select_related("user", "fabrique").filter(digest=token_digest(clear)).first()
        if token is None:
            raise exceptions.AuthenticationFailed(_("Jeton invalide."))
        if token.revoked_at is not None:
            raise exceptions.AuthenticationFailed(_("Ce jeton a été révoqué."))
        if token.is_expired:
            raise exceptions.AuthenticationFailed(_("Ce jeton a expiré."))
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("Ce compte est désactivé."))
        api_token_touch(token)
        return token.user, token

    def authenticate_header(self, request: Any) -> str:
        return f'{self.keyword} realm="api"'
