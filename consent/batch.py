"""Batch runs: a roster in, one packet per row and a manifest out, nothing lost.

The order of work is fixed so that an office can trust a night run:

1. read the roster (CSV with a header row, UTF-8 with or without BOM, or JSON
   Lines) and validate every row before anything renders;
2. give each valid row a safe, unique file name inside the output folder;
3. render rows in worker processes, each file written atomically, each result
   appended to ``manifest.jsonl`` as it finishes (so a kill loses nothing done);
4. with ``resume``, rows whose file exists and matches the SHA-256 recorded in
   the manifest, made from the same roster values, table, translation, templates
   and tool version, are skipped; everything else is rendered again.

Rows are named by their line number in the roster (the CSV header is line 1)
and record number, never by patient name, in every message and in the manifest.
"""

from __future__ import annotations

import contextlib
import csv
import ctypes
import hashlib
import hmac
import io
import json
import os
import re
import signal
import sys
import threading
import time
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import InvalidStateError, ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import asdict, dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import __version__
from .errors import ConsentError, InputError, OutputError
from .files import check_writable, write_text_atomically
from .patient import MAX_RECORD_NUMBER_LENGTH, Encounter, Patient, check_dates

if TYPE_CHECKING:
    from .i18n import Localizer
    from .tables import RiskTable

COLUMNS = (
    "patient_name",
    "date_of_birth",
    "record_number",
    "procedure",
    "table_version",
    "locale",
    "clinician",
    "date",
    "interpreter_name",
    "interpreter_language",
)
REQUIRED = ("patient_name", "record_number", "procedure", "locale", "date")
"""A batch renders ahead of time: no packet date defaults to today, no language to English."""
MAX_ROSTER_BYTES = 50_000_000
MANIFEST = "manifest.jsonl"
MANIFEST_CSV = "manifest.csv"
RECYCLE_AFTER = 200
"""Packets a worker renders before it is replaced, so memory stays flat."""


@dataclass(frozen=True)
class Job:
    """One valid roster row, ready to render."""

    row: int
    record_number: str
    procedure: str
    table_version: str
    locale: str
    patient: Patient
    encounter: Encounter
    output: str
    """File name inside the output folder."""
    table_sha256: str = ""
    inputs_hmac: str = ""
    """A keyed digest of everything the packet is made from (see ``_inputs_hmac``)."""


@dataclass
class Entry:
    """One line of the manifest: what happened to one roster row."""

    row: int
    record_number: str | None
    status: str  # ok | failed | skipped
    output: str | None = None
    sha256: str | None = None
    pages: int | None = None
    table_id: str | None = None
    table_version: str | None = None
    locale: str | None = None
    error: str | None = None
    duration: float = 0.0
    inputs_hmac: str | None = None


@dataclass
class Plan:
    jobs: list[Job] = field(default_factory=list)
    rejected: list[Entry] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    """The tables' own warnings (unknown keys ignored), each once: no patient data."""


# --- reading and checking the roster ----------------------------------------------


def read_roster(path: Path) -> list[tuple[int, dict[str, Any]]]:
    """(line number, fields) for every non-blank row."""
    try:
        if path.stat().st_size > MAX_ROSTER_BYTES:
            raise InputError(f"{path} is larger than {MAX_ROSTER_BYTES:,} bytes")
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InputError(f"{path} is not UTF-8 text") from None
    except OSError as error:
        raise InputError(f"{path} cannot be read ({error.strerror})") from None
    if path.suffix.lower() in (".jsonl", ".ndjson"):
        rows = list(_json_lines(path, text))
    elif path.suffix.lower() == ".csv":
        rows = _csv_rows(path, text)
    else:
        raise InputError(f"{path}: a roster must be .csv or .jsonl")
    if not rows:
        raise InputError(f"{path} has no rows")
    return rows


def _json_lines(path: Path, text: str) -> Iterator[tuple[int, dict[str, Any]]]:
    # Split on newlines only: JSON strings may hold U+2028, which splitlines() breaks on.
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        try:
            value = json.loads(line, object_pairs_hook=_no_duplicate_keys)
        except json.JSONDecodeError as error:
            yield number, {"__error__": f"not valid JSON ({error.msg})"}
            continue
        except InputError as error:
            yield number, {"__error__": str(error)}
            continue
        yield number, value if isinstance(value, dict) else {"__error__": "not a JSON object"}


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    keys = [key for key, _ in pairs]
    repeated = sorted({key for key in keys if keys.count(key) > 1})
    if repeated:
        raise InputError(f"the key(s) {', '.join(repeated)} appear twice")
    return dict(pairs)


def _csv_rows(path: Path, text: str) -> list[tuple[int, dict[str, Any]]]:
    """Rows numbered by the line they start on, so a report points at the right line."""
    csv.field_size_limit(MAX_ROSTER_BYTES)  # long cells are refused per row, by length
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    rows: list[tuple[int, dict[str, Any]]] = []
    start = 1  # the line the record being read starts on
    try:
        header = next(reader, None)
        if header is None:
            raise InputError(f"{path} is empty")
        unknown = [position for position, name in enumerate(header, 1) if name not in COLUMNS]
        if unknown:
            # Never echo the names: without a header line they would be a patient's data.
            raise InputError(
                f"{path}: column(s) {', '.join(map(str, unknown))} of the first line are not "
                f"known column names (is the header missing?); known: {', '.join(COLUMNS)}"
            )
        if len(set(header)) != len(header):
            raise InputError(f"{path}: a column name appears twice in the header")
        start = reader.line_num + 1
        for values in reader:
            number, start = start, reader.line_num + 1
            if not any(v.strip() for v in values):
                continue
            if len(values) != len(header):
                rows.append(
                    (number, {"__error__": f"{len(values)} values for {len(header)} columns"})
                )
            else:
                rows.append((number, {k: v for k, v in zip(header, values, strict=True) if v}))
    except csv.Error as error:
        # An unclosed quote is only noticed at the end of the file; name where it opened.
        raise InputError(f"{path}:{start}: not valid CSV ({error})") from None
    return rows


def plan(rows: Sequence[tuple[int, dict[str, Any]]], roots: Sequence[Path] | None = None) -> Plan:
    """Check every row; valid rows become jobs with safe, unique file names."""
    from .i18n import PSEUDO_LOCALE, resolve_locale
    from .render import check_printable
    from .tables import load_table, procedures

    known = procedures(roots)

    result = Plan()
    tables: dict[tuple[str, str | None], Any] = {}
    seen: dict[tuple[str, str, str], int] = {}
    names: set[str] = set()
    for number, fields in rows:
        record = _safe_record(fields.get("record_number"))
        try:
            if "__error__" in fields:
                raise InputError(fields["__error__"])
            unknown = [k for k in fields if k not in COLUMNS]
            if unknown:
                raise InputError(f"unknown field(s) {', '.join(sorted(unknown))}")
            values = {k: _text(k, fields.get(k)) for k in COLUMNS}
            for key in REQUIRED:
                if not (values[key] or "").strip():
                    raise InputError(f"{key} is missing")
            patient = Patient.from_input(
                values["patient_name"], values["date_of_birth"], values["record_number"]
            )
            encounter = Encounter.from_input(
                values["date"],
                values["clinician"],
                values["interpreter_name"],
                values["interpreter_language"],
            )
            locale = (values["locale"] or "").strip()
            with _value_unquoted("locale", locale):
                # es-MX is kept: it formats numbers; es is its catalog.
                if resolve_locale(locale) == PSEUDO_LOCALE:
                    raise InputError("the pseudo-locale is for checking layouts, not for patients")
            # A name the fonts cannot print fails here, not after the run has started.
            check_printable(patient, encounter, _localizer(locale))
            version = (values["table_version"] or "").strip() or None
            wanted = ((values["procedure"] or "").strip(), version)
            if wanted not in tables:
                # The cell the error would quote: the procedure if unknown, else the version.
                column = "procedure" if wanted[0] not in known else "table_version"
                with _value_unquoted(column, wanted[0] if column == "procedure" else wanted[1]):
                    tables[wanted] = load_table(wanted[0], wanted[1], roots=roots)
                result.warnings += [w for w in tables[wanted].warnings if w not in result.warnings]
            table = tables[wanted]
            check_dates(patient, encounter, table.effective, table.approved_on)
            twin = (_record_key(patient.record_number), table.id, encounter.date.isoformat())
            if twin in seen:
                raise InputError(
                    f"record {record} already has a {table.id} packet dated "
                    f"{encounter.date.isoformat()} in row {seen[twin]}"
                )
            seen[twin] = number
            output = unique_name(
                file_name(
                    patient.record_number or f"row{number}",
                    table.id,
                    locale,
                    encounter.date.isoformat(),
                ),
                names,
            )
        except ConsentError as error:
            result.rejected.append(Entry(number, record, "failed", error=_one_line(str(error))))
            continue
        result.jobs.append(
            Job(
                number,
                patient.record_number or "",
                table.id,
                table.version,
                locale,
                patient,
                encounter,
                output,
                table.sha256,
            )
        )
    return result


@contextlib.contextmanager
def _value_unquoted(column: str, value: str | None) -> Iterator[None]:
    """Name the column instead of quoting its cell in an error: a roster with its
    columns mixed up puts a patient's name where the procedure or locale should be,
    and the message goes to the terminal, logs and the manifest."""
    try:
        yield
    except ConsentError as error:
        if not value or repr(value) not in str(error):
            raise
        raise InputError(str(error).replace(repr(value), f"(in the {column} column)")) from None


@lru_cache(maxsize=64)
def _localizer(locale: str) -> Localizer:
    from .i18n import Localizer

    return Localizer(locale)


def _text(key: str, value: Any) -> str | None:
    """A field's text; empty counts as absent, as an empty CSV cell does."""
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise InputError(f"{key} must be text")
    return value


def _safe_record(value: Any) -> str | None:
    """The record number as it may appear in messages: printable, short."""
    if not isinstance(value, str) or not value.strip():
        return None
    printable = "".join(ch if ch.isprintable() else "?" for ch in value.strip())
    # Marked when cut: cut silently, a 41-character number that failed read as
    # the 40-character one of another patient, whose row was fine.
    longest = MAX_RECORD_NUMBER_LENGTH  # a valid number is shown whole
    return printable if len(printable) <= longest else printable[: longest - 1] + "\u2026"


def _record_key(record: str | None) -> str:
    """A record number as compared for duplicates: MRN-0042, mrn-0042 and the same
    with an en dash print alike and name one patient."""
    text = unicodedata.normalize("NFKC", record or "").casefold()
    text = "".join("-" if unicodedata.category(ch) == "Pd" else ch for ch in text)
    return " ".join(text.split())  # 12 345 and 123 45 are two patients


def _one_line(message: str) -> str:
    return " ".join(message.split())


_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
_DEVICE_NAMES = {
    "con",
    "prn",
    "aux",
    "nul",
    *(f"com{i}" for i in range(1, 10)),
    *(f"lpt{i}" for i in range(1, 10)),
}


def file_name(record: str, procedure: str, locale: str, date: str) -> str:
    """A file name from safe fields: letters, digits, '.', '_' and '-' only, no path.

    Digits of any script are written as ASCII ones: Arabic-Indic "٤٨٥٧" and
    "٤٨٥٨" both became "x", and nothing in the name told the patients apart."""
    parts = [
        _UNSAFE.sub("-", _ascii_digits(part)).strip(".-") or "x"
        for part in (record, procedure, locale, date)
    ]
    stem = "_".join(part[:60] for part in parts)
    if stem.split(".")[0].lower() in _DEVICE_NAMES:
        stem = f"packet-{stem}"
    return f"{stem}.pdf"


def _ascii_digits(text: str) -> str:
    return "".join(str(unicodedata.digit(ch)) if ch.isdigit() else ch for ch in text)


def unique_name(name: str, taken: set[str]) -> str:
    """``name``, or ``name`` with -2, -3... if another row already has it."""
    stem, suffix = name[: -len(".pdf")], ".pdf"
    candidate, count = name, 1
    while candidate.lower() in taken:
        count += 1
        candidate = f"{stem}-{count}{suffix}"
    taken.add(candidate.lower())
    return candidate


# --- rendering ---------------------------------------------------------------------


def _failed(job: Job) -> Entry:
    """The manifest entry for ``job`` before it has succeeded."""
    return Entry(
        job.row,
        job.record_number or None,
        "failed",
        output=job.output,
        table_id=job.procedure,
        table_version=job.table_version,
        locale=job.locale,
        inputs_hmac=job.inputs_hmac,
    )


def _render_job(job: Job, out_dir: str, roots: Sequence[str] | None) -> dict[str, Any]:
    """Worker side: render one job; return a manifest entry as a dict."""
    from .packet import render_packet

    start = time.perf_counter()
    entry = _failed(job)
    out = Path(out_dir) / job.output
    try:
        table = _planned_table(job, tuple(roots) if roots else None)
        render_packet(table, job.patient, job.encounter, out, locale=job.locale)
        data = out.read_bytes()
        entry.sha256 = hashlib.sha256(data).hexdigest()
        entry.pages = _page_count(data)
        entry.status = "ok"  # last: a row is ok only once everything about it is known
    except ConsentError as error:
        entry.error = _one_line(str(error))
    except Exception as error:  # one row must never stop the run
        # The message might quote patient data; only its type is reported.
        entry.error = f"internal error ({type(error).__name__})"
    if entry.status == "failed":
        _discard(out)
        if out.exists():
            entry.error = (
                f"{entry.error}; an older packet under this name could not be removed: "
                "do not use it"
            )
    entry.duration = round(time.perf_counter() - start, 3)
    return asdict(entry)


def _planned_table(job: Job, roots: tuple[str, ...] | None) -> RiskTable:
    """The risk table this row was checked against, loaded once per worker.

    The plan recorded the table's SHA-256. A file edited on disk since then
    must not print its numbers under the checked version's name, so the row
    fails instead. A worker that outlives a run (a Dask worker) may hold an
    older copy: it reads the file again before deciding.
    """
    table = _load_once(job.procedure, job.table_version, roots)
    if table.sha256 != job.table_sha256:
        _load_once.cache_clear()
        table = _load_once(job.procedure, job.table_version, roots)
    if table.sha256 != job.table_sha256:
        raise InputError(
            f"the risk table {job.procedure} version {job.table_version} changed on disk "
            "after the roster was checked; run the batch again"
        )
    return table


@lru_cache(maxsize=32)
def _load_once(procedure: str, version: str, roots: tuple[str, ...] | None) -> RiskTable:
    from .tables import load_table

    return load_table(
        procedure, version, roots=[Path(r) for r in roots] if roots else None, allow_draft=True
    )


def _discard(packet: Path) -> None:
    """Remove an out-of-date packet (an earlier run's, for a row that now fails or is
    gone), if it is there, so that nobody prints it by mistake."""
    with contextlib.suppress(OSError):
        packet.unlink(missing_ok=True)


def _remove_earlier_packets(
    out_dir: Path, earlier: list[dict[str, Any]], wanted: set[str], *, resume: bool
) -> int:
    """Remove packets an earlier run wrote here, so the folder holds only what the new
    manifest will list; return how many of them this roster no longer makes.

    A row taken out of the roster, or now refused, must not leave its old packet
    to be printed by mistake. Every line of the earlier manifest counts (an
    interrupted run leaves several for a row). A run that does not resume starts
    over: it clears every earlier packet first, so being interrupted cannot
    orphan one. Only files an earlier manifest named are touched.
    """
    removed = 0
    for name in _earlier_outputs(earlier):
        if resume and name in wanted:
            continue
        path = out_dir / name
        if path.is_file():
            _discard(path)
            removed += name not in wanted
    return removed


def _earlier_outputs(earlier: list[dict[str, Any]]) -> set[str]:
    """Every packet file name the earlier manifest's lines mention."""
    names = {entry.get("output") for entry in earlier}
    # Plain file names only: a manifest edited by hand cannot reach outside.
    return {n for n in names if isinstance(n, str) and n == Path(n).name and n.endswith(".pdf")}


def _page_count(pdf: bytes) -> int:
    """Pages in the PDF as written, read back by pdfium (half a millisecond)."""
    import pypdfium2

    document = pypdfium2.PdfDocument(pdf)
    try:
        return len(document)
    finally:
        document.close()


@contextlib.contextmanager
def _interrupts_ignored() -> Iterator[None]:
    """Ctrl-C (and SIGTERM) ignored for the block, where the main thread can."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {sig: signal.signal(sig, signal.SIG_IGN) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _warm_up(parent: int) -> None:
    """Each worker loads WeasyPrint, fonts and templates once, before its first packet.

    Ctrl-C reaches the whole process group; a worker ignores it and finishes its
    row, so the main process can record it and then stop the workers (see
    _render_in_pool). SIGTERM is left to end a worker: Python stops the workers
    of a broken pool with it, and Linux sends it when the main process dies
    (``parent``, killed outright): a worker left behind would go on writing
    packets no manifest lists, and hold the folder's lock.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # Not the handler a forked worker inherits from the command line's main
    # process (which turns SIGTERM into Ctrl-C): a worker ends on SIGTERM.
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(None).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)
    if os.getppid() != parent:  # the main process died before the line above
        os._exit(1)
    _unblock(_STOP_SIGNALS)  # held while the pool forked this worker
    from . import pdf  # noqa: F401


_PR_SET_PDEATHSIG = 1


_STOP_SIGNALS = {signal.SIGINT, signal.SIGTERM}


def _unblock(signals: set[signal.Signals]) -> None:
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_UNBLOCK, signals)


@contextlib.contextmanager
def _broken_pool_race_quiet() -> Iterator[None]:
    """A pool broken by a stopped worker (SIGTERM to the group) sets an error on the
    futures just cancelled here, and its thread prints InvalidStateError (Python
    3.11); the rows are accounted for by ``run`` either way, so it is not shown."""
    previous = threading.excepthook

    def hook(args: Any) -> None:
        if args.exc_type is not InvalidStateError:
            previous(args)

    threading.excepthook = hook
    try:
        yield
    finally:
        threading.excepthook = previous


@contextlib.contextmanager
def _signals_held() -> Iterator[None]:
    """Ctrl-C and SIGTERM held back while the pool forks its workers: one arriving
    mid-fork is swallowed by Python's fork handlers or stops a half-made worker.
    Held signals are delivered when the block ends."""
    if not hasattr(signal, "pthread_sigmask"):
        yield
        return
    signal.pthread_sigmask(signal.SIG_BLOCK, _STOP_SIGNALS)
    try:
        yield
    finally:
        _unblock(_STOP_SIGNALS)


def previous_results(earlier: list[dict[str, Any]]) -> dict[int, dict[str, Any]]:
    """The last manifest entry of every row, from a run that may have been cut short."""
    entries: dict[int, dict[str, Any]] = {}
    for entry in earlier:
        try:
            entries[int(entry["row"])] = entry
        except (ValueError, KeyError, TypeError):
            continue
    return entries


def _manifest_lines(out_dir: Path) -> Iterator[dict[str, Any]]:
    """The entries of the manifest in ``out_dir``, skipping lines a crash cut off."""
    path = out_dir / MANIFEST
    if not path.exists():
        return
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        try:
            entry = json.loads(line)
        except ValueError:
            continue
        if isinstance(entry, dict):
            yield entry


@contextlib.contextmanager
def _folder_locked(out_dir: Path) -> Iterator[None]:
    """Hold the output folder for one run. Two runs into one folder wrote each
    other's packets under names their manifests gave other patients. The lock
    is an open file the workers inherit, so it is held while any of them lives."""
    import fcntl

    try:
        fd = os.open(out_dir / LOCK, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o600)
    except OSError as error:
        raise InputError(f"cannot lock {out_dir / LOCK} ({error.strerror})") from None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise InputError(
                f"another consent batch is writing to {out_dir} (or a stopped process of "
                "one is still alive); wait for it to end, or choose another --out-dir"
            ) from None
        yield
    finally:
        os.close(fd)


LOCK = ".consent-batch.lock"
STARTED = ".consent-batch-started"
"""The packet names a run is about to render, written before it starts: a run
killed outright (SIGKILL, a power cut) leaves files its manifest never names,
and the next run finds them here."""


def _started_outputs(out_dir: Path) -> list[dict[str, Any]]:
    """The names the last run into ``out_dir`` was about to render, as manifest entries."""
    with contextlib.suppress(OSError), (out_dir / STARTED).open("rb") as handle:
        # No run names more packets than a roster holds rows; a file edited into
        # something huge is read no further than that.
        text = handle.read(MAX_ROSTER_BYTES).decode("utf-8", errors="replace")
        return [{"output": name} for name in text.splitlines()]
    return []


def _batch_key(out_dir: Path) -> bytes:
    """The output folder's secret for ``_inputs_hmac``, made on first use."""
    path = out_dir / ".consent-batch-key"
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        if not path.is_file() or path.is_symlink():
            raise InputError(f"{path} is not a file; remove it") from None
        return path.read_bytes()
    with os.fdopen(fd, "wb") as handle:
        key = os.urandom(32)
        handle.write(key)
    return key


def _made_with(locale: str) -> tuple[str | None, bool, str]:
    """What else a packet depends on: its catalog (the text, and whether it is marked
    reviewed, which every page of an unreviewed one says) and the templates."""
    from .i18n import Localizer
    from .provenance import catalog_digest, folder_digest
    from .render import template_folders

    loc = Localizer(locale)
    return catalog_digest(loc), loc.reviewed, folder_digest(template_folders())


def _inputs_hmac(job: Job, key: bytes, made_with: tuple[str | None, bool, str]) -> str:
    """A digest of the row's values, the risk table's bytes, the catalog and templates
    (``_made_with``) and the tool version.

    Resume skips a row only if this matches too: a file rendered from an older
    roster line, table or translation must not pass as current. Keyed, because
    the values include patient data and the manifest must not let anyone test guesses.
    """
    fields = [
        asdict(job.patient),
        asdict(job.encounter),
        job.procedure,
        job.table_version,
        job.table_sha256,
        job.locale,
        job.output,
        __version__,
        made_with,
    ]
    message = json.dumps(fields, sort_keys=True, default=str).encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def _finished(job: Job, previous: dict[str, Any] | None, out_dir: Path) -> bool:
    """True when this job's file exists with the bytes the manifest recorded, made from
    the same inputs (roster values, table, tool version)."""
    if not previous or previous.get("status") not in ("ok", "skipped"):
        return False
    if previous.get("inputs_hmac") != job.inputs_hmac:
        return False
    if previous.get("output") != job.output or not previous.get("sha256"):
        return False
    path = out_dir / job.output
    try:
        return bool(hashlib.sha256(path.read_bytes()).hexdigest() == previous["sha256"])
    except OSError:
        return False


@dataclass
class Summary:
    ok: int = 0
    failed: int = 0
    skipped: int = 0
    seconds: float = 0.0
    removed: int = 0
    """Packets an earlier run here wrote that this roster no longer makes."""
    warnings: list[str] = field(default_factory=list)
    """The tables' warnings (``Plan.warnings``)."""

    @property
    def rate(self) -> float:
        return self.ok / self.seconds if self.seconds else 0.0


def run(
    roster: Path,
    out_dir: Path,
    *,
    roots: Sequence[Path] | None = None,
    jobs: int | None = None,
    resume: bool = False,
    progress: Callable[[Entry], None] | None = None,
    scheduler: str | None = None,
) -> tuple[Summary, list[Entry]]:
    """Validate the roster, render every valid row, write the manifests.

    With ``scheduler`` (a Dask distributed scheduler address) the rows render on
    that cluster's workers instead of local processes; ``out_dir`` must then be a
    folder every worker can write to. Manifest and resume work the same way.
    """
    # Workers (on a cluster, in folders of their own) get absolute paths only.
    # (Not resolve(): a symlinked folder must keep the name the workers know it by.)
    out_dir = Path(os.path.abspath(out_dir))
    roots = [Path(os.path.abspath(root)) for root in roots] if roots else roots
    check_writable(out_dir / MANIFEST)
    check_writable(out_dir / MANIFEST_CSV)
    if roster.resolve() in {(out_dir / name).resolve() for name in (MANIFEST, MANIFEST_CSV)}:
        raise InputError(f"the roster {roster.name} is where this run writes its manifest")
    with _folder_locked(out_dir):
        return _run_locked(roster, out_dir, roots, jobs, resume, progress, scheduler)


def _run_locked(
    roster: Path,
    out_dir: Path,
    roots: Sequence[Path] | None,
    jobs: int | None,
    resume: bool,
    progress: Callable[[Entry], None] | None,
    scheduler: str | None,
) -> tuple[Summary, list[Entry]]:
    planned = plan(read_roster(roster), roots)
    key = _batch_key(out_dir)
    made_with = {locale: _made_with(locale) for locale in {job.locale for job in planned.jobs}}
    planned.jobs = [
        replace(job, inputs_hmac=_inputs_hmac(job, key, made_with[job.locale]))
        for job in planned.jobs
    ]
    earlier = list(_manifest_lines(out_dir))  # read once, for resuming and for clearing
    previous = previous_results(earlier) if resume else {}
    wanted = {job.output for job in planned.jobs}
    # The CSV manifest is the last run's until this run writes its own: gone
    # meanwhile, a run killed now leaves none rather than one naming other rows.
    _discard(out_dir / MANIFEST_CSV)
    if (out_dir / MANIFEST_CSV).exists():  # made immutable, or the like
        raise OutputError(
            f"cannot replace {out_dir / MANIFEST_CSV} (an earlier run's): it would list "
            "other patients beside this run's packets; remove it, then run again"
        )
    for partial in out_dir.glob(".consent-*.tmp"):  # a writer killed mid-file
        _discard(partial)
    removed = _remove_earlier_packets(
        out_dir, [*earlier, *_started_outputs(out_dir)], wanted, resume=resume
    )
    manifest = out_dir / MANIFEST
    entries: dict[int, Entry] = {}
    start = time.perf_counter()
    with manifest.open("w" if not resume else "a", encoding="utf-8") as log:

        def record(entry: Entry) -> None:
            entries[entry.row] = entry
            # One line per finished row, on disk at once: a kill loses no finished work.
            log.write(json.dumps(asdict(entry), sort_keys=True) + "\n")
            log.flush()
            os.fsync(log.fileno())
            if progress is not None:
                progress(entry)

        for entry in planned.rejected:
            record(entry)
        todo = []
        for job in planned.jobs:
            if resume and _finished(job, previous.get(job.row), out_dir):
                old = previous[job.row]
                record(
                    replace(
                        _failed(job), status="skipped", sha256=old["sha256"], pages=old.get("pages")
                    )
                )
            else:
                todo.append(job)
        write_text_atomically(out_dir / STARTED, "".join(f"{job.output}\n" for job in todo))
        root_names = [str(r) for r in roots] if roots else None
        workers = max(1, min(jobs or os.cpu_count() or 1, len(todo) or 1))
        try:
            if scheduler is not None and todo:
                _run_on_cluster(scheduler, todo, out_dir, root_names, record)
                todo = []
            _render_locally(todo, workers, str(out_dir), root_names, record)
        except KeyboardInterrupt:
            # The manifests list every row finished so far, and the folder holds no
            # packet of this run they do not list as ok (a worker killed between
            # writing its file and reporting it); --resume does the rest.
            with _interrupts_ignored():
                for job in todo:
                    if job.row not in entries or entries[job.row].status != "ok":
                        _discard(out_dir / job.output)
                _write_manifests(out_dir, [entries[row] for row in sorted(entries)])
            raise
    ordered = [entries[row] for row in sorted(entries)]
    _write_manifests(out_dir, ordered)
    summary = Summary(
        seconds=round(time.perf_counter() - start, 3), removed=removed, warnings=planned.warnings
    )
    for entry in ordered:
        setattr(summary, entry.status, getattr(summary, entry.status) + 1)
    return summary, ordered


def _render_locally(
    todo: list[Job],
    workers: int,
    out_dir: str,
    roots: list[str] | None,
    record: Callable[[Entry], None],
) -> None:
    """Render ``todo`` in local worker processes, recording each row as it finishes.

    A fresh pool for each chunk replaces the workers every RECYCLE_AFTER packets, so
    memory stays flat. (Python 3.11's max_tasks_per_child hangs the pool once every
    worker has been retired, so it is not used.)

    A worker that dies (killed, out of memory) breaks its pool and every row still in
    it. Those rows are tried once more in a fresh pool, then any lost again one pool
    each, so only the row that really kills its worker is reported failed.
    """
    chunk = workers * RECYCLE_AFTER
    for first in range(0, len(todo), chunk):
        lost = _render_in_pool(todo[first : first + chunk], workers, out_dir, roots, record)
        if lost:
            lost = _render_in_pool(lost, workers, out_dir, roots, record)
        for job in lost:
            if _render_in_pool([job], 1, out_dir, roots, record):
                _discard(Path(out_dir) / job.output)
                entry = _failed(job)
                entry.error = "the worker process stopped while rendering this row"
                record(entry)


def _render_in_pool(
    jobs: list[Job],
    workers: int,
    out_dir: str,
    roots: list[str] | None,
    record: Callable[[Entry], None],
) -> list[Job]:
    """Render ``jobs`` in one process pool; return those lost to a dead worker."""
    futures: dict[Any, Job] = {}
    recorded: set[Any] = set()
    lost: list[Job] = []
    pool = None
    try:
        # Inside the try: a signal held back is raised as this block ends.
        with _signals_held():
            pool = ProcessPoolExecutor(
                max_workers=workers, initializer=_warm_up, initargs=(os.getpid(),)
            )
            futures = {pool.submit(_render_job, job, out_dir, roots): job for job in jobs}
        for future in as_completed(futures):
            try:
                result = future.result()
            except BrokenProcessPool:
                lost.append(futures[future])
            else:
                recorded.add(future)
                record(Entry(**result))
        pool.shutdown()
    except KeyboardInterrupt:
        # Ctrl-C: drop what has not started, but let the rows the workers already
        # hold finish (a second or so) and record them. More Ctrl-Cs meanwhile
        # are ignored: cut short, this would leave workers never told to stop.
        # (Whatever still slips through is removed by ``run``.)
        with _interrupts_ignored(), _broken_pool_race_quiet():
            for future in futures:
                future.cancel()
            for future in futures:
                if future not in recorded and not future.cancelled():
                    # A row whose worker was stopped is not recorded (and its
                    # file, if any, is removed by ``run``).
                    with contextlib.suppress(Exception, KeyboardInterrupt):
                        record(Entry(**future.result()))
            if pool is not None:
                pool.shutdown(cancel_futures=True)
        raise
    except BaseException:
        if pool is not None:
            pool.shutdown(wait=False, cancel_futures=True)
        raise
    return sorted(lost, key=lambda job: job.row)


def _run_on_cluster(
    address: str,
    todo: list[Job],
    out_dir: Path,
    roots: list[str] | None,
    record: Callable[[Entry], None],
) -> None:
    """Render ``todo`` on a Dask distributed cluster, recording each row as it finishes."""
    try:
        from distributed import Client
        from distributed import as_completed as finished_first
    except ImportError:
        raise InputError("--scheduler needs Dask: pip install 'consent[dask]'") from None
    try:
        client = Client(address, timeout="10s")
    except (OSError, TimeoutError) as error:
        raise InputError(f"cannot reach the Dask scheduler at {address} ({error})") from None
    with client:
        futures = [
            client.submit(
                _render_job,
                job,
                str(out_dir),
                roots,
                pure=False,
                key=f"consent-row-{job.row}-{os.getpid()}-{time.monotonic_ns()}",
            )
            for job in todo
        ]
        try:
            for future in finished_first(futures):
                record(Entry(**future.result()))
        except BaseException:
            client.cancel(futures)
            raise


def _write_manifests(out_dir: Path, entries: list[Entry]) -> None:
    """The final manifests, one line per roster row in row order (replacing the log)."""
    lines = "".join(json.dumps(asdict(e), sort_keys=True) + "\n" for e in entries)
    write_text_atomically(out_dir / MANIFEST, lines)
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(asdict(Entry(0, None, "ok"))))
    writer.writeheader()
    for entry in entries:
        writer.writerow({key: _inert(value) for key, value in asdict(entry).items()})
    write_text_atomically(out_dir / MANIFEST_CSV, buffer.getvalue())


def _inert(value: Any) -> Any:
    """A cell a spreadsheet shows as text: one starting with = + - @ (a formula to
    Excel or LibreOffice, which a roster could smuggle in) gets a leading quote."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value
