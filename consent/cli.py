"""The `consent` command line: parse options, call the library, map errors to exit codes.

Exit codes: 0 success, 1 the input or the work failed (one sentence on stderr),
2 usage error (Typer/Click). Heavy modules (WeasyPrint, Babel) are imported
inside the commands that need them, so ``consent --help`` answers at once.
"""

from __future__ import annotations

import gc
import os
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer

from . import __version__
from .errors import ConsentError, InputError, OutputError, TableInvalid
from .memory import limit_memory

app = typer.Typer(
    name="consent",
    help="Shared-decision-making consent packets for revision and salvage surgery.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


def _error(message: str) -> None:
    typer.echo(f"Error: {message}", err=True)


@contextmanager
def _one_document() -> Iterator[None]:
    """Pause Python's cycle collector, and cap memory, while a command makes one document.

    Such a command imports WeasyPrint, lays out one packet and exits. The
    collector would spend about 0.09 s of that (8% of a cold `consent render`)
    walking WeasyPrint's freshly imported modules to free almost nothing: the
    cycles it leaves come to about 3 MB. The collector is back on afterwards,
    for callers that go on in the same process (tests, or a script calling the
    command). The memory ceiling (``limit_memory``) is lifted again too.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    restore = limit_memory()
    try:
        yield
    finally:
        restore()
        if was_enabled:
            gc.enable()


@contextmanager
def _user_errors() -> Iterator[None]:
    """Turn library errors into one line on stderr and exit code 1, never a traceback."""
    try:
        yield
    except TableInvalid as error:
        if len(error.problems) == 1:
            _error(f"the risk table is not valid: {error.problems[0]}")
        else:
            _error(f"the risk table is not valid ({len(error.problems)} problems):")
            for problem in error.problems:
                typer.echo(f"  {problem}", err=True)
        raise typer.Exit(1) from None
    except ConsentError as error:
        _error(str(error))
        raise typer.Exit(1) from None
    except MemoryError:
        _error(
            "the packet needed more memory than one command may use (about 3 GB more than "
            "it started with); a template that makes very long text is the usual cause"
        )
        raise typer.Exit(1) from None
    except (typer.Exit, typer.Abort, KeyboardInterrupt):
        raise
    except Exception as error:
        if os.environ.get("CONSENT_DEBUG"):
            raise
        # The message of an unexpected error might quote patient data; show its type only.
        _error(
            f"internal error ({type(error).__name__}); no file was left half-written. "
            "Set CONSENT_DEBUG=1 to see the details, and please report it."
        )
        raise typer.Exit(1) from None


def _show_version(value: bool) -> None:
    if value:
        typer.echo(f"consent {__version__}")
        raise typer.Exit()


@app.callback()
def main_options(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_show_version, is_eager=True, help="Print the version and exit."
        ),
    ] = False,
) -> None:
    """Shared-decision-making consent packets for revision and salvage surgery."""


TablesOption = Annotated[
    list[Path] | None,
    typer.Option(
        "--tables",
        help="A folder of risk tables searched before the bundled ones (may be repeated).",
        file_okay=False,
        exists=True,
    ),
]
NoBundledOption = Annotated[
    bool,
    typer.Option(
        "--no-bundled-tables", help="Use only the --tables folders, not the bundled ones."
    ),
]
TableVersionOption = Annotated[
    str | None,
    typer.Option(help="Risk table version (default: newest approved, else newest reference)."),
]
AllowDraftOption = Annotated[bool, typer.Option("--allow-draft", help="Allow a draft risk table.")]


def _roots(tables: list[Path] | None, no_bundled: bool) -> list[Path]:
    from .tables import default_roots

    if no_bundled and not tables:
        raise typer.BadParameter("--no-bundled-tables needs at least one --tables folder")
    return default_roots(tables or [], bundled=not no_bundled)


def _warn(lines: Iterable[str]) -> None:
    for line in lines:
        typer.echo(f"Warning: {line}", err=True)


@app.command()
def render(
    procedure: Annotated[
        str, typer.Argument(metavar="PROCEDURE", help="Procedure id, e.g. bariatric-revision.")
    ],
    out: Annotated[Path | None, typer.Option("--out", "-o", help="Where to write the PDF.")] = None,
    html: Annotated[
        Path | None,
        typer.Option("--html", help="Also (or only) write the packet as one HTML file."),
    ] = None,
    patient_name: Annotated[
        str | None, typer.Option(help="Patient's name (blank line if omitted).")
    ] = None,
    date_of_birth: Annotated[
        str | None, typer.Option(help="Patient's date of birth, YYYY-MM-DD.")
    ] = None,
    record_number: Annotated[str | None, typer.Option(help="Medical record number.")] = None,
    clinician: Annotated[
        str | None, typer.Option(help="Clinician leading the consent conversation.")
    ] = None,
    date: Annotated[
        str | None, typer.Option(help="Date of the packet, YYYY-MM-DD (default: today).")
    ] = None,
    interpreter_name: Annotated[
        str | None, typer.Option(help="Interpreter's name, printed on their signature line.")
    ] = None,
    interpreter_language: Annotated[
        str | None, typer.Option(help="Language the interpreter interpreted into.")
    ] = None,
    table_version: TableVersionOption = None,
    tables: TablesOption = None,
    no_bundled_tables: NoBundledOption = False,
    allow_draft: AllowDraftOption = False,
    pdf_variant: Annotated[
        str, typer.Option(help="pdf/ua-1 (tagged, accessible), pdf/a-3b (archival) or plain.")
    ] = "pdf/ua-1",
    locale: Annotated[
        str, typer.Option(help="Language of the packet, a BCP 47 tag: es, es-MX, ar, pl, en-XA.")
    ] = "en",
    require_reviewed: Annotated[
        bool,
        typer.Option("--require-reviewed", help="Refuse a translation that has not been reviewed."),
    ] = False,
    templates: Annotated[
        Path | None,
        typer.Option(
            "--templates",
            help="A folder of templates and assets that replace the bundled ones by name.",
            file_okay=False,
            exists=True,
        ),
    ] = None,
) -> None:
    """Write a consent packet for one patient as a PDF."""
    if out is None and html is None:
        raise typer.BadParameter("give --out for the PDF, --html for a preview, or both")
    for given in (out, html):
        if given is not None and given.name == "-":  # was written as a file named "-"
            raise typer.BadParameter("'-' is not a file name; a packet is written to a file")
    roots = _roots(tables, no_bundled_tables)
    with _user_errors(), _one_document():
        from .patient import Encounter, Patient
        from .tables import load_table

        patient = Patient.from_input(patient_name, date_of_birth, record_number)
        encounter = Encounter.from_input(date, clinician, interpreter_name, interpreter_language)
        table = load_table(procedure, table_version, roots=roots, allow_draft=allow_draft)
        _warn(table.warnings)

        from .packet import render_packet  # WeasyPrint loads only once the input is good

        used = render_packet(
            table,
            patient,
            encounter,
            out,
            locale=locale,
            variant=pdf_variant,
            require_reviewed=require_reviewed,
            templates=templates,
            html_out=html,
        )
    if used.fallbacks:
        _warn(
            [
                f"{len(used.fallbacks)} text(s) have no {used.locale} translation and print in "
                f"English: "
                + "; ".join(sorted(used.fallbacks)[:5])
                + ("; ..." if len(used.fallbacks) > 5 else "")
            ]
        )
    if not used.reviewed:
        _warn([f"the {used.locale} translation has not been reviewed; the packet says so"])
    written = " and ".join(str(path) for path in (out, html) if path is not None)
    typer.echo(
        f"Wrote {written} ({table.id} {table.version}, {table.status}, {used.tag})", err=True
    )


@app.command("icon-array")
def icon_array_command(
    numerator: Annotated[int, typer.Argument(metavar="NUMERATOR", help="People it happens to.")],
    denominator: Annotated[int, typer.Argument(metavar="DENOMINATOR", help="100 or 1000.")],
    low: Annotated[int | None, typer.Option(help="Low end of the range, in people.")] = None,
    high: Annotated[int | None, typer.Option(help="High end of the range, in people.")] = None,
    event: Annotated[
        str | None, typer.Option(help='What happens, e.g. "have a serious leak".')
    ] = None,
    non_event: Annotated[
        str | None, typer.Option(help='The other framing, e.g. "do not" (the default).')
    ] = None,
    locale: Annotated[str, typer.Option(help="Language of the caption.")] = "en",
    out: Annotated[
        Path | None,
        typer.Option("--out", "-o", help="Write .svg, .pdf or .png (default: SVG on stdout)."),
    ] = None,
) -> None:
    """Draw one icon array with its caption, e.g. 5 in 100 with a range of 3 to 7."""
    with _user_errors(), _one_document():
        from .patient import clean_text
        from .standalone import make_frequency, render_icon_array

        freq = make_frequency(numerator, denominator, low, high)
        svg = render_icon_array(
            freq,
            out,
            locale=locale,
            event=clean_text("--event", event),
            non_event=clean_text("--non-event", non_event),
        )
    if svg is not None:
        typer.echo(svg, nl=False)
    else:
        typer.echo(f"Wrote {out}", err=True)


@app.command()
def batch(
    roster: Annotated[
        Path,
        typer.Argument(
            metavar="ROSTER", help="A .csv or .jsonl roster.", dir_okay=False, exists=True
        ),
    ],
    out_dir: Annotated[
        Path,
        typer.Option("--out-dir", help="Folder for the packets and manifests.", file_okay=False),
    ],
    jobs: Annotated[
        int | None, typer.Option("--jobs", min=1, help="Worker processes (default: one per core).")
    ] = None,
    resume: Annotated[
        bool, typer.Option("--resume", help="Skip rows already rendered and verified.")
    ] = False,
    check: Annotated[bool, typer.Option("--check", help="Validate the roster only.")] = False,
    quiet: Annotated[
        bool, typer.Option("--quiet", help="No progress bar and no summary line.")
    ] = False,
    json_summary: Annotated[
        bool, typer.Option("--json", help="Print the summary as JSON.")
    ] = False,
    scheduler: Annotated[
        str | None,
        typer.Option("--scheduler", help="A Dask scheduler address: render on that cluster."),
    ] = None,
    tables: TablesOption = None,
    no_bundled_tables: NoBundledOption = False,
) -> None:
    """Render one packet per roster row, with a manifest; exit 1 if any row failed."""
    roots = _roots(tables, no_bundled_tables)
    with _user_errors():
        from . import batch as batch_run

        if check:
            planned = batch_run.plan(batch_run.read_roster(roster), roots)
            _warn(planned.warnings)
            for entry in planned.rejected:
                typer.echo(
                    f"row {entry.row} (record {entry.record_number or '-'}): {entry.error}",
                    err=True,
                )
            if json_summary:
                import json

                counts = {"valid": len(planned.jobs), "invalid": len(planned.rejected)}
                typer.echo(json.dumps(counts))
            else:
                typer.echo(f"{len(planned.jobs)} valid row(s), {len(planned.rejected)} invalid")
            if planned.rejected:
                raise typer.Exit(1)
            return
        try:
            out_dir.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise OutputError(f"cannot create {out_dir}: {error.strerror}") from None
        with _interruptible():
            summary, entries = _run_batch(
                batch_run, roster, out_dir, roots, jobs, resume, quiet, scheduler
            )
    _warn(summary.warnings)
    for entry in entries:
        if entry.status == "failed" and not quiet:
            typer.echo(
                f"row {entry.row} (record {entry.record_number or '-'}): {entry.error}", err=True
            )
    if json_summary:
        import json

        typer.echo(
            json.dumps(
                {
                    "ok": summary.ok,
                    "failed": summary.failed,
                    "skipped": summary.skipped,
                    "seconds": summary.seconds,
                    "packets_per_second": round(summary.rate, 2),
                    "removed": summary.removed,
                }
            )
        )
    elif not quiet:
        typer.echo(
            f"{summary.ok} ok, {summary.failed} failed, {summary.skipped} skipped "
            f"in {summary.seconds:.1f} s ({summary.rate:.1f} packets/s); "
            f"manifest: {out_dir / batch_run.MANIFEST}"
        )
        if summary.removed:
            typer.echo(
                f"removed {summary.removed} packet(s) an earlier run here wrote "
                "that this roster no longer makes"
            )
    if summary.failed:
        raise typer.Exit(1)


@contextmanager
def _interruptible() -> Iterator[None]:
    """Ctrl-C or SIGTERM (a service stopping) lets the rows being rendered finish,
    writes the manifests (see consent.batch) and says so, with exit code 130."""
    import signal

    def stop(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        yield
    except KeyboardInterrupt:
        typer.echo(
            "Interrupted: finished packets are in the manifest; rerun with --resume.", err=True
        )
        raise typer.Exit(130) from None
    finally:
        signal.signal(signal.SIGTERM, previous)


def _run_batch(
    batch_run: Any,
    roster: Path,
    out_dir: Path,
    roots: list[Path],
    jobs: int | None,
    resume: bool,
    quiet: bool,
    scheduler: str | None,
) -> Any:
    """With a progress bar on a terminal; silently otherwise (cron, CI)."""
    import sys

    if quiet or not sys.stderr.isatty():
        return batch_run.run(
            roster, out_dir, roots=roots, jobs=jobs, resume=resume, scheduler=scheduler
        )
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
    )

    rows = len(batch_run.read_roster(roster))
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[failed]} failed"),
        TimeRemainingColumn(),
        transient=True,
    ) as bar:
        task = bar.add_task("packets", total=rows, failed=0)
        failed = 0

        def advance(entry: Any) -> None:
            nonlocal failed
            failed += entry.status == "failed"
            bar.update(task, advance=1, failed=failed)

        return batch_run.run(
            roster,
            out_dir,
            roots=roots,
            jobs=jobs,
            resume=resume,
            progress=advance,
            scheduler=scheduler,
        )


@app.command()
def lint(
    procedures_: Annotated[
        list[str] | None,
        typer.Argument(metavar="[PROCEDURE]...", help="Default: every procedure."),
    ] = None,
    tables: TablesOption = None,
    no_bundled_tables: NoBundledOption = False,
    templates: Annotated[
        Path | None,
        typer.Option(
            "--templates",
            help="Templates that replace the bundled ones by name.",
            file_okay=False,
            exists=True,
        ),
    ] = None,
) -> None:
    """Reading grade of each packet section in English (rule R12); exit 1 when a section's
    Flesch-Kincaid grade is above 8 (SMOG is shown too)."""
    roots = _roots(tables, no_bundled_tables)
    with _user_errors():
        from .patient import Encounter, Patient
        from .readability import MAX_GRADE, packet_grades
        from .render import packet_html
        from .tables import load_table, procedures

        rows, hard = [], 0
        chosen = procedures_ or list(procedures(roots))
        if not chosen:
            raise InputError("no risk tables to grade in the given folders")
        for procedure in chosen:
            table = load_table(procedure, roots=roots)
            html = packet_html(table, Patient(), Encounter.from_input(), templates=templates)
            for grade in packet_grades(html):
                hard += grade.too_hard
                rows.append(
                    (
                        procedure,
                        grade.section,
                        str(grade.words),
                        f"{grade.flesch_kincaid:.1f}",
                        f"{grade.smog:.1f}",
                        "TOO HARD" if grade.too_hard else "ok",
                    )
                )
    _print_table(
        ("procedure", "section", "words", "Flesch-Kincaid", "SMOG", ""), rows, wrapping=[1]
    )
    typer.echo(f"{hard} section(s) above grade {MAX_GRADE:g}")
    if hard:
        raise typer.Exit(1)


@app.command()
def verify(
    packet: Annotated[
        Path,
        typer.Argument(
            metavar="PACKET", help="A PDF made by consent.", dir_okay=False, exists=True
        ),
    ],
    tables: TablesOption = None,
    no_bundled_tables: NoBundledOption = False,
) -> None:
    """Check a packet: its risk table still matches and its pages were not changed."""
    roots = _roots(tables, no_bundled_tables)
    with _user_errors():
        from .provenance import verify as verify_packet

        checks = verify_packet(packet, roots)
    for check in checks:
        typer.echo(f"{'ok  ' if check.ok else 'FAIL'}  {check.name}: {check.detail}")
    verified = all(check.ok for check in checks)
    typer.echo(f"{packet}: {'verified' if verified else 'NOT verified'}")
    if not verified:
        raise typer.Exit(1)


tables_app = typer.Typer(help="List, check, show and compare risk tables.", no_args_is_help=True)
app.add_typer(tables_app, name="tables")


@tables_app.command("list")
def tables_list(tables: TablesOption = None, no_bundled_tables: NoBundledOption = False) -> None:
    """Every procedure and version, with its status and effective date."""
    roots = _roots(tables, no_bundled_tables)
    with _user_errors():
        from .tables import load_table_file, procedures, versions

        rows: list[tuple[str, ...]] = []
        for procedure, folder in procedures(roots).items():
            for version in versions(folder):
                try:
                    table = load_table_file(folder / f"{version}.yaml")
                    rows.append(
                        (procedure, version, table.status, str(table.effective), table.title)
                    )
                except ConsentError:
                    rows.append((procedure, version, "INVALID", "", "run: consent tables validate"))
        _print_table(("procedure", "version", "status", "effective", "title"), rows, wrapping=[4])


@tables_app.command("validate")
def tables_validate(
    paths: Annotated[
        list[Path] | None,
        typer.Argument(help="Table files or folders (default: every table in use).", exists=True),
    ] = None,
    strict: Annotated[bool, typer.Option("--strict", help="Treat unknown keys as errors.")] = False,
    tables: TablesOption = None,
    no_bundled_tables: NoBundledOption = False,
) -> None:
    """Check table files; exit 1 listing every problem if any is invalid."""
    roots = _roots(tables, no_bundled_tables)
    with _user_errors():
        from .resources import templates_dir
        from .tables import load_table_file
        from .tables.loading import unprintable_texts

        files = _table_files(paths or roots)
        invalid = 0
        for path in files:
            try:
                table = load_table_file(path, strict=strict)
                # Valid, and yet every packet from it would be refused.
                if problems := unprintable_texts(path, templates_dir() / "fonts"):
                    raise TableInvalid(problems)
            except TableInvalid as error:
                invalid += 1
                typer.echo(f"INVALID {path}", err=True)
                for problem in error.problems:
                    typer.echo(f"  {problem}", err=True)
                continue
            _warn(table.warnings)
            typer.echo(f"ok      {path} ({table.status})")
        typer.echo(f"{len(files)} table file(s): {len(files) - invalid} valid, {invalid} invalid")
        if invalid or not files:
            raise typer.Exit(1)


def _table_files(paths: Iterable[Path]) -> list[Path]:
    """Every table file under ``paths``, misnamed ones too (``2026.3.yml``), so
    that validate refuses what render would refuse."""
    from .tables.loading import table_files

    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            folders = [path, *sorted(p for p in path.rglob("*") if p.is_dir())]
            found.extend(file for folder in folders for file in table_files(folder))
        else:
            found.append(path)
    return found


@tables_app.command("show")
def tables_show(
    procedure: Annotated[str, typer.Argument(metavar="PROCEDURE")],
    table_version: TableVersionOption = None,
    tables: TablesOption = None,
    no_bundled_tables: NoBundledOption = False,
    allow_draft: AllowDraftOption = False,
) -> None:
    """The figures of a table and how a packet words them."""
    roots = _roots(tables, no_bundled_tables)
    with _user_errors():
        from .tables import load_table
        from .tables.report import figure_rows

        table = load_table(procedure, table_version, roots=roots, allow_draft=allow_draft)
        _warn(table.warnings)
        typer.echo(
            f"{table.title}: {table.id} {table.version} ({table.status}), "
            f"effective {table.effective}"
        )
        _print_table(
            ("outcome", "option", "figure", "a packet says", "source"),
            figure_rows(table),
            wrapping=[3, 4],
        )


@tables_app.command("diff")
def tables_diff(
    procedure: Annotated[str, typer.Argument(metavar="PROCEDURE")],
    old: Annotated[str, typer.Argument(metavar="V1", help="The earlier version.")],
    new: Annotated[str, typer.Argument(metavar="V2", help="The later version.")],
    tables: TablesOption = None,
    no_bundled_tables: NoBundledOption = False,
) -> None:
    """What changed between two versions: outcomes, figures, sources."""
    roots = _roots(tables, no_bundled_tables)
    with _user_errors():
        from .tables import load_table
        from .tables.diff import diff_tables

        changes = diff_tables(
            load_table(procedure, old, roots=roots, allow_draft=True),
            load_table(procedure, new, roots=roots, allow_draft=True),
        )
        for change in changes:
            typer.echo(str(change))
        typer.echo(f"{len(changes)} change(s) from {old} to {new}")


@tables_app.command("lock")
def tables_lock(
    folder: Annotated[
        Path | None,
        typer.Argument(
            help="The tables folder to lock (default: the bundled one).",
            file_okay=False,
            exists=True,
        ),
    ] = None,
) -> None:
    """Record the SHA-256 of every approved version in the folder's LOCK file."""
    with _user_errors():
        from .resources import tables_dir
        from .tables import LOCK_NAME, lock_tables

        root = folder or tables_dir()
        added = lock_tables(root)
        for name in added:
            typer.echo(f"locked {name}")
        typer.echo(f"{root / LOCK_NAME}: {len(added)} approved version(s) newly recorded")


@tables_app.command("schema")
def tables_schema() -> None:
    """Print the risk table schema as JSON Schema."""
    import json

    from .tables.schema import table_json_schema

    typer.echo(json.dumps(table_json_schema(), indent=2))


locales_app = typer.Typer(
    help="Translation catalogs: extract, init, update, compile, check, stats.",
    no_args_is_help=True,
)
app.add_typer(locales_app, name="locales")

LocalesOption = Annotated[
    Path | None,
    typer.Option(
        "--locales",
        help="The locales folder (default: the bundled one).",
        file_okay=False,
        exists=True,
    ),
]


@locales_app.command("extract")
def locales_extract(locales: LocalesOption = None) -> None:
    """Write messages.pot: every English string of the packet wording, templates and tables."""
    with _user_errors():
        from .catalogs import write_pot

        path = write_pot(locales)
    typer.echo(f"Wrote {path}")


@locales_app.command("init")
def locales_init(
    lang: Annotated[str, typer.Argument(metavar="LANG", help="Language code, e.g. es or pt-BR.")],
    locales: LocalesOption = None,
) -> None:
    """Start a catalog for a new language from messages.pot."""
    with _user_errors():
        from .catalogs import init

        path = init(lang, locales)
    typer.echo(f"Wrote {path}")


@locales_app.command("update")
def locales_update(locales: LocalesOption = None) -> None:
    """Merge messages.pot into every catalog (changed strings become fuzzy)."""
    with _user_errors():
        from .catalogs import update

        for path in update(locales):
            typer.echo(f"Updated {path}")


@locales_app.command("compile")
def locales_compile(locales: LocalesOption = None) -> None:
    """Write messages.mo beside every messages.po."""
    with _user_errors():
        from .catalogs import compile_catalogs

        for path in compile_catalogs(locales):
            typer.echo(f"Wrote {path}")


@locales_app.command("check")
def locales_check(
    langs: Annotated[
        list[str] | None, typer.Argument(metavar="[LANG]...", help="Default: every catalog.")
    ] = None,
    locales: LocalesOption = None,
) -> None:
    """List every problem of the catalogs; exit 1 if any is an error."""
    with _user_errors():
        from .catalogs import catalog_locales, check

        errors = 0
        for lang in langs or catalog_locales(locales):
            problems = check(lang, locales)
            errors += sum(p.error for p in problems)
            for problem in problems:
                typer.echo(str(problem), err=True)
            typer.echo(f"{lang}: {len(problems)} problem(s)")
    if errors:
        raise typer.Exit(1)


@locales_app.command("stats")
def locales_stats(locales: LocalesOption = None) -> None:
    """How much of each catalog is translated, and whether it is reviewed."""
    with _user_errors():
        from .catalogs import stats

        rows = [
            (
                c.lang,
                f"{c.translated}/{c.total}",
                f"{c.percent:.0f}%",
                str(c.fuzzy),
                "yes" if c.complete else "no",
                c.reviewed_by or "not reviewed",
            )
            for c in stats(locales)
        ]
    _print_table(
        ("locale", "translated", "coverage", "fuzzy", "complete", "reviewed by"), rows, wrapping=[5]
    )


def _print_table(
    headers: Sequence[str], rows: Sequence[Sequence[str]], *, wrapping: Sequence[int] = ()
) -> None:
    """Print rows under headers. Only the ``wrapping`` columns (prose) may wrap
    in a narrow terminal: ids are copied into commands, and a number broken
    one digit a line cannot be read. Piped output is never wrapped."""
    from rich.console import Console
    from rich.table import Table

    table = Table(box=None, pad_edge=False)
    for index, header in enumerate(headers):
        table.add_column(header, no_wrap=index not in wrapping, overflow="fold")
    for row in rows:
        table.add_row(*row)
    console = Console(soft_wrap=False)
    if not console.is_terminal:
        console = Console(soft_wrap=False, width=10_000)
    console.print(table)


def main() -> None:
    """Entry point of the ``consent`` script."""
    app(prog_name="consent")
