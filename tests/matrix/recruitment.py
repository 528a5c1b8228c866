"""Permission matrix of the calls for leaders and the applications."""

import datetime

from .rules import D, E, Rule, V, foreign_pk, pk

MATRIX = {
    "backoffice:call_list": Rule(V),
    "backoffice:call_create": Rule(
        E, params=pk("project", "project_pk"), foreign=foreign_pk("project", "project_pk"), post=True
    ),
    "backoffice:call_detail": Rule(V, params=pk("call"), foreign=foreign_pk("call")),
    "backoffice:call_update": Rule(E, params=pk("call"), foreign=foreign_pk("call"), post=True),
    "backoffice:call_publish": Rule(E, params=pk("call"), foreign=foreign_pk("call"), post=True),
    "backoffice:call_close": Rule(E, params=pk("call"), foreign=foreign_pk("call"), post=True),
    "backoffice:call_cancel": Rule(E, params=pk("call"), foreign=foreign_pk("call"), post=True),
    "backoffice:call_evaluators": Rule(E, params=pk("call"), foreign=foreign_pk("call"), post=True),
    "backoffice:application_list": Rule(V),
    "backoffice:application_detail": Rule(V, params=pk("application"), foreign=foreign_pk("application")),
    "backoffice:application_document": Rule(V, params=pk("application"), foreign=foreign_pk("application")),
    "backoffice:application_evaluate": Rule(
        D, params=pk("application"), foreign=foreign_pk("application"), post=True
    ),
    "backoffice:application_decide": Rule(
        D, params=pk("application"), foreign=foreign_pk("application"), post=True
    ),
}

MINIMAL_PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def populate(side, label: str) -> None:
    from django.core.files.base import ContentFile
    from django.utils import timezone
    from django.utils.text import slugify

    from fabrique.recruitment.models import Application
    from fabrique.recruitment.services import call_create, call_evaluators_set, call_publish
    from fabrique.recruitment.storage import private_storage

    team = side.team
    call = call_create(
        project=side.objects["project"],
        actor=team.admin,
        title=f"Appel {label}",
        description=f"Description {label}",
        profile_sought=f"Profil {label}",
        deadline=timezone.localdate() + datetime.timedelta(days=30),
    )
    call_evaluators_set(call=call, actor=team.admin, users=[team.admin, team.officer, team.committee])
    side.objects["call"] = call_publish(call=call, actor=team.admin)
    # a stable file name: the matrix does not leave a new file behind on every run
    name = f"applications/matrix/{slugify(label)}.pdf"
    if not private_storage.exists(name):
        private_storage.save(name, ContentFile(MINIMAL_PDF))
    side.objects["application"] = Application.objects.create(
        fabrique=team.fabrique,
        project=call.project,
        call=call,
        first_name="Camille",
        last_name=f"Candidate {label}",
        email=f"camille.{slugify(label)}@example.org",
        motivation=f"Motivation {label}",
        consent_processing=True,
        document=name,
        document_name=f"dossier {label}.pdf",
    )
