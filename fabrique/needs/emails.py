"""E-mails to reporters, sent by the event handlers of `fabrique.needs.handlers` (in the worker), in
French. Each message is sent once per event × address (`fabrique.core.delivery.deliver_once`).

Links in e-mails are absolute: they start with the `FABRIQUE_SITE_URL` setting (the address of
the installation, e.g. https://fabrique.example.org).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from fabrique.core.delivery import deliver_once, render_subject, site_url
from fabrique.core.emailtexts import custom_email_text

from .models import Need, NeedReport, ReportStage

if TYPE_CHECKING:
    from fabrique.fabriques.models import Fabrique

__all__ = ["followup_url", "send_need_answered", "send_report_confirmation", "site_url"]


def followup_path(report: NeedReport) -> str:
    return reverse(
        "public:report_followup",
        kwargs={"fabrique_slug": report.fabrique.slug, "token": report.followup_token},
    )


def followup_url(report: NeedReport) -> str:
    return site_url() + followup_path(report)


def _send(
    *,
    fabrique: Fabrique,
    to: str,
    subject_template: str,
    body_template: str,
    context: dict[str, Any],
    key: str = "",
) -> bool:
    with translation.override(settings.LANGUAGE_CODE):
        context = {"fabrique": fabrique, "site_url": site_url(), **context}
        subject = render_subject(subject_template, context)
        body = render_to_string(body_template, context)
    message = EmailMessage(
        subject=subject,
        body=body,
        to=[to],
        reply_to=[fabrique.contact_email] if fabrique.contact_email else None,
    )
    if not key:
        message.send()
        return True
    return deliver_once(key, message.send)


def send_report_confirmation(*, report_id: int, key: str = "") -> bool:
    """Thank the reporter and give them their private follow-up link (once per `key`)."""
    report = NeedReport.objects.select_related("fabrique").filter(pk=report_id).first()
    if report is None or not report.reporter_email:
        return False
    return _send(
        fabrique=report.fabrique,
        to=report.reporter_email,
        subject_template="needs/email/report_confirmation_subject.txt",
        body_template="needs/email/report_confirmation.txt",
        context={
            "report": report,
            "followup_url": followup_url(report),
            "custom_text": custom_email_text(
                report.fabrique, "report_received", reference=report.reference, titre=report.title
            ),
        },
        key=key,
    )


def send_need_answered(*, need_id: int, project_id: int, key: str = "") -> int:
    """Tell every reporter of the need who agreed to be informed that a project answers it.

    One e-mail per address (with each of that person's follow-up links). Returns the number sent now.
    """
    from fabrique.projects.models import Project

    need = Need.objects.select_related("fabrique").filter(pk=need_id).first()
    project = Project.objects.filter(pk=project_id).first()
    if need is None or project is None:
        return 0
    reports = NeedReport.objects.filter(
        need=need, stage=ReportStage.ATTACHED, consent_notifications=True
    ).exclude(reporter_email="")
    by_address: dict[str, list[NeedReport]] = {}
    for report in reports.order_by("created_at"):
        by_address.setdefault(report.reporter_email.lower(), []).append(report)
    sent = 0
    for address, own_reports in by_address.items():
        sent += _send(
            fabrique=need.fabrique,
            to=address,
            subject_template="needs/email/need_answered_subject.txt",
            body_template="needs/email/need_answered.txt",
            context={
                "need": need,
                "project": project,
                "reports": [(r, followup_url(r)) for r in own_reports],
                "custom_text": custom_email_text(
                    need.fabrique, "need_answered", besoin=need.display_public_title, projet=project.title
                ),
            },
            key=f"{key}:{address}" if key else "",
        )
    return sent
