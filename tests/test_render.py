"""The packet HTML: sentences, both framings, escaping, status banner."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest
from markupsafe import escape

from consent.i18n import Localizer
from consent.patient import Encounter, Patient
from consent.render import packet_html

LEAK_PRIMARY = (
    "Of people having a first-time gastric bypass, about 2 in 100 have a serious leak "
    "from a staple line within 30 days after surgery."
)
LEAK_REVISION = (
    "Of people having a revision operation, about 5 in 100 have a serious leak from a "
    "staple line within 30 days after surgery."
)


@pytest.fixture(scope="module")
def html(table, alex):
    return packet_html(table, *alex)


def text_of(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def test_rule_R6_both_framings_for_each_option(html):
    text = text_of(html)
    for sentence in (
        LEAK_PRIMARY,
        "About 98 in 100 do not.",
        LEAK_REVISION,
        "About 95 in 100 do not.",
    ):
        assert sentence in text


def test_rule_R5_every_number_says_who_and_when(html):
    sentences = re.findall(r'<p class="frequency">(Of [^<]*)</p>', html)
    assert len(sentences) == 4  # two event options, two measure options
    for sentence in sentences:
        assert sentence.startswith("Of people having")
        assert "within 30 days" in sentence or "at 2 years" in sentence


def test_measures_read_as_percent_ranges_with_the_no_guarantee_note(html):
    text = text_of(html)
    assert "a typical loss of excess weight at 2 years after surgery is 60% to 70%." in text
    assert "is 40% to 60%." in text
    assert "We cannot make any guarantees." in text


def test_rule_R7_no_relative_risk_wording(html):
    assert not re.search(r"times (more|as) likely|relative risk|% (more|higher)", text_of(html))


def test_one_icon_array_of_100_per_option_for_the_leak(html):
    arrays = re.findall(r'<svg [^>]*class="icon-array"[^>]*aria-label="([^"]*)"', html)
    assert len(arrays) == 2
    assert "about 2 in 100" in arrays[0] and "about 5 in 100" in arrays[1]


@pytest.mark.parametrize("name", ["<b>x</b>", "<script>alert(1)</script>", '"><img src=x>'])
def test_patient_fields_are_data_never_markup(table, name):
    html = packet_html(
        table, Patient.from_input(name, None, "A&B"), Encounter.from_input("2026-11-30")
    )
    assert "<b>x</b>" not in html and "<script>" not in html and "<img" not in html
    assert str(escape(name)) in html
    assert "A&amp;B" in html


def test_reference_status_puts_a_banner_on_every_page(html):
    assert "Reference figures — not approved by your institution." in html


def test_draft_status_says_draft(table, alex):
    html = packet_html(replace(table, status="draft"), *alex)
    assert "DRAFT figures — not for use with patients." in html


def test_approved_table_has_no_banner(table, alex):
    html = packet_html(replace(table, status="approved"), *alex)
    assert "running-banner" not in html


def test_blank_patient_fields_leave_lines_to_fill_in(table):
    html = packet_html(table, Patient(), Encounter.from_input("2026-11-30"))
    assert "<dd></dd>" in html


def test_document_declares_language_and_direction(html):
    assert '<html lang="en" dir="ltr">' in html


def test_localizer_formats_dates_for_the_locale():
    import datetime as dt

    assert Localizer("en").date(dt.date(2026, 11, 30)) == "November 30, 2026"
