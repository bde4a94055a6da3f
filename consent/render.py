"""The packet as HTML: a view of the table in the patient's language, through Jinja.

Everything a template shows is prepared here as plain, already translated
text (or SVG built by ``icons``), so templates hold layout and their own
wording only. Autoescaping is always on: patient fields are data, never markup.
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
import os
import re
import stat
import tempfile
import traceback
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2
from jinja2.exceptions import SecurityError
from jinja2.sandbox import SandboxedEnvironment
from markupsafe import Markup, escape

from . import __version__, frequencies, icons, wording
from .errors import InputError
from .fonts import check_coverage, check_fields
from .frequencies import Frequency
from .i18n import Localizer
from .patient import Encounter, Patient, check_dates
from .resources import templates_dir
from .tables import EventOutcome, MeasureOutcome, Option, RiskTable, Source

PACKET_TEMPLATE = "packet.html.j2"


@dataclass(frozen=True)
class OptionView:
    label: str
    sentences: list[str]
    figure: Markup | None = None
    striped: bool = False
    """The figure has striped figures (a range above the estimate)."""
    people: int | None = None
    """How many people the icon array shows (100 or 1,000), if there is one."""


@dataclass(frozen=True)
class OutcomeView:
    id: str
    kind: str
    heading: str
    timeframe: str
    options: list[OptionView]
    benefit: bool = False
    note: str | None = None
    no_guarantee: bool = False
    picture_note: str | None = None
    """Why an outcome counted out of 10,000 has no icon arrays."""

    @property
    def stacked(self) -> bool:
        """1,000-person arrays need the page width; smaller ones sit side by side (R8)."""
        return any(o.people == 1_000 for o in self.options)


def template_folders(custom: Path | None = None) -> tuple[Path, ...]:
    """An institution's templates (if any) first, then the bundled ones: a template
    or asset with the same name in the first folder replaces the bundled one."""
    return (custom, templates_dir()) if custom is not None else (templates_dir(),)


class _FolderLoader(jinja2.FileSystemLoader):
    """Jinja's file loader, refusing a template that is a link to a file outside its
    folder: an institution's template set can show only what is in it."""

    def get_source(self, environment: jinja2.Environment, template: str) -> Any:
        try:
            source, filename, uptodate = super().get_source(environment, template)
        except UnicodeDecodeError:
            raise InputError(f"the template {template} is not UTF-8 text") from None
        folder = next(f for f in self.searchpath if filename.startswith(os.path.join(f, "")))
        if not Path(filename).resolve().is_relative_to(Path(folder).resolve()):
            raise InputError(f"the template {template} in {folder} links to a file outside it")
        return source, filename, uptodate


def read_template_text(path: Path) -> str:
    """A text file of a template folder (a stylesheet), or an error naming it."""
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise InputError(f"{path} is not UTF-8 text") from None


class _PacketSandbox(SandboxedEnvironment):
    """Jinja's sandbox, which keeps templates from Python's internals
    (``lipsum.__globals__``), with one more rule: a template may call only the
    methods of plain values (text, lists, dictionaries, numbers, dates), Jinja's
    own helpers (macros, ``loop.cycle``, ``caller``) and the functions Jinja
    gives every template (``range``, ``_``). Jinja alone lets a template call
    whatever it can reach: ``table.path.read_text()`` read, and ``write_text``
    wrote, any file the user can reach, and ``str.format`` taken from a class
    (pydantic's ``model_fields`` hands out classes) walks into ``os.environ``.
    """

    def is_safe_callable(self, obj: Any) -> bool:
        if not super().is_safe_callable(obj):
            return False
        if any(obj is given for given in self.globals.values()):
            return True
        if type(obj).__module__.startswith("jinja2."):  # macros, loops, blocks
            return True
        # Whose method it is, if it is one; the sandbox hands out ``"".format`` as
        # its own safe wrapper of the bound method.
        owner = getattr(getattr(obj, "__wrapped__", obj), "__self__", None)
        if owner is None or isinstance(owner, type):
            return False  # a class, a function, or a method taken from a class
        return isinstance(owner, _PLAIN_VALUES) or type(owner).__module__.startswith("jinja2.")


_PLAIN_VALUES = (str, int, float, list, tuple, dict, set, frozenset, dt.date)


@lru_cache(maxsize=16)
def environment(folders: tuple[Path, ...]) -> jinja2.Environment:
    """A Jinja environment for template folders, built once per process (it caches
    compiled templates); its gettext reads each render's language from ``_LANGUAGE``.

    Sandboxed (``_PacketSandbox``): a template can show the values it is given,
    not open files or run code.
    """
    env = _PacketSandbox(
        loader=_FolderLoader([str(folder) for folder in folders]),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
        bytecode_cache=_compiled_cache() if folders == (templates_dir(),) else None,
    )
    # Installed once, reading the language of the render under way: installed
    # per render, two threads sharing this environment (a Dask worker's) swapped
    # each other's gettext mid-packet. Translations are text, never markup:
    # escaped before Jinja marks them safe, so a translator's "<" cannot change
    # the page.
    env.install_gettext_callables(  # type: ignore[attr-defined]
        lambda message: escape(_LANGUAGE.get().translate(message)),
        lambda singular, plural, n: escape(_LANGUAGE.get().translate_plural(singular, plural, n)),
        newstyle=True,
    )
    # What the people filling in a packet typed keeps its own order in any language.
    env.filters["isolated"] = isolated
    env.filters["left_to_right"] = left_to_right
    return env


HEADER_NAME_LENGTH = 40
"""The most of a name the page header shows (the cover shows all of it, up to
200 characters): one line, so that with a record number of two lines the
header keeps 4 mm from the paper's edge, where printers cannot print."""


def _shortened(name: str | None) -> str | None:
    """``name`` cut to ``HEADER_NAME_LENGTH`` characters with "…", inside a word if
    need be: cut at a space, "María de los Ángeles Fernández-Villaverde" lost
    its surname, the part that tells two patients apart."""
    if name is None or len(name) <= HEADER_NAME_LENGTH:
        return name
    return name[: HEADER_NAME_LENGTH - 1].rstrip(" ,") + "\u2026"


def isolated(text: str | None) -> str:
    """A name as its own stretch of text, its direction from its first letter.

    Unicode's first-strong isolate: in an Arabic packet "O'Neil, Mary J." had
    its full stop moved to the front; an Arabic name in an English packet
    keeps its order too."""
    return f"\u2068{text}\u2069" if text else ""


def left_to_right(text: str | None) -> str:
    """An identifier (a record number) as its own stretch read left to right:
    in an Arabic packet "485 777 3456" was printed "3456 777 485"."""
    return f"\u2066{text}\u2069" if text else ""


def _compiled_cache() -> jinja2.BytecodeCache | None:
    """Where the bundled templates, once compiled, are kept for the next command.

    Compiling them took 0.05 s of every cold start. Only the bundled ones: an
    institution's templates are compiled afresh by the sandbox each time, so
    no code compiled elsewhere can stand in for theirs. The folder is this
    user's alone (as Jinja's own default is), or there is no cache.
    """
    folder = Path(tempfile.gettempdir()) / f"consent-templates-{os.getuid()}"
    try:
        folder.mkdir(mode=0o700, exist_ok=True)
        owned = folder.lstat()  # a link is refused: its own mode is never 0700 here
    except OSError:
        return None
    if owned.st_uid != os.getuid() or owned.st_mode != stat.S_IFDIR | 0o700:
        return None
    return _ForgivingCache(str(folder))


class _ForgivingCache(jinja2.FileSystemBytecodeCache):
    """A cache that is only ever a shortcut: a file it cannot read (cut short,
    from another version) or write (a full or read-only temporary folder) means
    compiling the template, never a packet refused for it."""

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        try:
            super().load_bytecode(bucket)
        except Exception:  # any damage to the file: compile instead
            bucket.reset()

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        with contextlib.suppress(Exception):
            super().dump_bytecode(bucket)


_LANGUAGE: contextvars.ContextVar[Localizer] = contextvars.ContextVar("language")
"""The Localizer of the packet being filled in, in this thread."""


def outcome_views(table: RiskTable, loc: Localizer) -> list[OutcomeView]:
    """Sentences and pictures for every outcome, options in the table's order."""
    views = []
    for outcome in table.outcomes:
        if isinstance(outcome, MeasureOutcome):
            options = [_measure_option(loc, option, outcome) for option in table.options]
        else:
            framed = frequencies.frame(outcome)
            options = [
                _event_option(loc, option, outcome, framed.get(option.key))
                for option in table.options
            ]
        denominators = {
            f.denominator
            for f in (frequencies.frame(outcome).values() if outcome.kind == "event" else [])
        }
        picture_note = None
        if denominators and not denominators <= set(icons.COLUMNS):
            picture_note = wording.no_picture_sentence(loc, max(denominators))
        views.append(
            OutcomeView(
                picture_note=picture_note,
                id=outcome.id,
                kind=outcome.kind,
                heading=_capitalized(loc.gettext(outcome.label)),
                timeframe=loc.gettext(outcome.timeframe),
                options=options,
                benefit=outcome.benefit,
                note=loc.gettext(outcome.note) if outcome.note else None,
                no_guarantee=outcome.no_guarantee,
            )
        )
    return views


def _has_icon_arrays(views: Iterable[OutcomeView]) -> bool:
    return any(o.figure for v in views if v.kind == "event" for o in v.options)


def _has_striped_figures(views: Iterable[OutcomeView]) -> bool:
    return any(o.striped for v in views if v.kind == "event" for o in v.options)


def _picture_sizes(views: Iterable[OutcomeView], loc: Localizer) -> list[str]:
    """How many people the icon arrays show (100, 1,000, or both), as printed."""
    sizes = {o.people for v in views for o in v.options if o.people is not None}
    return [loc.number(size) for size in sorted(sizes)]


def _capitalized(text: str) -> str:
    """First letter upper case, the rest untouched (Jinja's capitalize lowers "R0")."""
    return text[:1].upper() + text[1:]


def _measure_option(loc: Localizer, option: Option, outcome: MeasureOutcome) -> OptionView:
    value = outcome.values[option.key]
    sentence = wording.measure_sentence(loc, option, outcome, value)
    return OptionView(
        label=loc.gettext(option.label),
        sentences=[sentence],
        figure=Markup(
            icons.range_bar(
                value.low,
                value.high,
                sentence,
                ends=(loc.percent(0), loc.percent(1)),
                rtl=loc.direction == "rtl",
            )
        ),
    )


def _event_option(
    loc: Localizer, option: Option, outcome: EventOutcome, freq: Frequency | None
) -> OptionView:
    label = loc.gettext(option.label)
    if freq is None:
        return OptionView(label, [wording.not_reported_sentence(loc, option)])
    sentences = wording.event_sentences(loc, option, outcome, freq)
    if freq.denominator not in icons.COLUMNS:
        return OptionView(label, sentences)
    figure = icons.icon_array(
        freq,
        wording.icon_array_label(loc, option, outcome, freq),
        wording.icon_array_description(loc, freq),
        rtl=loc.direction == "rtl",
    )
    striped = freq.high is not None and freq.high > freq.numerator
    return OptionView(label, sentences, Markup(figure), striped, freq.denominator)


@dataclass(frozen=True)
class SourceView:
    source: Source
    used_for: list[str]
    """Headings of the outcomes whose figures or notes come from this source (R13)."""

    @property
    def direction(self) -> str:
        """The citation's own direction, from its first letter (as HTML's dir="auto"):
        an English citation in an Arabic packet is laid out left to right, or its
        numbers and brackets are reordered."""
        for char in self.source.citation:
            kind = unicodedata.bidirectional(char)
            if kind in ("R", "AL"):
                return "rtl"
            if kind == "L":
                return "ltr"
        return "ltr"


def source_views(table: RiskTable, loc: Localizer) -> list[SourceView]:
    """Every source, with the outcomes it gives numbers for."""
    views = []
    for key, source in table.sources.items():
        used = [
            _capitalized(loc.gettext(outcome.label))
            for outcome in table.outcomes
            if outcome.note_source == key or any(v.source == key for v in outcome.values.values())
        ]
        views.append(SourceView(source, used))
    return views


def running_texts(table: RiskTable, patient: Patient, loc: Localizer) -> dict[str, str]:
    """What every page repeats: the header (patient), the footer (table version) and the
    banner for a table that is not approved or a translation not reviewed.

    They go to the page margins through CSS string-set, which costs WeasyPrint far
    less than laying out running elements again on every page.
    """
    # Blank fields get a line to write on: a page that comes loose must still be
    # matched to its patient. The record label keeps to its number (no-break
    # spaces), so a long name wraps the header between them, not inside.
    blank = "_" * 14
    header = [isolated(_shortened(patient.name)) or f"{loc.gettext('Patient name')}: {blank}"]
    record = loc.gettext("Record %(number)s", number=left_to_right(patient.record_number) or blank)
    header.append(record.replace(" ", "\u00a0"))
    banner = []
    if table.status == "draft":
        banner.append(loc.gettext("DRAFT figures — not for use with patients."))
    elif table.status == "reference":
        banner.append(loc.gettext("Reference figures — not approved by your institution."))
    if not loc.reviewed:
        note = loc.gettext("Translation not yet reviewed.")
        if loc.locale != "en":
            # Said in English too, for staff; isolated so it keeps its order in Arabic.
            note += " \u2068(Translation not yet reviewed.)\u2069"
        banner.append(note)
    return {
        "header": " · ".join(h for h in header if h),
        "footer": loc.gettext(
            "Risk table %(id)s, version %(version)s", id=table.id, version=table.version
        ),
        "banner": " · ".join(banner),
        "banner_kind": "draft" if table.status == "draft" else "notice",
    }


def packet_context(
    table: RiskTable, patient: Patient, encounter: Encounter, loc: Localizer
) -> dict[str, Any]:
    """Everything the packet template shows, already in the patient's language."""
    views = outcome_views(table, loc)
    return {
        "lang": loc.tag,
        "dir": loc.direction,
        "translation_reviewed": loc.reviewed,
        "running": running_texts(table, patient, loc),
        "tool_version": __version__,
        "table": table,
        "title": loc.gettext(table.title),
        "procedure": loc.gettext(table.procedure),
        # Regular checks, not an operation now: the template's own wording follows.
        "surveillance": table.offers == "surveillance",
        "population": loc.gettext(table.population),
        "patient": patient,
        "date_of_birth": loc.date(patient.date_of_birth) if patient.date_of_birth else None,
        "clinician": encounter.clinician,
        "interpreter": {
            "name": encounter.interpreter_name,
            "language": encounter.interpreter_language,
        },
        "date": loc.date(encounter.date),
        "iso_date": encounter.date.isoformat(),
        # Numbers in the wording are formatted for the language (1,000 / 1.000 / 1 000).
        "hundred": loc.number(100),
        "thousand": loc.number(1000),
        "effective": loc.date(table.effective),
        "outcomes": views,
        # The icon-array legend is shown only in sections that have icon arrays.
        "risk_pictures": _has_icon_arrays(v for v in views if not v.benefit),
        "result_pictures": _has_icon_arrays(v for v in views if v.benefit),
        # The striped figure is explained only where some picture has one.
        "risk_striped": _has_striped_figures(v for v in views if not v.benefit),
        "result_striped": _has_striped_figures(v for v in views if v.benefit),
        # The legend names the sizes of picture a section has, not every size there is.
        "risk_sizes": _picture_sizes((v for v in views if not v.benefit), loc),
        "result_sizes": _picture_sizes((v for v in views if v.benefit), loc),
        "single_option": len(table.options) == 1,
        "language_name": loc.babel_locale.get_display_name(loc.babel_locale) or loc.locale,
        # Every risk: the first three left death out of the bariatric packet's questions.
        # A chance for each event; for a measure that is a harm, what its range means.
        "teach_back": [
            loc.gettext(o.label) for o in table.outcomes if o.kind == "event" and not o.benefit
        ],
        "teach_back_ranges": [
            loc.gettext(o.label) for o in table.outcomes if o.kind == "measure" and not o.benefit
        ],
        "indications": [loc.gettext(t) for t in table.indications],
        "differences": [loc.gettext(t) for t in table.differences],
        "alternatives": [loc.gettext(t) for t in table.alternatives],
        "preparation": [loc.gettext(t) for t in table.preparation],
        "sources": source_views(table, loc),
    }


def packet_html(
    table: RiskTable,
    patient: Patient,
    encounter: Encounter,
    loc: Localizer | None = None,
    *,
    templates: Path | None = None,
) -> str:
    """Render the whole packet as one HTML document.

    Raises InputError for inconsistent patient data, and refuses a packet with
    a character the bundled fonts cannot print.
    """
    loc = loc or Localizer()
    folders = template_folders(templates)
    check_dates(patient, encounter, table.effective, table.approved_on)
    env = environment(folders)
    language = _LANGUAGE.set(loc)
    try:
        html = env.get_template(PACKET_TEMPLATE).render(
            packet_context(table, patient, encounter, loc)
        )
    except jinja2.TemplateSyntaxError as error:
        raise InputError(
            f"template {error.filename or error.name}, line {error.lineno}: {error.message}"
        ) from None
    except jinja2.TemplateError as error:
        raise InputError(
            f"the templates could not be filled in{_where(error)}: {_what(error)}"
        ) from None
    except RecursionError as error:
        raise InputError(
            f"the templates could not be filled in{_where(error)}: "
            "a template includes itself, or templates nest too deeply"
        ) from None
    finally:
        _LANGUAGE.reset(language)
    if len(html) > MAX_PACKET_HTML:
        raise InputError(
            f"the templates made {len(html) / 1e6:.0f} MB of markup, more than a packet "
            f"may have ({MAX_PACKET_HTML / 1e6:.0f} MB; the bundled packets have 0.02 MB): "
            "does a template repeat or widen text without end?"
        )
    check_coverage(html, _fonts(), loc.locale, private_fields(patient, encounter, loc))
    return html


MAX_PACKET_HTML = 2_000_000
"""The most markup a packet may have: beyond it, WeasyPrint's text layout asks
for gigabytes at once, and the C library it uses ends the process without a
word when it cannot have them."""


def check_printable(patient: Patient, encounter: Encounter, loc: Localizer) -> None:
    """Refuse, by field name, what the packet would print of the people that the
    bundled fonts cannot draw: the part of ``packet_html``'s check that a roster
    row can fail before anything is rendered."""
    check_fields(_fonts(), private_fields(patient, encounter, loc))


def _fonts() -> Path:
    return templates_dir() / "fonts"


def _what(error: jinja2.TemplateError) -> str:
    """What went wrong, never quoting a value: Jinja's own messages quote the key
    or name it failed on, which a template can make from a patient's data
    (``{% include patient.name|upper %}``). A bare undefined name is quoted: it
    can only come from the template's own text."""
    undefined_name = re.fullmatch(r"'([A-Za-z_]\w*)' is undefined", str(error))
    if undefined_name:
        return f"{undefined_name.group(1)!r} is undefined"
    if isinstance(error, jinja2.UndefinedError):
        return "it uses an attribute or a key that is undefined"
    if isinstance(error, jinja2.TemplateNotFound):
        return "a template it includes is not in the template folders"
    if isinstance(error, SecurityError):
        return "it uses something the sandbox does not allow"
    return type(error).__name__


def _where(error: BaseException) -> str:
    """ " (template X, line N)" from the traceback Jinja rewrites to point into templates."""
    frames = traceback.extract_tb(error.__traceback__)
    inside = [f for f in frames if f.filename.endswith(".j2")]
    if not inside:
        return ""
    return f" (template {Path(inside[-1].filename).name}, line {inside[-1].lineno})"


def private_fields(patient: Patient, encounter: Encounter, loc: Localizer) -> dict[str, str | None]:
    """What a packet prints of the patient and the people present, by field name."""
    return {
        "patient name": patient.name,
        # As printed: a locale's script can spell the date in letters the fonts lack.
        "date of birth": loc.date(patient.date_of_birth) if patient.date_of_birth else None,
        # As a template can print it too.
        "date of birth (YYYY-MM-DD)": (
            patient.date_of_birth.isoformat() if patient.date_of_birth else None
        ),
        "record number": patient.record_number,
        "clinician": encounter.clinician,
        "interpreter name": encounter.interpreter_name,
        "interpreter language": encounter.interpreter_language,
    }
