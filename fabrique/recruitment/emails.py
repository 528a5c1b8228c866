"""E-mails to candidates. Services call these through `transaction.on_commit`, never inside the
transaction: a decision rolled back sends nothing."""

from __future__ import annotations

from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse

from .models import Application

_TEMPLATES = {
    "received": "recruitment/email/application_received",
    "selected": "recruitment/email/application_selected",
    "not_selected": "recruitment/email/application_not_selected",
    "leader_found": "recruitment/email/application_leader_found",
}


def _public_url(name: str, **kwargs) -> str:
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
    base = _TEMPLATES[kind]
    subject = " ".join(render_to_string(f"{base}_subject.txt", context).split())
    body = render_to_string(f"{base}.txt", context)
    return EmailMessage(
        subject=subject,
        body=body,
        to=[application.email],
        reply_to=[fabrique.contact_email] if fabrique.contact_email else None,
    )


def application_notify(*, application_id: int, kind: str) -> None:
    """Send the message of `kind` for the application (fetched fresh: called after the commit)."""
    application = Application.all_objects.select_related("fabrique", "project", "call").get(pk=application_id)
    message = application_email(application=application, kind=kind)
    if message is not None:
        message.send(fail_silently=False)
