"""The person figures of icon arrays, as a tiny font: ``templates/fonts/ConsentIcons.ttf``.

Why a font: an array of 1,000 people must draw fast and exactly. As SVG paths
WeasyPrint takes a quarter of a second per 1,000 figures; as a tiled SVG
pattern it is fast, but PDF viewers (pdfium, poppler) round a tile to whole
pixels, so at some zoom levels a "5 in 100" array shows a sliver of a sixth
coloured figure. Glyphs are placed by their exact advance, by every viewer.

Three figures, all with the same outline so the people line up (R8, R10),
each a different shape so colour is never the only cue (R15): "event" is
solid (it happens), "range" is outlined with a dot and stripes (it might
happen, R11), "none" is outlined and hollow (it does not happen). A run of n
figures of one kind is one glyph, at U+E000 + 0x40 * kind + n (private use).

Regenerate it, and the legend's figures, with ``python -m consent.iconfont templates``;
a test checks the committed files match, byte for byte.
"""

from __future__ import annotations

import io
import sys
from pathlib import Path
from typing import Any

KINDS = ("event", "range", "none")
FAMILY = "Consent Icons"

# Font units: the em is one cell wide (500) and the baseline is the figure's feet.
# A run of n figures is one glyph n cells wide, built from n references to the
# single figure, so drawing ten people costs one glyph, not ten.
UNITS = 500
MAX_RUN = 10
"""The widest run glyph. pdfium (Chrome's PDF viewer) silently drops glyphs
much wider than their em at some zoom levels: runs of 20 or 40 figures vanished
at 150-300 dpi, runs of 10 drew at every resolution tried (50 to 2,400 dpi);
tests/test_icon_rendering.py keeps checking that."""
_HEAD = (250, 450, 105)  # centre x, centre y, radius
_BODY = (85, 415, 290, 105)  # left, right, top, corner radius
_INSET = 40  # outline thickness
_FIXED_TIME = 0x86000000  # a constant timestamp, so the bytes are reproducible


def _circle(pen: Any, cx: float, cy: float, r: float) -> None:
    # Eight quadratic arcs; the off-curve points sit at r / cos(22.5 degrees).
    k = r * 1.0823922
    directions = [
        (0, 1),
        (0.7071, 0.7071),
        (1, 0),
        (0.7071, -0.7071),
        (0, -1),
        (-0.7071, -0.7071),
        (-1, 0),
        (-0.7071, 0.7071),
    ]
    pen.qCurveTo(*[(round(cx + dx * k), round(cy + dy * k)) for dx, dy in directions], None)
    pen.closePath()


def _body(pen: Any, left: int, right: int, top: int, radius: int, bottom: int) -> None:
    """A torso with rounded shoulders, drawn clockwise."""
    pen.moveTo((left, bottom))
    pen.lineTo((left, top - radius))
    pen.qCurveTo((left, top), (left + radius, top))
    pen.lineTo((right - radius, top))
    pen.qCurveTo((right, top), (right, top - radius))
    pen.lineTo((right, bottom))
    pen.closePath()


def _rect(pen: Any, left: int, bottom: int, right: int, top: int) -> None:
    pen.moveTo((left, bottom))
    pen.lineTo((left, top))
    pen.lineTo((right, top))
    pen.lineTo((right, bottom))
    pen.closePath()


def draw_figure(pen: Any, kind: str) -> None:
    """Draw one person figure of ``kind`` with ``pen``, in font units, feet at 0.

    The font's glyphs and the legend's pictures (``icons.legend_svg``) are both
    drawn by this, so they cannot differ."""
    from fontTools.pens.reverseContourPen import ReverseContourPen

    cx, cy, r = _HEAD
    left, right, top, radius = _BODY
    _circle(pen, cx, cy, r)
    _body(pen, left, right, top, radius, 0)
    if kind in ("range", "none"):
        # Holes: the same shapes, inset, drawn the other way round.
        hole = ReverseContourPen(pen)
        _circle(hole, cx, cy, r - _INSET)
        _body(hole, left + _INSET, right - _INSET, top - _INSET, radius - _INSET, _INSET)
    if kind == "range":
        _circle(pen, cx, cy, 35)
        for bottom in (85, 165):
            _rect(pen, left + _INSET + 25, bottom, right - _INSET - 25, bottom + 35)


def _figure(kind: str) -> Any:
    from fontTools.pens.ttGlyphPen import TTGlyphPen

    pen = TTGlyphPen(None)
    draw_figure(pen, kind)
    return pen.glyph()


def _run(kind: str, count: int, figures: dict[str, Any]) -> Any:
    from fontTools.pens.ttGlyphPen import TTGlyphPen

    pen = TTGlyphPen(figures)
    for index in range(count):
        pen.addComponent(kind, (1, 0, 0, 1, index * UNITS, 0))
    return pen.glyph()


def run_character(kind: str, count: int) -> str:
    """The character that draws ``count`` figures of ``kind`` side by side."""
    if not 1 <= count <= MAX_RUN:
        raise ValueError(f"a run holds 1 to {MAX_RUN} figures, not {count}")
    return chr(0xE000 + KINDS.index(kind) * 0x40 + count)


def build() -> bytes:
    """The font file's bytes (the same bytes on every run)."""
    from fontTools.fontBuilder import FontBuilder
    from fontTools.pens.ttGlyphPen import TTGlyphPen

    runs = {f"{kind}.{n}": (kind, n) for kind in KINDS for n in range(1, MAX_RUN + 1)}
    names = [".notdef", "space", *KINDS, *runs]
    fb = FontBuilder(UNITS, isTTF=True)
    fb.setupGlyphOrder(names)
    fb.setupCharacterMap(
        {0x20: "space", **{ord(run_character(k, n)): name for name, (k, n) in runs.items()}}
    )
    notdef = TTGlyphPen(None)
    _rect(notdef, 50, 0, 450, 500)
    figures = {kind: _figure(kind) for kind in KINDS}
    fb.setupGlyf(
        {
            ".notdef": notdef.glyph(),
            "space": TTGlyphPen(None).glyph(),
            **figures,
            **{name: _run(kind, n, figures) for name, (kind, n) in runs.items()},
        }
    )
    widths = {name: UNITS for name in (".notdef", "space", *KINDS)}
    widths.update({name: n * UNITS for name, (_, n) in runs.items()})
    fb.setupHorizontalMetrics({name: (width, 0) for name, width in widths.items()})
    fb.setupHorizontalHeader(ascent=600, descent=-100)
    fb.setupNameTable(
        {
            "familyName": FAMILY,
            "styleName": "Regular",
            "uniqueFontIdentifier": "consent-icons-2",
            "fullName": f"{FAMILY} Regular",
            "psName": "ConsentIcons-Regular",
            "version": "Version 2.000",
            "licenseDescription": "Part of consent; MIT licence.",
        }
    )
    fb.setupOS2(sTypoAscender=600, sTypoDescender=-100, usWinAscent=600, usWinDescent=100)
    fb.setupPost()
    fb.font["head"].created = fb.font["head"].modified = _FIXED_TIME
    fb.font.recalcTimestamp = False
    out = io.BytesIO()
    fb.save(out)
    return out.getvalue()


def write_all(templates: Path) -> None:
    """Write the font and the legend's figures (``icons.legend_svg``) into ``templates``."""
    from .icons import legend_svg

    (templates / "fonts" / "ConsentIcons.ttf").write_bytes(build())
    (templates / "icons").mkdir(exist_ok=True)
    for kind in KINDS:
        (templates / "icons" / f"legend-{kind}.svg").write_text(legend_svg(kind), encoding="utf-8")


if __name__ == "__main__":  # pragma: no cover
    write_all(Path(sys.argv[1]))
