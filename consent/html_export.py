"""The packet as one self-contained HTML file, for a preview in a browser.

Stylesheets are inlined and every asset they or the templates use (fonts,
images) becomes a data: URL, so the file opens anywhere without the package.
A reference that cannot be inlined (another site, a file outside the template
folders, an @import) is refused rather than left to load from elsewhere.
Browsers ignore the print-only parts (page size, running headers), which is
fine for a preview; the PDF stays the document of record.
"""

from __future__ import annotations

import base64
import mimetypes
import re
from collections.abc import Sequence
from pathlib import Path

from .errors import RenderError
from .render import read_template_text

_LINK = re.compile(r"<link\b[^>]*>", re.I)
_HREF = re.compile(r"""\bhref=(["']?)([^"'\s>]+)\1""", re.I)
_CSS_URL = re.compile(r"""url\(\s*(["']?)([^"')]+?)\1\s*\)""", re.I)
_SRC = re.compile(r"""(<img\b[^>]*?\bsrc=)(["']?)([^"'\s>]+)\2""", re.I)
# What a browser would still fetch once the above are inlined.
_LEFT_OVER = re.compile(
    r"""<link\b|@import|\b(?:src|srcset|data|poster)=(?!["']?data:)|url\(\s*(?!["']?data:)""",
    re.I,
)


def _find(relative: str, folders: Sequence[Path]) -> Path:
    for folder in folders:
        candidate = (folder / relative).resolve()
        if candidate.is_relative_to(folder.resolve()) and candidate.is_file():
            return candidate
    raise RenderError(f"the packet uses {relative!r}, which is not in its template folders")


def _data_url(reference: str, folders: Sequence[Path]) -> str:
    if reference.startswith("data:"):
        return reference
    path = _find(reference, folders)
    mime = mimetypes.guess_type(path.name)[0] or (
        "font/ttf" if path.suffix == ".ttf" else "application/octet-stream"
    )
    return f"data:{mime};base64,{base64.b64encode(path.read_bytes()).decode()}"


def self_contained(html: str, folders: Sequence[Path]) -> str:
    """``html`` with its stylesheets inlined and its assets as data: URLs."""

    def stylesheet(match: re.Match[str]) -> str:
        href = _HREF.search(match.group(0))
        if "stylesheet" not in match.group(0).lower() or href is None:
            raise RenderError(f"the HTML preview cannot include {match.group(0)}")
        css = read_template_text(_find(href.group(2), folders))
        css = _CSS_URL.sub(lambda m: f'url("{_data_url(m.group(2), folders)}")', css)
        return f"<style>\n{css}\n</style>"

    html = _LINK.sub(stylesheet, html)
    html = _SRC.sub(lambda m: f'{m.group(1)}"{_data_url(m.group(3), folders)}"', html)
    left_over = _LEFT_OVER.search(html)
    if left_over is not None:
        start = max(0, left_over.start() - 20)
        raise RenderError(
            "the HTML preview would still load something from outside it, "
            f"at {html[start : left_over.end() + 40]!r}"
        )
    return html
