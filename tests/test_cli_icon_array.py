"""`consent icon-array`: one array with its caption, as SVG, PDF or PNG; golden files."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from PIL import Image
from pypdf import PdfReader
from typer.testing import CliRunner

from consent.cli import app
from consent.i18n import Localizer
from consent.standalone import caption, make_frequency, standalone_svg

GOLDEN = Path(__file__).parent / "data" / "golden"
SVG = "{http://www.w3.org/2000/svg}"
# (file name, numerator, denominator, low, high, event, right to left)
GOLDEN_ARRAYS = [
    ("leak-5-in-100.svg", 5, 100, 3, 7, "have a serious leak", False),
    ("mortality-13-in-1000.svg", 13, 1000, 9, 20, "die", False),
    ("leak-5-in-100-rtl.svg", 5, 100, 3, 7, "have a serious leak", True),
]


def run(*args: str):
    return CliRunner().invoke(app, list(args), terminal_width=200)


def golden_svg(numerator, denominator, low, high, event, rtl) -> str:
    freq = make_frequency(numerator, denominator, low, high)
    return standalone_svg(freq, caption(Localizer(), freq, event, "do not"), rtl=rtl)


@pytest.mark.parametrize(
    ("name", *"ndlhe", "rtl"), GOLDEN_ARRAYS, ids=[g[0] for g in GOLDEN_ARRAYS]
)
def test_golden_svg_files_are_unchanged(name, n, d, l, h, e, rtl):  # noqa: E741
    # Reviewed by eye as docs/icon-array-*.png; regenerate both with docs/screenshots.py.
    assert golden_svg(n, d, l, h, e, rtl) == (GOLDEN / name).read_text(encoding="utf-8")


def test_svg_on_stdout_with_caption_and_people_as_paths():
    result = run("icon-array", "5", "100", "--low", "3", "--high", "7", "--event", "have a leak")
    assert result.exit_code == 0
    root = ET.fromstring(result.stdout)
    captions = [t.text for t in root.iter(f"{SVG}text")]
    assert captions == [
        "About 5 in 100 people have a leak.",
        "About 95 in 100 do not.",
        "The true number is probably between 3 and 7 in 100.",
    ]
    uses = [u.get("href") for u in root.iter(f"{SVG}use")]
    assert (uses.count("#event"), uses.count("#range"), uses.count("#none")) == (5, 2, 93)
    assert root.get("aria-label") == " ".join(captions)


def test_default_caption_without_event_words():
    root = ET.fromstring(run("icon-array", "5", "100").stdout)
    assert [t.text for t in root.iter(f"{SVG}text")] == [
        "About 5 in 100 people are affected.",
        "About 95 in 100 are not.",
    ]


def test_output_is_deterministic(tmp_path):
    for suffix in (".svg", ".pdf", ".png"):
        first, second = tmp_path / f"a{suffix}", tmp_path / f"b{suffix}"
        for out in (first, second):
            assert run("icon-array", "13", "1000", "--out", str(out)).exit_code == 0
        assert first.read_bytes() == second.read_bytes(), suffix


def test_pdf_output_has_the_caption_and_the_figure_alt_text(tmp_path):
    out = tmp_path / "a.pdf"
    result = run("icon-array", "5", "100", "--low", "3", "--high", "7", "--out", str(out))
    assert result.exit_code == 0 and "Wrote" in result.stderr
    text = " ".join(PdfReader(out).pages[0].extract_text().split())
    assert "About 5 in 100 people are affected." in text
    assert _alt_in(out)


def _alt_in(pdf: Path) -> bool:
    from test_packet_document import figure_alts

    return any(a.startswith("About 5 in 100 people are affected.") for a in figure_alts(pdf))


def test_png_output_is_a_cropped_picture(tmp_path):
    out = tmp_path / "a.png"
    assert run("icon-array", "5", "100", "--out", str(out)).exit_code == 0
    image = Image.open(out)
    assert image.format == "PNG" and 500 < image.width < 1200


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["5", "200"], "the denominator must be 100 or 1000, not 200"),
        (["101", "100"], "the numerator must be between 0 and 100"),
        (["5", "100", "--low", "3"], "give both --low and --high, or neither"),
        (["5", "100", "--low", "6", "--high", "7"], "the counts must be in order"),
        (["5", "100", "--out", "x.gif"], "the file must end in .svg, .pdf, .png"),
        (["5", "100", "--event", "have\u202e a leak"], "--event contains control or invisible"),
        (["5", "100", "--locale", "xx"], "unknown locale 'xx'"),
    ],
)
def test_bad_input_is_one_line_and_exit_1(tmp_path, monkeypatch, args, message):
    monkeypatch.chdir(tmp_path)
    result = run("icon-array", *args)
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: ") and message in result.stderr
    assert not list(tmp_path.iterdir())
