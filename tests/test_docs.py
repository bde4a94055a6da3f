"""The README documents every option of every command, and its example command is real."""

from __future__ import annotations

import re
from pathlib import Path

from typer.testing import CliRunner

from consent.cli import app

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")


def test_every_render_option_is_in_the_readme():
    result = CliRunner().invoke(app, ["render", "--help"], terminal_width=200)
    options = set(re.findall(r"(--[a-z][a-z-]+)", result.output)) - {"--help"}
    assert options, result.output
    missing = sorted(o for o in options if f"`{o}" not in README and f" {o}" not in README)
    assert missing == []


def test_readme_first_screen_has_the_two_commands():
    first_screen = README[:1500]
    assert "pip install . && consent render bariatric-revision" in first_screen
    assert "pip install '.[test]' && pytest" in first_screen
    assert "docs/packet-page-2.png" in first_screen
