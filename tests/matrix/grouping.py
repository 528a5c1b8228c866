"""Permission matrix of need grouping: duplicates queue, comparison, merge / split, proposals,
regrouping runs and the staff suggestions fragment (fabrique/backoffice/views/grouping.py).

`populate` gives each side (names carry `label`):
- duplicate_a, duplicate_b: two received reports;
- proposal: an open proposal to gather them into a new need.
It uses `report` and `attached_report` of the needs module.
"""

from django.urls import NoReverseMatch, reverse

from .rules import E, Rule, V, foreign_pk, pk


def _included() -> bool:
    """The back-office includes fabrique.backoffice.views.grouping (until it does, declare nothing)."""
    try:
        reverse("backoffice:duplicate_queue", kwargs={"fabrique_slug": "x"})
    except NoReverseMatch:
        return False
    return True


_MATRIX = {
    "backoffice:duplicate_queue": Rule(V),
    "backoffice:duplicate_compare": Rule(V, params=pk("report"), foreign=foreign_pk("report")),
    "backoffice:report_merge": Rule(E, params=pk("report"), foreign=foreign_pk("report"), post=True),
    "backoffice:report_split": Rule(
        E, params=pk("attached_report"), foreign=foreign_pk("attached_report"), post=True
    ),
    "backoffice:regrouping_runs": Rule(V),
    "backoffice:regrouping_start": Rule(E, post=True),
    "backoffice:proposal_accept": Rule(E, params=pk("proposal"), foreign=foreign_pk("proposal"), post=True),
    "backoffice:proposal_reject": Rule(E, params=pk("proposal"), foreign=foreign_pk("proposal"), post=True),
    "backoffice:need_suggestions": Rule(E),
}


def __getattr__(name: str):
    # evaluated when the matrix is built (URL configuration loaded), not at import
    if name == "MATRIX":
        return _MATRIX if _included() else {}
    raise AttributeError(name)


def populate(side, label: str) -> None:
    from fabrique.needs.models import GroupingProposal
    from fabrique.needs.services import need_report_submit

    fabrique = side.team.fabrique

    def report(title: str):
        return need_report_submit(
            fabrique=fabrique,
            title=f"{title} {label}",
            description=f"Description {label}",
            reporter_name=f"Capteur {label}",
            consent_processing=True,
        )

    a, b = report("Doublon A"), report("Doublon B")
    proposal = GroupingProposal.objects.create(fabrique=fabrique, score=0.9, key=f"matrix-{label}")
    proposal.reports.set([a, b])
    side.objects.update(duplicate_a=a, duplicate_b=b, proposal=proposal)
