"""Every reporting indicator on constructed data, with its exact expected value (docs/indicators.md)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext

from fabrique.core.indicators import Filters, Period, Territory, indicator, indicators
from fabrique.funding.models import AgreementScope, AgreementStatus, FundingAgreement
from fabrique.reporting.figures import durations, funnel, rate, reporting_table
from fabrique.workstreams.models import Workstream

from .builders import (
    Application,
    ApplicationSource,
    ApplicationStage,
    Call,
    CallStage,
    Decision,
    Enterprise,
    FollowUp,
    FundingLine,
    FundingStatus,
    NeedStage,
    Organization,
    Person,
    ProjectStage,
    Referral,
    ReportStage,
    StudyStage,
    SupportPlan,
    Workshop,
    WorkshopKind,
    at,
    d,
    need,
    places,
    project,
    report,
    study,
)

Y2025 = Period.year(2025)


@pytest.fixture
def data(team, other_team):
    f = team.fabrique
    p = places()
    nantes, small, qpv = p["nantes"], p["small"], p["qpv"]
    ws = Workstream.objects.create(fabrique=f, name="Alimentation", code="alimentation")
    org = {
        name: Organization.objects.create(fabrique=f, name=name, kind="other")
        for name in ("F1", "ORG_S", "ORG_R", "ORG_OLD", "ORG_W", "FA", "FB", "IDLE")
    }
    # needs
    n1 = need(f, "2025-03-11", stage=NeedStage.IN_STUDY, commune=nantes, workstream=ws, theme="food")
    n2 = need(f, "2025-05-01", stage=NeedStage.NOT_RETAINED, commune=small)
    need(f, "2024-06-01", stage=NeedStage.RETAINED)
    ct = ContentType.objects.get_for_model(n1)
    for n, outcome, day in ((n1, "retained", "2025-04-10"), (n2, "not_retained", "2025-05-21")):
        Decision.objects.create(
            fabrique=f,
            target_type=ct,
            target_id=n.pk,
            outcome=outcome,
            decided_on=d(day),
            decided_by=team.admin,
        )
    # reports
    r1 = report(
        f,
        "2025-03-01",
        theme="food",
        public="elderly",
        commune=nantes,
        qpv=qpv,
        need=n1,
        stage=ReportStage.ATTACHED,
        stage_changed_at=at("2025-03-11"),
        reporter_organization=org["F1"],
    )
    r2 = report(
        f,
        "2025-06-01",
        theme="food",
        commune=small,
        need=n1,
        stage=ReportStage.ATTACHED,
        stage_changed_at=at("2025-06-05"),
    )
    report(f, "2025-07-01", theme="mobility")
    report(f, "2025-08-01", stage=ReportStage.DISMISSED, dismiss_reason="spam")
    report(f, "2024-12-31", theme="food")
    report(other_team.fabrique, "2025-04-01", theme="food")
    # studies and workshops
    s1 = study(f, "2025-02-01", needs=[n1], workstream=ws, stage=StudyStage.GO, changed="2025-05-02")
    s1.steering_organizations.set([org["ORG_S"], org["F1"]])
    s2 = study(f, None, created="2025-04-01", stage=StudyStage.NO_GO, changed="2025-09-28")
    study(f, "2024-11-01", stage=StudyStage.ABANDONED, changed="2025-01-15")
    study(f, "2025-10-01")
    Workshop.objects.create(
        study=s1, kind=WorkshopKind.CREATIVITY, title="C", date=d("2025-03-01"), participants_count=12
    )
    w2 = Workshop.objects.create(study=s1, kind=WorkshopKind.WORKSHOP, title="A", date=d("2025-04-01"))
    w2.participants.set(
        [
            Person.objects.create(fabrique=f, last_name="Un", organization=org["ORG_W"]),
            Person.objects.create(fabrique=f, last_name="Deux"),
        ]
    )
    Workshop.objects.create(
        study=s2, kind=WorkshopKind.INTERVIEW, title="I", date=d("2025-05-01"), participants_count=5
    )
    Workshop.objects.create(
        study=s1, kind=WorkshopKind.CREATIVITY, title="Old", date=d("2024-12-01"), participants_count=7
    )
    # projects, calls, applications
    p1 = project(
        f,
        "2025-05-03",
        study=s1,
        workstream=ws,
        commune=nantes,
        stage=ProjectStage.CREATED,
        leader_found_on=d("2025-06-02"),
        recruitment_mode="call",
    )
    project(f, "2025-06-01", stage=ProjectStage.STOPPED, changed="2025-11-01", stop_reason="no_leader")
    p3 = project(
        f,
        "2024-01-01",
        stage=ProjectStage.CREATED,
        leader_found_on=d("2025-01-31"),
        recruitment_mode="direct",
        leader_organization=org["IDLE"],
    )
    p0 = project(f, "2020-01-01", stage=ProjectStage.CREATED)
    p4 = project(f, "2020-02-01", stage=ProjectStage.CREATED)
    c1 = Call.objects.create(
        fabrique=f,
        project=p1,
        slug="c1",
        title="C1",
        description="x",
        profile_sought="x",
        deadline=d("2025-05-30"),
        published_on=d("2025-05-10"),
        stage=CallStage.DECIDED,
    )
    Call.objects.create(
        fabrique=f,
        project=p1,
        slug="c2",
        title="C2",
        description="x",
        profile_sought="x",
        deadline=d("2025-05-30"),
    )

    def application(proj, day, changed=None, **fields):
        a = Application.objects.create(fabrique=f, project=proj, email="a@b.test", motivation="m", **fields)
        Application.objects.filter(pk=a.pk).update(
            created_at=at(day), **({"stage_changed_at": at(changed)} if changed else {})
        )

    application(p1, "2025-05-20", "2025-06-02", call=c1, stage=ApplicationStage.SELECTED)
    application(p1, "2025-05-21", call=c1, stage=ApplicationStage.NOT_SELECTED)
    application(
        p3,
        "2024-02-01",
        "2025-01-31",
        source=ApplicationSource.DIRECT,
        stage=ApplicationStage.SELECTED,
        organization=org["IDLE"],
    )
    # support, funding lines, referrals
    sp1 = SupportPlan.objects.create(fabrique=f, project=p1, started_on=d("2025-06-10"))
    sp3 = SupportPlan.objects.create(fabrique=f, project=p3, started_on=d("2024-03-01"))
    FundingLine.objects.create(
        plan=sp1,
        funder=org["F1"],
        source_label="Région",
        amount=Decimal("10000"),
        status=FundingStatus.GRANTED,
        decided_on=d("2025-07-01"),
    )
    FundingLine.objects.create(
        plan=sp1,
        source_label="Banque",
        amount=Decimal("5000"),
        status=FundingStatus.REFUSED,
        decided_on=d("2025-07-01"),
    )
    FundingLine.objects.create(
        plan=sp1,
        source_label="Fondation",
        amount=Decimal("2000"),
        status=FundingStatus.GRANTED,
        requested_on=d("2024-12-01"),
    )
    Referral.objects.create(plan=sp1, organization=org["ORG_R"], purpose="x", referred_on=d("2025-07-01"))
    Referral.objects.create(plan=sp3, organization=org["ORG_OLD"], purpose="x", referred_on=d("2024-07-01"))
    # enterprises and follow-ups
    Enterprise.objects.create(
        project=p1,
        legal_name="E1",
        legal_form="scic",
        created_on=d("2025-12-01"),
        jobs_fte=Decimal("3.5"),
        commune=nantes,
    )
    e3 = Enterprise.objects.create(
        project=p3,
        legal_name="E3",
        legal_form="association",
        created_on=d("2024-09-01"),
        jobs_fte=Decimal("2.0"),
    )
    e0 = Enterprise.objects.create(
        project=p0, legal_name="E0", legal_form="scop", created_on=d("2022-01-10"), jobs_fte=Decimal("1.0")
    )
    e4 = Enterprise.objects.create(
        project=p4, legal_name="E4", legal_form="scop", created_on=d("2022-02-01"), jobs_fte=Decimal("1.0")
    )
    FollowUp.objects.create(enterprise=e3, horizon="1y", observed_on=d("2025-09-01"), jobs_fte=Decimal("2.5"))
    FollowUp.objects.create(enterprise=e0, horizon="3y", observed_on=d("2025-01-15"), jobs_fte=Decimal("4.0"))
    FollowUp.objects.create(
        enterprise=e4, horizon="3y", observed_on=d("2025-02-01"), still_active=False, jobs_fte=Decimal("0")
    )
    # agreements
    FundingAgreement.objects.create(
        fabrique=f,
        funder=org["FA"],
        title="Programme",
        starts_on=d("2025-01-01"),
        ends_on=d("2025-12-31"),
        amount_granted=Decimal("50000"),
        amount_paid=Decimal("20000"),
    )
    FundingAgreement.objects.create(
        fabrique=f,
        funder=org["FB"],
        title="Chantier",
        scope=AgreementScope.WORKSTREAM,
        workstream=ws,
        starts_on=d("2025-03-01"),
        ends_on=d("2025-12-31"),
        amount_granted=Decimal("8000"),
        status=AgreementStatus.REQUESTED,
    )
    FundingAgreement.objects.create(
        fabrique=f,
        funder=org["FB"],
        title="Étude",
        scope=AgreementScope.STUDY,
        study=s2,
        starts_on=d("2024-01-01"),
        ends_on=d("2025-12-31"),
        amount_granted=Decimal("3000"),
    )
    return {"f": f, "b": other_team.fabrique, "ws": ws, "org": org, "places": p, "n1": n1, "r1": r1, "r2": r2}


EXPECTED_2025 = {
    "needs.reports_received": 3,
    "needs.detected": 2,
    "needs.retained_detected": 1,
    "needs.not_retained": 1,
    "studies.creativity_held": 1,
    "studies.workshops_held": 1,
    "studies.participants": 14,  # 12 entered + 2 people of the directory for the session without a number
    "studies.launched": 3,
    "studies.completed": 2,
    "studies.go": 1,
    "studies.no_go": 1,
    "studies.abandoned": 1,
    "recruitment.calls_published": 1,
    "recruitment.applications": 2,
    "recruitment.leaders_found": 2,
    "projects.launched": 2,
    "projects.stopped": 1,
    "projects.enterprises_created": 1,
    "projects.jobs_at_creation": Decimal("3.5"),
    "projects.jobs_1y": Decimal("2.5"),
    "projects.jobs_3y": Decimal("4.0"),
    "projects.followups_3y": 2,
    "projects.active_3y": 1,
    # F1, ORG_S, ORG_R, ORG_W, FA, FB (an agreement requested in 2025); not ORG_OLD nor IDLE (2024 only)
    "directory.partners_mobilised": 6,
    "support.amounts_leveraged": Decimal("10000"),
    "funding.amounts_granted": Decimal("50000"),
    "funding.amounts_paid": Decimal("20000"),
}


def test_every_reporting_indicator_has_its_expected_value(data):
    keys = [i.key for i in indicators(reporting=True)]
    assert sorted(keys) == sorted(EXPECTED_2025)
    for key, expected in EXPECTED_2025.items():
        ind = indicator(key)
        with CaptureQueriesContext(connection) as ctx:
            value = ind.value(data["f"], period=Y2025)
        assert value == expected, key
        assert len(ctx.captured_queries) == 1, key


def test_every_reporting_indicator_is_documented():
    from pathlib import Path

    doc = (Path(__file__).resolve().parents[2] / "docs" / "indicators.md").read_text()
    for ind in indicators(reporting=True):
        assert f"`{ind.key}`" in doc, ind.key
        assert str(ind.label) and str(ind.definition)


def test_periods_quarter_and_range(data):
    f = data["f"]
    reports = indicator("needs.reports_received")
    assert reports.value(f, period=Period.quarter(2025, 1)) == 1
    assert reports.value(f, period=Period.quarter(2025, 2)) == 1
    assert reports.value(f, period=Period.quarter(2025, 3)) == 1
    assert reports.value(f, period=Period.quarter(2025, 4)) == 0
    assert reports.value(f, period=Period.between(d("2024-12-31"), d("2025-03-01"))) == 2
    assert reports.value(f) == 4  # every report but the spam
    assert Period.quarter(2024, 4) == Period(d("2024-10-01"), d("2024-12-31"))


def test_by_fabrique_and_by_year_are_one_grouped_query(data):
    reports = indicator("needs.reports_received")
    with CaptureQueriesContext(connection) as ctx:
        by_fabrique = reports.by_fabrique(period=Y2025)
        by_year = reports.by_year(data["f"])
        both = reports.by_fabrique_and_year([data["f"], data["b"]])
    assert len(ctx.captured_queries) == 3
    assert by_fabrique == {data["f"].pk: 3, data["b"].pk: 1}
    assert by_year == {2024: 1, 2025: 3}
    assert both == {(data["f"].pk, 2024): 1, (data["f"].pk, 2025): 3, (data["b"].pk, 2025): 1}


def test_filters_workstream_territory_funder(data):
    f, ws, p, org = data["f"], data["ws"], data["places"], data["org"]
    detected = indicator("needs.detected")
    assert detected.value(f, period=Y2025, filters=Filters(workstream_id=ws.pk)) == 1
    assert detected.value(f, period=Y2025, filters=Filters(territory=Territory("commune", "44109"))) == 1
    epci = p["nantes"].epci_id
    assert detected.value(f, period=Y2025, filters=Filters(territory=Territory("epci", epci))) == 1
    assert detected.value(f, period=Y2025, filters=Filters(territory=Territory("departement", "85"))) == 1
    reports = indicator("needs.reports_received")
    assert reports.value(f, period=Y2025, filters=Filters(territory=Territory("qpv", p["qpv"].code))) == 1
    # a study reached through two needs of the territory is counted once
    launched = indicator("studies.launched")
    assert launched.value(f, period=Y2025, filters=Filters(territory=Territory("departement", "44"))) == 1
    # funder: FA funds the programme (everything), FB's signed agreement funds study s2 only
    assert launched.value(f, period=Y2025, filters=Filters(funder_id=org["FA"].pk)) == 3
    assert launched.value(f, period=Y2025, filters=Filters(funder_id=org["FB"].pk)) == 1
    granted = indicator("funding.amounts_granted")
    assert granted.value(f, period=Y2025, filters=Filters(funder_id=org["FB"].pk)) == 0
    assert granted.value(f, period=None, filters=Filters(funder_id=org["FB"].pk)) == Decimal("3000")
    # a filter an indicator cannot apply: None, not 0
    assert granted.value(f, period=Y2025, filters=Filters(territory=Territory("commune", "44109"))) is None
    assert (
        indicator("directory.partners_mobilised").value(f, period=Y2025, filters=Filters(workstream_id=ws.pk))
        is None
    )


def test_breakdowns(data):
    f = data["f"]
    reports = indicator("needs.reports_received")

    def split(key):
        return {b.value: b.count for b in reports.breakdown(f, key, period=Y2025)}

    assert split("theme") == {"food": 2, "mobility": 1}
    assert split("qpv") == {"qpv": 1, "outside": 1, "": 1}
    assert split("rurality") == {"urban": 1, "rural": 1, "": 1}
    assert split("public") == {"elderly": 1, "": 2}
    epcis = {b.label: b.count for b in reports.breakdown(f, "epci", period=Y2025)}
    assert epcis[data["places"]["nantes"].epci.name] == 1
    labels = {b.value: b.label for b in reports.breakdown(f, "theme", period=Y2025)}
    assert labels["food"] == "alimentation"
    leaders = indicator("recruitment.leaders_found")
    assert {b.value: b.count for b in leaders.breakdown(f, "way", period=Y2025)} == {"call": 1, "direct": 1}
    assert {b.value: b.count for b in leaders.breakdown(f, "leader", period=Y2025)} == {
        "existing": 1,
        "new": 1,
    }
    forms = indicator("projects.enterprises_created")
    assert {b.value: b.count for b in forms.breakdown(f, "legal_form")} == {
        "scic": 1,
        "association": 1,
        "scop": 2,
    }
    outcome = indicator("studies.completed")
    assert {b.value: b.count for b in outcome.breakdown(f, "outcome", period=Y2025)} == {"go": 1, "no_go": 1}


def test_drill_down_lists_exactly_the_rows_counted(data):
    f = data["f"]
    reports = indicator("needs.reports_received")
    rows = reports.drill_rows(f, period=Y2025)
    assert rows.count() == 3
    food = reports.drill_rows(f, period=Y2025, breakdown="theme", bucket="food")
    assert set(food) == {data["r1"], data["r2"]}
    assert reports.drill_rows(f, period=Y2025, breakdown="public", bucket="").count() == 2
    for ind in indicators(reporting=True):
        if ind.aggregate().__class__.__name__ == "Count":
            assert ind.drill_rows(f, period=Y2025).count() == EXPECTED_2025[ind.key], ind.key


def test_funnel_and_conversion_rates(data):
    steps = funnel(data["f"], period=Y2025)
    assert [(s.key, s.value, s.rate) for s in steps] == [
        ("needs.reports_received", 3, None),
        ("needs.detected", 2, Decimal("66.7")),
        ("studies.launched", 3, Decimal("150.0")),
        ("projects.launched", 2, Decimal("66.7")),
        ("projects.enterprises_created", 1, Decimal("50.0")),
    ]
    assert rate(1, 0) is None


def test_median_durations(data):
    with CaptureQueriesContext(connection) as ctx:
        figures = {fig.key: (fig.median_days, fig.count) for fig in durations(data["f"], period=Y2025)}
    assert len(ctx.captured_queries) <= 6
    assert figures == {
        "report_to_need": (7.0, 2),  # 10 and 4 days
        "need_to_decision": (25.0, 2),  # 30 and 20 days
        "study": (135.0, 2),  # 90 and 180 days
        "leader_search": (213.0, 2),  # 30 and 396 days
        "support": (174.0, 1),  # 10 June to 1 December
    }


def test_reporting_table_trends(data):
    sections = reporting_table(data["f"], period=Period.between(d("2024-01-01"), d("2025-12-31")))
    rows = {row.indicator.key: row for section in sections for row in section.rows}
    assert rows["needs.reports_received"].value == 4
    # distinct organisations over the two years: FB counts once though involved both years
    assert rows["directory.partners_mobilised"].value == 8
    assert rows["needs.reports_received"].trend == {2024: 1, 2025: 3}
    assert rows["directory.partners_mobilised"].trend == {
        2024: 3,
        2025: 6,
    }  # 2024: ORG_OLD, IDLE, FB (agreement)
    assert [s.key for s in sections] == ["needs", "studies", "leaders", "enterprises", "partners"]


def test_values_of_reads_every_indicator_in_one_query_and_agrees_with_each(data):
    from fabrique.core.indicators import values_of

    found = indicators()
    for fabrique in (data["f"], data["b"]):
        with CaptureQueriesContext(connection) as ctx:
            together = values_of(found, fabrique)
        assert len(ctx.captured_queries) == 1
        assert together == {i.key: i.value(fabrique) for i in found}
        assert any(together.values())  # the data set counts something
