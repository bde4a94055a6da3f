"""The `consent` command line: parse options, call the library, map errors to exit codes.

Exit codes: 0 success, 1 the input or the work failed (one sentence on stderr),
2 usage error (Typer/Click). Heavy modules (WeasyPrint, Babel) are imported
inside the commands that need them, so ``consent --help`` answers at once.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer

from . import __version__
from .errors import ConsentError, TableInvalid

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
def _user_errors() -> Iterator[None]:
    """Turn library errors into one line on stderr and exit code 1, never a traceback."""
    try:
        yield
    except TableInvalid as error:
        _error(f"the risk table is not valid ({len(error.problems)} problem(s)):")
        for problem in error.problems:
            typer.echo(f"  {problem}", err=True)
        raise typer.Exit(1) from None
    except ConsentError as error:
        _error(str(error))
        raise typer.Exit(1) from None
    except (typer.Exit, typer.Abort, KeyboardInterrupt):
        raise
    except Exception as error:
        if os.environ.get("CONSENT_DEBUG"):
            raise
        # The message of an unexpected error might quote patient data; show its type only.
        _error(
            f"internal error ({type(error).__name__}); nothing was written. "
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
    Path | None,
    typer.Option(
        "--tables",
        help="Folder of risk tables to use instead of the bundled ones.",
        file_okay=False,
        dir_okay=True,
        exists=True,
    ),
]


@app.command()
def render(
    procedure: Annotated[
        str, typer.Argument(metavar="PROCEDURE", help="Procedure id, e.g. bariatric-revision.")
    ],
    out: Annotated[Path, typer.Option("--out", "-o", help="Where to write the PDF.")],
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
    table_version: Annotated[
        str | None,
        typer.Option(help="Risk table version (default: newest approved, else newest reference)."),
    ] = None,
    tables: TablesOption = None,
    allow_draft: Annotated[
        bool, typer.Option("--allow-draft", help="Allow a draft risk table.")
    ] = False,
    pdf_variant: Annotated[
        str, typer.Option(help="pdf/ua-1 (tagged, accessible) or plain.")
    ] = "pdf/ua-1",
) -> None:
    """Write a consent packet for one patient as a PDF."""
    with _user_errors():
        from .patient import Encounter, Patient
        from .tables import load_table

        patient = Patient.from_input(patient_name, date_of_birth, record_number)
        encounter = Encounter.from_input(date, clinician)
        table = load_table(procedure, table_version, root=tables, allow_draft=allow_draft)

        from .packet import render_packet  # WeasyPrint loads only once the input is good

        render_packet(table, patient, encounter, out, variant=pdf_variant)
    typer.echo(f"Wrote {out} ({table.id} {table.version}, {table.status})", err=True)


def main() -> None:
    """Entry point of the ``consent`` script."""
    app(prog_name="consent")
