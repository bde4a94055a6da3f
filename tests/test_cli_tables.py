"""`consent tables ...`: list, validate, show, diff, lock, schema."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from consent.cli import app

VALID = (Path(__file__).parent / "data" / "valid-table.yaml").read_text(encoding="utf-8")


def run(*args: str):
    return CliRunner().invoke(app, list(args), terminal_width=200)


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A tables folder with versions 1 (reference) and 2 (figures moved, a source added)."""
    procedure = tmp_path / "tables" / "test-procedure"
    procedure.mkdir(parents=True)
    (procedure / "1.yaml").write_text(VALID)
    second = (
        VALID.replace('version: "1"', 'version: "2"')
        .replace("rate: 0.05, low: 0.03, high: 0.07", "rate: 0.06, low: 0.04, high: 0.08")
        .replace("  - id: weight-loss", "  - id: weight-change")
        .replace(
            "    year: 2024",
            "    year: 2024\n  registry:\n    citation: A registry.\n    year: 2025",
        )
    )
    (procedure / "2.yaml").write_text(second)
    return tmp_path / "tables"


def test_list_shows_every_bundled_procedure_and_version():
    result = run("tables", "list")
    assert result.exit_code == 0
    for expected in [
        "bariatric-revision",
        "2026.1",
        "2026.2",
        "salvage-lung-resection",
        "pelvic-exenteration-recurrent-rectal",
        "watch-and-wait-rectal",
        "reference",
    ]:
        assert expected in result.stdout


def test_list_with_only_an_institution_folder(folder):
    result = run("tables", "list", "--tables", str(folder), "--no-bundled-tables")
    assert result.exit_code == 0
    assert "test-procedure" in result.stdout and "bariatric-revision" not in result.stdout


def test_no_bundled_tables_needs_a_folder():
    assert run("tables", "list", "--no-bundled-tables").exit_code == 2


def test_validate_bundled_tables_passes_in_strict_mode():
    result = run("tables", "validate", "--strict")
    assert result.exit_code == 0, result.output
    assert "6 table file(s): 6 valid, 0 invalid" in result.stdout


def test_validate_lists_every_problem_and_exits_1(folder):
    bad = folder / "test-procedure" / "1.yaml"
    bad.write_text(
        VALID.replace("rate: 0.05,", "rate: 1.5,").replace("status: reference", "status: x")
    )
    result = run("tables", "validate", str(folder))
    assert result.exit_code == 1
    assert f"INVALID {bad}" in result.stderr
    assert "1.yaml:25 outcomes[0].values.revision.rate: 1.5 is not a probability" in result.stderr
    assert "1.yaml:5 status:" in result.stderr
    assert "2 table file(s): 1 valid, 1 invalid" in result.stdout


def test_validate_strict_turns_unknown_keys_into_errors(folder):
    path = folder / "test-procedure" / "1.yaml"
    path.write_text(VALID.replace("    year: 2024", "    year: 2024\n    reviewed_in: 1"))
    lenient = run("tables", "validate", str(path))
    assert lenient.exit_code == 0 and "Warning:" in lenient.stderr
    assert run("tables", "validate", "--strict", str(path)).exit_code == 1


@pytest.mark.parametrize("name", ["2.yml", "2.yaml.txt", "2.yaml "])
def test_validate_refuses_a_misnamed_table_as_render_does(folder, name):
    (folder / "test-procedure" / "2.yaml").rename(folder / "test-procedure" / name)
    result = run("tables", "validate", str(folder))
    assert result.exit_code == 1
    assert f"{name}: table files are named <version>.yaml" in result.stderr
    # Backups of a version that is there are not versions of their own.
    misnamed = folder / "test-procedure" / name
    misnamed.rename(folder / "test-procedure" / "2.yaml")
    for backup in ("2.yaml~", "2.yaml.orig", "#2.yaml#"):
        (folder / "test-procedure" / backup).write_text("an editor's copy")
    assert run("tables", "validate", str(folder)).exit_code == 0


def test_validate_refuses_text_the_packets_fonts_cannot_print(folder):
    """It said "ok" to a table every packet from it would then be refused for."""
    path = folder / "test-procedure" / "1.yaml"
    path.write_text(
        VALID.replace("    citation: A test study.", "    citation: 王 et al. A study.")
    )
    result = run("tables", "validate", str(path))
    assert result.exit_code == 1
    assert (
        f"{path}:35 sources.study.citation: has a CJK character that the packet's fonts cannot"
        in result.stderr
    )
    approved_by = VALID.replace("status: reference", "status: reference\napproved_by: 张伟")
    path.write_text(approved_by)  # printed on no packet
    assert run("tables", "validate", str(path)).exit_code == 0


def test_validate_a_folder_of_100_tables(tmp_path):
    for index in range(100):
        procedure = tmp_path / f"procedure-{index}"
        procedure.mkdir()
        (procedure / "1.yaml").write_text(
            VALID.replace("id: test-procedure", f"id: procedure-{index}")
        )
    result = run("tables", "validate", str(tmp_path))
    assert result.exit_code == 0, result.output
    assert "100 table file(s): 100 valid, 0 invalid" in result.stdout


def test_show_prints_figures_and_their_wording():
    result = run("tables", "show", "bariatric-revision", "--table-version", "2026.1")
    assert result.exit_code == 0
    text = " ".join(result.stdout.split())
    assert "serious-leak" in text and "0.05" in text and "seed-example (2026)" in text
    assert "about 5 in 100 have a serious leak" in text


def test_show_unknown_procedure_is_exit_1():
    result = run("tables", "show", "knee")
    assert result.exit_code == 1 and "unknown procedure 'knee'" in result.stderr


def test_diff_names_moved_figures_and_added_or_removed_parts(folder):
    result = run("tables", "diff", "test-procedure", "1", "2", "--tables", str(folder))
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert "~ outcome leak, revision, rate: 0.05 (about 5 in 100) -> 0.06 (about 6 in 100)" in lines
    assert "~ outcome leak, revision, low: 0.03 -> 0.04" in lines
    assert "- outcome weight-loss: weight loss" in lines
    assert "+ outcome weight-change: weight loss" in lines
    assert "+ source registry: A registry. (2025)" in lines
    assert lines[-1] == "6 change(s) from 1 to 2"


def test_diff_names_a_change_from_an_operation_to_surveillance(folder):
    second = folder / "test-procedure" / "2.yaml"
    text = second.read_text()
    second.write_text(
        text.replace("title: Test procedure", "title: Test procedure\noffers: surveillance")
    )
    lines = run("tables", "diff", "test-procedure", "1", "2", "--tables", str(folder)).stdout
    assert "~ table offers: operation -> surveillance" in lines.splitlines()


def test_diff_flags_a_new_comparator_and_a_new_denominator(folder):
    second = folder / "test-procedure" / "2.yaml"
    text = VALID.replace('version: "1"', 'version: "2"').replace("rate: 0.02,", "rate: 0.004,")
    first_option = text[text.index("  primary:") : text.index("  revision:")]
    second_option = text[text.index("  revision:") : text.index("outcomes:")]
    second.write_text(text.replace(first_option + second_option, second_option + first_option))
    lines = run("tables", "diff", "test-procedure", "1", "2", "--tables", str(folder)).stdout
    assert (
        "~ option order (the first is the comparator): primary, revision -> revision, primary"
        in lines
    )
    assert "~ outcome leak counted out of: 100 -> 1,000" in lines


def test_diff_says_a_tiny_risk_as_the_packet_does_never_about_0(folder):
    """Rule R3: 0.00004 was shown as "4e-05 (about 0 in 10,000)"."""
    second = folder / "test-procedure" / "2.yaml"
    second.write_text(second.read_text().replace("rate: 0.02,", "rate: 0.00004,"))
    lines = run("tables", "diff", "test-procedure", "1", "2", "--tables", str(folder)).stdout
    assert (
        "~ outcome leak, primary, rate: 0.02 (about 2 in 100) -> 0.00004 (fewer than 1 in 10,000)"
        in lines.splitlines()
    )


def test_diff_between_bundled_versions():
    result = run("tables", "diff", "bariatric-revision", "2026.1", "2026.2")
    assert result.exit_code == 0
    assert "+ outcome bleeding: bleeding" in result.stdout


def test_lock_records_approved_versions(folder):
    path = folder / "test-procedure" / "1.yaml"
    path.write_text(
        VALID.replace(
            "status: reference", "status: approved\napproved_by: Committee\napproved_on: 2026-02-01"
        )
    )
    assert run("tables", "validate", str(path)).exit_code == 1  # not locked yet
    result = run("tables", "lock", str(folder))
    assert result.exit_code == 0
    assert "locked test-procedure/1.yaml" in result.stdout
    assert run("tables", "validate", str(path)).exit_code == 0


def test_lock_refuses_an_approved_table_with_a_key_it_would_ignore(folder):
    path = folder / "test-procedure" / "1.yaml"
    path.write_text(
        VALID.replace(
            "status: reference",
            "status: approved\napproved_by: Committee\napproved_on: 2026-02-01\nreviewed_in: 2026",
        )
    )
    result = run("tables", "lock", str(folder))
    assert result.exit_code == 1
    assert "unknown key 'reviewed_in'" in result.stderr
    assert not (folder / "LOCK").exists()


def test_schema_is_json_schema_with_the_declared_fields():
    schema = json.loads(run("tables", "schema").stdout)
    assert {"id", "version", "status", "options", "outcomes", "sources"} <= set(
        schema["properties"]
    )
    assert "sha256" not in schema["properties"]


def test_the_printed_schema_accepts_the_bundled_tables_as_they_are_written():
    """It described options as a list with keys inside, which the loader refuses."""
    import jsonschema
    import yaml

    from consent.resources import tables_dir

    schema = json.loads(run("tables", "schema").stdout)
    validator = jsonschema.Draft202012Validator(schema)
    files = sorted(tables_dir().glob("*/*.yaml"))
    assert len(files) >= 4
    for path in files:
        # As a YAML-to-JSON tool hands it over: dates become text.
        data = json.loads(json.dumps(yaml.safe_load(path.read_text(encoding="utf-8")), default=str))
        assert not list(validator.iter_errors(data)), path
    mistyped = data | {"titel": "x"}
    assert list(validator.iter_errors(mistyped))
    source = next(iter(data["sources"]))
    unquoted = data | {"sources": {source: data["sources"][source] | {"pmid": 29976470}}}
    assert not list(validator.iter_errors(unquoted))  # YAML's number, as the loader takes it


def test_options_written_as_a_list_are_told_to_be_a_mapping(folder):
    path = folder / "test-procedure" / "1.yaml"
    text = VALID[: VALID.index("options:")] + "options: []\n" + VALID[VALID.index("outcomes:") :]
    path.write_text(text)
    result = run("tables", "validate", str(path))
    assert "options: a mapping from each option's key to its label and people" in result.stderr


def test_show_prints_each_figure_exactly_as_the_file_has_it():
    from consent.tables.report import exact

    assert [exact(x) for x in (0.99996, 0.00001, 0.05, 0.6, 1.0)] == [
        "0.99996",
        "0.00001",
        "0.05",
        "0.6",
        "1.0",
    ]
    text = " ".join(run("tables", "show", "bariatric-revision").stdout.split())
    assert "0.6-0.7" in text
