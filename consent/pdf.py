"""HTML to PDF with WeasyPrint: bundled assets only, tagged output, atomic writes.

WeasyPrint is imported here and nowhere else, so commands that do not render
(``consent --help``) stay fast.
"""

from __future__ import annotations

import mimetypes
import os
from pathlib import Path
from urllib.parse import urlsplit
from urllib.request import url2pathname

from .resources import templates_dir

# Fontconfig reads this when WeasyPrint first starts it: with an empty
# configuration only the @font-face fonts of our stylesheet exist, so no system
# font can stand in for a missing glyph and packets look the same everywhere.
# A FONTCONFIG_FILE set by the user is respected.
os.environ.setdefault("FONTCONFIG_FILE", str(templates_dir() / "fonts" / "fonts.conf"))

import weasyprint
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import FatalURLFetchingError, URLFetcher, URLFetcherResponse

from .errors import RenderError
from .files import write_atomically

PDF_VARIANTS = {"pdf/ua-1": "pdf/ua-1", "plain": None}
DEFAULT_VARIANT = "pdf/ua-1"

_font_config: FontConfiguration | None = None


def font_config() -> FontConfiguration:
    """One FontConfiguration per process: building it costs, and it is reusable."""
    global _font_config
    if _font_config is None:
        _font_config = FontConfiguration()
    return _font_config


class AssetsOnlyFetcher(URLFetcher):  # type: ignore[misc]
    """Serves files under the given folders and refuses every other URL.

    A packet must never reach the network or read arbitrary files: its look
    cannot depend on the machine, and a template cannot leak anything. The
    folders overlay each other: a relative URL resolved against the first one
    (an institution's templates) falls back to the same path in the next (the
    bundled templates), so an override replaces only the files it has.
    """

    def __init__(self, roots: list[Path]) -> None:
        super().__init__(fail_on_errors=True)
        self.roots = [root.resolve() for root in roots]

    def fetch(self, url: str, headers: object = None) -> URLFetcherResponse:
        parts = urlsplit(url)
        if parts.scheme == "file":
            path = self._find(Path(url2pathname(parts.path)))
            if path is not None:
                mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
                return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": mime})
        raise PermissionError(f"refused to fetch {url} (only the packet's own assets are allowed)")

    def _find(self, asked: Path) -> Path | None:
        absolute = Path(os.path.abspath(asked))
        relative = next(
            (absolute.relative_to(r) for r in self.roots if absolute.is_relative_to(r)), None
        )
        if relative is None:
            return None
        for root in self.roots:
            candidate = (root / relative).resolve()
            # resolve() follows symlinks: the file itself must also be inside the root.
            if candidate.is_relative_to(root) and candidate.is_file():
                return candidate
        return None


def pdf_bytes(
    html: str,
    *,
    base_dir: Path,
    variant: str = DEFAULT_VARIANT,
    asset_roots: list[Path] | None = None,
) -> bytes:
    """Lay out ``html`` (relative URLs resolve against ``base_dir``) and return the PDF."""
    fetcher = AssetsOnlyFetcher(asset_roots or [base_dir])
    document = weasyprint.HTML(string=html, base_url=str(base_dir) + os.sep, url_fetcher=fetcher)
    try:
        result: bytes = document.write_pdf(
            font_config=font_config(),
            pdf_variant=PDF_VARIANTS[variant],
            pdf_tags=True,
        )
    except FatalURLFetchingError as error:
        cause = error.__cause__ or error
        raise RenderError(f"the packet could not be laid out: {cause}") from None
    return result


def write_pdf(
    html: str,
    out: Path,
    *,
    base_dir: Path,
    variant: str = DEFAULT_VARIANT,
    asset_roots: list[Path] | None = None,
) -> None:
    """Render ``html`` and write the PDF to ``out`` atomically."""
    write_atomically(
        pdf_bytes(html, base_dir=base_dir, variant=variant, asset_roots=asset_roots), out
    )
