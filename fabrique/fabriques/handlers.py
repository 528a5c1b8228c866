"""Event handlers of the fabriques app (see `fabrique.core.events`): the invitation e-mail."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from fabrique.audit.models import AuditEntry
from fabrique.core.delivery import deliver_once, email_message, in_french, render_subject, site_url
from fabrique.core.events import on_action


@on_action("accounts.user.invited")
def invitation_email(entry: AuditEntry) -> None:
    """A link to choose a password (Django's reset token: valid PASSWORD_RESET_TIMEOUT, single use).

    The token is made when the e-mail is sent; an invitee has no usable password, exactly what the
    password reset views expect."""
    user = get_user_model().objects.filter(pk=entry.target_id).first()
    if user is None or entry.fabrique is None or user.has_usable_password():
        return
    site = urlsplit(site_url())
    context = {
        "email": user.email,
        "fabrique": entry.fabrique,
        "inviter": entry.actor or entry.actor_label,
        "domain": site.netloc,
        "protocol": site.scheme,
        "uid": urlsafe_base64_encode(force_bytes(user.pk)),
        "token": default_token_generator.make_token(user),
    }

    def build() -> EmailMultiAlternatives:
        subject = render_subject("accounts/email/invitation_subject.txt", context)
        return email_message(
            to=[user.email], subject=subject, text=render_to_string("accounts/email/invitation.txt", context)
        )

    message = in_french(build)
    deliver_once(f"event:{entry.pk}:invitee", message.send)
