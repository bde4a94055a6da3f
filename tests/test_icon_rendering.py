"""What a reader's PDF viewer shows: icon arrays drawn by pdfium and poppler, counted by pixel.

The SVG says the right numbers (test_icons.py); this checks the PDF viewers
draw them, at several zoom levels: each cell of the grid is classified by its
pixels as a solid, striped or hollow figure, and the counts must be exact. It
is here because drawing choices that look right in the PDF can still fail in a
viewer (tiled patterns showed slivers of extra figures; very wide glyphs
vanished in pdfium).
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from PIL import Image

from consent.standalone import make_frequency, render_icon_array


def render(pdf: Path, dpi: int, renderer: str, tmp_path: Path) -> Image.Image:
    if renderer == "pdfium":
        import pypdfium2

        document = pypdfium2.PdfDocument(str(pdf))
        try:
            return document[0].render(scale=dpi / 72).to_pil().convert("RGB")
        finally:
            document.close()
    out = tmp_path / f"page-{dpi}"
    subprocess.run(
        ["pdftoppm", "-r", str(dpi), "-png", "-singlefile", str(pdf), str(out)], check=True
    )
    return Image.open(f"{out}.png").convert("RGB")


def classify(image: Image.Image, columns: int, rows: int) -> list[str]:
    """The kind of figure in each cell, in reading order, from the rendered pixels."""
    ink = image.convert("L").point(lambda v: 255 if v < 235 else 0)
    rows_with_ink = [
        ink.crop((0, y, image.width, y + 1)).getbbox() is not None for y in range(image.height)
    ]
    # The first band of ink is the heads of the top row, the second their bodies
    # (a figure's head and body are apart). Bodies span 1.7 to 8.3 units of a
    # 10 x 14 cell, and heads start 1.3 units below the cell's top.
    top = rows_with_ink.index(True)
    body_top = rows_with_ink.index(True, rows_with_ink.index(False, top))
    body_bottom = rows_with_ink.index(False, body_top)
    left, _, right, _ = ink.crop((0, body_top, image.width, body_bottom)).getbbox()
    scale = (right - left) / ((columns - 1) * 10 + 6.6)
    origin_x, origin_y = left - 1.7 * scale, top - 1.3 * scale
    pixels = image.load()
    counts = []
    for row in range(rows):
        for column in range(columns):
            x0 = origin_x + (column * 10 + 1) * scale
            x1 = origin_x + (column * 10 + 9) * scale
            y0 = origin_y + (row * 14 + 1) * scale
            y1 = origin_y + (row * 14 + 13) * scale
            red = grey = 0
            for y in range(int(y0), int(y1)):
                for x in range(int(x0), int(x1)):
                    r, _, b = pixels[x, y]
                    if r - b > 60:
                        red += 1
                    elif r < 200 and abs(r - b) < 20:
                        grey += 1
            counts.append((red, grey))
    solid = max(red for red, _ in counts)
    return [
        "event" if red > 0.83 * solid else "range" if red else "none" if grey else "blank"
        for red, _ in counts
    ]


@pytest.mark.parametrize("renderer", ["pdfium", "poppler"])
@pytest.mark.parametrize(
    ("counts", "columns", "dpis"),
    [((5, 100, 3, 7), 10, (72, 100, 150, 300)), ((13, 1000, 9, 20), 40, (150, 300))],
)
def test_viewers_draw_exactly_the_counted_figures(tmp_path, renderer, counts, columns, dpis):
    numerator, denominator, low, high = counts
    pdf = tmp_path / "array.pdf"
    render_icon_array(make_frequency(numerator, denominator, low, high), pdf)
    expected = ["event"] * numerator + ["range"] * (high - numerator)
    expected += ["none"] * (denominator - high)
    for dpi in dpis:
        image = render(pdf, dpi, renderer, tmp_path)
        assert classify(image, columns, denominator // columns) == expected, f"{dpi} dpi"
