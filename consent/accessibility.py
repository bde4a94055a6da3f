"""What a tagged packet needs from an institution's templates to stay accessible."""

from __future__ import annotations

import unicodedata
from html.parser import HTMLParser

from .errors import InputError


def _described(text: str | None) -> bool:
    """Text a reader hears: something but spaces and invisible characters."""
    return any(unicodedata.category(char)[0] in "LNPS" for char in text or "")


class _Pictures(HTMLParser):
    """Counts images (``<img>``) without an ``alt``, and drawings (an outermost
    ``<svg>``) whose first ``<title>`` child is missing or says nothing: what
    WeasyPrint makes a Figure's alternate text from."""

    def __init__(self) -> None:
        super().__init__()
        self.undescribed = 0
        self._open: list[str] = []  # the elements open inside the outermost <svg>
        self._title: str | None = None  # its first <title> child's text so far
        self._in_first_title = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "img" and not self._open and not _described(dict(attrs).get("alt")):
            self.undescribed += 1
        elif tag == "svg" and not self._open:
            self._open, self._title = ["svg"], None
        elif self._open:
            if tag == "title" and self._open == ["svg"] and self._title is None:
                self._title, self._in_first_title = "", True
            self._open.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag == "svg" or self._open[-1:] == [tag]:
            self.handle_endtag(tag)

    def handle_data(self, data: str) -> None:
        if self._in_first_title and self._title is not None:
            self._title += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self._in_first_title = False
        if tag in self._open:
            del self._open[len(self._open) - 1 - self._open[::-1].index(tag) :]
            if not self._open and not _described(self._title):
                self.undescribed += 1


def check_images_described(html: str) -> None:
    """Refuse a picture without alternate text in a tagged (PDF/UA) packet.

    WeasyPrint tags every ``<img>`` and ``<svg>`` as a Figure, and PDF/UA needs
    every Figure described: a logo with ``alt=""`` made a packet that claims
    PDF/UA and is not. A decorative image belongs in the stylesheet, as a
    background.
    """
    pictures = _Pictures()
    pictures.feed(html)
    pictures.close()
    if pictures.undescribed:
        raise InputError(
            f"{pictures.undescribed} picture(s) of the templates have no alternate text "
            "(alt, or a drawing's first <title>): a tagged packet describes every picture; give "
            "it one (the logo's: your institution's name), or make a decorative image a CSS "
            "background"
        )
