"""E-mails to candidates, sent by the event handlers of `fabrique.recruitment.handlers` after the
commit (a decision rolled back sends nothing)."""

from __future__ import annotations

from typing import Any

from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse

from fabrique.core.delivery import render_subject
from fabrique.core.emailtexts import custom_email_text

from .models import Application

_TEMPLATES = {
    "received": "recruitment/email/application_received",
    "selected": "recruitment/email/application_selected",
    "not_selected": "recruitment/email/application_not_selected",
    "leader_found": "recruitment/email/application_leader_found",
}


def _public_url(name: str, **kwargs: Any) -> str:
    return reverse(name, kwargs=kwargs)


def application_email(*, application: Application, kind: str) -> EmailMessage | None:
    """The message of `kind` ("received", "selected", "not_selected",
    "leader_found") for the candidate, or None
    when the application has no address."""
    if not application.email:
        return None
    fabrique = application.fabrique
    context = {
        "application": application,
        "fabrique": fabrique,
        "project": application.project,
        "call": application.call,
        "name": f"{application.first_name} {application.last_name}".strip() or application.organization_name,
        "portfolio_path": _public_url("public:project_portfolio", fabrique_slug=fabrique.slug),
    }
    context["custom_text"] = custom_email_text(
        fabrique,
        f"application_{kind}",
        nom=context["name"],
        projet=application.project.title,
        appel=application.call.title if application.call is not None else "",
    )
    base = _TEMPLATES[kind]
    subject = render_subject(f"{base}_subject.txt", context)
    body = render_to_string(f"{base}.txt", context)
    return EmailMessage(
        subject=subject,
        body=body,
        to=[application.email],
        reply_to=[fabrique.contact_email] if fabrique.contact_email else None,
    )
