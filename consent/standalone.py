"""A single icon array with its caption, as SVG, PDF or PNG (``consent icon-array``).

For clinicians who want just the picture. The SVG stands alone: its figures
are paths (the same outlines as the icon font) so any browser or editor shows
them without our font. PDF goes through WeasyPrint like a packet; PNG is that
PDF drawn by pdfium (the engine of Chrome's PDF viewer). The same inputs give
the same bytes.
"""

from __future__ import annotations

import io
from functools import lru_cache
from html import escape
from pathlib import Path

from .errors import InputError
from .files import check_writable, write_atomically
from .frequencies import Frequency
from .i18n import Localizer
from .iconfont import KINDS, build
from .icons import BASELINE, CELL_HEIGHT, CELL_WIDTH, COLOURS, columns_for, icon_array, runs
from .resources import templates_dir
from .wording import range_sentence

FORMATS = (".svg", ".pdf", ".png")
PNG_DPI = 200


def make_frequency(
    numerator: int, denominator: int, low: int | None = None, high: int | None = None
) -> Frequency:
    """Check counts typed by a person and turn them into a Frequency."""
    if denominator not in (100, 1_000):
        raise InputError(f"the denominator must be 100 or 1000, not {denominator}")
    if not 0 <= numerator <= denominator:
        raise InputError(f"the numerator must be between 0 and {denominator}")
    if (low is None) != (high is None):
        raise InputError("give both --low and --high, or neither")
    if low is not None and high is not None and not 0 <= low <= numerator <= high <= denominator:
        raise InputError(
            "the counts must be in order: 0 <= low <= numerator <= high <= denominator"
        )
    return Frequency(numerator / denominator, denominator, numerator, low, high)


def caption(loc: Localizer, freq: Frequency, event: str, non_event: str) -> list[str]:
    """The sentences under the picture, in the packet's pattern (R6, R11, R14)."""
    sentences = [
        loc.ngettext(
            "About %(num)s in %(total)s people %(event)s.",
            "About %(num)s in %(total)s people %(event)s.",
            freq.numerator,
            total=loc.number(freq.denominator),
            event=event,
        ),
        loc.ngettext(
            "About %(num)s in %(total)s %(non_event)s.",
            "About %(num)s in %(total)s %(non_event)s.",
            freq.non_events,
            total=loc.number(freq.denominator),
            non_event=non_event,
        ),
    ]
    if freq.has_range:
        sentences.append(range_sentence(loc, freq))
    return sentences


@lru_cache(maxsize=1)
def _figure_paths() -> dict[str, str]:
    """SVG path data of each figure, from the icon font's own outlines."""
    from fontTools.pens.svgPathPen import SVGPathPen
    from fontTools.ttLib import TTFont

    font = TTFont(io.BytesIO(build()))
    glyphs = font.getGlyphSet()
    paths = {}
    for kind in KINDS:
        pen = SVGPathPen(glyphs)
        glyphs[kind].draw(pen)
        paths[kind] = pen.getCommands()
    return paths


def standalone_svg(freq: Frequency, sentences: list[str], *, rtl: bool = False) -> str:
    """An SVG that needs nothing else: figures as paths, the caption as text."""
    columns = columns_for(freq.denominator)
    grid_width, grid_height = columns * CELL_WIDTH, freq.denominator // columns * CELL_HEIGHT
    width = max(grid_width, 200)
    line_height, size = 7, 4.5
    height = grid_height + 6 + line_height * len(sentences)
    scale = CELL_WIDTH / 500  # font units per cell -> SVG units
    symbols = "".join(
        f'<symbol id="{kind}" viewBox="0 0 {CELL_WIDTH} {CELL_HEIGHT}">'
        f'<path transform="translate(0 {BASELINE:g}) scale({scale:g} {-scale:g})" '
        f'd="{path}" fill="{COLOURS[kind]}" fill-rule="nonzero"/></symbol>'
        for kind, path in _figure_paths().items()
    )
    uses = "".join(
        f'<use href="#{run.kind}" x="{(run.column + i) * CELL_WIDTH}" y="{run.row * CELL_HEIGHT}" '
        f'width="{CELL_WIDTH}" height="{CELL_HEIGHT}"/>'
        for run in runs(freq, rtl)
        for i in range(run.count)
    )
    anchor = 'text-anchor="end" direction="rtl" ' if rtl else ""
    x = width if rtl else 0
    texts = "".join(
        f'<text x="{x}" y="{grid_height + 6 + line_height * (index + 1) - 2}" {anchor}'
        f'font-size="{size}">{escape(sentence)}</text>'
        for index, sentence in enumerate(sentences)
    )
    label = escape(" ".join(sentences))
    grid_x = width - grid_width if rtl else 0
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width * 2}" height="{height * 2}" role="img" aria-label="{label}" '
        'font-family="Noto Sans, DejaVu Sans, Arial, sans-serif" fill="#1a1a1a">'
        f"<title>{label}</title><defs>{symbols}</defs>"
        f'<rect width="{width}" height="{height}" fill="#FFFFFF"/>'
        f'<g transform="translate({grid_x} 0)">{uses}</g>{texts}</svg>\n'
    )


def _html(freq: Frequency, sentences: list[str], loc: Localizer) -> str:
    alt = " ".join(sentences)
    figure = icon_array(freq, alt, alt, rtl=loc.direction == "rtl")
    paragraphs = "".join(f"<p>{escape(s)}</p>" for s in sentences)
    return (
        f'<!DOCTYPE html><html lang="{loc.locale}" dir="{loc.direction}"><head>'
        f'<meta charset="utf-8"/><title>{escape(alt)}</title>'
        '<link rel="stylesheet" href="style.css"><style>'
        "@page { size: A5; margin: 12mm; @top-left { content: none; } "
        "@top-right { content: none; } @bottom-left { content: none; } "
        "@bottom-right { content: none; } }"
        ".icon-array { width: 100%; max-width: 90mm; } .icon-array-1000 { max-width: none; }"
        f'</style></head><body><figure class="option">{figure}'
        f"<figcaption>{paragraphs}</figcaption></figure></body></html>"
    )


def _png(pdf: bytes) -> bytes:
    import pypdfium2
    from PIL import Image, ImageChops

    document = pypdfium2.PdfDocument(pdf)
    try:
        image = document[0].render(scale=PNG_DPI / 72).to_pil().convert("RGB")
    finally:
        document.close()
    # Crop the empty page around the figure, keeping a margin.
    box = ImageChops.difference(image, Image.new("RGB", image.size, "white")).getbbox()
    if box:
        margin = PNG_DPI // 10
        left, top, right, bottom = box
        image = image.crop(
            (
                max(0, left - margin),
                max(0, top - margin),
                min(image.width, right + margin),
                min(image.height, bottom + margin),
            )
        )
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def render_icon_array(
    freq: Frequency,
    out: Path | None,
    *,
    locale: str = "en",
    event: str | None = None,
    non_event: str | None = None,
) -> str | None:
    """Write the array to ``out`` (.svg, .pdf or .png); with no ``out``, return the SVG."""
    loc = Localizer(locale)
    sentences = caption(
        loc,
        freq,
        event or loc.gettext("are affected"),
        non_event or (loc.gettext("are not") if event is None else loc.gettext("do not")),
    )
    if out is None:
        return standalone_svg(freq, sentences, rtl=loc.direction == "rtl")
    suffix = out.suffix.lower()
    if suffix not in FORMATS:
        raise InputError(f"cannot write {out}: the file must end in {', '.join(FORMATS)}")
    check_writable(out)
    if suffix == ".svg":
        data = standalone_svg(freq, sentences, rtl=loc.direction == "rtl").encode("utf-8")
    else:
        from .fonts import check_coverage
        from .pdf import pdf_bytes

        html = _html(freq, sentences, loc)
        fields = {"--event": event, "--non-event": non_event}
        check_coverage(html, templates_dir() / "fonts", loc.locale, fields)
        data = pdf_bytes(html, base_dir=templates_dir())
        if suffix == ".png":
            data = _png(data)
    write_atomically(data, out)
    return None
