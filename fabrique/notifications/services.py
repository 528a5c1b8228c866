"""Writes: notify (in-app + e-mail per preference), daily digests, preferences, follows, read marks.

`notify` is called by event handlers and tasks (in the worker), never by a request. It is idempotent:
the notification's `key` (event × recipient × kind) is unique, and the e-mail goes through
`deliver_once` with the same key.
"""

from __future__ import annotations

import datetime
import secrets
from collections.abc import Iterable
from typing import cast

from django.contrib.contenttypes.models import ContentType
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.db.models import Model
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from fabrique.accounts.models import User
from fabrique.audit.services import audit_log
from fabrique.core.delivery import absolute, deliver_once, email_message, in_french
from fabrique.core.errors import DomainError
from fabrique.fabriques.models import Fabrique, Membership

from .kinds import KINDS, Mode
from .models import CalendarFeed, Follow, Notification, NotificationPreference
from .selectors import FOLLOWABLE, preference_mode

UNSUBSCRIBE_SALT = "fabrique.notifications.unsubscribe"


def unsubscribe_token(*, user: User, fabrique: Fabrique, kind: str) -> str:
    return signing.dumps({"u": user.pk, "f": fabrique.pk, "k": kind}, salt=UNSUBSCRIBE_SALT, compress=True)


def unsubscribe_url(*, user: User, fabrique: Fabrique, kind: str) -> str:
    token = unsubscribe_token(user=user, fabrique=fabrique, kind=kind)
    return absolute(reverse("public:notification_unsubscribe", kwargs={"token": token}))


def notify(
    *,
    fabrique: Fabrique,
    recipients: Iterable[User | None],
    kind: str,
    title: str,
    key: str,
    url: str = "",
    body: str = "",
    exclude: User | None = None,
) -> list[Notification]:
    """Notify each recipient (once per `key`) according to their preference for `kind`: in-app always
    unless "off"; an e-mail now ("immediate") or in the next daily digest ("digest")."""
    if kind not in KINDS:
        raise ValueError(f"Unknown notification kind: {kind}")
    created = []
    seen: set[int] = set()
    for user in recipients:
        if user is None or user.pk in seen or (exclude is not None and user.pk == exclude.pk):
            continue
        seen.add(user.pk)
        mode = preference_mode(user=user, fabrique=fabrique, kind=kind)
        if mode == Mode.OFF:
            continue
        try:
            with transaction.atomic():
                notification = Notification.objects.create(
                    key=f"{key}:{user.pk}:{kind}"[:255],
                    fabrique=fabrique,
                    recipient=user,
                    kind=kind,
                    title=title[:300],
                    body=body,
                    url=url,
                    mode=mode,
                )
        except IntegrityError:
            notification = Notification.objects.get(key=f"{key}:{user.pk}:{kind}"[:255])
        created.append(notification)
        if mode == Mode.IMMEDIATE and notification.emailed_at is None:
            notification_email(notification=notification)
    return created


def _email_for(
    *, user: User, fabrique: Fabrique, kind: str, subject: str, items: list[Notification], digest: bool
) -> EmailMultiAlternatives:
    context = {
        "user": user,
        "fabrique": fabrique,
        "items": [{"n": n, "link": absolute(n.url) if n.url else ""} for n in items],
        "kind_label": KINDS[kind].label if kind else "",
        "digest": digest,
        "unsubscribe": unsubscribe_url(user=user, fabrique=fabrique, kind=kind) if kind else "",
        "preferences": absolute(
            reverse("backoffice:notification_preferences", kwargs={"fabrique_slug": fabrique.slug})
        ),
    }

    def build() -> EmailMultiAlternatives:
        return email_message(
            to=[user.email],
            subject=subject,
            text=render_to_string("notifications/email/notification.txt", context),
            html=render_to_string("notifications/email/notification.html", context),
            headers={"List-Unsubscribe": f"<{context['unsubscribe'] or context['preferences']}>"},
        )

    return in_french(build)


def notification_email(*, notification: Notification) -> bool:
    """Send one notification by e-mail now (once)."""
    fabrique = notification.fabrique
    subject = f"[{fabrique.name}] {notification.title}"
    message = _email_for(
        user=notification.recipient,
        fabrique=fabrique,
        kind=notification.kind,
        subject=subject,
        items=[notification],
        digest=False,
    )

    def send() -> None:
        message.send()
        Notification.objects.filter(pk=notification.pk).update(emailed_at=timezone.now())

    return deliver_once(f"notification-email:{notification.pk}", send)


def digests_send(*, day: datetime.date) -> int:
    """Daily job: one e-mail per user and fabrique with the "digest" notifications not yet sent.
    Returns the number of e-mails."""
    pending = (
        Notification.objects.filter(mode=Mode.DIGEST, emailed_at__isnull=True, created_at__date__lte=day)
        .select_related("recipient", "fabrique")
        .order_by("recipient_id", "fabrique_id", "created_at")
    )
    groups: dict[tuple[int, int], list[Notification]] = {}
    for n in pending:
        groups.setdefault((n.recipient_id, n.fabrique_id), []).append(n)
    sent = 0
    for items in groups.values():
        user, fabrique = items[0].recipient, items[0].fabrique
        subject = ngettext(
            "[%(fabrique)s] Résumé du %(day)s : %(count)s notification",
            "[%(fabrique)s] Résumé du %(day)s : %(count)s notifications",
            len(items),
        ) % {
            "fabrique": fabrique.name,
            "day": day.strftime("%d/%m/%Y"),
            "count": len(items),
        }
        message = _email_for(user=user, fabrique=fabrique, kind="", subject=subject, items=items, digest=True)
        ids = [n.pk for n in items]

        def send(message: EmailMultiAlternatives = message, ids: list[int] = ids) -> None:
            message.send()
            Notification.objects.filter(pk__in=ids).update(emailed_at=timezone.now())

        sent += deliver_once(f"digest:{day.isoformat()}:{user.pk}:{fabrique.pk}", send)
    return sent


def preference_set(
    *, user: User, fabrique: Fabrique, kind: str, mode: str, actor: User | None = None
) -> None:
    if kind not in KINDS or mode not in Mode.values:
        raise DomainError(_("Type de notification ou choix inconnu."))
    with transaction.atomic():
        preference, created = NotificationPreference.objects.get_or_create(
            user=user, fabrique=fabrique, kind=kind, defaults={"mode": mode}
        )
        old = None if created else preference.mode
        if old == mode:
            return
        if not created:
            preference.mode = mode
            preference.save(update_fields=["mode", "updated_at"])
        audit_log(
            actor=actor or user,
            fabrique=fabrique,
            target=preference,
            action="notifications.preference.updated",
            old={"kind": kind, "mode": old},
            new={"kind": kind, "mode": mode},
        )


def preferences_set(*, user: User, fabrique: Fabrique, modes: dict[str, str]) -> None:
    with transaction.atomic():
        for kind, mode in modes.items():
            preference_set(user=user, fabrique=fabrique, kind=kind, mode=mode)


def unsubscribe(*, token: str) -> tuple[Fabrique, str]:
    """Turn off the kind named in an e-mail's unsubscribe link. Raises DomainError on a bad link."""
    try:
        data = signing.loads(token, salt=UNSUBSCRIBE_SALT, max_age=datetime.timedelta(days=365))
        user = User.objects.get(pk=data["u"])
        fabrique = Fabrique.objects.get(pk=data["f"])
    except (signing.BadSignature, KeyError, User.DoesNotExist, Fabrique.DoesNotExist) as exc:
        raise DomainError(_("Ce lien de désabonnement n'est pas valable (ou a expiré).")) from exc
    if data["k"] not in KINDS:
        raise DomainError(_("Ce lien de désabonnement n'est pas valable (ou a expiré)."))
    preference_set(user=user, fabrique=fabrique, kind=data["k"], mode=Mode.OFF)
    return fabrique, data["k"]


def follow_set(*, user: User, target: Model, follow: bool) -> bool:
    """Follow (or stop following) a need, study, project, call or chantier of a fabrique one belongs to."""
    if target._meta.label_lower not in FOLLOWABLE:
        raise DomainError(_("On ne peut pas suivre cet élément."))
    fabrique = cast(Fabrique, getattr(target, "fabrique"))  # noqa: B009 - any followable model
    if not Membership.objects.filter(user=user, fabrique=fabrique, is_active=True).exists():
        raise DomainError(_("Vous n'êtes pas membre de cette fabrique."))
    target_type = ContentType.objects.get_for_model(type(target))
    with transaction.atomic():
        existing = Follow.objects.filter(user=user, target_type=target_type, target_id=str(target.pk)).first()
        if follow and existing is None:
            row = Follow.objects.create(
                user=user, fabrique=fabrique, target_type=target_type, target_id=str(target.pk)
            )
            audit_log(actor=user, fabrique=fabrique, target=target, action="notifications.follow.created")
            return bool(row)
        if not follow and existing is not None:
            existing.delete()
            audit_log(actor=user, fabrique=fabrique, target=target, action="notifications.follow.deleted")
    return follow


def notifications_mark_read(*, user: User, fabrique: Fabrique, ids: Iterable[int] | None = None) -> int:
    rows = Notification.objects.filter(recipient=user, fabrique=fabrique, read_at__isnull=True)
    if ids is not None:
        rows = rows.filter(pk__in=list(ids))
    return rows.update(read_at=timezone.now())


def notifications_mark_read_at(*, user: User, fabrique: Fabrique, path: str) -> int:
    """The notifications that link to `path` are read once their page is opened."""
    return Notification.objects.filter(
        recipient=user, fabrique=fabrique, read_at__isnull=True, url=path
    ).update(read_at=timezone.now())


def calendar_feed_get(*, user: User) -> CalendarFeed:
    """The user's feed (created on first use)."""
    feed = CalendarFeed.objects.filter(user=user).first()
    return feed or calendar_feed_regenerate(user=user)


def calendar_feed_regenerate(*, user: User) -> CalendarFeed:
    """A new secret address; the old one stops working at once."""
    with transaction.atomic():
        feed, _created = CalendarFeed.objects.update_or_create(
            user=user, defaults={"token": secrets.token_urlsafe(32), "created_at": timezone.now()}
        )
    return feed
