"""Who a packet is for and when: the patient and the consent encounter.

These values come from a person typing or from a roster, so they are checked
here once: dates must be real dates, text must be printable and of a sane
length. They are data, never markup (the templates escape them), and error
messages name the field, never its value.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import unicodedata
from dataclasses import dataclass

from .errors import InputError

MAX_FIELD_LENGTH = 200
MAX_RECORD_NUMBER_LENGTH = 40
"""Record numbers are short identifiers; one longer than this ran the header of
every page down over the title."""
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def clean_text(field: str, value: str | None, longest: int = MAX_FIELD_LENGTH) -> str | None:
    """Return ``value`` trimmed, or None if blank; reject control characters and overlong text."""
    if value is None or not value.strip():
        return None
    value = value.strip()
    if len(value) > longest:
        raise InputError(f"{field} is longer than {longest} characters")
    # Cc: control characters (NUL, escape...); Cf includes bidi overrides that can
    # make printed text read differently from what was typed; Cs: undecodable bytes;
    # Zl, Zp: line and paragraph separators, which split a name over two lines.
    if any(unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Zl", "Zp") for ch in value):
        raise InputError(f"{field} contains control or invisible formatting characters")
    # Only combining marks (U+034F): nothing would print, and the line left to
    # write the name by hand would be gone.
    if not any(unicodedata.category(ch)[0] in "LNPS" for ch in value):
        raise InputError(f"{field} has no visible characters")
    return value


def parse_date(field: str, value: str | dt.date | None) -> dt.date | None:
    """Parse an ISO date (YYYY-MM-DD); None stays None."""
    if value is None or isinstance(value, dt.date):
        return value
    text = value.strip()
    try:
        # fromisoformat alone would also take 20261130 and 2026-W48-1.
        if not _ISO_DATE.fullmatch(text):
            raise ValueError(text)
        date = dt.date.fromisoformat(text)
    except ValueError:
        raise InputError(f"{field} must be a real date written YYYY-MM-DD") from None
    if date.year < EARLIEST_YEAR:
        # 0001-01-01 is a real date, and a typing slip no patient or packet has.
        raise InputError(f"{field} must be a date from {EARLIEST_YEAR} on")
    return date


EARLIEST_YEAR = 1900


@dataclass(frozen=True)
class Patient:
    """The person the packet is for; every field may be left blank to fill in by hand."""

    name: str | None = None
    date_of_birth: dt.date | None = None
    record_number: str | None = None

    @classmethod
    def from_input(
        cls,
        name: str | None = None,
        date_of_birth: str | dt.date | None = None,
        record_number: str | None = None,
    ) -> Patient:
        born = parse_date("date of birth", date_of_birth)
        if born is not None and born > dt.date.today():
            raise InputError("date of birth is in the future")
        return cls(
            name=clean_text("patient name", name),
            date_of_birth=born,
            record_number=clean_text("record number", record_number, MAX_RECORD_NUMBER_LENGTH),
        )


@dataclass(frozen=True)
class Encounter:
    """The consent conversation: its date, the clinician who leads it, the interpreter."""

    date: dt.date
    clinician: str | None = None
    interpreter_name: str | None = None
    interpreter_language: str | None = None

    @classmethod
    def from_input(
        cls,
        date: str | dt.date | None = None,
        clinician: str | None = None,
        interpreter_name: str | None = None,
        interpreter_language: str | None = None,
    ) -> Encounter:
        return cls(
            date=parse_date("date", date) or default_date(),
            clinician=clean_text("clinician", clinician),
            interpreter_name=clean_text("interpreter name", interpreter_name),
            interpreter_language=clean_text("interpreter language", interpreter_language),
        )


def default_date() -> dt.date:
    """Today, unless SOURCE_DATE_EPOCH fixes the date (reproducible builds' convention)."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch:
        try:
            return dt.datetime.fromtimestamp(int(epoch), dt.UTC).date()
        except (ValueError, OverflowError, OSError):
            raise InputError("SOURCE_DATE_EPOCH must be a whole number of seconds") from None
    return dt.date.today()


def check_dates(
    patient: Patient,
    encounter: Encounter,
    effective: dt.date | None = None,
    approved_on: dt.date | None = None,
) -> None:
    """A packet cannot be dated before the patient was born, nor before the
    risk table it gives took ``effective`` (its numbers were not in use then),
    nor before the table was ``approved_on``: it would say "approved" of a
    table not yet approved."""
    if patient.date_of_birth is not None and patient.date_of_birth > encounter.date:
        raise InputError("date of birth is after the date of the packet")
    if approved_on is not None and encounter.date < approved_on:
        raise InputError(
            f"the packet is dated {encounter.date.isoformat()}, before this risk table "
            f"version was approved ({approved_on.isoformat()}): check the table's "
            "approved_on, or the date"
        )
    if effective is not None and encounter.date < effective:
        raise InputError(
            f"the packet is dated {encounter.date.isoformat()}, before this risk table "
            f"version took effect ({effective.isoformat()}): choose the version in use "
            "then (--table-version, or a roster's table_version column), or check the date"
        )
