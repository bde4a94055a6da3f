"""Icon arrays as deterministic SVG: person figures, events grouped in reading order.

Each row of the grid is a few runs of identical figures (has the event, might
have it, does not), and each run is a single character of the bundled
"Consent Icons" font (see ``iconfont``): one glyph draws up to ten people, and
each glyph has its own x and y. So an array is at most three SVG text elements
(one per kind) whatever its size, and every viewer places the figures exactly
(tiled SVG patterns, the obvious alternative, are rounded to whole pixels by
pdfium and poppler and can show a sliver of an extra figure).

Rules from RISK_COMMUNICATION.md: R4 (cells add up to the denominator), R8
(everyone is shown; the same grid for every option of an outcome), R9 (events
grouped from the first cell, mirrored for right-to-left), R10 (person
figures), R11 (the range after the point estimate, lighter and striped), R15
(solid, striped and hollow figures, so colour is not the only cue; colours
pass WCAG 3:1 against white; a text alternative says the same numbers).
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

from .frequencies import Frequency
from .iconfont import FAMILY, MAX_RUN, UNITS, draw_figure, run_character

CELL_WIDTH = 10
CELL_HEIGHT = 14
BASELINE = 12.4
"""Where a figure's feet sit in its cell; the glyph is 10 units tall at font size 10."""
COLUMNS = {100: 10, 1_000: 40}
"""Grid width per denominator: 10 x 10 for 100 people, 40 x 25 for 1,000."""

COLOURS = {
    "event": "#A84300",  # dark vermilion, 6.1:1 on white
    "range": "#D9692A",  # lighter vermilion, 3.5:1 on white (WCAG asks 3:1 for graphics)
    "none": "#595959",  # grey, 7.0:1 on white
}


@dataclass(frozen=True)
class Run:
    """``count`` figures of one ``kind`` in ``row``, starting at grid column ``column``."""

    kind: str
    row: int
    column: int
    count: int


def columns_for(denominator: int) -> int:
    if denominator not in COLUMNS:
        raise ValueError(f"no icon array layout for a denominator of {denominator:,}")
    return COLUMNS[denominator]


def kinds_in_reading_order(freq: Frequency) -> list[tuple[str, int]]:
    """(kind, how many) in reading order: events, then the range above them, then the rest."""
    high = freq.high if freq.high is not None else freq.numerator
    counts = [
        ("event", freq.numerator),
        ("range", high - freq.numerator),
        ("none", freq.denominator - high),
    ]
    return [(kind, count) for kind, count in counts if count > 0]


def runs(freq: Frequency, rtl: bool = False) -> list[Run]:
    """Every figure of the grid, as runs of one kind within one row.

    Reading order starts top left (top right when ``rtl``); a run's ``column``
    is where it is drawn, so mirrored runs start from the right edge.
    """
    columns = columns_for(freq.denominator)
    result = []
    cell = 0
    for kind, count in kinds_in_reading_order(freq):
        end = cell + count
        while cell < end:
            row, column = divmod(cell, columns)
            length = min(columns - column, end - cell, MAX_RUN)
            drawn_at = columns - column - length if rtl else column
            result.append(Run(kind, row, drawn_at, length))
            cell += length
    return result


def icon_array(freq: Frequency, label: str, description: str, *, rtl: bool = False) -> str:
    """An SVG icon array for ``freq``.

    ``label`` (the same sentences as the text beside it) becomes the title and
    ARIA label, which is the figure's alternate text in the tagged PDF;
    ``description`` says what the picture shows.
    """
    columns = columns_for(freq.denominator)
    width, height = columns * CELL_WIDTH, freq.denominator // columns * CELL_HEIGHT
    texts = "".join(
        # One <text> per kind, each glyph placed by its own x and y: WeasyPrint lays
        # out each element's text once more as a whole, so fewer elements, less work.
        f'<text x="{" ".join(str(r.column * CELL_WIDTH) for r in group)}" '
        f'y="{" ".join(f"{r.row * CELL_HEIGHT + BASELINE:g}" for r in group)}" '
        f'fill="{COLOURS[group[0].kind]}" data-kind="{group[0].kind}">'
        f"{''.join(run_character(r.kind, r.count) for r in group)}</text>"
        for group in _by_kind(runs(freq, rtl))
    )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" class="icon-array icon-array-{freq.denominator}" '
        f'role="img" aria-label="{escape(label)}" font-family="{FAMILY}" font-size="10">'
        f"<title>{escape(label)}</title><desc>{escape(description)}</desc>{texts}</svg>"
    )


def _by_kind(all_runs: list[Run]) -> list[list[Run]]:
    """Runs grouped by kind; the kinds follow each other in reading order."""
    groups: list[list[Run]] = []
    for run in all_runs:
        if groups and groups[-1][0].kind == run.kind:
            groups[-1].append(run)
        else:
            groups.append([run])
    return groups


def legend_svg(kind: str) -> str:
    """One person figure of ``kind`` as an SVG file, for the legend
    (``templates/icons/legend-KIND.svg``).

    The legend shows its figures as CSS backgrounds, which WeasyPrint marks as
    artifacts: a screen reader reads each key's words once, not a figure's
    alternate text and then the same words. The figure is drawn as a path, not
    a glyph, because a browser draws an SVG background without the page's fonts.
    """
    from fontTools.pens.svgPathPen import SVGPathPen

    pen = SVGPathPen(None, ntos=lambda n: f"{n:g}")
    draw_figure(pen, kind)
    units = UNITS / CELL_WIDTH  # font units per cell unit
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" '
        f'viewBox="0 0 {UNITS} {CELL_HEIGHT * units:g}">'
        f'<path transform="matrix(1 0 0 -1 0 {BASELINE * units:g})" '
        f'fill="{COLOURS[kind]}" d="{pen.getCommands()}"/></svg>\n'
    )


def range_bar(
    low: float,
    high: float,
    label: str,
    *,
    ends: tuple[str, str] = ("0%", "100%"),
    rtl: bool = False,
) -> str:
    """A 0-100% bar with the ``low``..``high`` range filled, for measures such as weight
    loss, with its scale at the ends (``ends``, the language's "0%" and "100%");
    ``label`` (the sentence beside it) is its alternate text. Right to left
    (``rtl``), 0% is at the right-hand end, as icon arrays start there (R9).
    Drawn to scale in both directions (55 mm wide, so 0.55 mm a unit), so that
    the scale's words keep their shape. A range narrower than ``MIN_MARK`` (a
    single figure, "about 60%") is drawn as a mark that wide around its middle:
    to scale, it was no mark at all."""
    start_at, width = (1 - high if rtl else low) * 100, (high - low) * 100
    if width < MIN_MARK:
        start_at = min(max(start_at + width / 2 - MIN_MARK / 2, 0), 100 - MIN_MARK)
        width = MIN_MARK
    x, width = round(start_at, 2), round(width, 2)
    start, end = reversed(ends) if rtl else ends
    text = f'font-family="Noto Sans, Noto Sans Arabic" font-size="5.5" fill="{_SCALE_COLOUR}"'
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 100 14" class="range-bar" '
        f'role="img" aria-label="{escape(label)}">'
        f"<title>{escape(label)}</title>"
        f'<rect x="{x}" y="0.5" width="{width}" height="6" fill="{COLOURS["event"]}"/>'
        f'<rect x="0" y="0.5" width="100" height="6" fill="none" stroke="{COLOURS["none"]}" '
        'stroke-width="0.4"/>'
        f'<text x="0" y="13" {text}>{escape(start)}</text>'
        f'<text x="100" y="13" text-anchor="end" {text}>{escape(end)}</text></svg>'
    )


MIN_MARK = 1.5
"""The narrowest filled part of a range bar, in hundredths of its width (0.8 mm)."""
_SCALE_COLOUR = "#444444"
