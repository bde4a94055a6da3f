"""The glyph-coverage check: what the bundled fonts can print, and what is refused."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from fontTools.ttLib import TTFont

from consent.errors import InputError
from consent.fonts import check_coverage, covered_characters
from consent.resources import templates_dir

FONTS = templates_dir() / "fonts"


def test_covered_characters_are_exactly_the_fonts_code_points():
    expected: set[int] = set()
    for font_file in FONTS.glob("*.[ot]tf"):
        with TTFont(font_file) as font:  # read the plain way, glyph names and all
            expected.update(font.getBestCmap())
    assert covered_characters(FONTS) == frozenset(expected)
    assert ord("ł") in expected and ord("ع") in expected and ord("王") not in expected


def test_a_name_the_fonts_cannot_print_is_refused_by_field_never_quoted():
    with pytest.raises(InputError) as refused:
        check_coverage("<p>x</p>", FONTS, "en", {"--patient-name": "Wang 王"})
    message = str(refused.value)
    assert "--patient-name" in message and "U+738B" in message
    assert "Wang" not in message


def test_cli_refuses_an_unprintable_name_in_one_line_and_writes_nothing(tmp_path: Path):
    out = tmp_path / "packet.pdf"
    command = ["render", "bariatric-revision", "--patient-name", "Wang 王", "--out", str(out)]
    result = subprocess.run(
        [sys.executable, "-m", "consent", *command],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 1
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.stderr and "Wang" not in result.stderr
    assert not out.exists()
