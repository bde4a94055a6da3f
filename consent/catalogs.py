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
import io
import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from babel import Locale
from babel.messages.catalog import Catalog, Message
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.plurals import get_plural
from babel.messages.pofile import read_po, unescape, write_po

from . import __version__
from .errors import ConsentError, InputError
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
            catalog.add(message, None, [location], auto_comments=comments, context=context)
    return catalog


def pot_path(root: Path | None = None) -> Path:
    return (root or locales_dir()) / POT_NAME


def po_path(lang: str, root: Path | None = None) -> Path:
    return (root or locales_dir()) / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


def catalog_locales(root: Path | None = None) -> list[str]:
    """Languages that have a .po file."""
    root = root or locales_dir()
    return sorted(p.parent.parent.name for p in root.glob(f"*/LC_MESSAGES/{DOMAIN}.po"))


def write_catalog(catalog: Catalog, path: Path, *, mo: bool = False) -> None:
    buffer = io.BytesIO()
    if mo:
        write_mo(buffer, catalog, use_fuzzy=False)
    else:
        # Obsolete entries are dropped: git keeps the history, translators a clean file.
        write_po(
            buffer,
            catalog,
            width=100,
            sort_output=True,
            include_previous=True,
            ignore_obsolete=True,
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(buffer.getvalue())


def read_catalog(path: Path, lang: str | None = None) -> Catalog:
    lang = lang.replace("-", "_") if lang else None  # Babel wants pt_BR, not pt-BR
    try:
        with path.open("rb") as handle:
            return read_po(handle, locale=lang, abort_invalid=True)
    except FileNotFoundError:
        raise InputError(f"{path} does not exist") from None
    except Exception as error:  # Babel raises plain exceptions for bad PO syntax
        raise ConsentError(f"{path}: not a valid PO file ({error})") from None


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


@dataclass(frozen=True)
class ReviewStatus:
    complete: bool
    reviewed_by: str
    reviewed_on: str


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
        catalog.update(template, no_fuzzy_matching=False, update_header_comment=False)
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
        write_catalog(read_catalog(path, lang), mo, mo=True)
        written.append(mo)
    return written


def compiled_bytes(path: Path, lang: str) -> bytes:
    buffer = io.BytesIO()
    write_mo(buffer, read_catalog(path, lang), use_fuzzy=False)
    return buffer.getvalue()


# --- check and stats -------------------------------------------------------------

_PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]|\{(\w+)\}")
_MARKUP = re.compile(r"[<>]|&[a-z#0-9]+;")


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
    return sorted(a or b for a, b in _PLACEHOLDER.findall(text))


def check(lang: str, root: Path | None = None) -> list[Problem]:
    """Every problem of one catalog, each with file and line."""
    path = po_path(lang, root)
    try:
        catalog = read_catalog(path, lang)
    except ConsentError as error:
        line = re.search(r" on (\d+)\)$", str(error))
        return [Problem(path, int(line.group(1)) if line else 1, str(error), True)]
    template = read_catalog(pot_path(root))
    complete = review_status(path).complete
    changed = _with_previous_msgid(path)
    problems: list[Problem] = []

    def add(message: Message | None, text: str, error: bool, wrong_text: bool = False) -> None:
        line = getattr(message, "lineno", None) or 1
        problems.append(Problem(path, line, text, error, wrong_text))

    problems.extend(_unclosed_strings(path))
    problems.extend(_msgfmt_problems(path))

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
        for index, translated in enumerate(strings):
            if not translated:
                # An empty form prints nothing where a sentence belongs: always an error.
                add(message, f"missing: plural form {index} of {key!r}", True, True)
                continue
            got = placeholders(translated)
            if sorted(set(got)) != sorted(set(wanted)):
                add(message, f"placeholders of {key!r}: expected {wanted}, found {got}", True, True)
            elif (failure := _format_error(translated, got)) is not None:
                add(
                    message,
                    f"the translation of {key!r} cannot be filled in: {failure}",
                    True,
                    True,
                )
            if _MARKUP.search(translated) and not any(_MARKUP.search(s) for s in sources):
                add(message, f"markup in the translation of {key!r}: {translated!r}", True, True)
    for message in template:
        if message.id and catalog.get(message.id) is None:
            add(
                None,
                f"missing: {message.id!r} is in messages.pot but not here (run update)",
                complete,
            )
    mo = path.with_suffix(".mo")
    if not mo.exists() or mo.read_bytes() != compiled_bytes(path, lang):
        add(None, f"{mo.name} is missing or older than {path.name} (run compile)", True)
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
        result.append(Coverage(lang, total, translated, fuzzy, status.complete, status.reviewed_by))
    return result


_STRING_LINE = re.compile(r'^\s*(?:msgctxt|msgid|msgid_plural|msgstr(?:\[\d+\])?)?\s*"')


def _unclosed_strings(po: Path) -> list[Problem]:
    """Strings missing their closing quote, found without msgfmt (a translator's
    machine may not have it): Babel reads them and drops the last character."""
    problems = []
    # Lines end at \n only: splitlines() also splits at U+2028 or \v, which a
    # translation may hold inside a string.
    for number, line in enumerate(po.read_text("utf-8", errors="replace").split("\n"), 1):
        if not _STRING_LINE.match(line):
            continue
        body = line[line.index('"') + 1 :].rstrip()
        inner = body[:-1]
        # Closed by a quote that no backslash escapes.
        closed = body.endswith('"') and (len(inner) - len(inner.rstrip("\\"))) % 2 == 0
        if not closed:
            problems.append(Problem(po, number, "a string is not closed with a quote", True, True))
    return problems


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
