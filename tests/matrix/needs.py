"""Permission matrix of detection and qualification: reports, needs, criteria, a partner's reports, API.

`populate` gives each side (objects names carry `label`):
- report: a report received, not attached (with an evidence document);
- attached_report: a report attached to `need`;
- need: a need in qualification, with one score;
- retained_need: a need retained by a staff decision (for the studies module);
- criterion: one of the default criteria.
"""

from django.core.files.base import ContentFile

from .rules import D, E, M, R, Rule, V, foreign_pk, pk

MATRIX = {
    "backoffice:report_list": Rule(V),
    "backoffice:report_create": Rule(E, post=True),
    "backoffice:report_detail": Rule(V, params=pk("report"), foreign=foreign_pk("report")),
    "backoffice:report_document": Rule(V, params=pk("report"), foreign=foreign_pk("report")),
    "backoffice:report_attach": Rule(E, params=pk("report"), foreign=foreign_pk("report"), post=True),
    "backoffice:need_create_from_report": Rule(
        E, params=pk("report"), foreign=foreign_pk("report"), post=True
    ),
    "backoffice:report_detach": Rule(
        E, params=pk("attached_report"), foreign=foreign_pk("attached_report"), post=True
    ),
    "backoffice:report_dismiss": Rule(E, params=pk("report"), foreign=foreign_pk("report"), post=True),
    "backoffice:report_correct": Rule(E, params=pk("report"), foreign=foreign_pk("report"), post=True),
    "backoffice:my_reports": Rule(R),
    "backoffice:need_list": Rule(V),
    # 20 + the hand-over box (open offer or origin: one query)
    "backoffice:need_detail": Rule(V, params=pk("need"), foreign=foreign_pk("need"), queries=22),
    "backoffice:need_update": Rule(E, params=pk("need"), foreign=foreign_pk("need"), post=True),
    "backoffice:need_qualify": Rule(E, params=pk("need"), foreign=foreign_pk("need"), post=True),
    "backoffice:need_decide": Rule(D, params=pk("need"), foreign=foreign_pk("need"), post=True),
    "backoffice:need_reopen": Rule(D, params=pk("need"), foreign=foreign_pk("need"), post=True),
    "backoffice:need_scale_up": Rule(E, params=pk("need"), foreign=foreign_pk("need"), post=True),
    "backoffice:need_close": Rule(D, params=pk("need"), foreign=foreign_pk("need"), post=True),
    "backoffice:criteria_settings": Rule(M, post=True),
    "backoffice:criterion_update": Rule(
        M, params=pk("criterion"), foreign=foreign_pk("criterion"), post=True
    ),
    # GET needs VIEW, POST needs EDIT: a Rule has one access level, so POST is tested in tests/needs/test_api.py
    "api:need-report-list": Rule(V),
    "api:need-report-detail": Rule(V, params=pk("report"), foreign=foreign_pk("report")),
    "api:need-list": Rule(V),
    "api:need-detail": Rule(V, params=pk("need"), foreign=foreign_pk("need")),
}

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def populate(side, label: str) -> None:
    from fabrique.needs.models import Criterion
    from fabrique.needs.services import (
        criteria_setup_defaults,
        need_create_from_report,
        need_decide,
        need_report_submit,
        need_score_set,
    )

    fabrique, officer = side.team.fabrique, side.team.officer
    criteria_setup_defaults(fabrique=fabrique)
    criterion = Criterion.objects.filter(fabrique=fabrique).order_by("order").first()

    def report(title: str, **extra):
        return need_report_submit(
            fabrique=fabrique,
            **{
                "title": f"{title} {label}",
                "description": f"Description {label}",
                "reporter_name": f"Capteur {label}",
                "reporter_email": "capteur@example.org",
                "consent_processing": True,
                **extra,
            },
        )

    received = report("Signalement", evidence_document=ContentFile(PDF, name="preuve.pdf"))
    attached = report("Signalement rattaché")
    need = need_create_from_report(report=attached, actor=officer, title=f"Besoin {label}")
    need_score_set(need=need, criterion=criterion, score=2, comment=f"Commentaire {label}", actor=officer)

    retained = need_create_from_report(
        report=report("Signalement retenu"), actor=officer, title=f"Besoin retenu {label}"
    )
    need_score_set(need=retained, criterion=criterion, score=3, comment="", actor=officer)
    need_decide(need=retained, actor=officer, outcome="retained", reasons=f"Retenu {label}")
    retained.refresh_from_db()

    attached.refresh_from_db()
    need.refresh_from_db()
    side.objects.update(
        report=received,
        attached_report=attached,
        need=need,
        retained_need=retained,
        criterion=criterion,
    )
