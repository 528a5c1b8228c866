"""The French plural catalogue: fabrique/locale/fr/LC_MESSAGES/django.po and its compiled django.mo.

The platform's texts are written in French, so gettext has nothing to translate except one thing:
plural forms. A message missing from every catalogue falls back to the English rule (n != 1 takes
the plural), which prints "0 besoins" where French says "0 besoin". French takes the singular for 0
and 1 (`Plural-Forms: nplurals=2; plural=(n > 1);`), so every plural message of the code
(`ngettext`/`npgettext` in Python, `{% blocktranslate count %}` in templates) has an entry in this
catalogue, its two forms copied from the code unless someone wrote other forms in the .po.

`fabrique plural_catalogue` rebuilds both files from the code (keeping forms edited by hand);
`fabrique plural_catalogue --check` fails when they lag behind it. The .mo is committed (see
docs/decisions.md): compiled here in pure Python, so installing needs no gettext tools.
"""

from __future__ import annotations

import ast
import gettext
import io
import re
import struct
from dataclasses import dataclass, field
from pathlib import Path

from django.utils.translation.template import templatize

PACKAGE_DIR = Path(__file__).resolve().parent.parent  # fabrique/
CATALOGUE_DIR = PACKAGE_DIR / "locale" / "fr" / "LC_MESSAGES"
PO_PATH = CATALOGUE_DIR / "django.po"
MO_PATH = CATALOGUE_DIR / "django.mo"
PLURAL_FORMS = "nplurals=2; plural=(n > 1);"
HEADER = (
    "Project-Id-Version: fabrique\n"
    "Language: fr\n"
    "MIME-Version: 1.0\n"
    "Content-Type: text/plain; charset=UTF-8\n"
    "Content-Transfer-Encoding: 8bit\n"
    f"Plural-Forms: {PLURAL_FORMS}\n"
)
PYTHON_FUNCTIONS = {"ngettext": 0, "ngettext_lazy": 0, "npgettext": 1, "npgettext_lazy": 1}
TEMPLATE_SUFFIXES = {".html", ".txt"}
_STRING = r"""u?(?:'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*")"""
_TEMPLATE_CALL = re.compile(
    rf" (?:npgettext\((?P<ctx>{_STRING}), (?P<s1>{_STRING}), (?P<p1>{_STRING}),count\)"
    rf"|ngettext\((?P<s2>{_STRING}), (?P<p2>{_STRING}), count\)) "
)


@dataclass
class Message:
    context: str | None
    singular: str
    plural: str
    forms: tuple[str, str] = ("", "")
    references: list[str] = field(default_factory=list)

    @property
    def key(self) -> tuple[str | None, str]:
        return (self.context, self.singular)


class CatalogueError(Exception):
    pass


def _add(found: dict[tuple[str | None, str], Message], message: Message, reference: str) -> None:
    known = found.get(message.key)
    if known is None:
        message.references = [reference]
        found[message.key] = message
    elif known.plural != message.plural:
        raise CatalogueError(
            f"{reference}: the singular {message.singular!r} has two plurals "
            f"({known.plural!r} at {known.references[0]}, {message.plural!r})"
        )
    else:
        known.references.append(reference)


def _python_files() -> list[Path]:
    return sorted(
        p for p in PACKAGE_DIR.rglob("*.py") if "migrations" not in p.parts and "locale" not in p.parts
    )


def _template_files() -> list[Path]:
    return sorted(
        p
        for directory in PACKAGE_DIR.rglob("templates")
        if directory.is_dir()
        for p in directory.rglob("*")
        if p.suffix in TEMPLATE_SUFFIXES and p.is_file()
    )


def _function_name(node: ast.expr) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return ""


def extract() -> dict[tuple[str | None, str], Message]:
    """Every plural message of the code and templates, keyed by (context, singular)."""
    found: dict[tuple[str | None, str], Message] = {}
    for path in _python_files():
        relative = path.relative_to(PACKAGE_DIR.parent).as_posix()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            if not isinstance(node, ast.Call):
                continue
            name = _function_name(node.func)
            if name not in PYTHON_FUNCTIONS:
                continue
            first = PYTHON_FUNCTIONS[name]
            texts = node.args[: first + 2]
            if len(texts) < first + 2 or not all(
                isinstance(a, ast.Constant) and isinstance(a.value, str) for a in texts
            ):
                raise CatalogueError(
                    f"{relative}:{node.lineno}: {name}() with a text that is not a literal string "
                    "cannot be put in the catalogue"
                )
            values = [str(a.value) for a in texts if isinstance(a, ast.Constant)]
            context = values[0] if first else None
            _add(found, Message(context, values[first], values[first + 1]), f"{relative}:{node.lineno}")
    for path in _template_files():
        relative = path.relative_to(PACKAGE_DIR.parent).as_posix()
        source = path.read_text(encoding="utf-8")
        if "count" not in source:
            continue
        code = templatize(source, origin=str(path))
        for match in _TEMPLATE_CALL.finditer(code):
            if match["s1"]:
                context = ast.literal_eval(match["ctx"])
                singular, plural = ast.literal_eval(match["s1"]), ast.literal_eval(match["p1"])
            else:
                context = None
                singular, plural = ast.literal_eval(match["s2"]), ast.literal_eval(match["p2"])
            line = 1 + code.count("\n", 0, match.start())  # templatize keeps the template's lines
            _add(found, Message(context, singular, plural), f"{relative}:{line}")
    return found


# --- .po reading and writing --------------------------------------------------------------------

_PO_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\t": "\\t", "\r": "\\r"}
_PO_UNESCAPE = re.compile(r"\\(.)")
_PO_UNESCAPES = {"n": "\n", "t": "\t", "r": "\r", "\\": "\\", '"': '"'}


def _po_string(text: str) -> str:
    return '"' + "".join(_PO_ESCAPES.get(c, c) for c in text) + '"'


def _po_unquote(literal: str) -> str:
    literal = literal.strip()
    if len(literal) < 2 or literal[0] != '"' or literal[-1] != '"':
        raise CatalogueError(f"not a quoted .po string: {literal!r}")
    return _PO_UNESCAPE.sub(lambda m: _PO_UNESCAPES.get(m[1], m[1]), literal[1:-1])


def read_po(path: Path | None = None) -> tuple[str, dict[tuple[str | None, str], Message]]:
    """The header and the plural messages of a .po file (singular-only entries are ignored)."""
    path = path or PO_PATH
    header = ""
    messages: dict[tuple[str | None, str], Message] = {}
    if not path.exists():
        return header, messages

    def flush(entry: dict[str, str]) -> None:
        nonlocal header
        if "msgid" not in entry:
            return
        if entry["msgid"] == "" and "msgctxt" not in entry:
            header = entry.get("msgstr", "")
        elif "msgid_plural" in entry:
            message = Message(
                entry.get("msgctxt"),
                entry["msgid"],
                entry["msgid_plural"],
                (entry.get("msgstr[0]", ""), entry.get("msgstr[1]", "")),
            )
            messages[message.key] = message

    entry: dict[str, str] = {}
    current = ""
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            if not line and entry:
                flush(entry)
                entry, current = {}, ""
            continue
        if line.startswith('"'):
            entry[current] += _po_unquote(line)
            continue
        keyword, _, rest = line.partition(" ")
        if keyword in entry or (keyword == "msgctxt" and entry):
            flush(entry)
            entry = {}
        current = keyword
        entry[current] = _po_unquote(rest)
    flush(entry)
    return header, messages


def render_po(messages: dict[tuple[str | None, str], Message]) -> str:
    lines = [
        "# French catalogue of Fabrique: only the plural forms (the texts are written in French).",
        "# Rebuilt by `fabrique plural_catalogue` (see fabrique/core/plurals.py); forms edited here are kept.",
        'msgid ""',
        'msgstr ""',
        *(_po_string(line + "\n") for line in HEADER.splitlines()),
        "",
    ]
    for message in sorted(messages.values(), key=lambda m: (m.references[:1], m.context or "", m.singular)):
        lines.extend(f"#: {reference}" for reference in message.references)
        if message.context is not None:
            lines.append(f"msgctxt {_po_string(message.context)}")
        lines.append(f"msgid {_po_string(message.singular)}")
        lines.append(f"msgid_plural {_po_string(message.plural)}")
        lines.append(f"msgstr[0] {_po_string(message.forms[0])}")
        lines.append(f"msgstr[1] {_po_string(message.forms[1])}")
        lines.append("")
    return "\n".join(lines)


# --- .mo compilation ----------------------------------------------------------------------------


def compile_mo(header: str, messages: dict[tuple[str | None, str], Message]) -> bytes:
    """A GNU .mo file (little-endian, no hash table), as msgfmt would write it."""
    pairs: list[tuple[bytes, bytes]] = [(b"", header.encode())]
    for m in messages.values():
        if not all(m.forms):
            continue  # untranslated: left out, as msgfmt does
        key = (f"{m.context}\x04" if m.context is not None else "") + f"{m.singular}\x00{m.plural}"
        pairs.append((key.encode(), "\x00".join(m.forms).encode()))
    pairs.sort()
    count = len(pairs)
    keys_start = 7 * 4
    values_start = keys_start + count * 8
    data_start = values_start + count * 8
    key_table: list[tuple[int, int]] = []
    value_table: list[tuple[int, int]] = []
    data = b""
    for original, _translation in pairs:
        key_table.append((len(original), data_start + len(data)))
        data += original + b"\x00"
    for _original, translation in pairs:
        value_table.append((len(translation), data_start + len(data)))
        data += translation + b"\x00"
    out = struct.pack("<7I", 0x950412DE, 0, count, keys_start, values_start, 0, 0)
    out += b"".join(struct.pack("<2I", *e) for e in key_table)
    out += b"".join(struct.pack("<2I", *e) for e in value_table)
    return out + data


def merged() -> dict[tuple[str | None, str], Message]:
    """The code's plural messages, with the forms the .po already gives them (new ones: the code's)."""
    _, existing = read_po()
    messages = extract()
    for key, message in messages.items():
        known = existing.get(key)
        if known is not None and known.plural == message.plural and all(known.forms):
            message.forms = known.forms
        else:
            message.forms = (message.singular, message.plural)
    return messages


def build() -> tuple[str, bytes]:
    messages = merged()
    return render_po(messages), compile_mo(HEADER, messages)


def problems() -> list[str]:
    """What the committed catalogue lacks or gets wrong compared with the code (empty when in step)."""
    errors: list[str] = []
    header, in_po = read_po()
    if f"Plural-Forms: {PLURAL_FORMS}" not in header:
        errors.append(f"{PO_PATH.name}: the header must say 'Plural-Forms: {PLURAL_FORMS}'")
    code = extract()
    for key, message in code.items():
        known = in_po.get(key)
        where = message.references[0]
        if known is None:
            errors.append(f"{where}: plural message missing from the catalogue: {message.singular!r}")
        elif known.plural != message.plural:
            errors.append(f"{where}: the catalogue has another plural for {message.singular!r}")
        elif not all(known.forms):
            errors.append(f"{where}: untranslated in the catalogue: {message.singular!r}")
    if not MO_PATH.exists():
        errors.append(f"{MO_PATH.name} is missing: run `fabrique plural_catalogue`")
        return errors
    with MO_PATH.open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    with_forms = {k: m for k, m in in_po.items() if all(m.forms)}
    expected = gettext.GNUTranslations(io.BytesIO(compile_mo(header, with_forms)))
    if compiled._catalog != expected._catalog:  # type: ignore[attr-defined]
        errors.append(f"{MO_PATH.name} is not compiled from {PO_PATH.name}: run `fabrique plural_catalogue`")
    return errors
