"""Translation catalogs for translators: extract, init, update, compile, check, stats.

The gettext files live in ``locales/``: ``messages.pot`` (every English
string: templates, packet wording built in Python, and the texts of the
bundled risk tables) and ``<lang>/LC_MESSAGES/messages.po`` edited by
translators in Poedit, Weblate or any PO editor. Compiled ``messages.mo``
files are committed beside them, so an installed consent needs no build step,
and ``check`` (and the tests) fail when one is older than its ``.po``.

Each catalog says in its header comment whether it is complete (every entry
must then be translated) and who reviewed it, and when::

    # Complete: yes
    # Reviewed-By: Dr. Ana López, medical interpreter
    # Reviewed-On: 2026-12-01

(Header comments survive Babel, Poedit and ``consent locales update``; custom
``X-`` header fields would not.) Packets from an unreviewed catalog carry a
banner.
"""

from __future__ import annotations

import datetime as dt
import gettext
import hashlib
import io
import os
import re
import shutil
import subprocess
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from babel import Locale
from babel.messages.catalog import Catalog, Message
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.plurals import get_plural
from babel.messages.pofile import normalize, read_po, unescape, write_po

from . import __version__
from .errors import ConsentError, InputError
from .i18n import CONTENT_HEADER, SOURCE_HEADER, content_digest
from .resources import locales_dir, tables_dir, templates_dir
from .yamlfile import parse_yaml

DOMAIN = "messages"
POT_NAME = f"{DOMAIN}.pot"
# A fixed creation date keeps messages.pot from changing when no string did.
_POT_DATE = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)

# The texts of a risk table a patient reads, by where they sit in the file.
_TABLE_TEXTS = ("title", "procedure", "population")
_TABLE_LISTS = ("indications", "differences", "alternatives", "preparation")
_OPTION_TEXTS = ("label", "people")
_OUTCOME_TEXTS = ("label", "event", "non_event", "timeframe", "note")


def extract_risk_table(
    fileobj: Any, keywords: Any, comment_tags: Any, options: Any
) -> Iterator[tuple[int, None, str, list[str]]]:
    """Babel extractor for risk table YAML files (``consent.catalogs:extract_risk_table``)."""
    name = getattr(fileobj, "name", "risk table")
    doc = parse_yaml(fileobj.read().decode("utf-8"), str(name))
    data = doc.data if isinstance(doc.data, dict) else {}

    def found(path: str, value: Any, hint: str) -> Iterator[tuple[int, None, str, list[str]]]:
        if isinstance(value, str) and value.strip():
            yield doc.line_of(path), None, value.strip(), [f"risk table {path}: {hint}"]

    for key in _TABLE_TEXTS:
        yield from found(key, data.get(key), "a heading or phrase")
    for key in _TABLE_LISTS:
        for index, item in enumerate(data.get(key) or []):
            yield from found(f"{key}[{index}]", item, "one item of a list")
    for option, entry in (data.get("options") or {}).items():
        for key in _OPTION_TEXTS:
            hint = "who the numbers are about, after 'Of'" if key == "people" else "a choice"
            yield from found(f"options.{option}.{key}", (entry or {}).get(key), hint)
    hints = {
        "label": "a short heading, in lower case",
        "event": "a verb phrase after 'about 5 in 100'",
        "non_event": "a verb phrase after 'about 95 in 100'",
        "timeframe": "when, at the end of a sentence",
        "note": "a sentence",
    }
    for index, outcome in enumerate(data.get("outcomes") or []):
        if not isinstance(outcome, dict):
            continue
        for key in _OUTCOME_TEXTS:
            yield from found(f"outcomes[{index}].{key}", outcome.get(key), hints[key])
        for option, value in (outcome.get("values") or {}).items():
            if isinstance(value, dict):
                where = f"outcomes[{index}].values.{option}.people"
                yield from found(where, value.get("people"), "who the numbers are about")


def extract() -> Catalog:
    """Every translatable English string: Python wording, templates, bundled tables."""
    catalog = Catalog(
        project="consent",
        version=__version__,
        creation_date=_POT_DATE,
        revision_date=_POT_DATE,
        fuzzy=False,
        header_comment="# Translatable strings of consent: packet wording, templates, risk tables.",
    )
    sources = [
        (Path(__file__).parent, [("**.py", "python")], {}),
        (
            templates_dir(),
            [("**.j2", "jinja2.ext:babel_extract")],
            {"**.j2": {"extensions": "jinja2.ext.i18n", "silent": "false"}},
        ),
        (tables_dir(), [("**.yaml", "consent.catalogs:extract_risk_table")], {}),
    ]
    for folder, method_map, options in sources:
        for filename, lineno, message, comments, context in extract_from_dir(
            folder, method_map, options, keywords={"gettext": None, "ngettext": (1, 2), "_": None}
        ):
            location = (f"{folder.name}/{filename}", lineno)
            added = catalog.add(message, None, [location], auto_comments=comments, context=context)
            if folder == tables_dir() and added is not None:
                # Printed as written, never %-filled: Babel would take "60% of" for a
                # format, and msgfmt would then refuse the "60 %" of a translation.
                added.flags.discard("python-format")
    return catalog


def pot_path(root: Path | None = None) -> Path:
    return (root or locales_dir()) / POT_NAME


def po_path(lang: str, root: Path | None = None) -> Path:
    return (root or locales_dir()) / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


def catalog_locales(root: Path | None = None) -> list[str]:
    """Languages that have a .po file."""
    root = root or locales_dir()
    return sorted(p.parent.parent.name for p in root.glob(f"*/LC_MESSAGES/{DOMAIN}.po"))


def write_catalog(catalog: Catalog, path: Path) -> None:
    # Babel wraps a long previous msgid ("#| msgid") as one comment, cutting it
    # mid-string where msgfmt refuses the file ("end-of-line within string"), so
    # Babel writes a short marker and the marker is replaced by lines written here.
    previous = {}
    for index, message in enumerate(catalog):
        if message.previous_id:
            marker = f"@consent-previous-{index}@"
            previous[marker] = (message, message.previous_id)
            message.previous_id = [f"{marker}{n}" for n in range(len(message.previous_id))]
    buffer = io.BytesIO()
    # Obsolete entries are dropped: git keeps the history, translators a clean file.
    write_po(
        buffer, catalog, width=100, sort_output=True, include_previous=True, ignore_obsolete=True
    )
    text = buffer.getvalue().decode(catalog.charset)
    for marker, (message, ids) in previous.items():
        message.previous_id = ids
        for n, (keyword, value) in enumerate(zip(("msgid", "msgid_plural"), ids, strict=False)):
            lines = f"#| {keyword} {normalize(value, prefix='#| ', width=100)}"
            text = text.replace(f'#| {keyword} "{marker}{n}"', lines, 1)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode(catalog.charset))


def read_catalog(path: Path, lang: str | None = None, data: bytes | None = None) -> Catalog:
    """Parse a .po file (or ``data``, its bytes when the caller has them already)."""
    lang = lang.replace("-", "_") if lang else None  # Babel wants pt_BR, not pt-BR
    try:
        data = path.read_bytes() if data is None else data
    except FileNotFoundError:
        raise InputError(f"{path} does not exist") from None
    if data.startswith(b"\xef\xbb\xbf"):
        # Babel and msgfmt both stumble on it at "line 0"; say what it is.
        raise ConsentError(
            f"{path}: not a valid PO file (it starts with a UTF-8 byte order mark, BOM;"
            " save it as UTF-8 without BOM)"
        )
    try:
        catalog = read_po(io.BytesIO(data), locale=lang, abort_invalid=True)
    except Exception as error:  # Babel raises plain exceptions for bad PO syntax
        raise ConsentError(f"{path}: not a valid PO file ({error})") from None
    for message in catalog:
        _previous_from_comments(message)
    return catalog


def _previous_from_comments(message: Message) -> None:
    """Babel reads a previous msgid written over several lines (``#| msgid ""`` then
    ``#| "..."``, as ``write_catalog`` and msgmerge write long ones) as translator
    comments, and writes them back rewrapped into junk: read them as the
    previous msgid instead."""
    lines = [c[2:] for c in message.user_comments if c.startswith("| ")]
    if not lines:
        return
    parts: dict[str, str] = {}
    keyword = None
    for line in lines:
        head, _, rest = line.partition(" ")
        if head in ("msgid", "msgid_plural", "msgctxt"):
            keyword, line = head, rest
        if keyword is not None and line.startswith('"'):
            parts[keyword] = parts.get(keyword, "") + unescape(line)
    message.user_comments = [c for c in message.user_comments if not c.startswith("| ")]
    if "msgid" in parts:
        previous = [parts["msgid"]] + ([parts["msgid_plural"]] if "msgid_plural" in parts else [])
        message.previous_id = previous


def write_pot(root: Path | None = None) -> Path:
    path = pot_path(root)
    write_catalog(extract(), path)
    return path


STATUS_COMMENT = """\
# Translations of consent's packets into LANGUAGE.
#
# Status, read by 'consent locales check' and printed on packets:
# Complete: no
# Reviewed-By:
# Reviewed-On:"""


# What translators type while a review is still to come; it must not count as one.
_NOT_A_REVIEWER = re.compile(
    r"\b(todo|tbd|fixme|xxx|n/?a|none|nobody|pending|unknown|not (yet )?reviewed|"
    r"your name|(reviewer'?s? )?name)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class ReviewStatus:
    complete: bool
    reviewed_by: str
    reviewed_on: str

    def problems(self, today: dt.date | None = None) -> list[str]:
        """Why review marks that are filled in do not count (none when both are blank),
        each starting with the field at fault."""
        if not (self.reviewed_by or self.reviewed_on):
            return []
        found = []
        if not self.reviewed_by:
            found.append("Reviewed-By is empty while Reviewed-On is filled in")
        elif _NOT_A_REVIEWER.search(self.reviewed_by) or not any(
            c.isalpha() for c in self.reviewed_by
        ):
            found.append(f"Reviewed-By {self.reviewed_by!r} is a placeholder, not a reviewer")
        if not self.reviewed_on:
            found.append("Reviewed-On is empty while Reviewed-By is filled in")
        else:
            try:
                if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", self.reviewed_on):
                    raise ValueError
                day = dt.date.fromisoformat(self.reviewed_on)
            except ValueError:
                found.append(f"Reviewed-On {self.reviewed_on!r} is not a date (YYYY-MM-DD)")
            else:
                if day > (today or dt.date.today()):
                    found.append(f"Reviewed-On {self.reviewed_on} is in the future")
        return found

    @property
    def reviewed(self) -> bool:
        """A reviewer's name and a review date, both believable."""
        return bool(self.reviewed_by and self.reviewed_on) and not self.problems()


def review_status(po: Path) -> ReviewStatus:
    """The status lines of a catalog's header comment (see the module docstring)."""
    fields = {"complete": "", "reviewed-by": "", "reviewed-on": ""}
    try:
        text = po.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        text = ""
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        name, _, value = line.lstrip("# ").partition(":")
        if name.strip().lower() in fields:
            fields[name.strip().lower()] = value.strip()
    return ReviewStatus(
        fields["complete"].lower() == "yes", fields["reviewed-by"], fields["reviewed-on"]
    )


def init(lang: str, root: Path | None = None) -> Path:
    """Start a catalog for ``lang`` from messages.pot, marked unreviewed and incomplete."""
    try:
        Locale.parse(lang, sep="-")
    except (ValueError, TypeError, Exception):
        raise InputError(f"{lang!r} is not a language Babel knows (try es, ar, pl)") from None
    path = po_path(lang, root)
    if path.exists():
        raise InputError(f"{path} already exists; use 'consent locales update'")
    template = read_catalog(pot_path(root))
    catalog = Catalog(
        locale=lang.replace("-", "_"),
        project="consent",
        version=__version__,
        creation_date=_POT_DATE,
        fuzzy=False,
        header_comment=STATUS_COMMENT.replace(
            "LANGUAGE", Locale.parse(lang, sep="-").english_name or lang
        ),
    )
    for message in template:
        if message.id:
            catalog.add(message.id, None, message.locations, auto_comments=message.auto_comments)
    write_catalog(catalog, path)
    return path


def update(root: Path | None = None) -> list[Path]:
    """Merge messages.pot into every catalog: new strings added, changed ones marked fuzzy."""
    template = read_catalog(pot_path(root))
    written = []
    for lang in catalog_locales(root):
        path = po_path(lang, root)
        catalog = read_catalog(path, lang)
        # Babel keeps a previous msgid only in the round that made the entry fuzzy;
        # the translator still needs it until the entry is done.
        previous = {m.id: m.previous_id for m in catalog if m.fuzzy and m.previous_id}
        catalog.update(template, no_fuzzy_matching=False, update_header_comment=False)
        for message in catalog:
            if not message.fuzzy:
                continue
            # The English the translation was made from, however many times the
            # English changed since: Babel would name the last version instead.
            last = message.previous_id[0] if message.previous_id else message.id
            if last in previous:
                message.previous_id = previous[last]
        write_catalog(catalog, path)
        written.append(path)
    return written


def compile_catalogs(root: Path | None = None) -> list[Path]:
    """Write messages.mo beside every messages.po (fuzzy entries are left out).

    A catalog that would print a wrong or broken sentence (see ``check``) stops
    the whole compile before anything is written: its old .mo stays, and
    ``check`` says it is out of date.
    """
    for lang in catalog_locales(root):
        wrong = [p for p in check(lang, root) if p.wrong_text]
        if wrong:
            more = f" (and {len(wrong) - 1} more; run check)" if len(wrong) > 1 else ""
            raise ConsentError(f"not compiled: {wrong[0]}{more}")
    written = []
    for lang in catalog_locales(root):
        path = po_path(lang, root)
        mo = path.with_suffix(".mo")
        mo.write_bytes(compiled_bytes(path, lang))
        written.append(mo)
    return written


class _Stamped:
    """A catalog as ``write_mo`` reads it (its entries and charset), with the source
    digest added to the header entry; Babel's Catalog drops header fields it does
    not know."""

    def __init__(self, catalog: Catalog, sha256: str) -> None:
        self.charset = catalog.charset
        header, *messages = catalog
        # Babel would write an untranslated plural entry with the English as its
        # forms, which would then hide a fallback catalog's translation (es-MX, es).
        self.messages = [m for m in messages if any(_forms(m.string))]
        header.string = f"{str(header.string).rstrip(chr(10))}\n{SOURCE_HEADER}: {sha256}\n"
        self.header = header
        self.messages.insert(0, header)

    def add_to_header(self, line: str) -> None:
        self.header.string = f"{self.header.string}{line}\n"

    def __iter__(self) -> Iterator[Message]:
        return iter(self.messages)


def compiled_bytes(path: Path, lang: str) -> bytes:
    """The .mo that ``compile`` writes for ``path``, stamped with the digest of its bytes."""
    data = path.read_bytes()
    stamped = _Stamped(read_catalog(path, lang, data), hashlib.sha256(data).hexdigest())
    # Written twice: the second time with the digest of the entries as gettext
    # reads them from the first (``i18n.content_digest``).
    first = io.BytesIO()
    write_mo(first, stamped, use_fuzzy=False)  # type: ignore[arg-type]
    first.seek(0)
    entries = gettext.GNUTranslations(first)._catalog  # type: ignore[attr-defined]
    stamped.add_to_header(f"{CONTENT_HEADER}: {content_digest(entries)}")
    buffer = io.BytesIO()
    write_mo(buffer, stamped, use_fuzzy=False)  # type: ignore[arg-type]
    return buffer.getvalue()


# --- check and stats -------------------------------------------------------------

# %% is a literal percent sign: "%%(num)s" prints "%(num)s", it fills in nothing.
_PLACEHOLDER = re.compile(r"%%|%\((\w+)\)[sd]|\{(\w+)\}")
_MARKUP = re.compile(r"[<>]|&[a-z#0-9]+;")
# Translations are text: template syntax in one is printed as it stands.
_TEMPLATE_SYNTAX = re.compile(r"\{[{%#]")
# Embeddings and overrides (LRE, RLE, PDF, LRO, RLO) reorder the digits of a
# number inside them: "25" can print as "52". The isolates (U+2066-2069) do not.
_BIDI_CONTROLS = re.compile("[\u202a-\u202e]")


@dataclass(frozen=True)
class Problem:
    path: Path
    line: int
    message: str
    error: bool
    wrong_text: bool = False
    """The catalog would print a wrong or broken sentence (bad syntax, placeholders,
    plural forms, markup): ``compile`` refuses it."""

    def __str__(self) -> str:
        kind = "error" if self.error else "warning"
        return f"{self.path}:{self.line}: {kind}: {self.message}"


def placeholders(text: str) -> list[str]:
    return sorted(a or b for a, b in _PLACEHOLDER.findall(text) if a or b)


def check(lang: str, root: Path | None = None) -> list[Problem]:
    """Every problem of one catalog, each with file and line."""
    path = po_path(lang, root)
    try:
        catalog = read_catalog(path, lang)
    except ConsentError as error:
        line = re.search(r" on (\d+)\)$", str(error))
        return [Problem(path, int(line.group(1)) if line else 1, str(error), True)]
    template = read_catalog(pot_path(root))
    status = review_status(path)
    complete = status.complete
    changed = _with_previous_msgid(path)
    problems: list[Problem] = []

    def add(
        message: Message | int | None, text: str, error: bool, wrong_text: bool = False
    ) -> None:
        line = message if isinstance(message, int) else getattr(message, "lineno", None) or 1
        problems.append(Problem(path, line, text, error, wrong_text))

    problems.extend(_unclosed_strings(path))
    problems.extend(_bidi_controls(path))
    problems.extend(_msgfmt_problems(path))
    for text in status.problems():
        add(
            _line_of(path, text.split()[0] + ":"),
            f"{text}: the catalog counts as not reviewed",
            True,
        )
    if catalog.charset.lower() not in ("utf-8", "utf8"):
        add(
            _line_of(path, "Content-Type:"),
            f"the charset is {catalog.charset}, but catalogs must be UTF-8 (save the file "
            "as UTF-8 and declare charset=UTF-8)",
            True,
            True,
        )
        return problems  # every string was read wrongly: what else is found is noise

    single_number_forms = _single_number_forms(catalog.plural_expr)
    cldr = get_plural(lang.replace("-", "_"))
    if catalog.num_plurals != cldr.num_plurals:
        add(
            None,
            f"Plural-Forms has {catalog.num_plurals} forms; "
            f"CLDR says {lang} has {cldr.num_plurals}",
            True,
            True,
        )
    else:
        for text in _plural_rule_problems(catalog.plural_expr, cldr.plural_expr, cldr.num_plurals):
            add(None, text, True, True)

    for message in catalog:
        if not message.id:
            continue
        sources = _forms(message.id)
        key = sources[0]
        if template.get(message.id) is None:
            add(message, f"stale: {key!r} is no longer in messages.pot (run update)", True)
        if key in changed:
            add(message, f"stale: the English of {key!r} changed since it was translated", True)
        if message.fuzzy:
            add(message, f"fuzzy: {key!r} needs a translator's check", complete)
        strings = _forms(message.string)
        if not any(strings):
            add(message, f"missing: {key!r} is not translated", complete)
            continue
        if message.pluralizable and len(strings) != catalog.num_plurals:
            add(
                message,
                f"{key!r} has {len(strings)} plural forms; the catalog needs {catalog.num_plurals}",
                True,
                True,
            )
        wanted = placeholders(sources[-1])
        table_text = bool(message.locations) and all(
            file.startswith("risk_tables/") for file, _ in message.locations
        )
        for index, translated in enumerate(strings):
            if not translated:
                # An empty form prints nothing where a sentence belongs: always an error.
                add(message, f"missing: plural form {index} of {key!r}", True, True)
                continue
            got = placeholders(translated)
            if message.pluralizable and index in single_number_forms and "(num)" not in translated:
                got = [*got, "num"]  # "jedna osoba": a form for n = 1 alone may say it in words
            if sorted(set(got)) != sorted(set(wanted)):
                add(message, f"placeholders of {key!r}: expected {wanted}, found {got}", True, True)
            elif table_text:
                # A table's text prints as it is, never %-filled: "60 %" stays "60 %",
                # and "%%" would print as two percent signs.
                if "%%" in translated and not any("%%" in source for source in sources):
                    add(
                        message,
                        f"the translation of {key!r} has %%, which a risk table's text prints "
                        "as two percent signs (write one)",
                        True,
                        True,
                    )
            elif (failure := _format_error(translated, got)) is not None:
                add(
                    message,
                    f"the translation of {key!r} cannot be filled in: {failure}",
                    True,
                    True,
                )
            if _MARKUP.search(translated) and not any(_MARKUP.search(s) for s in sources):
                add(message, f"markup in the translation of {key!r}: {translated!r}", True, True)
            if _TEMPLATE_SYNTAX.search(translated) and not any(
                _TEMPLATE_SYNTAX.search(s) for s in sources
            ):
                add(
                    message,
                    f"template syntax in the translation of {key!r} would print as it stands: "
                    f"{translated!r}",
                    True,
                    True,
                )
            # A fuzzy entry is left out of the .mo, and its numbers are those of
            # the English before it changed: it is reported as fuzzy instead.
            said = {comment.strip().lower() for comment in message.user_comments}
            if not message.fuzzy and NUMBERS_CHECKED not in said:
                wrong = _wrong_numbers(translated, sources, NUMBERS_REORDERED in said)
                if wrong is not None:
                    add(message, f"numbers of {key!r}: {wrong}", True, True)
    for message in template:
        if message.id and catalog.get(message.id) is None:
            add(
                None,
                f"missing: {message.id!r} is in messages.pot but not here (run update)",
                complete,
            )
    mo = path.with_suffix(".mo")
    if not mo.exists() or mo.read_bytes() != compiled_bytes(path, lang):
        add(
            None,
            f"{mo.name} is missing or older than {path.name}: it was not compiled from the "
            "current text (run compile)",
            True,
        )
    return problems


@dataclass(frozen=True)
class Coverage:
    lang: str
    total: int
    translated: int
    fuzzy: int
    complete: bool
    reviewed_by: str

    @property
    def percent(self) -> float:
        return 100 * self.translated / self.total if self.total else 100.0


def stats(root: Path | None = None) -> list[Coverage]:
    template = read_catalog(pot_path(root))
    total = sum(1 for m in template if m.id)
    result = []
    for lang in catalog_locales(root):
        path = po_path(lang, root)
        catalog = read_catalog(path, lang)
        ours = [m for m in catalog if m.id and template.get(m.id) is not None]
        translated = sum(1 for m in ours if not m.fuzzy and _translated(m))
        fuzzy = sum(1 for m in ours if m.fuzzy)
        status = review_status(path)
        reviewer = status.reviewed_by if status.reviewed else ""
        result.append(Coverage(lang, total, translated, fuzzy, status.complete, reviewer))
    return result


_STRING_LINE = re.compile(r'^\s*(?:msgctxt|msgid|msgid_plural|msgstr(?:\[\d+\])?)?\s*"')


def _unclosed_strings(po: Path) -> list[Problem]:
    """Strings missing their closing quote, found without msgfmt (a translator's
    machine may not have it): Babel reads them and drops the last character."""
    problems = []
    for number, line in _string_lines(po):
        body = line[line.index('"') + 1 :].rstrip()
        inner = body[:-1]
        # Closed by a quote that no backslash escapes.
        closed = body.endswith('"') and (len(inner) - len(inner.rstrip("\\"))) % 2 == 0
        if not closed:
            problems.append(Problem(po, number, "a string is not closed with a quote", True, True))
    return problems


def _bidi_controls(po: Path) -> list[Problem]:
    problems = []
    for number, line in _string_lines(po):
        for found in _BIDI_CONTROLS.finditer(line):
            char = found.group()
            problems.append(
                Problem(
                    po,
                    number,
                    f"the bidirectional control U+{ord(char):04X} "
                    f"({unicodedata.name(char)}) can reverse the digits of a number; remove it",
                    True,
                    True,
                )
            )
    return problems


def _string_lines(po: Path) -> Iterator[tuple[int, str]]:
    """The numbered lines of ``po`` that hold a quoted string (msgid, msgstr, or a
    continuation). Lines end at \n only: splitlines() also splits at U+2028 or \v,
    which a translation may hold inside a string."""
    for number, line in enumerate(po.read_text("utf-8", errors="replace").split("\n"), 1):
        if _STRING_LINE.match(line):
            yield number, line


def _line_of(po: Path, start: str) -> int:
    """The first line of ``po`` that starts with ``start`` after any ``#``, or 1."""
    for number, line in enumerate(po.read_text("utf-8", errors="replace").split("\n"), 1):
        if line.lstrip('#" ').lower().startswith(start.lower()):
            return number
    return 1


NUMBERS_CHECKED = "consent: numbers checked"
NUMBERS_REORDERED = "consent: numbers reordered"
"""Translator comments (``# consent: numbers checked``) that let an entry's numbers
differ from the English on purpose: written as words (Arabic writes "2 years" as
the dual سنتين; "three"), converted ("24 hours" as "1 día"), or, the second, in
another order (a language that says "of 100, 5"). A comment, not a flag:
msgmerge and PO editors keep comments and drop flags they do not know. A
reviewer sees it beside the entry."""

_NUMBER = re.compile(r"\d+(?:(?:[.,'\u00a0\u202f\u2009]|(?: (?=\d{3}(?!\d))))\d+)*")


def _numbers(text: str) -> list[str]:
    """The numbers written in ``text``, in order, digits in any script (2.5 in
    Arabic-Indic digits is 2.5 too). A number's parts are kept together whatever separates them, so
    10,000, 10.000 and 10 000 are one number, 2.5 and 2,5 another, and "2 a 5"
    two numbers."""
    ascii_digits = "".join(
        str(d) if (d := unicodedata.digit(c, None)) is not None else _SEPARATORS.get(c, c)
        for c in text
    )
    return [re.sub(r"\D+", "|", number) for number in _NUMBER.findall(ascii_digits)]


_SEPARATORS = {"\u066b": ".", "\u066c": ","}  # Arabic decimal and thousands separators


def _wrong_numbers(translated: str, sources: tuple[str, ...], reordered: bool) -> str | None:
    """How the numbers written in ``translated`` differ from its English (msgid or,
    for a plural form, msgid_plural), or None when they are the same, in the same
    order: "88 in 100 ... the first 2 years" must not become "2 in 100 ... the
    first 88 years", nor "2.5" "2 a 5". ``reordered``: the order may differ."""
    got = _numbers(translated)
    for source in sources:
        want = _numbers(source)
        if reordered:
            got, want = sorted(got), sorted(want)
        if got == want:
            return None
    shown = [n.replace("|", ".") for n in want], [n.replace("|", ".") for n in got]
    order = "" if reordered else " in this order"
    return (
        f"expected {shown[0]}{order}, found {shown[1]}; if they differ on purpose "
        f"(written as words, converted, or in another order), say so in a translator "
        f"comment: '# {NUMBERS_CHECKED}' (or '# {NUMBERS_REORDERED}')"
    )


def _msgfmt_problems(po: Path) -> list[Problem]:
    """What GNU msgfmt --check refuses (Babel reads some broken files without a word:
    a string missing its closing quote loses its last character)."""
    msgfmt = shutil.which("msgfmt")
    if msgfmt is None:
        return [Problem(po, 1, "msgfmt is not installed: the PO syntax was not checked", False)]
    result = subprocess.run(
        [msgfmt, "--check", "-o", os.devnull, str(po)], capture_output=True, text=True
    )
    problems = []
    for line in result.stderr.splitlines():
        found = re.match(r"^(.*?):(\d+): (.*)$", line)
        # Header warnings (a default PO-Revision-Date) are msgfmt's, not errors.
        if (
            found
            and Path(found.group(1)).name == po.name
            and not found.group(3).startswith("warning:")
        ):
            problems.append(
                Problem(po, int(found.group(2)), f"msgfmt: {found.group(3)}", True, True)
            )
    if result.returncode and not problems:
        problems.append(Problem(po, 1, f"msgfmt: {result.stderr.strip()[:200]}", True, True))
    return problems


def _format_error(text: str, names: list[str]) -> str | None:
    """Fill ``text`` as the packet will (``%`` with named values) and report a failure.

    Template strings are always %-formatted, so a literal percent sign must be
    written ``%%``; ``%(num)d`` fails because numbers arrive as formatted text.
    """
    if "%" in re.sub(r"%\(\w+\)s|%%", "", text):
        return "a % that is not a %(name)s placeholder (write a percent sign as %%)"
    try:
        text % {name: "x" for name in names}
    except (ValueError, TypeError, KeyError) as error:
        return f"{error} (write a percent sign as %%)"
    return None


def _single_number_forms(expression: str) -> set[int]:
    """The plural forms that only one number takes (Polish form 0 is n = 1 alone;
    Arabic has forms for 0, 1 and 2): such a form may write its number as a word."""
    try:
        rule = gettext.c2py(expression)
    except (ValueError, SyntaxError):
        return set()
    numbers: dict[int, set[int]] = {}
    for n in range(1000):
        numbers.setdefault(rule(n), set()).add(n)
    return {form for form, taken in numbers.items() if len(taken) == 1}


def _plural_rule_problems(ours: str, cldr: str, forms: int) -> list[str]:
    """Compare a catalog's plural rule with CLDR's for n = 0..1000."""
    import gettext

    try:
        rule = gettext.c2py(ours)
    except (ValueError, SyntaxError) as error:
        return [f"the Plural-Forms rule cannot be read ({error})"]
    expected = gettext.c2py(cldr)
    for n in range(1001):
        got = rule(n)
        if not 0 <= got < forms:
            return [f"the Plural-Forms rule gives form {got} for n={n}; there are {forms} forms"]
        if got != expected(n):
            return [f"the Plural-Forms rule gives form {got} for n={n}; CLDR gives {expected(n)}"]
    return []


def _with_previous_msgid(po: Path) -> set[str]:
    """Entries carrying a ``#| msgid`` line: their English changed after translation.

    (Babel reads PO files without these lines, so they are found here.)
    """
    found: set[str] = set()
    previous = False
    current: list[str] | None = None
    for line in [*po.read_text(encoding="utf-8").splitlines(), ""]:
        if current is not None and line.startswith('"'):
            current.append(unescape(line))
            continue
        if current is not None:
            found.add("".join(current))
            current, previous = None, False
        if line.startswith("#| msgid "):
            previous = True
        elif line.startswith("msgid ") and previous:
            current = [unescape(line[len("msgid ") :])]
        elif not line.strip():
            previous = False
    return found


def _translated(message: Message) -> bool:
    return all(_forms(message.string))


def _forms(value: object) -> tuple[str, ...]:
    """A message's id or string as a tuple: one item, or one per plural form."""
    if isinstance(value, tuple | list):
        return tuple(str(v or "") for v in value)
    return (str(value or ""),)
