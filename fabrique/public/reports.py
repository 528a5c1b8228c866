"""The public need-report form of a fabrique, its confirmation page and the private follow-up page.

Included under f/<fabrique_slug>/ by fabrique/public/urls.py. No account is needed; a logged-in
member of the fabrique (a partner typically) gets the report linked to their account and finds it
again under "Mes signalements".

Anti-spam, never silent for a person:
- Rate limit per IP address (cache-based, `FABRIQUE_REPORT_RATE_LIMIT` reports per hour, 5 by
  default; shared between servers when the cache is Redis), counted atomically before the work, so
  a request killed during the work is counted too (fabrique/core/ratelimit.py). Over the limit the form is shown again
  with a French message: try again later, or write to / call the fabrique (its contact is shown).
  Members of the fabrique are not limited.
- Honeypot: a text field hidden from people and from assistive technologies (visually hidden,
  aria-hidden, tabindex=-1, autocomplete=off). When it is filled, the submission is discarded as
  spam: nothing is saved and no e-mail is sent, but the answer is the ordinary confirmation page,
  so that a robot learns nothing. We do not keep such submissions as "dismissed (spam)" reports:
  they would fill the database and the team's lists with junk and store text nobody consented to.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.views import View

from fabrique.core import ratelimit
from fabrique.core.forms import add_service_errors
from fabrique.fabriques.access import request_memberships
from fabrique.fabriques.models import Fabrique, Permission
from fabrique.needs.forms import PublicReportForm
from fabrique.needs.grouping import need_report_submit_grouped
from fabrique.needs.selectors import report_followup

logger = logging.getLogger(__name__)

RATE_WINDOW_SECONDS = 3600
SESSION_KEY = "needs_last_report"  # follow-up token of the last report sent from this browser


def rate_limit() -> int:
    return int(getattr(settings, "FABRIQUE_REPORT_RATE_LIMIT", 5))


def is_rate_limited(request) -> bool:
    return ratelimit.is_limited("needs-report", request, limit=rate_limit())


def count_submission(request) -> bool:
    """Count the submission before any work (atomic); False when it is over the limit."""
    return ratelimit.hit("needs-report", request, limit=rate_limit(), window=RATE_WINDOW_SECONDS)


def _no_referrer(response):
    """The follow-up token is in the URL: never send it to another site, never cache it publicly."""
    response["Referrer-Policy"] = "no-referrer"
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


class FabriqueMixin:
    def dispatch(self, request, *args, **kwargs):
        self.fabrique = get_object_or_404(Fabrique, slug=kwargs["fabrique_slug"], is_active=True)
        membership = next(
            (m for m in request_memberships(request) if m.fabrique_id == self.fabrique.pk), None
        )
        self.member = membership if membership and membership.has_permission(Permission.REPORT) else None
        return super().dispatch(request, *args, **kwargs)


class ReportCreateView(FabriqueMixin, View):
    template_name = "public/reports/report_form.html"

    def initial(self) -> dict:
        if self.member is None:
            return {}
        user = self.request.user
        return {"reporter_name": user.get_full_name(), "reporter_email": user.email}

    def render_form(self, form, *, status: int = 200, rate_limited: bool = False):
        context = {
            "fabrique": self.fabrique,
            "form": form,
            "member": self.member,
            "rate_limited": rate_limited,
        }
        return render(self.request, self.template_name, context, status=status)

    def get(self, request, *args, **kwargs):
        return self.render_form(PublicReportForm(fabrique=self.fabrique, initial=self.initial()))

    def post(self, request, *args, **kwargs):
        form = PublicReportForm(request.POST, request.FILES, fabrique=self.fabrique)
        if self.member is None and is_rate_limited(request):
            return self.render_form(form, status=429, rate_limited=True)
        if form.is_spam:
            count_submission(request)
            logger.info("Need report discarded by the honeypot (fabrique %s)", self.fabrique.slug)
            return redirect("public:report_thanks", fabrique_slug=self.fabrique.slug)
        if not form.is_valid():
            return self.render_form(form)
        if self.member is None and not count_submission(request):
            return self.render_form(form, status=429, rate_limited=True)
        try:
            report = need_report_submit_grouped(
                fabrique=self.fabrique,
                data=form.service_data(),
                same_as_need=form.cleaned_data.get("same_as_need"),
                submitted_by=request.user if self.member is not None else None,
            )
        except ValidationError as exc:
            if self.member is None:
                ratelimit.refund("needs-report", request)
            add_service_errors(form, exc)
            return self.render_form(form)
        request.session[SESSION_KEY] = report.followup_token
        return redirect("public:report_thanks", fabrique_slug=self.fabrique.slug)


class ReportThanksView(FabriqueMixin, View):
    template_name = "public/reports/thanks.html"

    def get(self, request, *args, **kwargs):
        token = request.session.get(SESSION_KEY, "")
        followup = report_followup(token, fabrique=self.fabrique) if token else None
        context = {
            "fabrique": self.fabrique,
            "followup": followup,
            "member": self.member,
            "followup_url": (
                request.build_absolute_uri(
                    reverse(
                        "public:report_followup", kwargs={"fabrique_slug": self.fabrique.slug, "token": token}
                    )
                )
                if followup
                else ""
            ),
        }
        return _no_referrer(render(request, self.template_name, context))


class ReportFollowupView(FabriqueMixin, View):
    template_name = "public/reports/followup.html"

    def get(self, request, *args, **kwargs):
        followup = report_followup(kwargs["token"], fabrique=self.fabrique)
        if followup is None:
            response = render(
                request, "public/reports/followup_unknown.html", {"fabrique": self.fabrique}, status=404
            )
            return _no_referrer(response)
        return _no_referrer(
            render(request, self.template_name, {"fabrique": self.fabrique, "followup": followup})
        )


urlpatterns = [
    path("signaler/", ReportCreateView.as_view(), name="report_create"),
    path("signaler/merci/", ReportThanksView.as_view(), name="report_thanks"),
    path("suivi/<str:token>/", ReportFollowupView.as_view(), name="report_followup"),
]
