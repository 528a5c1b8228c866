"""Sending things out exactly once, and e-mails that look the same everywhere.

`deliver_once(key, send)` holds the idempotency key's row in a transaction while `send()` runs:
- a second run (a retry, a worker that was killed and whose task runs again) finds the key committed
  and sends nothing;
- a run killed before its commit leaves no key, so the next run sends (the message was not sent, or
  its sending was cut off: at most the tiny window between the SMTP server's "OK" and our commit can
  give a duplicate — never a lost message).
"""

from __future__ import annotations

import html
from collections.abc import Callable, Iterable, Mapping
from typing import Any, TypeVar

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import translation

from .models import DeliveryKey

DEFAULT_SITE_URL = "http://127.0.0.1:8000"


def site_url() -> str:
    """The installation's address, without trailing slash (`FABRIQUE_SITE_URL`)."""
    return (getattr(settings, "FABRIQUE_SITE_URL", "") or DEFAULT_SITE_URL).rstrip("/")


def absolute(path: str) -> str:
    return path if "://" in path else site_url() + path


def already_delivered(key: str) -> bool:
    return DeliveryKey.objects.filter(key=key[:255]).exists()


def deliver_once(key: str, send: Callable[[], object]) -> bool:
    """Run `send()` unless `key` was already delivered. Returns True when it ran."""
    key = key[:255]
    if DeliveryKey.objects.filter(key=key).exists():
        return False
    try:
        with transaction.atomic():
            DeliveryKey.objects.create(key=key)
            send()
    except IntegrityError:  # another run holds or committed the same key
        return False
    return True


def render_subject(template: str, context: Mapping[str, Any]) -> str:
    """A plain-text subject on one line. Django's templates escape HTML; a subject is not HTML, so
    the escaping is undone (an apostrophe must not arrive as `&#x27;`)."""
    return html.unescape(" ".join(render_to_string(template, context).split()))


def email_message(
    *,
    to: Iterable[str],
    subject: str,
    text: str,
    html: str = "",
    reply_to: Iterable[str] | None = None,
    headers: dict[str, str] | None = None,
    attachments: Iterable[tuple[str, bytes | str, str]] = (),
) -> EmailMultiAlternatives:
    message = EmailMultiAlternatives(
        subject=subject,
        body=text,
        to=list(to),
        reply_to=list(reply_to) if reply_to else None,
        headers=headers or {},
    )
    if html:
        message.attach_alternative(html, "text/html")
    for filename, content, mimetype in attachments:
        message.attach(filename, content, mimetype)
    return message


T = TypeVar("T")


def in_french(render: Callable[[], T]) -> T:
    with translation.override(settings.LANGUAGE_CODE):
        return render()
