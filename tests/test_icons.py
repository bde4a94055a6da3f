"""Icon arrays, counted from the SVG itself, figure by figure."""

from __future__ import annotations

import itertools
import xml.etree.ElementTree as ET
from io import BytesIO

import pytest
from fontTools.pens.svgPathPen import SVGPathPen
from fontTools.ttLib import TTFont
from hypothesis import given
from hypothesis import strategies as st

from consent.frequencies import Frequency, frequency
from consent.iconfont import KINDS, MAX_RUN, build, write_all
from consent.icons import (
    BASELINE,
    CELL_HEIGHT,
    CELL_WIDTH,
    COLOURS,
    columns_for,
    icon_array,
    legend_svg,
    range_bar,
)
from consent.resources import templates_dir

SVG = "{http://www.w3.org/2000/svg}"


def decode(char: str) -> tuple[str, int]:
    """A run character of the icon font as (kind, number of figures)."""
    offset = ord(char) - 0xE000
    return KINDS[offset // 0x40], offset % 0x40


def cells(svg: str) -> dict[tuple[int, int], str]:
    """Map every (column, row) of the grid to the kind of figure drawn there."""
    found: dict[tuple[int, int], str] = {}
    for text in ET.fromstring(svg).iter(f"{SVG}text"):
        xs = [int(x) for x in text.get("x").split()]
        ys = [float(y) for y in text.get("y").split()]
        assert len(xs) == len(ys) == len(text.text), "each glyph has its own x and y"
        for char, x, y in zip(text.text, xs, ys, strict=True):
            kind, count = decode(char)
            assert text.get("data-kind") == kind
            row = round((y - BASELINE) / CELL_HEIGHT)
            column = x // CELL_WIDTH
            for col in range(column, column + count):
                assert (col, row) not in found, "two figures drawn in one cell"
                found[(col, row)] = kind
    return found


def reading_order(grid: dict[tuple[int, int], str], columns: int, rtl: bool = False) -> list[str]:
    rows = max(row for _, row in grid) + 1
    order = []
    for row in range(rows):
        cols = range(columns - 1, -1, -1) if rtl else range(columns)
        order.extend(grid[(col, row)] for col in cols)
    return order


def array(freq: Frequency, rtl: bool = False) -> str:
    return icon_array(freq, "label", "description", rtl=rtl)


@given(st.integers(0, 100), st.integers(0, 100), st.sampled_from([100, 1_000]), st.booleans())
def test_rule_R4_R8_every_person_is_drawn_exactly_once(a, b, denominator, rtl):
    numerator, high = sorted((a * denominator // 100, b * denominator // 100))
    freq = Frequency(0.0, denominator, numerator, numerator, high)
    grid = cells(array(freq, rtl))
    columns = columns_for(denominator)
    assert set(grid) == set(itertools.product(range(columns), range(denominator // columns)))
    kinds = list(grid.values())
    assert kinds.count("event") == numerator
    assert kinds.count("range") == high - numerator
    assert kinds.count("none") == denominator - high


@pytest.mark.parametrize("rtl", [False, True])
@pytest.mark.parametrize("denominator", [100, 1_000])
def test_rule_R9_events_grouped_from_the_first_cell_in_reading_order(rtl, denominator):
    freq = frequency(0.23, denominator, 0.18, 0.31)
    order = reading_order(cells(array(freq, rtl)), columns_for(denominator), rtl=rtl)
    n, high = freq.numerator, freq.high
    assert order == ["event"] * n + ["range"] * (high - n) + ["none"] * (denominator - high)


def test_rule_R9_right_to_left_starts_at_the_right_edge():
    grid = cells(array(frequency(0.03, 100), rtl=True))
    assert [grid[(col, 0)] for col in (9, 8, 7, 6)] == ["event", "event", "event", "none"]


def test_rule_R8_same_grid_for_every_option_of_an_outcome():
    a, b = frequency(0.02, 100), frequency(0.05, 100)
    root_a, root_b = ET.fromstring(array(a)), ET.fromstring(array(b))
    assert root_a.get("viewBox") == root_b.get("viewBox") == "0 0 100 140"


def test_rule_R10_figures_are_people_with_a_head_and_a_body():
    font = TTFont(BytesIO(build()))
    glyphs = font["glyf"]
    for kind in KINDS:
        contours = glyphs[kind].numberOfContours
        assert contours >= 2, f"{kind}: a head and a body"
    # Solid: head and body; hollow: plus their holes; range: plus a dot and stripes.
    assert [glyphs[k].numberOfContours for k in KINDS] == [2, 7, 4]


@pytest.mark.parametrize(("rtl", "filled"), [(False, (60.0, 70.0)), (True, (30.0, 40.0))])
def test_rule_R9_a_range_bar_starts_where_reading_starts(rtl, filled):
    """60-70% fills from the left end in English, from the right end in Arabic."""
    root = ET.fromstring(range_bar(0.6, 0.7, "60% to 70%", rtl=rtl))
    bar = root.findall(f"{SVG}rect")[0]
    x, width = float(bar.get("x")), float(bar.get("width"))
    assert (x, x + width) == pytest.approx(filled)


@pytest.mark.parametrize(("rtl", "left", "right"), [(False, "0%", "100%"), (True, "100%", "0%")])
def test_a_range_bar_shows_its_scale_and_fills_no_more_than_its_outline(rtl, left, right):
    """The bar had no 0% and 100% at its ends, so it could not be read without its
    sentence, and its fill stood taller than its outline."""
    root = ET.fromstring(range_bar(0.6, 0.7, "60% to 70%", ends=("0%", "100%"), rtl=rtl))
    fill, outline = root.findall(f"{SVG}rect")
    assert (fill.get("y"), fill.get("height")) == (outline.get("y"), outline.get("height"))
    ends = {float(t.get("x")): t.text for t in root.iter(f"{SVG}text")}
    assert ends == {0.0: left, 100.0: right}
    assert root.get("preserveAspectRatio") is None  # drawn to scale: the words keep their shape


@pytest.mark.parametrize(
    ("low", "high", "rtl", "filled"),
    [
        (0.6, 0.6, False, (59.25, 60.75)),  # one figure: a mark around it
        (0.6, 0.6, True, (39.25, 40.75)),
        (0.0, 0.0, False, (0.0, 1.5)),  # kept inside the outline at the ends
        (1.0, 1.0, False, (98.5, 100.0)),
        (0.995, 1.0, True, (0.0, 1.5)),
    ],
)
def test_a_single_figure_on_a_range_bar_is_a_mark_not_nothing(low, high, rtl, filled):
    """A measure of "about 60%" drew a fill 0 wide: an empty bar beside its sentence."""
    bar = ET.fromstring(range_bar(low, high, "about 60%", rtl=rtl)).findall(f"{SVG}rect")[0]
    x, width = float(bar.get("x")), float(bar.get("width"))
    assert (x, x + width) == pytest.approx(filled)


def test_rule_R11_range_drawn_after_the_point_estimate_in_a_lighter_colour():
    svg = array(frequency(0.05, 100, 0.03, 0.07))
    assert reading_order(cells(svg), 10)[4:8] == ["event", "range", "range", "none"]
    assert relative_luminance(COLOURS["range"]) > relative_luminance(COLOURS["event"])


def test_rule_R15_text_alternative_says_the_numbers():
    label = "Revision: about 5 in 100 have a leak. About 95 in 100 do not."
    root = ET.fromstring(icon_array(frequency(0.05, 100), label, "A picture of 100 people."))
    assert root.get("role") == "img" and root.get("aria-label") == label
    assert root.find(f"{SVG}title").text == label
    assert root.find(f"{SVG}desc").text == "A picture of 100 people."


def test_label_is_escaped_into_the_svg():
    svg = icon_array(frequency(0.05, 100), 'a <b> & "c"', "d")
    assert ET.fromstring(svg).find(f"{SVG}title").text == 'a <b> & "c"'


# WCAG 2.1 relative luminance and contrast, and Machado et al. (2009) colour-vision
# deficiency simulation at full severity, in linear RGB.
CVD = {
    "protanopia": [[0.152286, 1.052583, -0.204868], [0.114503, 0.786281, 0.099216],
                   [-0.003882, -0.048116, 1.051998]],
    "deuteranopia": [[0.367322, 0.860646, -0.227968], [0.280085, 0.672501, 0.047413],
                     [-0.011820, 0.042940, 0.968881]],
    "tritanopia": [[1.255528, -0.076749, -0.178779], [-0.078411, 0.930809, 0.147602],
                   [0.004733, 0.691367, 0.303900]],
}  # fmt: skip


def linear(hex_colour: str) -> list[float]:
    channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    return [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]


def relative_luminance(hex_colour: str) -> float:
    r, g, b = linear(hex_colour)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def lab(rgb: list[float]) -> tuple[float, float, float]:
    r, g, b = rgb
    x = (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047
    y = 0.2126 * r + 0.7152 * g + 0.0722 * b
    z = (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883

    def f(t: float) -> float:
        return t ** (1 / 3) if t > 0.008856 else 7.787 * t + 16 / 116

    return 116 * f(y) - 16, 500 * (f(x) - f(y)), 200 * (f(y) - f(z))


def delta_e(a: list[float], b: list[float]) -> float:
    return sum((p - q) ** 2 for p, q in zip(lab(a), lab(b), strict=True)) ** 0.5


def simulate(hex_colour: str, matrix: list[list[float]]) -> list[float]:
    rgb = linear(hex_colour)
    return [min(1.0, max(0.0, sum(m * c for m, c in zip(row, rgb, strict=True)))) for row in matrix]


@pytest.mark.parametrize("kind", KINDS)
def test_rule_R15_colours_pass_wcag_non_text_contrast_on_white(kind):
    contrast = (1.05) / (relative_luminance(COLOURS[kind]) + 0.05)
    assert contrast >= 3.0


@pytest.mark.parametrize("deficiency", CVD)
def test_rule_R15_colours_stay_distinct_under_colour_vision_deficiency(deficiency):
    seen = {k: simulate(c, CVD[deficiency]) for k, c in COLOURS.items()}
    # A clear difference between "happens" and "does not"; the range differs in
    # shape (stripes) as well as shade, so a smaller colour difference is enough.
    assert delta_e(seen["event"], seen["none"]) > 40
    assert delta_e(seen["range"], seen["none"]) > 40
    assert delta_e(seen["event"], seen["range"]) > 10


@pytest.mark.parametrize("denominator", [100, 1_000])
def test_an_array_is_a_few_elements_per_row_not_one_per_person(denominator):
    svg = array(frequency(0.123, denominator, 0.1, 0.2))
    rows, columns = denominator // columns_for(denominator), columns_for(denominator)
    # One element per kind and row: a row, plus two for the rows where the kind changes.
    assert len(list(ET.fromstring(svg).iter(f"{SVG}text"))) <= rows + 2
    glyphs = "".join(t.text for t in ET.fromstring(svg).iter(f"{SVG}text"))
    assert len(glyphs) <= rows * -(-columns // MAX_RUN) + 2  # at most MAX_RUN people a glyph


def test_no_layout_for_10000_people():
    with pytest.raises(ValueError, match="10,000"):
        columns_for(10_000)


def test_arrays_are_deterministic():
    freq = frequency(0.05, 1_000, 0.03, 0.07)
    assert array(freq) == array(freq)


def test_legend_figures_are_the_font_figures_in_their_colours():
    """The legend's files draw the glyph outline the arrays use, so the two cannot differ."""
    glyphs = TTFont(BytesIO(build()))["glyf"]
    for kind in KINDS:
        root = ET.fromstring(legend_svg(kind))
        (path,) = root.iter(f"{SVG}path")
        assert path.get("fill") == COLOURS[kind]
        glyph = SVGPathPen(None, ntos=lambda n: f"{n:g}")
        glyphs[kind].draw(glyph, glyphs)
        assert path.get("d") == glyph.getCommands()


def test_the_committed_icon_font_and_legend_figures_are_the_generated_ones(tmp_path):
    (tmp_path / "fonts").mkdir()
    write_all(tmp_path)
    made = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*") if p.is_file())
    assert [str(p) for p in made] == [
        "fonts/ConsentIcons.ttf",
        *(f"icons/legend-{kind}.svg" for kind in sorted(KINDS)),
    ]
    for relative in made:
        committed = (templates_dir() / relative).read_bytes()
        assert committed == (tmp_path / relative).read_bytes(), (
            f"{relative} is stale; run: python -m consent.iconfont templates"
        )


def test_run_glyphs_cover_every_run_length():
    font = TTFont(BytesIO(build()))
    cmap = font.getBestCmap()
    for kind_index, kind in enumerate(KINDS):
        for count in range(1, MAX_RUN + 1):
            name = cmap[0xE000 + kind_index * 0x40 + count]
            assert name == f"{kind}.{count}"
            assert font["hmtx"][name][0] == count * font["head"].unitsPerEm
