"""HTML to PDF with WeasyPrint: bundled assets only, tagged output, atomic writes.

WeasyPrint is loaded (by ``consent.engine``) only when this module is
imported, so commands that do not render (``consent --help``) stay fast.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import mimetypes
import os
import re
import zlib
from functools import lru_cache, partial
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from urllib.request import url2pathname

# consent.engine loads WeasyPrint its own way, so it is imported first.
from .engine import collector_paused, document

# isort: split
import pydyf
import weasyprint
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import FatalURLFetchingError, URLFetcher, URLFetcherResponse

from .errors import RenderError
from .files import write_atomically
from .pdfdigest import MAX_STREAM, StreamTooLarge, made_digest
from .provenance import ATTACHMENT_NAME, PLACEHOLDER, to_json
from .render import read_template_text
from .resources import templates_dir

PDF_VARIANTS = {"pdf/ua-1": "pdf/ua-1", "pdf/a-3b": "pdf/a-3b", "plain": None}
"""pdf/ua-1: tagged and accessible (the default); pdf/a-3b: archival, for the
medical record (also tagged); plain: neither."""
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
            path = self.find(Path(url2pathname(parts.path)))
            if path is not None:
                mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
                return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": mime})
        raise PermissionError(f"refused to fetch {url} (only the packet's own assets are allowed)")

    def find(self, asked: Path) -> Path | None:
        """The file a path stands for in the overlaid folders, or None if it is outside them."""
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


@lru_cache(maxsize=16)
def _fetcher(roots: tuple[Path, ...]) -> AssetsOnlyFetcher:
    """One fetcher per set of folders, kept: a fetcher is a urllib opener whose
    handlers and opener refer to each other, so one made per packet would be
    garbage that only a full collection frees (see ``collector_paused``)."""
    return AssetsOnlyFetcher(list(roots))


def pdf_bytes(
    html: str,
    *,
    base_dir: Path,
    variant: str = DEFAULT_VARIANT,
    asset_roots: list[Path] | None = None,
    provenance: dict[str, Any] | None = None,
    created: dt.date | None = None,
) -> bytes:
    """Lay out ``html`` (relative URLs resolve against ``base_dir``) and return the PDF.

    With ``provenance``, the record is attached as consent-provenance.json and
    its content digest filled in from the finished pages.
    """
    roots = tuple(asset_roots or [base_dir])
    fetcher = _fetcher(roots)
    bundled = fetcher.roots == [templates_dir().resolve()]
    html, stylesheets = _parsed_stylesheets(html, roots)
    options: dict[str, Any] = {"stylesheets": stylesheets}
    if provenance is not None:
        when = dt.datetime.combine(created or dt.date(2000, 1, 1), dt.time(), dt.UTC)
        options["attachments"] = [
            weasyprint.Attachment(
                string=to_json(provenance),
                name=ATTACHMENT_NAME,
                description="How this packet was made (no patient data)",
                created=when,
                modified=when,
                relationship="Supplement",
            )
        ]
    options["finisher"] = partial(_finish, with_digest=provenance is not None)
    try:
        with collector_paused():
            # One expression: no name still holds the laid-out packet when the
            # pause ends, so its leftovers are garbage by then, not survivors.
            result: bytes = document(
                html, str(base_dir) + os.sep, fetcher, bundled=bundled
            ).write_pdf(
                font_config=font_config(),
                pdf_variant=PDF_VARIANTS[variant],
                pdf_tags=variant != "plain",
                **options,
            )
    except FatalURLFetchingError as error:
        cause = error.__cause__ or error
        raise RenderError(f"the packet could not be laid out: {cause}") from None
    return result


_LINK = re.compile(r'<link rel="stylesheet" href="([^":]+)"\s*/?>\n?')


def _parsed_stylesheets(html: str, roots: tuple[Path, ...]) -> tuple[str, list[Any]]:
    """Take the packet's stylesheet links out of ``html`` and return them parsed.

    Parsing style.css (and loading its fonts) takes about a tenth of a render,
    and it is the same every time, so it is done once per process.
    """
    fetcher = _fetcher(roots)
    sheets = []
    for href in _LINK.findall(html):
        path = fetcher.find(roots[0] / href)
        if path is None:
            raise RenderError(f"the stylesheet {href!r} is not in the template folders")
        sheets.append(_stylesheet(path, roots))
    return _LINK.sub("", html), sheets


@lru_cache(maxsize=16)
def _stylesheet(path: Path, roots: tuple[Path, ...]) -> Any:
    try:
        return weasyprint.CSS(
            string=read_template_text(path),
            base_url=str(path.parent) + os.sep,
            url_fetcher=_fetcher(roots),
            font_config=font_config(),
        )
    except FatalURLFetchingError as error:
        raise RenderError(f"{path.name} could not be loaded: {error.__cause__ or error}") from None


ZLIB_LEVEL = 6
"""pydyf compresses streams at zlib's level 9, which takes 2.5 times as long as
the default level 6 (7 ms against 3.5 ms a packet) for streams 1% smaller."""


def _finish(document: Any, pdf: pydyf.PDF, *, with_digest: bool) -> None:
    """WeasyPrint's last step before writing: fill in the digest, compress the streams."""
    if with_digest:
        _fill_content_digest(pdf)
    for obj in pdf.objects:
        if isinstance(obj, pydyf.Stream) and obj.compress:
            # As pydyf would do it (same filter, same dictionary order), at another level.
            obj.stream = [zlib.compress(_joined(obj), ZLIB_LEVEL)]
            obj.compress = False
            obj.extra["Filter"] = "/FlateDecode"


def _joined(stream: pydyf.Stream) -> bytes:
    """A stream's data as pydyf writes it, kept joined so it is joined only once."""
    data = b"\n".join(pydyf._to_bytes(item) for item in stream.stream)
    stream.stream = [data]
    return data


def _fill_content_digest(pdf: pydyf.PDF) -> None:
    """Replace the provenance placeholder with the digest of the finished pages.

    Runs after WeasyPrint built the PDF objects and before it writes them: the
    pages, their resources and the structure tree are final, and the
    placeholder has the digest's length, so only the attachment's MD5 checksum
    needs updating.
    """
    placeholder = PLACEHOLDER.encode()
    attached = next(
        obj
        for obj in pdf.objects
        if isinstance(getattr(obj, "extra", None), dict)
        and obj.extra.get("Type") == "/EmbeddedFile"
        and placeholder in _joined(obj)
    )
    record = _joined(attached)
    try:
        digest = made_digest(pdf, _joined, record).encode()
    except StreamTooLarge:
        raise RenderError(
            "an image in the packet is too large (more than "
            f"{MAX_STREAM // 1_000_000} MB once uncompressed); use a smaller one"
        ) from None
    data = record.replace(placeholder, digest)
    attached.stream = [data]
    attached.extra["Params"]["CheckSum"] = (
        f"<{hashlib.md5(data, usedforsecurity=False).hexdigest()}>"
    )


def write_pdf(
    html: str,
    out: Path,
    *,
    base_dir: Path,
    variant: str = DEFAULT_VARIANT,
    asset_roots: list[Path] | None = None,
    provenance: dict[str, Any] | None = None,
    created: dt.date | None = None,
) -> None:
    """Render ``html`` and write the PDF to ``out`` atomically."""
    data = pdf_bytes(
        html,
        base_dir=base_dir,
        variant=variant,
        asset_roots=asset_roots,
        provenance=provenance,
        created=created,
    )
    write_atomically(data, out)
