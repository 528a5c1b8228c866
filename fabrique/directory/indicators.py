"""The directory's figures and deadlines (registered from DirectoryConfig.ready())."""

from __future__ import annotations

import datetime

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fabrique.core.indicators import Deadline, Indicator, register, register_deadlines
from fabrique.fabriques.models import Fabrique

from .models import Organization, Person
from .selectors import people_retention_due


def retention_deadlines(*, fabrique: Fabrique, start: datetime.date, end: datetime.date) -> list[Deadline]:
    """Contacts whose retention period ends soon or has ended: anonymise or extend."""
    return [
        Deadline(
            date=person.retention_until,
            label=_("Fin de conservation des données de %(name)s") % {"name": person},
            url=reverse("backoffice:person_detail", kwargs={"fabrique_slug": fabrique.slug, "pk": person.pk}),
            kind=_("RGPD"),
        )
        for person in people_retention_due(fabrique=fabrique, until=end)
    ]


def register_all() -> None:
    register(
        Indicator(
            key="directory.organizations",
            label=gettext_lazy("structures"),
            column_label=gettext_lazy("Structures de l'annuaire"),
            definition=gettext_lazy("Structures de l'annuaire de la fabrique."),
            rows=lambda: Organization.objects.all(),
            url_name="backoffice:organization_list",
            network=True,
        ),
        Indicator(
            key="directory.people",
            label=gettext_lazy("contacts"),
            definition=gettext_lazy("Contacts de l'annuaire, hors contacts anonymisés."),
            rows=lambda: Person.objects.filter(anonymized_at__isnull=True),
            url_name="backoffice:person_list",
        ),
    )
    register_deadlines(retention_deadlines)
