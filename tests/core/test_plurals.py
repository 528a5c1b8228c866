"""French plural agreement: the catalogue covers every plural message of the code, 0 and 1 take the
singular, and dates never use an ambiguous month abbreviation ("Jui" for both juin and juillet)."""

import datetime
import gettext
import re
from pathlib import Path

import pytest
from django.template import engines
from django.utils import translation
from django.utils.formats import date_format

from fabrique.core import plurals

TEMPLATES_ROOT = Path(plurals.PACKAGE_DIR)


def test_every_plural_message_of_the_code_is_in_the_french_catalogue():
    """Fails when a new ngettext / {% blocktranslate count %} is not in django.po, or the .mo lags."""
    assert plurals.problems() == []


def test_the_catalogue_says_the_french_plural_rule():
    header, messages = plurals.read_po()
    assert "Plural-Forms: nplurals=2; plural=(n > 1);" in header
    with plurals.MO_PATH.open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    assert len(messages) >= 60
    singular = "%(n)s signalement"
    assert [compiled.ngettext(singular, "%(n)s signalements", n) for n in (0, 1, 2)] == [
        singular,
        singular,
        "%(n)s signalements",
    ]


def _fake_package(root: Path, monkeypatch) -> None:
    (root / "app").mkdir(parents=True)
    (root / "app" / "things.py").write_text(
        "from django.utils.translation import ngettext, npgettext\n"
        "A = ngettext('%(n)s chose', '%(n)s choses', 2)\n"
        "B = npgettext('outil', '%(n)s clé', '%(n)s clés', 2)\n",
        encoding="utf-8",
    )
    (root / "templates").mkdir()
    (root / "templates" / "page.html").write_text(
        "{% load i18n %}<p>\n{% blocktranslate count counter=n %}{{ counter }} pomme{% plural %}"
        "{{ counter }} pommes{% endblocktranslate %}</p>",
        encoding="utf-8",
    )
    catalogue = root / "locale" / "fr" / "LC_MESSAGES"
    monkeypatch.setattr(plurals, "PACKAGE_DIR", root)
    monkeypatch.setattr(plurals, "CATALOGUE_DIR", catalogue)
    monkeypatch.setattr(plurals, "PO_PATH", catalogue / "django.po")
    monkeypatch.setattr(plurals, "MO_PATH", catalogue / "django.mo")


def test_the_check_names_each_plural_message_missing_from_the_catalogue(tmp_path, monkeypatch):
    _fake_package(tmp_path / "fabrique", monkeypatch)
    assert set(plurals.extract()) == {
        (None, "%(n)s chose"),
        ("outil", "%(n)s clé"),
        (None, "%(counter)s pomme"),
    }
    errors = plurals.problems()
    assert any("fabrique/app/things.py:2" in e and "%(n)s chose" in e for e in errors)
    assert any("fabrique/app/things.py:3" in e and "%(n)s clé" in e for e in errors)
    assert any("fabrique/templates/page.html:2" in e and "%(counter)s pomme" in e for e in errors)


def test_rebuilding_fills_the_catalogue_and_keeps_forms_written_by_hand(tmp_path, monkeypatch):
    _fake_package(tmp_path / "fabrique", monkeypatch)
    plurals.CATALOGUE_DIR.mkdir(parents=True)
    po, mo = plurals.build()
    plurals.PO_PATH.write_text(
        po.replace('msgstr[0] "%(n)s chose"', 'msgstr[0] "%(n)s objet"'), encoding="utf-8"
    )
    plurals.MO_PATH.write_bytes(mo)
    assert plurals.problems() == [
        f"{plurals.MO_PATH.name} is not compiled from django.po: run `fabrique plural_catalogue`"
    ]
    po, mo = plurals.build()
    assert 'msgstr[0] "%(n)s objet"' in po
    plurals.PO_PATH.write_text(po, encoding="utf-8")
    plurals.MO_PATH.write_bytes(mo)
    assert plurals.problems() == []
    compiled = gettext.GNUTranslations(plurals.MO_PATH.open("rb"))
    assert compiled.ngettext("%(n)s chose", "%(n)s choses", 1) == "%(n)s objet"
    assert compiled.npgettext("outil", "%(n)s clé", "%(n)s clés", 0) == "%(n)s clé"


def test_a_plural_text_that_is_not_a_literal_is_refused(tmp_path, monkeypatch):
    _fake_package(tmp_path / "fabrique", monkeypatch)
    (tmp_path / "fabrique" / "app" / "bad.py").write_text(
        "from django.utils.translation import ngettext\nT = 'x'\nA = ngettext(T, 'y', 2)\n", encoding="utf-8"
    )
    with pytest.raises(plurals.CatalogueError, match="bad.py:3"):
        plurals.extract()


@pytest.mark.parametrize(
    ("n", "text"), [(0, "0 besoin"), (1, "1 besoin"), (2, "2 besoins"), (1000, "1000 besoins")]
)
def test_blocktranslate_count_follows_the_french_rule(n, text):
    template = engines["django"].from_string(
        "{% load i18n %}{% blocktranslate count counter=n %}{{ counter }} besoin{% plural %}"
        "{{ counter }} besoins{% endblocktranslate %}"
    )
    with translation.override("fr"):
        assert template.render({"n": n}) == text


def test_django_own_messages_keep_their_plurals():
    """Django's French catalogue has three forms; ours has two: both work side by side."""
    with translation.override("fr"):
        assert translation.ngettext("%(size)d byte", "%(size)d bytes", 0) % {"size": 0} == "0 octet"
        assert translation.ngettext("%(size)d byte", "%(size)d bytes", 5) % {"size": 5} == "5 octets"


# --- months -----------------------------------------------------------------------------------------

_DATE_FILTER = re.compile(r"""\|date:(?:"([^"]*)"|'([^']*)')""")
_FORMAT_CALL = re.compile(r"""date_format\([^,]+,\s*(?:"([^"]*)"|'([^']*)')""")


def _unescaped(fmt: str) -> str:
    return re.sub(r"\\.", "", fmt)


def test_no_page_uses_an_ambiguous_month_abbreviation():
    """Django's French "M" and "b" give "Jui"/"jui" for June (and "Jul" for July): "N" ("juin", "juil.")
    or "F" (the full name) only."""
    offenders = []
    for path in sorted(TEMPLATES_ROOT.rglob("*")):
        if path.suffix not in {".html", ".txt", ".py"} or "migrations" in path.parts:
            continue
        source = path.read_text(encoding="utf-8")
        for match in [*_DATE_FILTER.finditer(source), *_FORMAT_CALL.finditer(source)]:
            fmt = _unescaped(match[1] if match[1] is not None else match[2])
            if "M" in fmt or "b" in fmt:
                offenders.append(f"{path.relative_to(TEMPLATES_ROOT)}: {match[0]}")
    assert offenders == []


def test_french_month_abbreviations_are_unambiguous():
    with translation.override("fr"):
        june, july = datetime.date(2026, 6, 3), datetime.date(2026, 7, 3)
        assert date_format(june, "j N Y") == "3 juin 2026"
        assert date_format(july, "j N Y") == "3 juil. 2026"
        abbreviations = [date_format(datetime.date(2026, m, 1), "N") for m in range(1, 13)]
        assert len(set(abbreviations)) == 12
