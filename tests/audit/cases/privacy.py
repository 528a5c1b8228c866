"""Privacy: erasure of a person or a candidate, the subject access export and the retention job."""

from __future__ import annotations

import datetime

from django.utils import timezone

from fabrique.directory.models import Person
from fabrique.privacy import services as s
from tests.audit.harness import case
from tests.directory.factories import make_person
from tests.projects.factories import make_project
from tests.recruitment.factories import make_application, make_call


def _person(t):
    return make_person(
        t.fabrique, t.officer, first_name="Ana", last_name="Lopez", email="ana.lopez@example.org"
    )


def _erased(t):
    person = _person(t)
    s.person_erase(person=person, actor=t.admin)
    return person


def _application_erased(t):
    application = make_application(make_call(make_project(t.fabrique)))
    s.application_erase(application=application, actor=t.admin)
    return application


def _exported(t):
    person = _person(t)
    s.person_access_export(person=person, actor=t.admin)
    return person


def _retention(t):
    person = _person(t)
    Person.objects.filter(pk=person.pk).update(
        retention_until=timezone.localdate() - datetime.timedelta(days=1)
    )
    s.retention_run()
    return person


CASES = [
    case(s.person_erase, _erased, "directory.person.erased", {"interactions"}, actor="admin"),
    case(
        s.application_erase,
        _application_erased,
        "recruitment.application.erased",
        {"erased_fields"},
        actor="admin",
        labelled=False,  # the candidate's name was the object's label
    ),
    case(
        s.person_access_export,
        _exported,
        "directory.person.access_exported",
        {"reports", "applications", "files"},
        actor="admin",
    ),
    case(s.retention_run, _retention, "directory.person.erased", {"interactions"}, actor=None),
]
