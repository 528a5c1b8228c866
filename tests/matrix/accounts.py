"""The account pages (login, second factor, single sign-on, password reset): who gets what, and their
query budgets. They belong to no fabrique, so the answer depends only on being logged in or not
(tests/matrix/test_accounts.py checks every URL of the `accounts` namespace against this table).
OpenID Connect is configured (a provider the test runs on 127.0.0.1) when the table is checked."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass
class AccountRule:
    anonymous: frozenset[int]  # answers of a GET by a visitor
    member: frozenset[int]  # answers of a GET by any logged-in user (any role, the network head)
    queries: int = 10  # budget of that GET by a logged-in user (by a visitor when `member` is 405)
    params: Callable[[], dict] = field(default=lambda: {})


OK = frozenset({200})
TO_LOGIN = frozenset({302})  # the login page (a pending second step is what the code page needs)
POST_ONLY = frozenset({405})

ACCOUNT_PAGES = {
    "accounts:login": AccountRule(OK, OK),
    # the second step of a login: without a pending login nor a device, back to the login page
    "accounts:login_code": AccountRule(TO_LOGIN, TO_LOGIN),
    # off to the provider (state, nonce, PKCE); the callback without an answer says it failed
    "accounts:oidc_login": AccountRule(frozenset({302}), frozenset({302}), queries=5),
    "accounts:oidc_callback": AccountRule(frozenset({302}), frozenset({302}), queries=5),
    # one's own second factor (7 queries measured once its pending device exists)
    "accounts:second_factor": AccountRule(TO_LOGIN, OK, queries=10),
    "accounts:logout": AccountRule(POST_ONLY, POST_ONLY),
    "accounts:password_reset": AccountRule(OK, OK),
    "accounts:password_reset_done": AccountRule(OK, OK),
    "accounts:password_reset_confirm": AccountRule(
        OK, OK, params=lambda: {"uidb64": "MQ", "token": "jeton-invalide"}
    ),
    "accounts:password_reset_complete": AccountRule(OK, OK),
}
