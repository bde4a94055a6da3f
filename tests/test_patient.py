"""Patient and encounter fields: checked once, reported by field name, never by value."""

from __future__ import annotations

import datetime as dt

import pytest

from consent.errors import InputError
from consent.patient import Encounter, Patient, parse_date


@pytest.mark.parametrize(
    "text",
    [
        "20261130",
        "2026-W48-1",
        "2026-11-30T10:00",
        "30/11/2026",
        "2026-02-30",
        "\uff12\uff10\uff12\uff16-11-30",
    ],
)
def test_only_real_dates_written_yyyy_mm_dd_are_accepted(text):
    with pytest.raises(InputError, match=r"^date must be a real date written YYYY-MM-DD$"):
        parse_date("date", text)


def test_a_good_date_parses():
    assert parse_date("date", " 2026-11-30 ") == dt.date(2026, 11, 30)


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("Alex\x00Doe", "control or invisible"),
        ("Alex\u202eeoD", "control or invisible"),
        ("Alex\u200bDoe", "control or invisible"),
        ("Alex\udcffDoe", "control or invisible"),  # an undecodable byte from the shell
        ("A" * 201, "longer than 200 characters"),
        ("\u034f\u0301", "has no visible characters"),  # combining marks alone
    ],
)
def test_hostile_names_are_refused_without_quoting_them(name, message):
    with pytest.raises(InputError, match=message) as caught:
        Patient.from_input(name)
    assert "Alex" not in str(caught.value)


def test_blank_fields_are_none():
    assert Patient.from_input("  ", None, "") == Patient()


def test_encounter_defaults_to_today():
    assert Encounter.from_input().date == dt.date.today()


def test_source_date_epoch_sets_the_default_date(monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1790000000")
    assert Encounter.from_input().date == dt.date(2026, 9, 21)
    assert Encounter.from_input("2026-11-30").date == dt.date(2026, 11, 30)


def test_a_bad_source_date_epoch_is_a_clear_error(monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "soon")
    with pytest.raises(InputError, match="SOURCE_DATE_EPOCH must be a whole number"):
        Encounter.from_input()


@pytest.mark.parametrize("text", ["0001-01-01", "1899-12-31"])
def test_dates_before_1900_are_refused_as_slips(text):
    with pytest.raises(InputError, match="date of birth must be a date from 1900 on"):
        parse_date("date of birth", text)
    assert parse_date("date of birth", "1900-01-01") == dt.date(1900, 1, 1)


def test_a_packet_cannot_be_dated_before_its_table_took_effect():
    from consent.patient import check_dates

    encounter = Encounter.from_input("1999-01-01")
    with pytest.raises(InputError, match="dated 1999-01-01, before this risk table version took"):
        check_dates(Patient(), encounter, dt.date(2026, 11, 30))
    check_dates(Patient(), Encounter.from_input("2026-11-30"), dt.date(2026, 11, 30))


def test_a_record_number_is_an_identifier_not_a_paragraph():
    """83 characters ran the header of every page down over the title."""
    assert Patient.from_input(record_number="R" * 40).record_number == "R" * 40
    with pytest.raises(InputError, match="record number is longer than 40 characters"):
        Patient.from_input(record_number="R" * 41)
