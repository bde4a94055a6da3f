"""The README documents every command and option, and its first screen has the two commands."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from consent.cli import app

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
COMMANDS = [
    ["render"],
    ["icon-array"],
    ["verify"],
    ["lint"],
    ["batch"],
    ["locales", "extract"],
    ["locales", "init"],
    ["locales", "update"],
    ["locales", "compile"],
    ["locales", "check"],
    ["locales", "stats"],
    ["tables", "list"],
    ["tables", "validate"],
    ["tables", "show"],
    ["tables", "diff"],
    ["tables", "lock"],
    ["tables", "schema"],
]


def mentioned(word: str) -> bool:
    """``word`` appears as a whole token (so --date is not found inside --date-of-birth)."""
    return re.search(rf"(?<![\w-]){re.escape(word)}(?![\w-])", README) is not None


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_every_command_and_option_is_in_the_readme(command):
    result = CliRunner().invoke(app, [*command, "--help"], terminal_width=200)
    assert result.exit_code == 0, result.output
    assert mentioned(f"consent {' '.join(command)}")
    options = set(re.findall(r"(?<![\w-])(--[a-z][a-z-]+)", result.output)) - {"--help"}
    assert sorted(o for o in options if not mentioned(o)) == []


def test_mentioned_matches_whole_options_only():
    assert not re.search(r"(?<![\w-])--date-of(?![\w-])", "--date-of-birth")


def test_readme_first_screen_has_the_two_commands():
    first_screen = README[:1500]
    assert "pip install . && consent render bariatric-revision" in first_screen
    assert "pip install '.[test]' && pytest" in first_screen
    assert "docs/packet-page-2.png" in first_screen
