"""What a tagged packet needs from an institution's templates to stay accessible."""

from __future__ import annotations

from html.parser import HTMLParser

from .errors import InputError


class _Images(HTMLParser):
    """Counts ``<img>`` elements without alternate text (no ``alt``, or a blank one)."""

    def __init__(self) -> None:
        super().__init__()
        self.undescribed = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "img" and not (dict(attrs).get("alt") or "").strip():
            self.undescribed += 1

    handle_startendtag = handle_starttag


def check_images_described(html: str) -> None:
    """Refuse an image without alternate text in a tagged (PDF/UA) packet.

    WeasyPrint tags every ``<img>`` as a Figure, and PDF/UA needs every Figure
    described: a logo with ``alt=""`` made a packet that claims PDF/UA and is
    not. A decorative image belongs in the stylesheet, as a background.
    """
    images = _Images()
    images.feed(html)
    images.close()
    if images.undescribed:
        raise InputError(
            f"{images.undescribed} image(s) of the templates have no alternate text (alt): "
            "a tagged packet describes every image; give it one (the logo's: your "
            "institution's name), or make a decorative image a CSS background"
        )
