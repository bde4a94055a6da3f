"""The packet HTML: sentences, both framings, escaping, status banner."""

from __future__ import annotations

import os
import re
import stat
from pathlib import Path

import pytest
from markupsafe import escape

from consent.errors import InputError
from consent.i18n import Localizer
from consent.patient import Encounter, Patient
from consent.render import outcome_views, packet_html
from consent.tables import load_table, load_table_file

BUNDLED = [
    "bariatric-revision",
    "pelvic-exenteration-recurrent-rectal",
    "salvage-lung-resection",
    "watch-and-wait-rectal",
]
LEAK_PRIMARY = (
    "Of people having a first-time gastric bypass, about 2 in 100 have a serious leak "
    "from a staple line after surgery."
)
LEAK_REVISION = (
    "Of people having a revision operation, about 5 in 100 have a serious leak from a "
    "staple line after surgery."
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


@pytest.mark.parametrize("procedure", BUNDLED)
def test_rule_R5_every_number_says_who_and_when(procedure):
    table = load_table(procedure)
    for outcome, view in zip(table.outcomes, outcome_views(table, Localizer()), strict=True):
        for option, shown in zip(table.options, view.options, strict=True):
            first = shown.sentences[0]
            value = outcome.values[option.key]
            assert first.startswith(f"Of {value.people or option.people}"), first
            if not getattr(value, "not_reported", False):
                assert outcome.timeframe in first, first


def test_measures_read_as_percent_ranges_with_the_no_guarantee_note(html):
    text = text_of(html)
    assert "a typical loss of excess weight in the years after surgery is 60% to 70%." in text
    assert "is 40% to 60%." in text
    assert "We cannot make any guarantees." in text


def test_the_clinician_checks_understanding_of_every_risk(html, table):
    """Teach-back asked about the first three risks only, so never about death."""
    text = text_of(html)
    risks = [o.label for o in table.outcomes if o.kind == "event" and not o.benefit]
    assert len(risks) == 4
    for label in risks:
        assert f"What is the chance of {label}, and what does that number mean to you?" in text


def test_rule_R7_no_relative_risk_wording(html):
    assert not re.search(r"times (more|as) likely|relative risk|% (more|higher)", text_of(html))


def test_one_icon_array_of_100_per_option_for_the_leak(html):
    leak = html[html.index('id="outcome-serious-leak"') : html.index('id="outcome-bleeding"')]
    arrays = re.findall(r'<svg [^>]*class="icon-array[^"]*"[^>]*aria-label="([^"]*)"', leak)
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
    html = packet_html(table.model_copy(update={"status": "draft"}), *alex)
    assert "DRAFT figures — not for use with patients." in html


def test_approved_table_has_no_banner(table, alex):
    html = packet_html(table.model_copy(update={"status": "approved"}), *alex)
    assert 'data-banner=""' in html and 'class="banner-' not in html
    reference = packet_html(table, *alex)
    assert 'class="banner-notice"' in reference


def test_blank_patient_fields_leave_lines_to_fill_in(table):
    html = packet_html(table, Patient(), Encounter.from_input("2026-11-30"))
    for field in ("Patient name", "Date of birth", "Record number", "Clinician"):
        assert f'<span class="label">{field}</span> <span class="value"></span>' in html
    assert "None" not in text_of(html)


def test_document_declares_language_and_direction(html):
    assert '<html lang="en" dir="ltr">' in html


def test_localizer_formats_dates_for_the_locale():
    import datetime as dt

    assert Localizer("en").date(dt.date(2026, 11, 30)) == "November 30, 2026"


def test_not_reported_figures_are_said_plainly(html):
    section = html[html.index('id="outcome-bleeding"') : html.index('id="outcome-readmission"')]
    assert (
        "Of people having a first-time gastric bypass: the sources of this packet give no figure."
        in text_of(section)
    )
    # No picture for the option without a figure; one for the option with one.
    assert section.count('class="icon-array ') == 1


def test_rule_R5_a_narrower_reference_class_is_named(html):
    assert (
        "Of people whose gastric band was changed to a gastric bypass, about 2 in 100 have "
        "bleeding within 30 days after surgery." in text_of(html)
    )


def test_rule_R13_every_source_says_what_it_is_used_for(html):
    text = text_of(html)
    assert "Used for: A serious leak from a staple line; Loss of excess weight." in text
    assert "Used for: Bleeding; A stay back in hospital; Death." in text


def test_a_single_option_table_says_there_is_no_comparison(alex):
    html = packet_html(load_table("watch-and-wait-rectal"), *alex)
    assert "give no figures for another choice to compare with" in text_of(html)


def test_notes_and_benefits_are_shown(alex):
    text = text_of(packet_html(load_table("pelvic-exenteration-recurrent-rectal"), *alex))
    results = text[text.index("Expected results") :]
    assert "about 55 in 100 have all of the cancer removed with a clear edge" in results
    assert "results vary a lot between hospitals" in results
    assert (
        "Of people whose cancer was removed with a clear edge (R0), about 48 in 100 are alive "
        "3 years after surgery. About 52 in 100 have died." in results
    )


def test_rule_R3_very_small_risks_are_counted_out_of_10000(html):
    text = text_of(html)
    assert "about 4 in 10,000 die within 30 days after surgery" in text
    assert "About 9,996 in 10,000 do not." in text


@pytest.mark.parametrize(
    ("field", "patient", "clinician"),
    [
        ("patient name", Patient(name="李雷"), None),
        ("record number", Patient(record_number="№ ᚠ1"), None),
        ("clinician", Patient(), "Dr. 王"),
    ],
)
def test_a_character_the_fonts_cannot_print_is_refused_by_field(table, field, patient, clinician):
    with pytest.raises(InputError, match=f"^{field} has a [A-Z]+ character that the packet's"):
        packet_html(table, patient, Encounter.from_input("2026-11-30", clinician))


def test_accented_latin_names_are_printable(table):
    name = "José Ñúñez-Łukasz Øberg Ştefan"
    assert name in packet_html(table, Patient(name=name), Encounter.from_input("2026-11-30"))


def test_date_of_birth_after_the_packet_date_is_refused(table):
    patient = Patient.from_input("A", "2026-11-29")
    with pytest.raises(InputError, match="date of birth is after the date of the packet"):
        packet_html(table, patient, Encounter.from_input("2026-11-28"))


@pytest.mark.parametrize(("fraction", "shown"), [(0.625, "63%"), (0.605, "61%"), (0.6, "60%")])
def test_percents_round_half_up_like_frequencies(fraction, shown):
    assert Localizer("en").percent(fraction) == shown


@pytest.mark.parametrize("procedure", BUNDLED)
def test_icon_arrays_count_the_same_people_as_the_sentences(procedure, alex):
    import xml.etree.ElementTree as ET

    from test_icons import cells

    table = load_table(procedure)
    for view in outcome_views(table, Localizer()):
        for option in view.options:
            if view.kind != "event" or option.figure is None:
                continue
            first = re.search(r"about ([\d,]+) in ([\d,]+)", option.sentences[0])
            events, total = (int(x.replace(",", "")) for x in first.groups())
            grid = cells(str(option.figure))
            assert len(grid) == total
            assert list(grid.values()).count("event") == events
            ranges = re.search(r"between ([\d,]+) and ([\d,]+) in", " ".join(option.sentences))
            striped = list(grid.values()).count("range")
            assert striped == (int(ranges.group(2)) - events if ranges else 0)
            assert (
                ET.fromstring(str(option.figure))
                .find("{http://www.w3.org/2000/svg}title")
                .text.endswith(" ".join(option.sentences))
            )


@pytest.mark.parametrize("procedure", BUNDLED)
def test_rule_R2_R14_one_pattern_and_never_1_in_x(procedure, alex):
    text = text_of(packet_html(load_table(procedure), *alex))
    assert not re.search(r"\b1 in (?!100\b|1,000\b|10,000\b)\d", text)
    for sentence in re.findall(r"Of [^.]*? (?:about|fewer than|almost all)[^.]*\.", text):
        assert re.search(
            r"(about [\d,]+ in (100|1,000|10,000)|fewer than 1 in|almost all)", sentence
        )


def test_outcomes_out_of_10000_say_why_there_is_no_picture(html):
    death = html[html.index('id="outcome-death"') : html.index('id="outcome-excess-weight-loss"')]
    assert 'class="icon-array' not in death
    assert "These numbers are counted out of 10,000 people, too many to show in a picture." in death
    leak = html[html.index('id="outcome-serious-leak"') : html.index('id="outcome-bleeding"')]
    assert "too many to show in a picture" not in leak


def test_packets_filled_in_at_once_in_threads_keep_their_own_language(table, alex):
    """A Dask worker renders rows in threads that share one template environment,
    whose gettext each render used to install: a packet could get another
    row's language, or fail with a false sandbox error."""
    from concurrent.futures import ThreadPoolExecutor

    from consent.i18n import Localizer

    own_words = {"en": "What matters most to you", "es": "Lo que más le importa"}

    def fill(locale: str) -> tuple[str, str]:
        return locale, packet_html(table, *alex, Localizer(locale))

    with ThreadPoolExecutor(max_workers=4) as pool:
        done = list(pool.map(fill, ["en", "es"] * 12))
    for locale, html in done:
        other = "es" if locale == "en" else "en"
        assert own_words[locale] in html and own_words[other] not in html, locale


def test_a_measure_that_is_a_harm_is_under_the_risks(write_table, alex):
    """A measure is a result hoped for unless the table says ``benefit: false``;
    that said, a loss of breathing capacity was shown as an expected result."""
    valid = (Path(__file__).parent / "data" / "valid-table.yaml").read_text(encoding="utf-8")
    harm = valid.replace("    label: weight loss\n", "    label: weight loss\n    benefit: false\n")
    text = text_of(packet_html(load_table_file(write_table(harm)), *alex))
    risks = text[text.index("Risks") : text.index("Expected results")]
    results = text[text.index("Expected results") : text.index("Other choices")]
    assert "a typical weight loss at 2 years is 60% to 70%" in risks
    assert results == "Expected results Your care team will explain the results you can expect. "
    assert "What do the numbers for weight loss mean to you?" in text  # its teach-back
    hoped_for = text_of(packet_html(load_table_file(write_table(valid)), *alex))
    assert "a typical weight loss" in hoped_for[hoped_for.index("Expected results") :]


def test_a_packet_dated_before_its_table_was_approved_is_refused(write_table, tables_root):
    """It printed "(approved)" and no banner for an approval still to come."""
    from consent.tables import lock_tables

    valid = (Path(__file__).parent / "data" / "valid-table.yaml").read_text(encoding="utf-8")
    approved = valid.replace(
        "status: reference", "status: approved\napproved_by: Committee\napproved_on: 2027-06-01"
    )
    path = write_table(approved)
    lock_tables(tables_root)
    table = load_table_file(path)
    with pytest.raises(InputError, match="dated 2026-12-01, before this risk table version was"):
        packet_html(table, Patient(), Encounter.from_input("2026-12-01"))
    assert "(approved)" in packet_html(table, Patient(), Encounter.from_input("2027-06-01"))


def test_compiled_bundled_templates_are_kept_for_the_next_command(tmp_path, monkeypatch):
    """Compiling the templates took 0.05 s of every cold start."""
    import tempfile

    from consent.render import _compiled_cache, environment, template_folders

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    cache = _compiled_cache()
    assert cache is not None
    folder = tmp_path / f"consent-templates-{os.getuid()}"
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    # An institution's templates are always compiled by the sandbox itself.
    assert environment(template_folders(tmp_path)).bytecode_cache is None
    assert environment(template_folders()).bytecode_cache is not None


def test_a_cache_folder_others_could_write_is_not_used(tmp_path, monkeypatch):
    import tempfile

    from consent.render import _compiled_cache

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    folder = tmp_path / f"consent-templates-{os.getuid()}"
    folder.mkdir(mode=0o777)
    folder.chmod(0o777)
    assert _compiled_cache() is None


def test_a_damaged_or_unwritable_template_cache_is_only_passed_by(tmp_path, monkeypatch, alex):
    """A cache file cut short, or a full temporary folder, failed every packet."""
    import tempfile

    from consent.render import environment

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    table = load_table("bariatric-revision")
    environment.cache_clear()
    expected = packet_html(table, *alex)  # compiles, and fills the cache
    cached = sorted((tmp_path / f"consent-templates-{os.getuid()}").iterdir())
    assert cached
    for number, path in enumerate(cached):
        if number % 2:
            path.write_bytes(path.read_bytes()[:30])  # cut short: cannot be read
        else:
            path.unlink()
            path.mkdir()  # cannot be read, nor written over
    environment.cache_clear()
    try:
        assert packet_html(table, *alex) == expected
    finally:
        environment.cache_clear()
