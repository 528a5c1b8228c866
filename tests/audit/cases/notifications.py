"""Notifications: a person's preferences, unsubscribe links and follows."""

from __future__ import annotations

from fabrique.needs.models import Need
from fabrique.notifications import services as s
from fabrique.notifications.models import NotificationPreference
from tests.audit.harness import case


def _preference(t):
    return NotificationPreference.objects.get(user=t.officer, fabrique=t.fabrique, kind="report_new")


def _set(t):
    s.preference_set(user=t.officer, fabrique=t.fabrique, kind="report_new", mode="off")
    return _preference(t)


def _set_many(t):
    s.preferences_set(user=t.officer, fabrique=t.fabrique, modes={"report_new": "off"})
    return _preference(t)


def _unsubscribed(t):
    s.unsubscribe(token=s.unsubscribe_token(user=t.officer, fabrique=t.fabrique, kind="report_new"))
    return _preference(t)


def _followed(t, follow=True):
    need = Need.objects.create(fabrique=t.fabrique, title="Garde d'enfants", reference="B-F001")
    s.follow_set(user=t.officer, target=need, follow=True)
    if not follow:
        s.follow_set(user=t.officer, target=need, follow=False)
    return need


CASES = [
    case(s.preference_set, _set, "notifications.preference.updated", {"kind", "mode"}),
    case(s.preferences_set, _set_many, "notifications.preference.updated", {"kind", "mode"}),
    case(s.unsubscribe, _unsubscribed, "notifications.preference.updated", {"kind", "mode"}),
    case(s.follow_set, _followed, "notifications.follow.created"),
    case(
        s.follow_set, lambda t: _followed(t, follow=False), "notifications.follow.deleted", variant="unfollow"
    ),
]
