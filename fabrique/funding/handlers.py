"""Reminders of the funders' reporting deadlines (a daily job of `fabrique run_scheduled`)."""

from __future__ import annotations

import datetime

from django.urls import reverse
from django.utils.translation import gettext as _

from fabrique.core.schedule import register_daily

# remind the team this many days before a deadline, then on the day after it (if still not done)
REMIND_DAYS_BEFORE = 14


def reporting_deadline_reminders(*, day: datetime.date) -> int:
    """A reporting deadline of an agreement falls in 14 days, or passed yesterday without being done:
    the fabrique's editors are notified (once per deadline and kind, `notify` keys)."""
    from fabrique.fabriques.models import Permission
    from fabrique.notifications.selectors import members_with
    from fabrique.notifications.services import notify

    from .models import ReportingDeadline

    count = 0
    rows = ReportingDeadline.objects.filter(
        done_on__isnull=True, agreement__deleted_at__isnull=True
    ).select_related("agreement__fabrique", "agreement__funder")
    soon = day + datetime.timedelta(days=REMIND_DAYS_BEFORE)
    late = day - datetime.timedelta(days=1)
    for deadline in rows.filter(due_on__in=[soon, late]):
        agreement = deadline.agreement
        fabrique = agreement.fabrique
        overdue = deadline.due_on == late
        title = (
            _("Compte rendu en retard pour %(funder)s : %(label)s")
            if overdue
            else _("Compte rendu à rendre dans %(days)s jours pour %(funder)s : %(label)s")
        ) % {"funder": agreement.funder, "label": deadline.label, "days": REMIND_DAYS_BEFORE}
        count += len(
            notify(
                fabrique=fabrique,
                recipients=[m.user for m in members_with(fabrique=fabrique, permission=Permission.EDIT)],
                kind="funder_deadline",
                title=title,
                url=reverse(
                    "backoffice:agreement_detail", kwargs={"fabrique_slug": fabrique.slug, "pk": agreement.pk}
                ),
                key=f"funder-deadline:{deadline.pk}:{'late' if overdue else 'soon'}",
            )
        )
    return count


register_daily("funding.reporting_deadline_reminders", reporting_deadline_reminders)
