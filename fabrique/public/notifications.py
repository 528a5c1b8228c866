"""Unsubscribing from one kind of notification from the link of an e-mail (no login needed: the
link is signed). GET asks for confirmation; POST turns the kind off."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils.translation import gettext as _
from django.views import View

from fabrique.core.errors import DomainError
from fabrique.notifications.kinds import KINDS
from fabrique.notifications.services import unsubscribe


class UnsubscribeView(View):
    template_name = "public/notification_unsubscribe.html"

    def get(self, request: HttpRequest, token: str) -> HttpResponse:
        return render(request, self.template_name, {"token": token, "done": False})

    def post(self, request: HttpRequest, token: str) -> HttpResponse:
        try:
            fabrique, kind = unsubscribe(token=token)
        except DomainError as exc:
            return render(request, self.template_name, {"error": exc.message, "done": False}, status=400)
        return render(
            request,
            self.template_name,
            {
                "done": True,
                "fabrique": fabrique,
                "kind_label": KINDS[kind].label,
                "title": _("Désabonnement"),
            },
        )


urlpatterns = [
    path(
        "notifications/desabonnement/<str:token>/", UnsubscribeView.as_view(), name="notification_unsubscribe"
    ),
]


def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    """The personal calendar feed (the token is the credential; a revoked token is a 404)."""
    from django.http import Http404

    from fabrique.notifications.calendar import user_feed
    from fabrique.notifications.models import CalendarFeed

    feed = CalendarFeed.objects.select_related("user").filter(token=token).first()
    if feed is None or not feed.user.is_active:
        raise Http404(_("Agenda introuvable."))
    response = HttpResponse(user_feed(user=feed.user), content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "private, max-age=300"
    return response


urlpatterns += [path("calendrier/<str:token>.ics", calendar_feed, name="calendar_feed")]
