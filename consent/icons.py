"""Icon arrays as deterministic SVG: person icons, events grouped in reading order.

An array of 100 or 1,000 people is drawn with a handful of elements, not one
per person: each kind of person (has the event, might have it, does not) is an
SVG ``<pattern>`` holding a single figure, and each group of people is at most
three rectangles (a part row, whole rows, a part row) filled with it. WeasyPrint
pays per SVG element, so this keeps icon arrays cheap to render.

Rules from RISK_COMMUNICATION.md: R4 (cells add up to the denominator), R8
(everyone is shown), R9 (events grouped from the first cell, mirrored for
right-to-left), R10 (person figures), R11 (the range above the point estimate
in a lighter shade), R15 (filled, light and hollow figures, so colour is not
the only cue; a text alternative carries the same sentence).
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

from .frequencies import Frequency

CELL_WIDTH = 10
CELL_HEIGHT = 14
COLUMNS = {100: 10, 1_000: 40}
"""Grid width per denominator: 10 x 10 for 100 people, 40 x 25 for 1,000."""

# Okabe-Ito vermilion (3.8:1 on white, above WCAG's 3:1 for graphics) and a
# neutral grey; the three kinds also differ in fill (solid, light, hollow).
EVENT_COLOUR = "#C24E00"
RANGE_FILL = "#F7C9A8"
NON_EVENT_COLOUR = "#595959"

# One figure centred in its 10 x 14 cell. The margins also absorb the error of
# viewers (poppler) that round a pattern tile to whole pixels at low zoom.
_PERSON = (
    '<circle cx="5" cy="3.4" r="2.1"/>'
    '<path d="M1.7 12.4V8.7Q1.7 6.6 3.8 6.6H6.2Q8.3 6.6 8.3 8.7V12.4Z"/>'
)
_STYLES = {
    "event": f'fill="{EVENT_COLOUR}"',
    "range": f'fill="{RANGE_FILL}" stroke="{EVENT_COLOUR}" stroke-width="0.8"',
    "none": f'fill="#FFFFFF" stroke="{NON_EVENT_COLOUR}" stroke-width="0.8"',
}


@dataclass(frozen=True)
class Rect:
    kind: str
    x: int
    y: int
    width: int
    height: int


def columns_for(denominator: int) -> int:
    if denominator not in COLUMNS:
        raise ValueError(f"no icon array layout for a denominator of {denominator:,}")
    return COLUMNS[denominator]


def runs(freq: Frequency) -> list[tuple[str, int, int]]:
    """The cells [start, end) of each kind, in reading order; together they cover the grid."""
    high = freq.high if freq.high is not None else freq.numerator
    bounds = [
        ("event", 0, freq.numerator),
        ("range", freq.numerator, high),
        ("none", high, freq.denominator),
    ]
    return [(kind, start, end) for kind, start, end in bounds if end > start]


def run_rects(kind: str, start: int, end: int, columns: int, rtl: bool = False) -> list[Rect]:
    """Cover cells [start, end) of a ``columns``-wide grid with at most three rectangles."""
    rects: list[Rect] = []
    cell = start
    while cell < end:
        row, col = divmod(cell, columns)
        if col == 0 and end - cell >= columns:
            rows = (end - cell) // columns
            rects.append(Rect(kind, 0, row, columns, rows))
            cell += rows * columns
        else:
            width = min(columns - col, end - cell)
            rects.append(Rect(kind, col, row, width, 1))
            cell += width
    if rtl:
        rects = [Rect(r.kind, columns - r.x - r.width, r.y, r.width, r.height) for r in rects]
    return rects


def icon_array(freq: Frequency, label: str, *, rtl: bool = False, id_prefix: str = "ia") -> str:
    """An SVG icon array for ``freq``; ``label`` is its text alternative (the sentences shown)."""
    columns = columns_for(freq.denominator)
    rows = freq.denominator // columns
    width, height = columns * CELL_WIDTH, rows * CELL_HEIGHT
    patterns = "".join(
        f'<pattern id="{id_prefix}-{kind}" width="{CELL_WIDTH}" height="{CELL_HEIGHT}" '
        f'patternUnits="userSpaceOnUse"><g {style}>{_PERSON}</g></pattern>'
        for kind, style in _STYLES.items()
    )
    rects = "".join(
        f'<rect x="{r.x * CELL_WIDTH}" y="{r.y * CELL_HEIGHT}" width="{r.width * CELL_WIDTH}" '
        f'height="{r.height * CELL_HEIGHT}" fill="url(#{id_prefix}-{r.kind})" '
        f'data-kind="{r.kind}" data-cells="{r.width * r.height}"/>'
        for kind, start, end in runs(freq)
        for r in run_rects(kind, start, end, columns, rtl)
    )
    text = escape(label)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" class="icon-array" role="img" aria-label="{text}">'
        f"<title>{text}</title><defs>{patterns}</defs>{rects}</svg>"
    )


def legend_icon(kind: str) -> str:
    """One person figure of ``kind`` ("event", "range", "none") for a legend."""
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {CELL_WIDTH} {CELL_HEIGHT}" '
        f'class="legend-icon" aria-hidden="true"><g {_STYLES[kind]}>{_PERSON}</g></svg>'
    )


def range_bar(low: float, high: float) -> str:
    """A 0-100% bar with the ``low``..``high`` range filled, for measures such as weight loss.

    Decorative: the sentence beside it carries the numbers, so it is hidden from
    assistive technology.
    """
    x, width = round(low * 100, 2), round((high - low) * 100, 2)
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 100 6" class="range-bar" '
        'aria-hidden="true" preserveAspectRatio="none">'
        f'<rect x="0" y="1" width="100" height="4" fill="#FFFFFF" stroke="{NON_EVENT_COLOUR}" '
        'stroke-width="0.4"/>'
        f'<rect x="{x}" y="0" width="{width}" height="6" fill="{EVENT_COLOUR}"/></svg>'
    )
