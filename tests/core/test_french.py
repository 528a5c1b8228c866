"""French throughout: error pages, no English whatever the browser asks, French numbers, the history panel."""

from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from fabrique.core.forms import FrenchDecimalField, FrenchFloatField, parse_french_number
from fabrique.core.text import format_number
from fabrique.directory.services import organization_create, organization_update

EN = {"HTTP_ACCEPT_LANGUAGE": "en-US,en;q=0.9"}
NNBSP = "\u202f"


def test_only_french_is_offered(settings):
    assert [code for code, _ in settings.LANGUAGES] == ["fr"]


@pytest.mark.django_db
def test_404_is_french_in_the_layout_whatever_the_browser_language(client):
    response = client.get("/nulle-part/", **EN)
    assert response.status_code == 404
    body = response.content.decode()
    assert "Page introuvable" in body
    assert 'class="site-header"' in body  # the site's layout
    assert "Not Found" not in body
    assert response["Content-Language"] == "fr"


@pytest.mark.django_db
def test_404_says_the_reason_raised_by_the_view(login, team, other_team):
    client = login(team.admin)
    response = client.get(f"/espace/{other_team.fabrique.slug}/", **EN)
    assert response.status_code == 404
    assert "Fabrique introuvable." in response.content.decode()


@pytest.mark.django_db
def test_403_is_french_with_its_reason(login, team):
    client = login(team.reader)
    url = reverse("backoffice:organization_create", kwargs={"fabrique_slug": team.fabrique.slug})
    response = client.get(url, **EN)
    assert response.status_code == 403
    body = response.content.decode()
    assert "Accès refusé" in body
    assert "Votre rôle ne permet pas cette action." in body
    assert "Forbidden" not in body


@pytest.mark.django_db
def test_400_is_french(client):
    response = client.get("/?q=a%00b", **EN)
    assert response.status_code == 400
    body = response.content.decode()
    assert "Requête incorrecte" in body and "caractère nul" in body
    assert 'class="site-header"' in body


@pytest.mark.django_db
def test_400_on_a_bad_host_says_nothing_technical(client, settings):
    settings.ALLOWED_HOSTS = ["testserver"]
    response = client.get("/", HTTP_HOST="evil.example", **EN)
    assert response.status_code == 400
    body = response.content.decode()
    assert "Requête incorrecte" in body
    assert "evil.example" not in body


@pytest.mark.django_db
def test_500_is_french(settings):
    from fabrique.core.handlers import server_error

    response = server_error(None)
    assert response.status_code == 500
    assert "Une erreur est survenue" in response.content.decode()


@pytest.mark.django_db
def test_csrf_failure_is_french_and_says_why(team):
    client = Client(enforce_csrf_checks=True)
    client.force_login(team.admin, backend="django.contrib.auth.backends.ModelBackend")
    url = reverse("backoffice:organization_create", kwargs={"fabrique_slug": team.fabrique.slug})
    response = client.post(url, {"name": "X"}, **EN)
    assert response.status_code == 403
    body = response.content.decode()
    assert "Formulaire refusé par sécurité" in body
    assert "cookie" in body  # no CSRF cookie was ever set: it says to allow cookies
    assert "CSRF verification failed" not in body and "Forbidden" not in body
    # with the cookie but without the token: the token is named
    client.get(url)
    response = client.post(url, {"name": "X"}, **EN)
    assert response.status_code == 403
    assert "jeton de sécurité" in response.content.decode()


@pytest.mark.django_db
def test_english_browser_gets_french_form_errors_and_months(login, team):
    client = login(team.admin)
    url = reverse("backoffice:organization_create", kwargs={"fabrique_slug": team.fabrique.slug})
    response = client.post(url, {}, **EN)
    body = response.content.decode()
    assert "Ce champ est obligatoire." in body
    assert "This field is required" not in body
    organization = organization_create(
        fabrique=team.fabrique, actor=team.admin, name="Atelier du vélo", kind="association"
    )
    page = client.get(
        reverse(
            "backoffice:organization_detail",
            kwargs={"fabrique_slug": team.fabrique.slug, "pk": organization.pk},
        ),
        **EN,
    ).content.decode()
    months_fr = [
        "janvier",
        "février",
        "mars",
        "avril",
        "mai",
        "juin",
        "juillet",
        "août",
        "septembre",
        "octobre",
        "novembre",
        "décembre",
    ]
    months_en = [
        "January",
        "February",
        "March",
        "April",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ]
    assert any(m in page for m in months_fr)
    assert not any(m in page for m in months_en)


@pytest.mark.parametrize(
    "typed,expected",
    [
        ("15 000,50", Decimal("15000.50")),
        ("15\u00a0000,50", Decimal("15000.50")),
        (f"15{NNBSP}000,50", Decimal("15000.50")),
        ("2,5", Decimal("2.5")),
        ("2.5", Decimal("2.5")),
        ("15 000,50 €", Decimal("15000.50")),
        ("1.234,5", Decimal("1234.5")),
        ("−3,25", Decimal("-3.25")),
        ("1 000 000", Decimal("1000000")),
    ],
)
def test_french_decimal_input_is_accepted(typed, expected):
    field = FrenchDecimalField(max_digits=12, decimal_places=2)
    assert field.clean(typed) == expected


@pytest.mark.parametrize("typed", ["2,5,1", "1,2.3", "douze", "1.23,4"])
def test_ambiguous_or_wrong_numbers_are_refused_in_french(typed):
    field = FrenchDecimalField(max_digits=12, decimal_places=2)
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as excinfo:
        field.clean(typed)
    assert "Saisissez un nombre" in str(excinfo.value)


def test_french_float_input():
    assert FrenchFloatField().clean(f"2{NNBSP}500,75") == 2500.75
    assert parse_french_number("0,5") == "0.5"


def test_french_number_widget_shows_french_numbers():
    field = FrenchDecimalField(max_digits=12, decimal_places=2)
    html = field.widget.render("amount", Decimal("15000.50"))
    assert f'value="15{NNBSP}000,5"' in html
    assert 'type="text"' in html and 'inputmode="decimal"' in html


def test_amounts_display_the_french_way():
    from fabrique.core.templatetags.fabrique_tags import euros, number_fr

    assert euros(Decimal("15000.5")) == f"15{NNBSP}000,50\u00a0€"
    assert euros(0) == "0,00\u00a0€"
    assert number_fr(Decimal("2.5")) == "2,5"
    assert number_fr(3) == "3"
    assert format_number(-1234567.891, decimals=1) == f"-1{NNBSP}234{NNBSP}567,9"


def test_every_decimal_or_float_form_field_of_the_project_reads_french_numbers():
    """Every form of the project: a decimal or float field is a French one (a new form cannot forget)."""
    import importlib
    import inspect
    import pkgutil

    from django import forms

    import fabrique

    offenders = []
    for module_info in pkgutil.walk_packages(fabrique.__path__, "fabrique."):
        if "migrations" in module_info.name or not module_info.name.rsplit(".", 1)[-1].endswith("forms"):
            continue
        module = importlib.import_module(module_info.name)
        for name, cls in inspect.getmembers(module, inspect.isclass):
            if not issubclass(cls, forms.BaseForm) or cls.__module__ != module.__name__:
                continue
            for field_name, field in cls.base_fields.items():
                if isinstance(field, forms.DecimalField | forms.FloatField) and not isinstance(
                    field, FrenchDecimalField | FrenchFloatField
                ):
                    offenders.append(f"{module.__name__}.{name}.{field_name}")
    assert offenders == []


@pytest.mark.django_db
def test_funding_amount_typed_the_french_way_is_saved(login, team):
    from fabrique.support.forms import FundingLineForm

    form = FundingLineForm(data={"amount": f"15{NNBSP}000,50"}, fabrique=team.fabrique)
    form.is_valid()
    assert "amount" not in form.errors
    assert form.cleaned_data["amount"] == Decimal("15000.50")


@pytest.mark.django_db
def test_history_panel_speaks_french(team):
    organization = organization_create(
        fabrique=team.fabrique, actor=team.admin, name="Atelier", kind="association"
    )
    organization_update(organization=organization, actor=team.admin, kind="company")
    from fabrique.audit.selectors import audit_timeline

    entry = audit_timeline(target=organization)[0]
    labels = {label: (old, new) for label, old, new in entry.changes}
    kind_field = type(organization)._meta.get_field("kind")
    choices = dict(kind_field.flatchoices)
    assert labels[str(kind_field.verbose_name)] == (choices["association"], choices["company"])


def test_history_values_dates_and_numbers_are_formatted():
    from fabrique.audit.models import _display

    assert _display(None, "2024-02-01") == "1 février 2024"
    assert _display(None, "2024-02-01T09:30:00+00:00") == "1 février 2024 à 10:30"
    assert _display(None, 2500.5) == f"2{NNBSP}500,5"
    assert _display(None, ["2024-02-01"]) == "1 février 2024"


@pytest.mark.django_db
def test_history_panel_is_collapsed_when_long(login, team):
    organization = organization_create(
        fabrique=team.fabrique, actor=team.admin, name="Atelier", kind="association"
    )
    client = login(team.admin)
    url = reverse(
        "backoffice:organization_detail", kwargs={"fabrique_slug": team.fabrique.slug, "pk": organization.pk}
    )
    body = client.get(url).content.decode()
    assert '<details class="timeline-details" open>' in body
    for i in range(4):
        organization_update(organization=organization, actor=team.admin, name=f"Atelier {i}")
    body = client.get(url).content.decode()
    assert '<details class="timeline-details">' in body
    assert "(5 entrées)" in body
