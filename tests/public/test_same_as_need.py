"""A visitor can attach a report only to a need the suggestions offered them (issue 9, item 5).

The public form used to accept any open need id: a visitor could attach a report to a need never
suggested, whose follow-up page then showed the internal title, and the error told which ids exist.
"""

import re
from unittest import mock

import pytest
from django.urls import reverse

from fabrique.needs.grouping_forms import suggestion_token
from fabrique.needs.models import Need, NeedReport, ReportStage
from fabrique.needs.services import need_create_from_report
from tests.needs.conftest import make_report, report_data  # noqa: F401 (make_report: a fixture)
from tests.needs.test_grouping_views import INTERNAL, TRANSPORT, TRANSPORT_DESC

pytestmark = pytest.mark.django_db


@pytest.fixture
def need(make_report, officer):  # noqa: F811
    report = make_report(title=TRANSPORT, description=TRANSPORT_DESC, commune=_carquefou())
    need = need_create_from_report(report=report, actor=officer, title=INTERNAL)
    Need.objects.filter(pk=need.pk).update(public_title="Se déplacer quand on est âgé")
    need.refresh_from_db()
    return need


def _carquefou():
    from fabrique.territories.models import Commune

    return Commune.objects.filter(code="44026").first()


def _post(client, fabrique, same_as_need):
    data = report_data(reporter_type="inhabitant", title="Transport des seniors", commune="44026")
    data = {k: ("on" if v is True else v) for k, v in data.items()}
    url = reverse("public:report_create", kwargs={"fabrique_slug": fabrique.slug})
    return client.post(url, {**data, "same_as_need": same_as_need})


def test_a_suggested_need_can_be_chosen(client, fabrique, need):
    url = reverse("public:need_suggestions", kwargs={"fabrique_slug": fabrique.slug})
    body = client.get(
        url, {"title": "Transport des seniors vers le marché", "commune": "44026"}
    ).content.decode()
    (token,) = re.findall(r'name="same_as_need" value="([^"]+)"', body.replace('value=""', ""))
    assert token != str(need.pk)
    # when
    response = _post(client, fabrique, token)
    # then
    assert response.status_code == 302
    report = NeedReport.objects.latest("created_at")
    assert report.need == need and report.stage == ReportStage.ATTACHED


def test_a_raw_need_id_is_refused_without_telling_whether_it_exists(client, fabrique, need):
    Need.objects.filter(pk=need.pk).update(public_title="")  # never suggested to anyone
    before = NeedReport.objects.count()
    existing = _post(client, fabrique, str(need.pk))
    missing = _post(client, fabrique, str(need.pk + 1000))
    # then: refused, nothing saved, and the two answers say the same thing
    assert existing.status_code == missing.status_code == 200
    assert NeedReport.objects.count() == before

    def errors(response):
        return re.findall(r'class="[^"]*error[^"]*"[^>]*>([^<]+)<', response.content.decode())

    assert errors(existing) == errors(missing) and errors(existing)
    assert INTERNAL not in existing.content.decode()


def test_a_token_of_another_fabrique_or_a_forged_one_is_refused(client, fabrique, other_team, need):
    foreign = suggestion_token(need_id=need.pk, fabrique_id=other_team.fabrique.pk)
    forged = suggestion_token(need_id=need.pk, fabrique_id=fabrique.pk)[:-3] + "abc"
    before = NeedReport.objects.count()
    for token in (foreign, forged):
        assert _post(client, fabrique, token).status_code == 200
    assert NeedReport.objects.count() == before


def test_an_expired_token_is_refused(client, fabrique, need):
    with mock.patch("django.core.signing.time.time", return_value=1_000_000_000):
        old = suggestion_token(need_id=need.pk, fabrique_id=fabrique.pk)
    assert _post(client, fabrique, old).status_code == 200
    assert not NeedReport.objects.filter(need=need).exclude(title=TRANSPORT).exists()


def test_the_followup_never_shows_the_internal_title(client, fabrique, need):
    Need.objects.filter(pk=need.pk).update(public_title="")
    report = need.reports.first()
    url = reverse(
        "public:report_followup", kwargs={"fabrique_slug": fabrique.slug, "token": report.followup_token}
    )
    body = client.get(url).content.decode()
    assert INTERNAL not in body
