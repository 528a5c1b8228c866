"""Services of the personal API tokens: create (the clear token is returned once) and revoke."""

from __future__ import annotations

import datetime
import secrets

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fabrique.accounts.models import User
from fabrique.audit.services import audit_log
from fabrique.core.errors import DomainError
from fabrique.fabriques.models import Fabrique, Membership, Permission

from .models import TOKEN_PREFIX, ApiToken, TokenScope, token_digest

MAX_ACTIVE_TOKENS = 10  # per account and fabrique: the list stays short
MAX_LIFETIME_DAYS = 366
LAST_USED_PRECISION = datetime.timedelta(minutes=5)  # `last_used_at` is written at most this often


def api_token_create(
    *,
    user: User,
    fabrique: Fabrique,
    actor: User,
    name: str,
    scope: str,
    expires_on: datetime.date,
) -> tuple[ApiToken, str]:
    """A new token of `user` for `fabrique`; returns it with its clear value (never stored)."""
    name = name.strip()
    if not name:
        raise DomainError(_("Donnez un nom au jeton (par exemple l'outil qui l'utilise)."))
    if scope not in TokenScope.values:
        raise DomainError(_("Portée inconnue : choisissez lecture ou lecture et écriture."))
    today = timezone.localdate()
    if expires_on <= today:
        raise DomainError(_("La date d'expiration doit être dans le futur."))
    if expires_on > today + datetime.timedelta(days=MAX_LIFETIME_DAYS):
        raise DomainError(_("Un jeton vaut au plus un an : choisissez une date d'expiration plus proche."))
    membership = Membership.objects.filter(user=user, fabrique=fabrique, is_active=True).first()
    if membership is None or not membership.has_permission(Permission.VIEW):
        raise DomainError(_("Votre rôle ne donne pas accès à l'API de cette fabrique."))
    # DECIDE: a committee member writes decisions and evaluations; each endpoint still checks its permission
    if scope == TokenScope.WRITE and not membership.has_permission(Permission.DECIDE):
        raise DomainError(_("Votre rôle ne permet pas d'écrire : choisissez un jeton en lecture seule."))
    with transaction.atomic():
        Membership.objects.select_for_update().filter(pk=membership.pk).first()  # one creation at a time
        active = ApiToken.objects.active().filter(user=user, fabrique=fabrique).count()
        if active >= MAX_ACTIVE_TOKENS:
            raise DomainError(
                _("Vous avez déjà %(max)s jetons actifs pour cette fabrique : révoquez-en un d'abord.")
                % {"max": MAX_ACTIVE_TOKENS}
            )
        clear = TOKEN_PREFIX + secrets.token_urlsafe(32)
        expires_at = timezone.make_aware(datetime.datetime.combine(expires_on, datetime.time.max))
        token = ApiToken.objects.create(
            user=user,
            fabrique=fabrique,
            name=name[:80],
            scope=scope,
            prefix=clear[: len(TOKEN_PREFIX) + 6],
            digest=token_digest(clear),
            expires_at=expires_at,
        )
        audit_log(
            actor=actor,
            fabrique=fabrique,
            target=token,
            action="api_token_created",
            new={"name": token.name, "scope": scope, "expires_at": expires_on.isoformat()},
        )
    return token, clear


def api_token_revoke(*, token: ApiToken, actor: User) -> ApiToken:
    if token.user_id != actor.pk and not actor.is_superuser:
        raise DomainError(_("Seul·e le ou la titulaire d'un jeton peut le révoquer."))
    with transaction.atomic():
        locked = ApiToken.objects.select_for_update().get(pk=token.pk)
        if locked.revoked_at is not None:
            return locked
        locked.revoked_at = timezone.now()
        locked.save(update_fields=["revoked_at"])
        audit_log(actor=actor, fabrique=locked.fabrique, target=locked, action="api_token_revoked")
    return locked


def api_token_touch(token: ApiToken) -> None:
    """Record a use, at most every few minutes (a write per request would cost every call)."""
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_PRECISION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
