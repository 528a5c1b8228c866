"""Typed requests for views behind login.

`AuthenticatedHttpRequest` (Django views) and `AuthenticatedRequest` (API views) exist for the type
checker only: at run time the request is Django's or DRF's own. A view that requires a logged-in member
(`FabriqueViewMixin`, the API's `ResourceViewSet`) declares `request` with one of them, so
`self.request.user` is a `User`, and a service's `actor: User` takes it without a cast.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import HttpRequest
from rest_framework.request import Request

if TYPE_CHECKING:
    from fabrique.accounts.models import User

    class AuthenticatedHttpRequest(HttpRequest):
        user: User

    class AuthenticatedRequest(Request):
        @property
        def user(self) -> User: ...

        @user.setter
        def user(self, value: User) -> None: ...

else:
    AuthenticatedHttpRequest = HttpRequest
    AuthenticatedRequest = Request


def authenticated_user(request: HttpRequest) -> User:
    """The logged-in user of a view behind login (a view that lets anonymous visitors through must not
    call it: it raises)."""
    if not request.user.is_authenticated:
        raise PermissionError("This view requires a logged-in user.")
    return request.user


__all__ = ["AuthenticatedHttpRequest", "AuthenticatedRequest", "authenticated_user"]
