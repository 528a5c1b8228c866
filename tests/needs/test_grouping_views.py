"""Need grouping pages: public and staff suggestions (the public sees no private detail), the
"c'est le même besoin" submission, merge / split, proposals, regrouping runs, commands."""

import pytest
from django.core.management import call_command
from django.urls import clear_url_caches, reverse

from fabrique.core.tasks import run_regrouping
from fabrique.needs.grouping import report_merge
from fabrique.needs.grouping_forms import suggestion_token
from fabrique.needs.models import (
    GroupingProposal,
    Need,
    NeedReport,
    ProposalStatus,
    RegroupingRun,
    ReportMerge,
    ReportStage,
    RunStatus,
)
from fabrique.needs.services import need_create_from_report

from .conftest import report_data

pytestmark = pytest.mark.django_db

TRANSPORT = "Pas de transport pour les personnes âgées vers le marché"
TRANSPORT_DESC = "Les seniors isolés sans voiture ne peuvent pas se rendre au marché ni chez le médecin."
INTERNAL = "Mobilité seniors Carquefou — note interne"


@pytest.fixture(autouse=True)
def _grouping_urls():
    """Until fabrique/backoffice/urls.py includes the grouping views, add them for these tests."""
    import fabrique.backoffice.urls as backoffice_urls
    from fabrique.backoffice.views import grouping

    if not any(getattr(p, "name", None) == "duplicate_queue" for p in backoffice_urls.fabrique_patterns):
        backoffice_urls.fabrique_patterns.extend(grouping.urlpatterns)
        clear_url_caches()


@pytest.fixture
def need(make_report, officer, carquefou):
    report = make_report(
        title=TRANSPORT, description=TRANSPORT_DESC, commune=carquefou, reporter_name="Joséphine Secret"
    )
    need = need_create_from_report(report=report, actor=officer, title=INTERNAL)
    Need.objects.filter(pk=need.pk).update(public_title="Se déplacer quand on est âgé", description="privé")
    need.refresh_from_db()
    return need


def bo(fabrique, name, **kwargs):
    return reverse(f"backoffice:{name}", kwargs={"fabrique_slug": fabrique.slug, **kwargs})


# --- public ------------------------------------------------------------------------------------------------


def test_public_suggestions_show_only_public_title_and_status(client, fabrique, need):
    url = reverse("public:need_suggestions", kwargs={"fabrique_slug": fabrique.slug})
    response = client.get(url, {"title": "Transport des seniors vers le marché", "commune": "44026"})
    body = response.content.decode()
    assert response.status_code == 200
    assert "Ce besoin a peut-être déjà été signalé" in body
    assert "Se déplacer quand on est âgé" in body
    assert 'name="same_as_need" value="' in body and f'value="{need.pk}"' not in body  # a token, not the id
    for private in (INTERNAL, need.reference, "Joséphine Secret", TRANSPORT_DESC, "privé", "proximité"):
        assert private not in body


def test_public_suggestions_skip_needs_without_public_title(client, fabrique, need):
    Need.objects.filter(pk=need.pk).update(public_title="")
    url = reverse("public:need_suggestions", kwargs={"fabrique_slug": fabrique.slug})
    response = client.get(url, {"title": "Transport des seniors vers le marché", "commune": "44026"})
    assert INTERNAL not in response.content.decode()
    assert "Se déplacer" not in response.content.decode() and 'type="radio"' not in response.content.decode()


def test_public_suggestions_empty_without_title_or_place(client, fabrique, need):
    url = reverse("public:need_suggestions", kwargs={"fabrique_slug": fabrique.slug})
    assert client.get(url, {"title": "Transport des seniors"}).content.strip() == b""
    assert client.get(url, {"commune": "44026"}).content.strip() == b""


def test_public_suggestions_of_another_fabrique_are_its_own(client, other_team, need):
    url = reverse("public:need_suggestions", kwargs={"fabrique_slug": other_team.fabrique.slug})
    response = client.get(url, {"title": "Transport des seniors vers le marché", "commune": "44026"})
    assert "Se déplacer" not in response.content.decode()


def test_public_form_has_the_suggestions_box(client, fabrique):
    response = client.get(reverse("public:report_create", kwargs={"fabrique_slug": fabrique.slug}))
    body = response.content.decode()
    assert 'id="need-suggestions"' in body and "need-suggestions.js" in body


def _public_post(fabrique, **extra):
    data = report_data(reporter_type="inhabitant", title="Transport des seniors", commune="44026", **extra)
    return {k: ("on" if v is True else v) for k, v in data.items()}


def test_public_report_same_as_need_is_attached(client, fabrique, need):
    url = reverse("public:report_create", kwargs={"fabrique_slug": fabrique.slug})
    token = suggestion_token(need_id=need.pk, fabrique_id=fabrique.pk)
    response = client.post(url, _public_post(fabrique, same_as_need=token))
    assert response.status_code == 302
    report = NeedReport.objects.latest("created_at")
    assert report.need == need and report.stage == ReportStage.ATTACHED


def test_public_report_same_as_foreign_need_is_refused(client, other_team, need):
    url = reverse("public:report_create", kwargs={"fabrique_slug": other_team.fabrique.slug})
    before = NeedReport.objects.count()
    token = suggestion_token(need_id=need.pk, fabrique_id=need.fabrique_id)
    response = client.post(url, _public_post(other_team.fabrique, same_as_need=token))
    assert response.status_code == 200
    assert "plus proposé" in response.content.decode()
    assert NeedReport.objects.count() == before


def test_public_report_without_choice_is_not_attached(client, fabrique, need):
    url = reverse("public:report_create", kwargs={"fabrique_slug": fabrique.slug})
    assert client.post(url, _public_post(fabrique, same_as_need="")).status_code == 302
    assert NeedReport.objects.latest("created_at").need is None


# --- staff -------------------------------------------------------------------------------------------------


def test_staff_suggestions_show_reference(client, team, fabrique, need):
    client.force_login(team.officer)
    response = client.get(
        bo(fabrique, "need_suggestions"),
        {"title": "Transport des seniors vers le marché", "commune": "44026"},
    )
    assert need.reference in response.content.decode()
    client.force_login(team.reader)
    assert client.get(bo(fabrique, "need_suggestions")).status_code == 403


def test_queue_lists_proposals_and_live_duplicates(client, team, fabrique, need, make_report, carquefou):
    report = make_report(
        title="Transport des seniors vers le marché", description=TRANSPORT_DESC, commune=carquefou
    )
    proposal = GroupingProposal.objects.create(fabrique=fabrique, need=need, score=0.8, key="k")
    proposal.reports.set([report])
    client.force_login(team.reader)
    body = client.get(bo(fabrique, "duplicate_queue")).content.decode()
    assert report.reference in body and need.reference in body
    assert "Regrouper…" not in body  # no edit buttons for a reader


def test_compare_side_by_side(client, team, fabrique, need, make_report, carquefou):
    report = make_report(title="Transport des seniors", commune=carquefou)
    client.force_login(team.reader)
    body = client.get(bo(fabrique, "duplicate_compare", pk=report.pk), {"need": need.pk}).content.decode()
    assert report.reference in body and need.reference in body and "Historique" in body
    other = need.reports.get()
    body = client.get(bo(fabrique, "duplicate_compare", pk=report.pk), {"report": other.pk}).content.decode()
    assert other.reference in body


def test_compare_with_another_fabriques_need_is_404(client, team, other_team, make_report, need):
    foreign = need_create_from_report(
        report=make_report(fabrique=other_team.fabrique), actor=other_team.officer
    )
    client.force_login(team.officer)
    url = bo(team.fabrique, "duplicate_compare", pk=need.reports.get().pk)
    assert client.get(url, {"need": foreign.pk}).status_code == 404
    assert client.get(url, {"need": "x"}).status_code == 404


def test_merge_view(client, team, fabrique, need, make_report):
    report = make_report(title="Transport des seniors")
    url = bo(fabrique, "report_merge", pk=report.pk)
    client.force_login(team.reader)
    assert client.post(url, {"need": need.pk}).status_code == 403
    client.force_login(team.officer)
    response = client.post(url, {})
    assert response.status_code == 200 and "Choisissez le besoin" in response.content.decode()
    report.refresh_from_db()
    assert report.need is None
    response = client.post(url, {"need": need.pk})
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.need == need and ReportMerge.objects.filter(report=report).exists()


def test_merge_view_refuses_another_fabriques_need(client, team, other_team, make_report, need):
    foreign = need_create_from_report(
        report=make_report(fabrique=other_team.fabrique), actor=other_team.officer
    )
    report = make_report(title="Transport des seniors")
    client.force_login(team.officer)
    response = client.post(bo(team.fabrique, "report_merge", pk=report.pk), {"need": foreign.pk})
    assert response.status_code == 200 and "pas proposé" in response.content.decode()


def test_split_view_restores(client, team, fabrique, need, make_report, officer):
    report = make_report(title="Transport des seniors")
    report_merge(report=report, need=need, actor=officer)
    url = bo(fabrique, "report_split", pk=report.pk)
    client.force_login(team.officer)
    response = client.post(url, {"mode": "nonsense"})
    assert response.status_code == 200 and "Choisissez une des options" in response.content.decode()
    report.refresh_from_db()
    assert report.need == need
    assert client.post(url, {"mode": "restore"}).status_code == 302
    report.refresh_from_db()
    assert report.need is None and report.stage == ReportStage.RECEIVED


def test_split_view_of_another_fabriques_report_is_404(client, team, other_team, make_report):
    foreign = make_report(fabrique=other_team.fabrique)
    client.force_login(team.officer)
    assert client.get(bo(team.fabrique, "report_split", pk=foreign.pk)).status_code == 404


def test_proposal_accept_and_reject_views(client, team, fabrique, need, make_report):
    a, b = make_report(title="Transport seniors A"), make_report(title="Transport seniors B")
    accept = GroupingProposal.objects.create(fabrique=fabrique, need=need, score=0.7, key="a")
    accept.reports.set([a])
    reject = GroupingProposal.objects.create(fabrique=fabrique, need=need, score=0.7, key="b")
    reject.reports.set([b])
    client.force_login(team.reader)
    assert client.post(bo(fabrique, "proposal_accept", pk=accept.pk)).status_code == 403
    client.force_login(team.officer)
    assert client.get(bo(fabrique, "proposal_accept", pk=accept.pk)).status_code == 200
    assert client.post(bo(fabrique, "proposal_accept", pk=accept.pk)).status_code == 302
    assert client.post(bo(fabrique, "proposal_reject", pk=reject.pk)).status_code == 302
    accept.refresh_from_db(), reject.refresh_from_db(), a.refresh_from_db(), b.refresh_from_db()
    assert accept.status == ProposalStatus.ACCEPTED and a.need == need
    assert reject.status == ProposalStatus.REJECTED and b.need is None


def test_regrouping_start_and_progress(client, team, fabrique):
    client.force_login(team.reader)
    assert client.post(bo(fabrique, "regrouping_start")).status_code == 403
    client.force_login(team.officer)
    assert client.post(bo(fabrique, "regrouping_start")).status_code == 302
    run = RegroupingRun.objects.get(fabrique=fabrique)
    assert run.status == RunStatus.PENDING
    fragment = client.get(bo(fabrique, "regrouping_runs"), HTTP_HX_REQUEST="true").content.decode()
    assert 'hx-trigger="every 2s"' in fragment and "<html" not in fragment
    run_regrouping.call(run_id=run.pk)  # the task the worker runs (enqueued after the commit)
    run.refresh_from_db()
    assert run.status == RunStatus.DONE
    page = client.get(bo(fabrique, "regrouping_runs")).content.decode()
    assert "every 2s" not in page


# --- commands ----------------------------------------------------------------------------------------------


def test_regroup_needs_command(fabrique, need, make_report, carquefou, capsys):
    make_report(title="Transport des seniors vers le marché", description=TRANSPORT_DESC, commune=carquefou)
    call_command("regroup_needs", "--fabrique", fabrique.slug)
    out = capsys.readouterr()
    assert "propositions créées : 1" in out.out and "Fabrique" in out.err
    assert GroupingProposal.objects.filter(fabrique=fabrique, status=ProposalStatus.PROPOSED).count() == 1
    call_command("regroup_needs", "--network")
    assert GroupingProposal.objects.count() == 1


def test_backfill_command(fabrique, make_report, capsys):
    from fabrique.needs.models import ReportFeatures

    make_report()
    ReportFeatures.objects.all().delete()
    call_command("backfill_report_features", "--fabrique", fabrique.slug)
    assert "Empreintes calculées : 1" in capsys.readouterr().out


def test_runs_page_shows_what_the_team_taught(client, team, fabrique, need, make_report, carquefou):
    from fabrique.needs.grouping import pair_model_adaptation_refresh

    client.force_login(team.reader)
    page = client.get(bo(fabrique, "regrouping_runs")).content.decode()
    assert "Apprentissage des décisions de l" in page and "le modèle livré est utilisé" in page
    report = make_report(title="Transport des aînés au marché", commune=carquefou)
    report_merge(report=report, need=need, actor=team.officer)
    pair_model_adaptation_refresh(fabrique=fabrique)
    page = client.get(bo(fabrique, "regrouping_runs")).content.decode()
    assert "1 paire jugée (1 « même besoin »)" in page
    assert "Pas encore assez de décisions" in page


def test_runs_page_shows_both_models_figures_and_which_one_is_used(client, team, fabrique):
    from fabrique.grouping.models import PairModelAdaptation

    row = PairModelAdaptation.objects.create(
        fabrique=fabrique,
        decisions=60,
        same=21,
        reports=140,
        shipped_agreement=0.612,
        adapted_agreement=0.745,
        shipped_accuracy=0.8,
        adapted_accuracy=0.9,
        offset=0.75,
        threshold=0.4,
        used=True,
    )
    client.force_login(team.reader)
    page = client.get(bo(fabrique, "regrouping_runs")).content.decode()
    assert "0,612" in page and "0,745" in page and "80 %" in page and "90 %" in page
    assert "60 paires jugées (21 « même besoin »)" in page
    assert "Le modèle ajusté est utilisé" in page
    row.used = False
    row.save()
    page = client.get(bo(fabrique, "regrouping_runs")).content.decode()
    assert "ne fait pas assez mieux" in page and "Le modèle ajusté est utilisé" not in page


def test_split_proposal_in_the_queue(client, team, fabrique, need, make_report, carquefou):
    from fabrique.needs.models import ProposalKind

    proposal = GroupingProposal.objects.create(
        fabrique=fabrique, need=need, kind=ProposalKind.SPLIT, score=0.8, key="split:x"
    )
    proposal.reports.set([need.reports.first()])
    client.force_login(team.officer)
    page = client.get(bo(fabrique, "duplicate_queue")).content.decode()
    assert "Séparer du besoin" in page and "C'est bien le même besoin" in page
    confirm = client.get(bo(fabrique, "proposal_accept", pk=proposal.pk)).content.decode()
    assert "En faire un besoin à part" in confirm


def test_pages_suggesting_needs_for_a_report_skip_the_needs_decided_apart_in_one_query(
    client, team, fabrique, need, make_report, carquefou
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from fabrique.grouping.models import PairDecision

    # given: a received report that looks like the need, other received reports and needs of their own
    report = make_report(
        title="Transport des seniors vers le marché", description=TRANSPORT_DESC, commune=carquefou
    )
    received = [make_report(title=f"Aide aux devoirs {k}", commune=carquefou) for k in range(3)]
    for k in range(2):
        need_create_from_report(
            report=make_report(title=f"Garde d'enfants {k}", commune=carquefou), actor=team.officer
        )
    pages = [
        bo(fabrique, "duplicate_compare", pk=report.pk),
        bo(fabrique, "report_merge", pk=report.pk),
        bo(fabrique, "duplicate_queue"),
    ]
    client.force_login(team.officer)

    def measure() -> tuple[list[int], list[set[int]]]:
        """Each page's query count and the needs it offers for the reports (its suggestions or live ones)."""
        counts, offers = [], []
        for url in pages:
            client.get(url)  # process-wide caches filled by a first request
            with CaptureQueriesContext(connection) as queries:
                response = client.get(url)
            assert response.status_code == 200
            counts.append(len(queries))
            shown = list(response.context.get("suggestions") or [])
            shown += [s for r, s in response.context.get("live") or [] if r.pk == report.pk]
            offers.append({s.need.pk for s in shown})
        return counts, offers

    _counts, offers = measure()
    assert all(need.pk in offered for offered in offers)
    # when: the team said the report is not the same need as the need's report
    PairDecision.objects.create(
        fabrique=fabrique, report_a=need.reports.get(), report_b=report, same_need=False, source="rejected"
    )
    few, offers = measure()
    # then: no page offers that need for it any more
    assert not any(need.pk in offered for offered in offers)
    # when: many more decisions on the queue's reports
    PairDecision.objects.bulk_create(
        PairDecision(fabrique=fabrique, report_a=a, report_b=b, same_need=bool(k % 2), source="merge")
        for k in range(10)
        for a, b in [(report, r) for r in received] + [(received[0], received[1]), (received[1], received[2])]
    )
    many, offers = measure()
    # then: the decisions are read in one query, whatever their number
    assert many == few
    assert not any(need.pk in offered for offered in offers)


# --- the queue's live check: every received report at once, the same suggestions as one by one -----------

QUEUE_THEMES = [
    (TRANSPORT, TRANSPORT_DESC),
    (
        "Pas d'aide aux devoirs pour les collégiens",
        "Les familles du quartier n'ont personne pour les devoirs.",
    ),
    ("Pas de garde d'enfants le soir", "Les parents en horaires décalés n'ont aucune solution de garde."),
    ("Pas d'épicerie solidaire", "Les familles modestes font leurs courses loin, sans épicerie solidaire."),
]


@pytest.fixture
def queue_world(team, fabrique, make_report, carquefou):
    """Needs of several themes (two reports each), received reports close to them, and a decision: the team
    said the first received report is not the transport need."""
    from fabrique.grouping.models import PairDecision
    from fabrique.needs.services import need_report_attach

    needs = []
    for k in range(2):
        for title, description in QUEUE_THEMES:
            first = make_report(title=f"{title} ({k})", description=description, commune=carquefou)
            need = need_create_from_report(report=first, actor=team.officer)
            need_report_attach(
                report=make_report(title=title, description=description, place="Carquefou centre"),
                need=need,
                actor=team.officer,
            )
            needs.append(need)
    received = [
        make_report(title=title.replace("Pas de", "Manque de"), description=description, commune=carquefou)
        for title, description in QUEUE_THEMES
    ]
    received.append(make_report(title="Les seniors n'ont pas de transport", place="Carquefou"))
    PairDecision.objects.create(
        fabrique=fabrique,
        report_a=needs[0].reports.order_by("pk").first(),
        report_b=received[0],
        same_need=False,
        source="rejected",
    )
    return received


def _shown(suggestions) -> list[tuple[int, float, bool, int]]:
    return [(s.need.pk, s.score, s.same_need, s.reports) for s in suggestions]


def _alone(report, k: int = 1):
    """The report's suggestions through a candidate query of its own (`_candidates`), without the cache:
    what the pages read before the queue's reports were read together."""
    from fabrique.grouping.api import Features
    from fabrique.needs.grouping import _needs_decided_apart, _suggest_needs
    from fabrique.needs.models import ReportFeatures

    row = ReportFeatures.objects.get(report_id=report.pk)
    apart = _needs_decided_apart(fabrique=report.fabrique, report_ids=[report.pk])
    found = _suggest_needs(
        fabrique=report.fabrique,
        features=Features.unpack(bytes(row.features)),
        k=k + 1,
        exclude_report_id=report.pk,
        exclude_need_ids=apart.get(report.pk, ()),
    )
    return [s for s in found if s.need.pk != report.need_id][:k]


@pytest.mark.parametrize("limit", [None, 3])
def test_queue_suggestions_are_each_reports_own(client, team, fabrique, queue_world, monkeypatch, limit):
    from fabrique.needs import grouping
    from fabrique.needs.grouping import report_need_suggestions, reports_need_suggestions

    if limit is not None:  # each report's candidates cut at its own latest `limit`
        monkeypatch.setattr(grouping, "CANDIDATE_LIMIT", limit)
    received = queue_world
    # given: each report's suggestion computed alone (its own candidate query)
    alone = {r.pk: _shown(_alone(r)) for r in received}
    assert sum(bool(found) for found in alone.values()) >= 3  # the world does suggest needs
    # when: all the reports at once (one candidate query over the union of their filters)
    together = reports_need_suggestions(fabrique=fabrique, reports=received, k=1)
    # then: the same need with the same score for each report
    assert {pk: _shown(found) for pk, found in together.items()} == alone
    # and the comparison and merge pages' five closest needs of each report too
    for report in received:
        assert _shown(report_need_suggestions(report=report)) == _shown(_alone(report, k=5))
        assert _shown(report_need_suggestions(report=report, k=1)) == alone[report.pk]
    # and the queue page shows exactly the reports whose suggestion is the same need
    client.force_login(team.officer)
    live = client.get(bo(fabrique, "duplicate_queue")).context["live"]
    expected = [(r.pk, alone[r.pk][0]) for r in received if alone[r.pk] and alone[r.pk][0][2]]
    assert sorted((r.pk, *_shown([s])) for r, s in live) == sorted(expected)


def test_queue_queries_do_not_grow_with_the_received_reports(
    client, team, fabrique, queue_world, make_report
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from fabrique.grouping.models import PairDecision
    from fabrique.needs.grouping import LIVE_REPORTS

    client.force_login(team.officer)

    def count() -> int:
        client.get(bo(fabrique, "duplicate_queue"))  # process-wide caches filled by a first request
        with CaptureQueriesContext(connection) as queries:
            assert client.get(bo(fabrique, "duplicate_queue")).status_code == 200
        return len(queries)

    few = count()
    more = [
        make_report(title=f"Transport des seniors {k}", description=TRANSPORT_DESC)
        for k in range(LIVE_REPORTS)
    ]
    PairDecision.objects.bulk_create(
        PairDecision(fabrique=fabrique, report_a=a, report_b=b, same_need=False, source="split")
        for a in more
        for b in queue_world
    )
    assert count() == few


def test_queue_rankings_kept_in_the_cache_follow_every_change(
    team, fabrique, queue_world, make_report, monkeypatch
):
    from fabrique.grouping.models import PairDecision
    from fabrique.needs import grouping
    from fabrique.needs.grouping import (
        report_features_refresh,
        report_need_suggestions,
        reports_need_suggestions,
    )
    from fabrique.needs.services import need_close, need_report_attach, need_report_detach

    received = queue_world

    def check() -> dict[int, list]:
        alone = {r.pk: _shown(_alone(r)) for r in received}
        assert alone == {r.pk: _shown(report_need_suggestions(report=r, k=1)) for r in received}
        together = reports_need_suggestions(fabrique=fabrique, reports=received, k=1)
        assert {pk: _shown(found) for pk, found in together.items()} == alone
        return alone

    first = check()
    # given: every ranking in the cache — read back, not scored again
    real_rank = grouping._rank
    monkeypatch.setattr(grouping, "_rank", lambda **kw: pytest.fail("scored again"))
    together = reports_need_suggestions(fabrique=fabrique, reports=received, k=1)
    assert {pk: _shown(found) for pk, found in together.items()} == first
    monkeypatch.setattr(grouping, "_rank", real_rank)
    target = next(r for r in received if first[r.pk])
    suggested = Need.objects.get(pk=first[target.pk][0][0])
    # when: the team says the report is not one of the suggested need's reports
    PairDecision.objects.create(
        fabrique=fabrique,
        report_a=suggested.reports.order_by("pk").first(),
        report_b=target,
        same_need=False,
        source="rejected",
    )
    assert check() != first
    # when: a report of a need is detached, one is recomputed, one is attached to another need
    others = Need.objects.filter(fabrique=fabrique).exclude(pk=suggested.pk).order_by("pk")
    need_report_detach(report=others[0].reports.order_by("pk").last(), actor=team.officer)
    moved = others[1].reports.order_by("pk").last()
    NeedReport.objects.filter(pk=moved.pk).update(title=TRANSPORT, description=TRANSPORT_DESC)
    report_features_refresh(report=NeedReport.objects.get(pk=moved.pk))
    need_report_attach(
        report=make_report(title=received[1].title, description=received[1].description, place="Carquefou"),
        need=others[2],
        actor=team.officer,
    )
    check()
    # when: the suggested need is closed (no longer suggested)
    need_close(need=suggested, actor=team.officer, reason="duplicate")
    assert all(suggested.pk not in [s[0] for s in found] for found in check().values())


# --- the needs set aside by the team's decisions: said on the comparison and merge pages ------------------


def test_compare_and_merge_pages_say_which_needs_the_team_set_aside(
    client, team, fabrique, need, make_report, carquefou
):
    from django.utils import timezone, translation
    from django.utils.formats import date_format

    from fabrique.grouping.models import PairDecision
    from fabrique.needs.grouping import report_needs_set_aside

    # given: a received report that looks like the need: offered, nothing set aside
    report = make_report(
        title="Transport des seniors vers le marché", description=TRANSPORT_DESC, commune=carquefou
    )
    client.force_login(team.officer)
    compare = bo(fabrique, "duplicate_compare", pk=report.pk)
    body = client.get(compare).content.decode()
    assert need.reference in body and "Besoins écartés par l'équipe" not in body
    # when: the team rejected a proposal that put it with the need's report
    PairDecision.objects.create(
        fabrique=fabrique,
        report_a=need.reports.get(),
        report_b=report,
        same_need=False,
        source="rejected",
        decided_by=team.officer,
    )
    # then: both pages say the need is no longer offered, why, by whom and when
    [aside] = report_needs_set_aside(report=report)
    assert (aside.need_id, aside.reference, aside.source_label) == (
        need.pk,
        need.reference,
        "proposition rejetée",
    )
    with translation.override("fr"):
        when = date_format(timezone.localtime(aside.decided_at), "j F Y")  # "7 décembre 2026"
    for url in (compare, bo(fabrique, "report_merge", pk=report.pk)):
        body = client.get(url).content.decode()
        assert "Besoins écartés par l'équipe" in body
        assert "n'est plus proposé : l'équipe a jugé que ce n'était pas le même besoin" in body
        assert need.reference in body and str(team.officer) in body and when in body
    assert "l'équipe a écarté ceux listés plus bas" in client.get(compare).content.decode()
    # when: a later decision says it is the same need after all: offered again, no longer listed
    PairDecision.objects.create(
        fabrique=fabrique, report_a=report, report_b=need.reports.get(), same_need=True, source="merge"
    )
    assert report_needs_set_aside(report=report) == []
    assert "Besoins écartés par l'équipe" not in client.get(compare).content.decode()


def test_needs_set_aside_are_bounded_and_read_in_one_query(team, fabrique, make_report, carquefou):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from fabrique.grouping.models import PairDecision
    from fabrique.needs.grouping import SET_ASIDE_SHOWN, report_needs_set_aside
    from fabrique.needs.services import need_close

    report = make_report(title="Transport des seniors", commune=carquefou)
    needs = [
        need_create_from_report(
            report=make_report(title=f"Besoin {k}", commune=carquefou), actor=team.officer
        )
        for k in range(SET_ASIDE_SHOWN + 2)
    ]
    PairDecision.objects.bulk_create(
        PairDecision(
            fabrique=fabrique, report_a=n.reports.get(), report_b=report, same_need=False, source="split"
        )
        for n in needs
    )
    need_close(need=needs[-1], actor=team.officer, reason="doublon")  # not offered anyway: not listed
    with CaptureQueriesContext(connection) as queries:
        aside = report_needs_set_aside(report=report)
    assert len(queries) == 1
    assert len(aside) == SET_ASIDE_SHOWN and needs[-1].pk not in {a.need_id for a in aside}
    assert all(a.decided_by == "" and a.source_label == "séparation" for a in aside)
