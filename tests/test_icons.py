"""Icon arrays: counted from the SVG itself, cell by cell."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from hypothesis import given
from hypothesis import strategies as st

from consent.frequencies import Frequency, frequency
from consent.icons import CELL_HEIGHT, CELL_WIDTH, columns_for, icon_array, run_rects

SVG = "{http://www.w3.org/2000/svg}"


def cells(svg: str) -> dict[tuple[int, int], str]:
    """Map every (column, row) of the grid to the kind of figure drawn there."""
    root = ET.fromstring(svg)
    found: dict[tuple[int, int], str] = {}
    for rect in root.iter(f"{SVG}rect"):
        x, y = int(rect.get("x")) // CELL_WIDTH, int(rect.get("y")) // CELL_HEIGHT
        width = int(rect.get("width")) // CELL_WIDTH
        height = int(rect.get("height")) // CELL_HEIGHT
        kind = rect.get("fill").removeprefix("url(#").removesuffix(")").rsplit("-", 1)[1]
        for row in range(y, y + height):
            for col in range(x, x + width):
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


@given(st.integers(0, 100), st.integers(0, 100), st.sampled_from([100, 1_000]))
def test_rule_R4_R8_every_person_is_drawn_exactly_once(a, b, denominator):
    numerator, high = sorted((a * denominator // 100, b * denominator // 100))
    freq = Frequency(0.0, denominator, numerator, numerator, high)
    grid = cells(icon_array(freq, "label"))
    assert len(grid) == denominator
    kinds = list(grid.values())
    assert kinds.count("event") == numerator
    assert kinds.count("range") == high - numerator
    assert kinds.count("none") == denominator - high


@pytest.mark.parametrize("rtl", [False, True])
def test_rule_R9_events_grouped_from_the_first_cell_in_reading_order(rtl):
    freq = frequency(0.23, 100, 0.18, 0.31)
    order = reading_order(cells(icon_array(freq, "x", rtl=rtl)), 10, rtl=rtl)
    assert order == ["event"] * 23 + ["range"] * 8 + ["none"] * 69


def test_rule_R9_right_to_left_mirrors_the_first_row():
    freq = frequency(0.03, 100)
    grid = cells(icon_array(freq, "x", rtl=True))
    assert [grid[(col, 0)] for col in (9, 8, 7, 6)] == ["event", "event", "event", "none"]


def test_rule_R10_figures_are_people_not_dots():
    svg = icon_array(frequency(0.05, 100), "x")
    pattern = ET.fromstring(svg).find(f".//{SVG}pattern")
    # A head and a body in every pattern cell.
    assert pattern.find(f".//{SVG}circle") is not None
    assert pattern.find(f".//{SVG}path") is not None


def test_rule_R11_range_drawn_lighter_after_the_point_estimate():
    svg = icon_array(frequency(0.05, 100, 0.03, 0.07), "x")
    patterns = {p.get("id"): p.find(f"{SVG}g") for p in ET.fromstring(svg).iter(f"{SVG}pattern")}
    event, band = patterns["ia-event"], patterns["ia-range"]
    assert band.get("fill") != event.get("fill")
    assert reading_order(cells(svg), 10)[5:7] == ["range", "range"]


def test_rule_R15_not_colour_alone_and_text_alternative_says_the_numbers():
    label = "Revision: about 5 in 100 have a leak. About 95 in 100 do not."
    svg = icon_array(frequency(0.05, 100), label)
    root = ET.fromstring(svg)
    assert root.get("role") == "img" and root.get("aria-label") == label
    assert root.find(f"{SVG}title").text == label
    styles = {p.get("id"): p.find(f"{SVG}g").attrib for p in root.iter(f"{SVG}pattern")}
    # Events are solid figures; people without the event are hollow outlines.
    assert "stroke" not in styles["ia-event"]
    assert styles["ia-none"]["fill"] == "#FFFFFF" and "stroke" in styles["ia-none"]


def test_label_is_escaped_into_the_svg():
    svg = icon_array(frequency(0.05, 100), 'a <b> & "c"')
    assert ET.fromstring(svg).find(f"{SVG}title").text == 'a <b> & "c"'


@pytest.mark.parametrize("denominator", [100, 1_000])
def test_an_array_is_a_handful_of_elements_not_one_per_person(denominator):
    svg = icon_array(frequency(0.123, denominator, 0.1, 0.2), "x")
    assert len(list(ET.fromstring(svg).iter(f"{SVG}rect"))) <= 9


@given(st.integers(0, 1000), st.integers(0, 1000))
def test_a_run_of_cells_needs_at_most_three_rectangles(a, b):
    start, end = sorted((a, b))
    assert len(run_rects("event", start, end, 40)) <= 3


def test_no_layout_for_10000_people():
    with pytest.raises(ValueError, match="10,000"):
        columns_for(10_000)
