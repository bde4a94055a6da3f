"""The packet as one self-contained HTML file, for a preview in a browser.

Stylesheets are inlined and every asset they or the templates use (fonts,
images) becomes a data: URL, so the file opens anywhere without the package.
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

_LINK = re.compile(r'<link rel="stylesheet" href="([^"]+)"\s*/?>')
_CSS_URL = re.compile(r'url\("([^":]+)"\)')
_SRC = re.compile(r'(<img [^>]*src=")([^":]+)(")')


def _find(relative: str, folders: Sequence[Path]) -> Path:
    for folder in folders:
        candidate = (folder / relative).resolve()
        if candidate.is_relative_to(folder.resolve()) and candidate.is_file():
            return candidate
    raise RenderError(f"the packet uses {relative!r}, which is not in its template folders")


def _data_url(path: Path) -> str:
    mime = mimetypes.guess_type(path.name)[0] or (
        "font/ttf" if path.suffix == ".ttf" else "application/octet-stream"
    )
    return f"data:{mime};base64,{base64.b64encode(path.read_bytes()).decode()}"


def self_contained(html: str, folders: Sequence[Path]) -> str:
    """``html`` with its stylesheets inlined and its assets as data: URLs."""

    def stylesheet(match: re.Match[str]) -> str:
        path = _find(match.group(1), folders)
        css = read_template_text(path)
        css = _CSS_URL.sub(lambda m: f'url("{_data_url(_find(m.group(1), folders))}")', css)
        return f"<style>\n{css}\n</style>"

    html = _LINK.sub(stylesheet, html)
    return _SRC.sub(lambda m: m.group(1) + _data_url(_find(m.group(2), folders)) + m.group(3), html)
