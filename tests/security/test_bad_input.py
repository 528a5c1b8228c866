"""Bad input gets a clear 400 or a French form error, never a 500 (issue 9, item 10)."""

import datetime

import pytest
from django import forms
from django.urls import reverse
from rest_framework import serializers

from fabrique.core.limits import validate_sane_date
from fabrique.intelligence.tabular import FileReadError, NotANumber, parse_value, read_table
from tests.needs.conftest import make_report  # noqa: F401 (a fixture)
from tests.security.test_text_bounds import _classes

pytestmark = pytest.mark.django_db

NUL = "Laverie\x00"


@pytest.fixture
def officer_client(client, login, team):
    return login(team.officer)


def test_a_nul_byte_in_the_studies_search_is_a_400(officer_client, fabrique):
    response = officer_client.get(
        reverse("backoffice:study_list", kwargs={"fabrique_slug": fabrique.slug}), {"q": NUL}
    )
    assert response.status_code == 400
    assert "caractère nul" in response.content.decode()


def test_a_nul_byte_in_the_report_attach_search_is_a_400(officer_client, fabrique, make_report):  # noqa: F811
    report = make_report()
    url = reverse("backoffice:report_attach", kwargs={"fabrique_slug": fabrique.slug, "pk": report.pk})
    assert officer_client.get(url, {"q": NUL}).status_code == 400


def test_a_nul_byte_in_an_api_filter_is_a_json_400(officer_client, fabrique):
    url = reverse("api:need-report-list", kwargs={"fabrique_slug": fabrique.slug})
    response = officer_client.get(url, {"commune": "44109\x00"})
    assert response.status_code == 400
    assert "caractère nul" in response.json()["detail"]


def test_a_nul_byte_in_a_posted_form_is_a_400(client, fabrique):
    url = reverse("public:report_create", kwargs={"fabrique_slug": fabrique.slug})
    assert client.post(url, {"title": NUL, "description": "x"}).status_code == 400


def test_deeply_nested_json_is_a_400(officer_client, fabrique):
    url = reverse("api:need-report-list", kwargs={"fabrique_slug": fabrique.slug})
    body = '{"title": ' + "[" * 100_000 + "]" * 100_000 + "}"
    response = officer_client.post(url, body, content_type="application/json")
    assert response.status_code == 400
    assert "imbriqué" in response.json()["detail"]


def test_a_csv_cell_over_the_csv_module_limit_gets_a_french_error():
    data = ("code;valeur\n44109;" + "1" * 140_000 + "\n").encode()
    with pytest.raises(FileReadError) as exc:
        read_table(data, filename="gros.csv")
    assert "cellule" in exc.value.message


@pytest.mark.parametrize("raw", ["1e400", "-1e400", float("inf")])
def test_an_infinite_number_is_not_a_number(raw):
    with pytest.raises(NotANumber):
        parse_value(raw)


@pytest.mark.parametrize("year", [1, 1899, 2101, 9999])
def test_a_date_out_of_range_is_refused_in_french(year):
    with pytest.raises(forms.ValidationError) as exc:
        validate_sane_date(datetime.date(year, 1, 1))
    assert "Saisissez une date entre 1900 et 2100" in str(exc.value)


def _has_date_validator(field, model_field=None) -> bool:
    validators = list(getattr(field, "validators", [])) + list(getattr(model_field, "validators", []))
    return validate_sane_date in validators


def test_every_date_field_of_every_form_is_bounded():
    unbounded = []
    for name, form_class in _classes(forms.BaseForm).items():
        model = getattr(getattr(form_class, "_meta", None), "model", None)
        for field_name, field in form_class.base_fields.items():
            if not isinstance(field, forms.DateField | forms.DateTimeField):
                continue
            model_field = None
            if model is not None:
                try:
                    model_field = model._meta.get_field(field_name)
                except Exception:
                    model_field = None
            if not _has_date_validator(field, model_field):
                unbounded.append(f"{name}.{field_name}")
    assert unbounded == []


def test_every_writable_date_field_of_every_serializer_is_bounded():
    unbounded = []
    for name, serializer_class in _classes(serializers.Serializer).items():
        try:
            fields = serializer_class().fields
        except Exception:
            continue
        for field_name, field in fields.items():
            is_date = isinstance(field, serializers.DateField | serializers.DateTimeField)
            if is_date and not field.read_only and not _has_date_validator(field):
                unbounded.append(f"{name}.{field_name}")
    assert unbounded == []


def test_a_meeting_in_year_1_is_refused_and_the_pages_keep_working(login, team, fabrique):
    """On PostgreSQL year 1 was stored as 1 BC and every page showing it answered 500 (make test-postgres)."""
    from fabrique.committees.models import Meeting
    from tests.committees.factories import make_committee, make_meeting

    committee = make_committee(fabrique, team.admin)
    meeting = make_meeting(committee, team.admin)
    client = login(team.admin)
    # when
    create = client.post(
        reverse("backoffice:meeting_create", kwargs={"fabrique_slug": fabrique.slug, "pk": committee.pk}),
        {"date": "0001-01-01T10:00", "place": "Mairie"},
    )
    update = client.post(
        reverse("backoffice:meeting_update", kwargs={"fabrique_slug": fabrique.slug, "pk": meeting.pk}),
        {"date": "0001-06-01T10:00", "place": "Mairie", "status": meeting.status},
    )
    # then
    for response in (create, update):
        assert response.status_code == 200
        assert "Saisissez une date entre 1900 et 2100" in response.content.decode()
    assert list(Meeting.objects.values_list("pk", flat=True)) == [meeting.pk]
    meeting.refresh_from_db()
    assert meeting.date.year > 1900
    detail = reverse("backoffice:meeting_detail", kwargs={"fabrique_slug": fabrique.slug, "pk": meeting.pk})
    assert client.get(detail).status_code == 200
