"""Plain language (rule R12): reading grade per packet section, checked by `consent lint`."""

from __future__ import annotations

import re
from pathlib import Path

from typer.testing import CliRunner

from consent.cli import app
from consent.readability import grade, syllables

VALID = (Path(__file__).parent / "data" / "valid-table.yaml").read_text(encoding="utf-8")


def run(*args: str):
    return CliRunner().invoke(app, list(args), terminal_width=250)


def test_syllables_come_from_hyphenation():
    assert [syllables(w) for w in ("leak", "surgery", "operation", "a")] == [1, 3, 4, 1]


def test_short_plain_sentences_grade_low_and_long_technical_ones_high():
    easy = grade("easy", "About 5 in 100 people have a leak. About 95 in 100 do not.")
    hard = grade(
        "hard",
        "Postoperative anastomotic dehiscence necessitating reoperative intervention "
        "constitutes a predominant determinant of perioperative morbidity.",
    )
    assert easy.flesch_kincaid < 4 < 8 < hard.flesch_kincaid
    assert not easy.too_hard and hard.too_hard


def test_rule_R12_bundled_packets_read_at_grade_8_or_below():
    result = run("lint")
    assert result.exit_code == 0, result.output
    assert "0 section(s) above grade 8" in result.stdout


def test_rule_R12_a_hard_table_fails_lint_naming_the_section(tmp_path):
    folder = tmp_path / "tables" / "test-procedure"
    folder.mkdir(parents=True)
    hard = VALID.replace(
        "population: adults in a test",
        "population: adults in a test\nindications:\n  - Symptomatic gastroesophageal reflux "
        "refractory to maximal pharmacological intervention necessitating reoperative "
        "anatomical reconfiguration.",
    )
    (folder / "1.yaml").write_text(hard)
    result = run("lint", "test-procedure", "--tables", str(tmp_path / "tables"))
    assert result.exit_code == 1
    assert "Why this is being offered" in result.stdout and "TOO HARD" in result.stdout


def test_lint_with_no_tables_to_grade_fails_rather_than_passing(tmp_path):
    result = run("lint", "--tables", str(tmp_path), "--no-bundled-tables")
    assert result.exit_code == 1
    assert "no risk tables to grade" in result.output


def test_lint_piped_at_80_columns_keeps_every_grade_on_its_row():
    """Piped output was squeezed to 80 columns: the graded Flesch-Kincaid column
    was dropped and numbers wrapped one digit a line."""
    result = CliRunner().invoke(app, ["lint", "bariatric-revision"], env={"COLUMNS": "80"})
    assert result.exit_code == 0, result.output
    assert "Flesch-Kincaid" in result.stdout
    assert re.search(r"What this packet is for\s+\d+\s+\d+\.\d\s+\d+\.\d\s+ok\n", result.stdout)
