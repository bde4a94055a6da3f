"""Risk tables: schema, validation messages with file, line and path, versions, lock."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import pytest

from consent.errors import TableInvalid, TableNotFound
from consent.tables import (
    load_table,
    load_table_file,
    lock_tables,
    procedures,
    version_key,
)

DATA = Path(__file__).parent / "data"
VALID = (DATA / "valid-table.yaml").read_text(encoding="utf-8")
FILE = "test-procedure/1.yaml"
BUNDLED = [
    "bariatric-revision",
    "pelvic-exenteration-recurrent-rectal",
    "salvage-lung-resection",
    "watch-and-wait-rectal",
]


def problems_of(path: Path, strict: bool = False) -> list[str]:
    with pytest.raises(TableInvalid) as caught:
        load_table_file(path, strict=strict)
    return [p.replace(str(path.parent.parent) + os.sep, "") for p in caught.value.problems]


def test_the_test_table_is_valid(write_table):
    table = load_table_file(write_table(VALID))
    assert [o.key for o in table.options] == ["primary", "revision"]
    assert table.comparator.key == "primary"
    assert table.outcomes[0].values["revision"].low == 0.03
    assert table.warnings == ()


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        pytest.param("rate: 0.05,", "rate: 1.5,",
                     f"{FILE}:25 outcomes[0].values.revision.rate: 1.5 is not a probability (0 to 1)",
                     id="rate-above-one"),
        pytest.param("rate: 0.02,", "rate: 1,",
                     f"{FILE}:24 outcomes[0].values.primary.rate: 1 means everyone (100%); write 0.01 for 1%",
                     id="one-written-for-one-percent"),
        pytest.param("rate: 0.02,", "rate: -0.1,",
                     f"{FILE}:24 outcomes[0].values.primary.rate: -0.1 is not a probability",
                     id="negative-rate"),
        pytest.param("rate: 0.02,", "rate: 5%,",
                     f"{FILE}:24 outcomes[0].values.primary.rate: '5%' should be a number",
                     id="percent-text"),
        pytest.param("rate: 0.02,", 'rate: "0.02",',
                     f"{FILE}:24 outcomes[0].values.primary.rate: '0.02' should be a number",
                     id="quoted-number-is-not-a-number"),
        pytest.param("rate: 0.02,", "rate: true,",
                     f"{FILE}:24 outcomes[0].values.primary.rate: True should be a number",
                     id="boolean-rate"),
        pytest.param("low: 0.03,", "low: 0.06,",
                     f"{FILE}:25 outcomes[0].values.revision: expected low <= rate <= high",
                     id="low-above-rate"),
        pytest.param("high: 0.07,", "high: 0.04,",
                     f"{FILE}:25 outcomes[0].values.revision: expected low <= rate <= high",
                     id="rate-above-high"),
        pytest.param("low: 0.03, high: 0.07,", "low: 0.03,",
                     f"{FILE}:25 outcomes[0].values.revision: give both low and high",
                     id="low-without-high"),
        pytest.param("{low: 0.40, high: 0.60,", "{low: 0.60, high: 0.40,",
                     f"{FILE}:32 outcomes[1].values.revision: expected low <= high",
                     id="measure-low-above-high"),
        pytest.param("    timeframe: within 30 days\n", "",
                     f"{FILE}:18 outcomes[0]: missing required key 'timeframe'",
                     id="rule-R5-no-timeframe"),
        pytest.param("    people: people having a second operation\n", "",
                     f"{FILE}:14 options.revision: missing required key 'people'",
                     id="rule-R5-no-reference-class"),
        pytest.param("revision: {rate: 0.05, low: 0.03, high: 0.07, source: study}",
                     "revision: {rate: 0.05}",
                     f"{FILE}:25 outcomes[0].values.revision: missing required key 'source'",
                     id="rule-R13-value-without-source"),
        pytest.param("primary: {low: 0.60, high: 0.70, source: study}",
                     "primary: {low: 0.60, high: 0.70}",
                     f"{FILE}:31 outcomes[1].values.primary: missing required key 'source'",
                     id="rule-R13-measure-without-source"),
        pytest.param("primary: {rate: 0.02, source: study}",
                     "primary: {rate: 0.02, source: nowhere}",
                     f"{FILE}:24 outcomes[0].values.primary.source: 'nowhere' is not listed under sources",
                     id="unknown-source"),
        pytest.param("      primary: {rate: 0.02, source: study}",
                     "      first: {rate: 0.02, source: study}",
                     f"{FILE}:24 outcomes[0].values.first: 'first' is not one of the table's options",
                     id="unknown-option"),
        pytest.param("      primary: {rate: 0.02, source: study}\n", "",
                     f"{FILE}:23 outcomes[0].values: no value for option 'primary'",
                     id="missing-option-value"),
        pytest.param("kind: event", "kind: chance",
                     f"{FILE}:19 outcomes[0].kind: 'chance' is not 'event' or 'measure'",
                     id="unknown-kind"),
        pytest.param("    event: have a leak\n", "",
                     f"{FILE}:18 outcomes[0]: missing required key 'event'",
                     id="event-without-wording"),
        pytest.param("status: reference", "status: final",
                     f"{FILE}:5 status: 'final' should be 'draft', 'reference' or 'approved'",
                     id="unknown-status"),
        pytest.param("title: Test procedure", "title: Test procedure\noffers: an operation",
                     f"{FILE}:8 offers: 'an operation' should be 'operation' or 'surveillance'",
                     id="unknown-offer"),
        pytest.param("status: reference", "status: approved",
                     f"{FILE}:5 status: an approved table needs approved_by",
                     id="approved-without-approver"),
        pytest.param("effective: 2026-01-15", "effective: 2026-02-30",
                     f"{FILE}:6 effective: '2026-02-30' is not valid (day is out of range for month)",
                     id="impossible-date"),
        pytest.param("effective: 2026-01-15", 'effective: "2026-01-15"',
                     f"{FILE}:6 effective: '2026-01-15' should be a date (YYYY-MM-DD)",
                     id="quoted-date"),
        pytest.param("id: test-procedure", "id: something-else",
                     f"{FILE}:3 id: 'something-else' does not match its folder 'test-procedure'",
                     id="id-not-folder"),
        pytest.param('version: "1"', 'version: "2"',
                     f"{FILE}:4 version: '2' does not match the file name '1.yaml'",
                     id="version-not-file-name"),
        pytest.param("  - id: weight-loss", "  - id: leak",
                     f"{FILE}:26 outcomes[1].id: outcome id 'leak' is used twice",
                     id="duplicate-outcome-id"),
        pytest.param("  - id: leak", '  - id: x"/></svg><p>About 0 in 100',
                     f"{FILE}:18 outcomes[0].id: 'x\"/></svg><p>About 0 in 100' is not a valid id",
                     id="markup-in-an-id"),
        pytest.param("  primary:\n", "  1:\n",
                     f"{FILE}:11 options: the key 1 must be text (put quotes around it)",
                     id="number-as-option-key"),
        pytest.param("{low: 0.40, high: 0.60, source: study}",
                     "{rate: 0.5, low: 0.40, high: 0.60, source: study}",
                     f"{FILE}:32 outcomes[1].values.revision: a measure has a low..high range, not a rate",
                     id="measure-with-rate"),
        pytest.param("      primary: {rate: 0.02, source: study}\n      revision: {rate: 0.05, low: 0.03, high: 0.07, source: study}\n",
                     "      {}\n",
                     f"{FILE}:23 outcomes[0].values: no value for option 'primary'",
                     id="empty-values"),
        pytest.param("      primary: {rate: 0.02, source: study}",
                     "      primary: {not_reported: true, rate: 0.02}",
                     f"{FILE}:24 outcomes[0].values.primary: a value that is not_reported cannot also give numbers",
                     id="not-reported-with-a-number"),
        pytest.param("    year: 2024", "    year: 24",
                     f"{FILE}:36 sources.study.year: Input should be greater than or equal to 1900",
                     id="two-digit-year"),
        pytest.param('version: "1"', 'version: "1 final"',
                     f"{FILE}:4 version: '1 final' is not a valid version",
                     id="version-with-a-space"),
        pytest.param("    year: 2024", '    year: 2024\n    pmid: "PMC123"',
                     f"{FILE}:37 sources.study.pmid: 'PMC123' is not a PubMed id (digits only)",
                     id="pmid-not-digits"),
        pytest.param("schema: 1", "schema: one",
                     f"{FILE}:2 schema: schema 'one' is not supported (this consent reads schema 1)",
                     id="schema-not-a-number"),
        pytest.param("schema: 1", "schema: 2",
                     f"{FILE}:2 schema: schema 2 is not supported",
                     id="schema-from-the-future"),
        pytest.param("  primary:\n    label: First operation",
                     "  primary:\n    key: revision\n    label: First operation",
                     f"{FILE}:2 (top level): options.primary: 'key' comes from the option's name",
                     id="key-inside-an-option-cannot-swap-figures"),
        pytest.param("    event: have a leak", "    event: \"\\u200b\"",
                     f"{FILE}:21 outcomes[0].event: contains an invisible or control character (U+200B)",
                     id="invisible-text"),
        pytest.param("    event: have a leak", "    event: \"have a \\x07leak\"",
                     f"{FILE}:21 outcomes[0].event: contains an invisible or control character (U+0007)",
                     id="control-character-in-text"),
        pytest.param("outcomes:", "outcomes: !!python/object/apply:os.system",
                     f"{FILE}:17 outcomes: the tag tag:yaml.org,2002:python/object/apply:os.system is not allowed",
                     id="python-tag-on-a-list"),
        pytest.param("  study:\n", "  study: !!set\n",
                     f"{FILE}:34 sources.study: the tag tag:yaml.org,2002:set is not allowed",
                     id="set-tag-on-a-mapping"),
        pytest.param("title: Test procedure", "title: \"Test\x00\"",
                     f"{FILE}:7: not valid YAML: control characters are not allowed",
                     id="nul-byte"),
    ],
)  # fmt: skip
def test_invalid_table_is_rejected_naming_line_and_path(write_table, old, new, expected):
    assert old in VALID
    shown = problems_of(write_table(VALID.replace(old, new, 1)))
    assert any(p.startswith(expected) for p in shown), shown


def test_every_problem_is_reported_not_just_the_first(write_table):
    broken = VALID.replace("rate: 0.05,", "rate: 1.5,").replace("status: reference", "status: x")
    assert len(problems_of(write_table(broken))) == 2


def test_duplicate_keys_are_rejected_not_silently_overwritten(write_table):
    # PyYAML alone would keep the second rate (0.5) without a word.
    doubled = VALID.replace("{rate: 0.02, source", "{rate: 0.02, rate: 0.5, source")
    (problem,) = problems_of(write_table(doubled))
    assert problem.startswith(
        f"{FILE}:24 outcomes[0].values.primary.rate: duplicate key (first given on line 24)"
    )


def test_yaml_aliases_are_rejected(write_table):
    path = write_table("sources: &s {a: {citation: x, year: 2020}}\nagain: *s\n")
    assert problems_of(path) == [f"{FILE}:2: YAML aliases (*name) are not allowed"]


def test_not_yaml_gives_one_line_with_the_line_number(write_table):
    (problem,) = problems_of(write_table("schema: 1\nid: [unclosed\nversion: 1\n"))
    assert problem.startswith(f"{FILE}:3: not valid YAML: ") and "',' or ']'" in problem
    assert "\n" not in problem


@pytest.mark.parametrize("text", ["", "# only a comment\n", "- a list\n", "just text\n"])
def test_a_file_that_is_not_a_mapping_is_rejected(write_table, text):
    (problem,) = problems_of(write_table(text))
    assert problem.startswith(f"{FILE}:")


def test_oversized_file_is_refused(write_table):
    (problem,) = problems_of(write_table("# " + "x" * 1_100_000 + "\n"))
    assert problem == f"{FILE}: larger than the limit of 1,000,000 bytes"


def test_deep_nesting_is_refused_not_a_crash(write_table):
    (problem,) = problems_of(write_table("a: " + "[" * 5000 + "]" * 5000 + "\n"))
    assert "nested too deeply" in problem


def test_nesting_deep_enough_to_overflow_the_c_stack_is_refused(tmp_path):
    """libyaml's composer crashed the process (segmentation fault) at 30,000 levels;
    run in a process of its own so that a crash fails this test, not the run."""
    table = tmp_path / "1.yaml"
    table.write_text("a: " + "[" * 30_000 + "]" * 30_000 + "\n")
    result = subprocess.run(
        [sys.executable, "-m", "consent", "tables", "validate", str(table)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 1, result.returncode
    assert "1.yaml:1: nested too deeply to be a risk table" in result.stdout + result.stderr


def test_a_fifo_is_refused_without_waiting(tables_root):
    (tables_root / "test-procedure").mkdir()
    fifo = tables_root / "test-procedure" / "1.yaml"
    os.mkfifo(fifo)
    assert problems_of(fifo) == [f"{FILE}: not a regular file"]


def test_unknown_keys_warn_by_default_and_fail_when_strict(write_table):
    path = write_table(VALID.replace("    year: 2024", "    year: 2024\n    reviewed_in: 2024"))
    table = load_table_file(path)
    assert table.sources["study"].year == 2024
    assert len(table.warnings) == 1
    assert table.warnings[0].startswith(
        f"{path}:37 sources.study.reviewed_in: unknown key 'reviewed_in'"
    )
    assert problems_of(path, strict=True) == [
        f"{FILE}:37 sources.study.reviewed_in: unknown key 'reviewed_in'"
    ]


def test_unknown_keys_are_listed_with_the_errors(write_table):
    broken = VALID.replace("rate: 0.05,", "rate: 1.5,").replace("title:", "comments: x\ntitle:")
    shown = problems_of(write_table(broken))
    assert len(shown) == 2
    assert any(
        "comments: unknown key 'comments' (ignored; an error with --strict)" in p for p in shown
    )


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("rate: 0.05, low: 0.03, high: 0.07, source: study", "rate: 0.05, lo: 0.03, hi: 0.07, source: study",
         "25 outcomes[0].values.revision.hi: unknown key 'hi' (did you mean 'high'?)"),
        ("    people: people having a second operation", "    poeple: people having a second operation",
         "16 options.revision.poeple: unknown key 'poeple' (did you mean 'people'?)"),
        ("primary: {rate: 0.02, source: study}", "primary: {rate: 0.02, sorce: study}",
         "24 outcomes[0].values.primary.sorce: unknown key 'sorce' (did you mean 'source'?)"),
        ("primary: {low: 0.60, high: 0.70, source: study}",
         "primary: {low: 0.60, high: 0.70, source: study, not_reported: true}",
         "31 outcomes[1].values.primary.not_reported: unknown key 'not_reported' (it does not belong in this kind of figure)"),
        ("rate: 0.05, low: 0.03, high: 0.07, source: study", "rate: 0.05, LOW: 0.03, upper: 0.07, source: study",
         "25 outcomes[0].values.revision.upper: unknown key 'upper' (did you mean 'high'?)"),
        ("rate: 0.05, low: 0.03, high: 0.07, source: study", "rate: 0.05, ci_low: 0.03, HIGH: 0.07, source: study",
         "25 outcomes[0].values.revision.HIGH: unknown key 'HIGH' (did you mean 'high'?)"),
    ],
)  # fmt: skip
def test_a_mistyped_key_is_an_error_not_a_figure_quietly_changed(write_table, old, new, expected):
    """Ignored, "lo" and "hi" dropped a figure's range, "poeple" its people, "sorce" its source."""
    assert old in VALID
    assert f"{FILE}:{expected}" in problems_of(write_table(VALID.replace(old, new, 1)))


@pytest.mark.parametrize("key", ["notes", "date", "ids", "comments", "reviewed_by"])
def test_an_institutions_own_key_at_the_top_is_a_warning_not_a_mistake(write_table, key):
    """ "notes" was taken for a mistyped "note", a key outcomes have, not tables."""
    table = load_table_file(write_table(VALID.replace("title:", f"{key}: x\ntitle:")))
    assert table.warnings == (
        f"{table.path}:7 {key}: unknown key {key!r} (ignored; an error with --strict)",
    )


@pytest.mark.parametrize("strict", [False, True])
def test_an_unknown_key_beside_a_wrong_figure_reports_both(write_table, strict):
    broken = VALID.replace(
        "primary: {rate: 0.02, source: study}", "primary: {rate: 0.02, reviewed_in: 2024}"
    )
    shown = problems_of(write_table(broken), strict=strict)
    assert (
        f"{FILE}:24 outcomes[0].values.primary: missing required key 'source': every number needs a source"
        in shown
    )
    assert any("primary.reviewed_in: unknown key 'reviewed_in'" in line for line in shown)


def test_loader_fields_cannot_be_set_from_the_file(write_table):
    shown = problems_of(write_table(VALID.replace("title:", "sha256: abc\ntitle:")))
    assert any("'sha256' is set by the loader" in p for p in shown)


@pytest.mark.parametrize("procedure", BUNDLED)
def test_every_bundled_table_is_valid_in_strict_mode(procedure):
    folder = procedures()[procedure]
    for path in folder.glob("*.yaml"):
        table = load_table_file(path, strict=True)
        assert table.status == "reference"
        assert table.warnings == ()


@pytest.mark.parametrize("procedure", BUNDLED)
def test_rule_R13_every_bundled_source_is_cited_and_used(procedure):
    for path in procedures()[procedure].glob("*.yaml"):
        table = load_table_file(path)
        used = {o.note_source for o in table.outcomes} | {
            v.source for o in table.outcomes for v in o.values.values()
        }
        assert set(table.sources) <= used, f"{path.name}: a source no figure uses"
        for source in table.sources.values():
            assert len(source.citation) > 20 and 1990 <= source.year <= 2026


@pytest.mark.parametrize("procedure", BUNDLED)
def test_rule_R13_a_number_in_a_note_names_its_source(procedure):
    """The newest version of each table (watch-and-wait 2026.1's "88 in 100" had none)."""
    for outcome in load_table(procedure).outcomes:
        if outcome.note and any(char.isdigit() for char in outcome.note):
            assert outcome.note_source, f"{procedure} {outcome.id}: a number without a source"


def test_a_rate_of_minus_zero_is_zero(write_table):
    """-0.0 passed "0 to 1" and printed as "about -0%"."""
    table = load_table_file(write_table(VALID.replace("rate: 0.02,", "rate: -0.0,")))
    assert str(table.outcomes[0].values["primary"].rate) == "0.0"


def test_a_table_named_from_inside_its_folder_is_checked_against_that_folder(
    write_table, monkeypatch
):
    """Run in the procedure's folder, "2026.1.yaml" was said not to match its folder ''."""
    path = write_table(VALID)
    monkeypatch.chdir(path.parent)
    assert load_table_file(Path(path.name)).id == "test-procedure"


def test_bariatric_reference_table_has_the_requested_outcomes_and_content():
    table = load_table("bariatric-revision")
    assert [o.id for o in table.outcomes] == [
        "serious-leak",
        "bleeding",
        "readmission",
        "death",
        "excess-weight-loss",
    ]
    leak = table.outcomes[0].values
    assert (leak["primary"].rate, leak["revision"].rate) == (0.02, 0.05)
    assert table.indications and table.preparation
    assert any("tobacco" in item for item in table.preparation)


def test_unknown_procedure_lists_the_available_ones():
    with pytest.raises(TableNotFound, match=r"unknown procedure 'knee'; available: bariatric"):
        load_table("knee")


@pytest.mark.parametrize("name", ["../risk_tables", "/etc", "Bariatric", "a/b", ""])
def test_procedure_names_cannot_reach_outside_the_tables_folder(name):
    with pytest.raises(TableNotFound, match="unknown procedure"):
        load_table(name)


def test_unknown_version_lists_the_available_ones():
    with pytest.raises(TableNotFound, match=r"no version '1999'; available: 2026\.1, 2026\.2"):
        load_table("bariatric-revision", "1999")


def version_of(version: str, status: str) -> str:
    text = VALID.replace('version: "1"', f'version: "{version}"')
    text = text.replace("status: reference", f"status: {status}")
    if status == "approved":
        text = text.replace(
            "status: approved",
            "status: approved\napproved_by: Consent committee\napproved_on: 2026-03-01",
        )
    return text


def test_newest_approved_version_is_the_default(write_table, tables_root):
    for version, status in [
        ("2026.1", "approved"),
        ("2026.2", "approved"),
        ("2026.10", "reference"),
        ("2027.1", "draft"),
    ]:
        write_table(version_of(version, status), version=version)
    lock_tables(tables_root)
    assert load_table("test-procedure", roots=[tables_root]).version == "2026.2"


def test_newest_reference_version_is_used_when_none_is_approved(write_table, tables_root):
    for version in ("2026.2", "2026.10", "2026.9"):
        write_table(version_of(version, "reference"), version=version)
    assert load_table("test-procedure", roots=[tables_root]).version == "2026.10"


def test_a_pinned_version_wins(write_table, tables_root):
    for version in ("2026.1", "2026.2"):
        write_table(version_of(version, "reference"), version=version)
    assert load_table("test-procedure", "2026.1", roots=[tables_root]).version == "2026.1"


def test_drafts_need_to_be_allowed(write_table, tables_root):
    write_table(version_of("2027.1", "draft"), version="2027.1")
    with pytest.raises(
        TableNotFound, match=r"only draft versions, not for patients .*--allow-draft"
    ):
        load_table("test-procedure", roots=[tables_root])
    with pytest.raises(TableNotFound, match=r"is a draft, not for patients .*--allow-draft"):
        load_table("test-procedure", "2027.1", roots=[tables_root])
    assert load_table("test-procedure", roots=[tables_root], allow_draft=True).status == "draft"


def test_an_institution_folder_comes_before_the_bundled_tables(write_table, tables_root):
    write_table(
        VALID.replace("id: test-procedure", "id: bariatric-revision").replace(
            'version: "1"', 'version: "9.0"'
        ),
        "bariatric-revision",
        "9.0",
    )
    roots = [tables_root, procedures()["bariatric-revision"].parent]
    assert load_table("bariatric-revision", roots=roots).version == "9.0"
    assert "watch-and-wait-rectal" in procedures(roots)


def test_versions_sort_by_number():
    names = ["2026.10", "2026.2", "2025.1", "2026.²", "10"]
    assert sorted(names, key=version_key) == ["10", "2025.1", "2026.2", "2026.10", "2026.²"]


@pytest.mark.parametrize("twin", ["2026.01", "2026.1.0"])
def test_two_files_with_the_same_version_number_are_refused(write_table, tables_root, twin):
    write_table(version_of("2026.1", "reference"), version="2026.1")
    write_table(version_of(twin, "reference"), version=twin)
    with pytest.raises(TableInvalid, match="are the same number; keep one"):
        load_table("test-procedure", roots=[tables_root])


def test_a_version_must_be_dotted_numbers(write_table):
    path = write_table(version_of("2026.1-rc1", "reference"), version="2026.1-rc1")
    assert any("is not a valid version" in p for p in problems_of(path))


def test_an_approved_table_must_be_locked(write_table):
    path = write_table(version_of("1", "approved"))
    (problem,) = problems_of(path)
    assert "approved but not recorded in" in problem and "consent tables lock" in problem


def test_a_changed_approved_table_is_refused_naming_the_file(write_table, tables_root):
    path = write_table(version_of("1", "approved"))
    assert lock_tables(tables_root) == ["test-procedure/1.yaml"]
    assert load_table_file(path).status == "approved"
    path.write_text(path.read_text().replace("rate: 0.05,", "rate: 0.04,"))
    (problem,) = problems_of(path)
    assert problem.startswith(f"{FILE}: this approved table was changed after it was locked")


def test_lock_never_rewrites_a_recorded_checksum(write_table, tables_root):
    path = write_table(version_of("1", "approved"))
    lock_tables(tables_root)
    before = (tables_root / "LOCK").read_text()
    path.write_text(path.read_text() + "# edited\n")
    with pytest.raises(TableInvalid, match="changed after it was locked"):
        lock_tables(tables_root)
    assert (tables_root / "LOCK").read_text() == before


def test_a_locked_file_cannot_escape_its_lock_by_changing_status(write_table, tables_root):
    path = write_table(version_of("1", "approved"))
    lock_tables(tables_root)
    edited = path.read_text().replace("status: approved", "status: reference")
    path.write_text(edited.replace("rate: 0.05,", "rate: 0.04,"))
    (problem,) = problems_of(path)
    assert "changed after it was locked" in problem
    with pytest.raises(TableInvalid, match="changed after it was locked"):
        lock_tables(tables_root)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"\xff\xfe", "cannot be read (not UTF-8 text)"),
        (
            b"0" * 64 + b"  test-procedure/1.yaml\n" + b"1" * 64 + b"  test-procedure/1.yaml\n",
            "LOCK:2: test-procedure/1.yaml is listed twice",
        ),
        (b"not a checksum line\n", "LOCK:1: not a 'sha256  procedure/version.yaml' line"),
    ],
)
def test_a_broken_lock_file_is_an_error_not_a_crash(write_table, tables_root, content, message):
    path = write_table(version_of("1", "approved"))
    (tables_root / "LOCK").write_bytes(content)
    (problem,) = problems_of(path)
    assert message in problem


def test_a_lock_that_is_a_folder_is_an_error(write_table, tables_root):
    path = write_table(version_of("1", "approved"))
    (tables_root / "LOCK").mkdir()
    (problem,) = problems_of(path)
    assert "LOCK: cannot be read" in problem


def test_lock_file_is_sha256sum_format(write_table, tables_root):
    import hashlib

    path = write_table(version_of("1", "approved"))
    lock_tables(tables_root)
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    assert f"{digest}  test-procedure/1.yaml" in (tables_root / "LOCK").read_text().splitlines()


def test_effective_date_is_a_date(write_table):
    assert load_table_file(write_table(VALID)).effective == dt.date(2026, 1, 15)


BUNDLED_TABLE = Path(__file__).parent.parent / "risk_tables" / "bariatric-revision" / "2026.2.yaml"


@pytest.mark.parametrize(
    ("folder", "file", "expected"),
    [
        ("bariatric-revision", "2026.3.yml", "table files are named <version>.yaml"),
        ("bariatric-revision", "2026.3.YAML", "table files are named <version>.yaml"),
        ("bariatric-revision", "2026.3.yaml.txt", "table files are named <version>.yaml"),
        ("bariatric-revision", "2026.3.yaml ", "table files are named <version>.yaml"),
        ("Bariatric-Revision", "2026.3.yaml", "a procedure folder is named by its table id"),
    ],
)
def test_a_misnamed_institution_table_is_refused_not_replaced_by_the_bundled_one(
    tmp_path, folder, file, expected
):
    """Passed over in silence, the institution's 9 in 100 became the bundled 5 in 100."""
    (tmp_path / folder).mkdir()
    text = BUNDLED_TABLE.read_text(encoding="utf-8").replace(
        'version: "2026.2"', 'version: "2026.3"'
    )
    (tmp_path / folder / file).write_text(text, encoding="utf-8")
    with pytest.raises(TableInvalid, match=expected) as raised:
        load_table("bariatric-revision", roots=[tmp_path, BUNDLED_TABLE.parent.parent])
    assert file in str(raised.value) or folder in str(raised.value)


def test_a_misnamed_version_stops_its_own_procedure_alone(tmp_path):
    """One folder's odd file made every procedure of its root fail, bundled ones too."""
    (tmp_path / "watch-and-wait-rectal").mkdir()
    (tmp_path / "watch-and-wait-rectal" / "2026.3").write_text("version: 2026.3")  # no extension
    roots = [tmp_path, BUNDLED_TABLE.parent.parent]
    assert load_table("bariatric-revision", roots=roots).id == "bariatric-revision"
    with pytest.raises(TableInvalid, match=r"2026\.3: table files are named <version>\.yaml"):
        load_table("watch-and-wait-rectal", roots=roots)


def test_a_table_whose_only_outcome_is_wrong_gets_that_outcomes_error_alone(write_table):
    """pydantic also reported "outcomes: at least 1 item ... not 0" when the only
    outcome failed, which read as if the table had none."""
    only_leak = VALID.split("  - id: weight-loss")[0] + "sources:" + VALID.split("sources:")[1]
    (problem,) = problems_of(write_table(only_leak.replace("rate: 0.02", "rate: 1.5")))
    assert "outcomes[0].values.primary.rate: 1.5 is not a probability (0 to 1)" in problem
