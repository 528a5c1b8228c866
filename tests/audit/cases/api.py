"""Personal API tokens."""

from __future__ import annotations

import datetime

from django.utils import timezone

from fabrique.api import tokens as s
from tests.audit.harness import case


def _token(t):
    token, _secret = s.api_token_create(
        user=t.officer,
        fabrique=t.fabrique,
        actor=t.officer,
        name="Tableur",
        scope="read",
        expires_on=timezone.localdate() + datetime.timedelta(days=30),
    )
    return token


CASES = [
    case(s.api_token_create, _token, "api_token_created", {"name", "scope", "expires_at"}),
    case(
        s.api_token_revoke,
        lambda t: s.api_token_revoke(token=_token(t), actor=t.officer),
        "api_token_revoked",
    ),
]
