"""The packet as one self-contained HTML file, for a preview in a browser.

Stylesheets are inlined and every asset they or the templates use (fonts,
images) becomes a data: URL, so the file opens anywhere without the package.
Browsers ignore the print-only parts (page size, running headers), which is
fine for a preview; the PDF stays the document of record.

The preview holds patient data, so once inlined it is parsed (html.parser) and
refused if anything in it could run code or load from elsewhere: scripts,
frames, forms and the like, event attributes, an address other than a data:
URL or a #fragment, and CSS that fetches. Markup that html.parser and a
browser could read differently (comments, CDATA, end tags with attributes,
tags inside <title> or <style>) is refused too, so that what is checked is
what a browser sees. Printed text may mention any address: only attributes
and CSS load anything.
"""

from __future__ import annotations

import base64
import mimetypes
import re
from collections.abc import Iterator, Sequence
from html import unescape
from html.parser import HTMLParser
from pathlib import Path

from .errors import RenderError
from .render import read_template_text

_LINK = re.compile(r"<link\b[^>]*>", re.I)
_HREF = re.compile(r"""\bhref=(["']?)([^"'\s>]+)\1""", re.I)
_CSS_URL = re.compile(r"""url\(\s*(["']?)([^"')]+?)\1\s*\)""", re.I)
_SRC = re.compile(r"""(<img\b[^>]*?\bsrc\s*=\s*)(["']?)([^"'\s>]+)\2""", re.I)
# Another site or scheme (//host, \\host, https:, file:...): nothing to inline.
_ELSEWHERE = re.compile(r"[a-z][a-z0-9+.-]*:|[/\\]{2}", re.I)

# Elements that run code or load something whatever their attributes say. SVG
# animation can set any attribute, an href included, after the check.
_REFUSED_ELEMENTS = frozenset(
    {
        "animate",
        "animatemotion",
        "animatetransform",
        "applet",
        "audio",
        "base",
        "embed",
        "fencedframe",
        "form",
        "frame",
        "frameset",
        "iframe",
        "link",
        "object",
        "portal",
        "script",
        "set",
        "source",
        "track",
        "video",
    }
)
# Attributes a browser fetches or follows, by local name (xlink:href is href).
_URL_ATTRIBUTES = frozenset(
    {
        "action",
        "archive",
        "attributionsrc",
        "background",
        "base",
        "cite",
        "classid",
        "codebase",
        "data",
        "dynsrc",
        "formaction",
        "href",
        "icon",
        "longdesc",
        "lowsrc",
        "manifest",
        "ping",
        "poster",
        "profile",
        "src",
        "usemap",
    }
)
_SRCSET_ATTRIBUTES = frozenset({"imagesrcset", "srcset"})
# Attributes read as CSS: the style attribute and the SVG ones that take url().
_CSS_ATTRIBUTES = frozenset(
    {
        "clip-path",
        "cursor",
        "fill",
        "filter",
        "marker-end",
        "marker-mid",
        "marker-start",
        "mask",
        "stroke",
        "style",
    }
)
# A browser reads these up to their end tag as text (or as CSS), where
# html.parser would read tags: only text may be in them.
_TEXT_ONLY = frozenset(
    {"noembed", "noframes", "noscript", "plaintext", "style", "textarea", "title", "xmp"}
)
_HTML_SPACE = " \t\n\f\r"
_END_TAG = re.compile(r"</[a-zA-Z][-.a-zA-Z0-9:_]*[\t\n\f\r ]*>")
_MARKUP = re.compile(r"<[a-zA-Z/!?]")
_KNOWN_SCHEMES = frozenset(
    {"blob", "file", "ftp", "http", "https", "javascript", "mailto", "tel", "vbscript", "ws", "wss"}
)

# CSS, tokenized just enough to find what it loads (CSS Syntax Level 3, section 4).
_CSS_TOKEN = re.compile(
    r"""
      (?P<comment>/\*.*?(?:\*/|\Z))
    | "(?P<double>[^"\\\n]*(?:\\.[^"\\\n]*)*)(?:"|(?=\n)|\Z)
    | '(?P<single>[^'\\\n]*(?:\\.[^'\\\n]*)*)(?:'|(?=\n)|\Z)
    | (?P<name>@?(?:[-\w]|[^\x00-\x7f]|\\(?:[0-9a-fA-F]{1,6}[ \t\n]?|[^\n]))+)(?P<call>\(?)
    | (?P<open>\()
    | (?P<close>\))
    | .
    """,
    re.S | re.X,
)
# After "url(" and no quote: the address, up to ")" or the end (a browser loads it or nothing).
_CSS_RAW_URL = re.compile(r"""(?![ \t\n]*["'])(?P<url>(?:[^)\\]|\\.)*)""", re.S)
_CSS_ESCAPE = re.compile(r"\\(?:([0-9a-fA-F]{1,6})[ \t\n]?|(\n)|(.))", re.S)
# Functions whose string argument is an address to load.
_CSS_URL_FUNCTIONS = frozenset({"-webkit-image-set", "image", "image-set", "src", "url"})
# A string that a custom property (var()) could hand to image-set() as an address.
_CSS_REMOTE = re.compile(r"(?:https?|ftps?|file|wss?|blob|filesystem|javascript):|[/\\]{2}", re.I)


_ASSET_SUFFIXES = frozenset(
    {".css", ".gif", ".jpeg", ".jpg", ".otf", ".png", ".svg", ".ttf", ".webp", ".woff", ".woff2"}
)


def _find(relative: str, folders: Sequence[Path]) -> Path:
    for folder in folders:
        candidate = (folder / relative).resolve()
        if candidate.is_relative_to(folder.resolve()) and candidate.is_file():
            return candidate
    # Not quoted: a template can build the name from a patient's data.
    suffix = Path(relative).suffix.lower()
    kind = f"a {suffix} file" if suffix in _ASSET_SUFFIXES else "a file"
    raise RenderError(f"the HTML preview needs {kind} that is not in its template folders")


def _names_a_file(reference: str) -> bool:
    return not (reference.startswith("#") or _ELSEWHERE.match(reference))


def _data_url(reference: str, folders: Sequence[Path]) -> str | None:
    """``reference`` as a data: URL, or None for one that names no file (left to the check)."""
    if reference.startswith("data:"):
        return reference
    if not _names_a_file(reference):
        return None
    path = _find(reference, folders)
    mime = mimetypes.guess_type(path.name)[0] or (
        "font/ttf" if path.suffix == ".ttf" else "application/octet-stream"
    )
    return f"data:{mime};base64,{base64.b64encode(path.read_bytes()).decode()}"


def self_contained(html: str, folders: Sequence[Path]) -> str:
    """``html`` with its stylesheets inlined and its assets as data: URLs.

    Raises RenderError if the result could still run code or load anything.
    """

    def css_url(match: re.Match[str]) -> str:
        url = _data_url(match.group(2), folders)
        return match.group(0) if url is None else f'url("{url}")'

    def stylesheet(match: re.Match[str]) -> str:
        href = _HREF.search(match.group(0))
        if "stylesheet" not in match.group(0).lower() or href is None:
            return match.group(0)  # refused by the check, as a <link>
        if not _names_a_file(href.group(2)):
            return match.group(0)
        css = read_template_text(_find(href.group(2), folders))
        return f"<style>\n{_CSS_URL.sub(css_url, css)}\n</style>"

    def image(match: re.Match[str]) -> str:
        url = _data_url(match.group(3), folders)
        return match.group(0) if url is None else f'{match.group(1)}"{url}"'

    html = _LINK.sub(stylesheet, html)
    html = _SRC.sub(image, html)
    _check_preview(html)
    return html


def _check_preview(html: str) -> None:
    """Raise RenderError if ``html``, opened in a browser, could run code or load anything.

    The message names the element or attribute, and at most the scheme of an
    address: never the text around it, which may be patient data.
    """
    checker = _PreviewCheck(html)
    try:
        checker.feed(html)
        checker.close()
    except AssertionError:  # how html.parser gives up on a malformed <![ ... ]>
        raise RenderError("the HTML preview has markup that it cannot read safely") from None
    if checker.text_only is not None:
        raise RenderError(f"the HTML preview has a <{checker.text_only}> that is never closed")


class _PreviewCheck(HTMLParser):
    def __init__(self, html: str) -> None:
        # Character references stay out of the text, so a "<" in it is a real one.
        super().__init__(convert_charrefs=False)
        self._html = html
        self._line_starts = [0, *(match.end() for match in re.finditer("\n", html))]
        self.text_only: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._element(tag, attrs)
        if tag in _TEXT_ONLY:
            self.text_only = tag

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _TEXT_ONLY:
            # A browser ignores the "/" of <style/> and reads on as CSS; html.parser does not.
            raise RenderError(f"the HTML preview cannot include a self-closing <{tag}/>")
        self._element(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        line, column = self.getpos()
        if not _END_TAG.match(self._html, self._line_starts[line - 1] + column):
            raise RenderError(
                f"the HTML preview cannot include the end tag </{tag}> with attributes "
                "or spaces in it, which a browser reads differently"
            )
        if self.text_only is not None and tag != self.text_only:
            self._markup_in_text()
        self.text_only = None

    def handle_data(self, data: str) -> None:
        if self.text_only == "style":
            if "<" in data:
                raise RenderError("the HTML preview cannot include a '<' in a <style> element")
            # Inside <svg> a browser decodes character references in <style>; elsewhere not.
            for css in {data, unescape(data)}:
                _check_css(css, "a stylesheet or <style> element")
        elif _MARKUP.search(data):
            raise RenderError(
                "the HTML preview has a '<' that starts no tag it can read safely; "
                "write &lt; for a '<' that is text"
            )

    def handle_comment(self, data: str) -> None:
        # html.parser and browsers end some comments (<!-->, -- >, --!>) in different places.
        raise RenderError(
            "the HTML preview cannot include an HTML comment; "
            "use a template comment {# ... #} instead"
        )

    def unknown_decl(self, data: str) -> None:
        raise RenderError("the HTML preview cannot include a <![CDATA[ ]]> section")

    def _markup_in_text(self) -> None:
        raise RenderError(
            f"the HTML preview cannot include tags inside <{self.text_only}>, "
            "which a browser reads as plain text"
        )

    def _element(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.text_only is not None:
            self._markup_in_text()
        if tag in _REFUSED_ELEMENTS:
            raise RenderError(
                f"the HTML preview cannot include the element <{tag}>, "
                "which could run code or load something from elsewhere"
            )
        if tag == "meta" and any(name == "http-equiv" for name, _ in attrs):
            raise RenderError(
                "the HTML preview cannot include <meta http-equiv>, "
                "which could reload the page or send it elsewhere"
            )
        for name, value in attrs:
            local = name.rpartition(":")[2]
            if local.startswith("on"):
                raise RenderError(
                    f"the HTML preview cannot include the event attribute {name} on <{tag}>, "
                    "which would run code in the browser"
                )
            if local in _URL_ATTRIBUTES:
                _check_url(value or "", f"{name} on <{tag}>")
            elif local in _SRCSET_ATTRIBUTES:
                for url in _srcset_urls(value or ""):
                    _check_url(url, f"{name} on <{tag}>")
            elif local in _CSS_ATTRIBUTES:
                _check_css(value or "", f"the {name} attribute on <{tag}>")


def _check_url(url: str, where: str) -> None:
    # As a browser reads a URL: no leading or trailing controls and spaces, no tabs or newlines.
    url = re.sub("[\t\n\r]", "", url).strip("".join(map(chr, range(0x21))))
    if not url.lower().startswith(("data:", "#")):
        raise RenderError(
            f"the HTML preview cannot keep {where} pointing to {_address(url)}: "
            "only data: URLs and #fragments stay inside the file"
        )


def _address(url: str) -> str:
    """The start of ``url`` that is safe to show: its scheme, never the rest."""
    if not url:
        return "an empty address"
    if _ELSEWHERE.match(url) is None:
        return "a relative address"
    scheme = url.partition(":")[0].lower()
    if scheme in _KNOWN_SCHEMES:
        return f"{scheme}:…"
    return "another site" if url[:2] in ("//", "\\\\", "/\\", "\\/") else "an address"


def _srcset_urls(srcset: str) -> Iterator[str]:
    """The image addresses of a srcset, split as the HTML standard does (data: URLs hold commas)."""
    position, end = 0, len(srcset)
    while True:
        while position < end and srcset[position] in _HTML_SPACE + ",":
            position += 1
        if position >= end:
            return
        start = position
        while position < end and srcset[position] not in _HTML_SPACE:
            position += 1
        url = srcset[start:position]
        yield url.rstrip(",")
        if url.endswith(","):
            continue
        in_parentheses = False  # the descriptors, up to a comma outside parentheses
        while position < end:
            character = srcset[position]
            position += 1
            if character == "(":
                in_parentheses = True
            elif character == ")":
                in_parentheses = False
            elif character == "," and not in_parentheses:
                break


def _check_css(css: str, where: str) -> None:
    """Raise if ``css`` imports a stylesheet or loads anything but a data: URL."""
    css = css.replace("\r\n", "\n").replace("\r", "\n").replace("\f", "\n")
    functions: list[str] = []
    position = 0
    while position < len(css):
        token = _CSS_TOKEN.match(css, position)
        assert token is not None  # the last alternative matches any character
        position = token.end()
        if token["name"]:
            name = _css_unescape(token["name"]).lower()
            if name == "@import":
                raise RenderError(f"the HTML preview cannot keep an @import in {where}")
            if not token["call"]:
                continue
            raw = _CSS_RAW_URL.match(css, position) if name == "url" else None
            functions.append(name)  # an unquoted url( too: its ")" is still to come
            if raw is not None:
                _check_css_url(_css_unescape(raw["url"]), "url", where)
                position = raw.end()
        elif token["open"]:
            functions.append("")
        elif token["close"]:
            if functions:
                functions.pop()
        elif token["double"] is not None or token["single"] is not None:
            text = _as_url(_css_unescape(token["double"] or token["single"] or ""))
            if functions and functions[-1] in _CSS_URL_FUNCTIONS:
                _check_css_url(text, functions[-1], where)
            elif _CSS_REMOTE.match(text):
                raise RenderError(
                    f"the HTML preview cannot keep the address {_address(text)} "
                    f"in a CSS string in {where}"
                )


def _as_url(text: str) -> str:
    """``text`` as a browser's URL parser reads it: tabs and line breaks anywhere
    are dropped, and controls and spaces around it ("ht\\9tps:" is https:)."""
    return re.sub(r"[\t\n\r]", "", text).strip("".join(map(chr, range(0x21))))


def _check_css_url(url: str, function: str, where: str) -> None:
    url = _as_url(url)
    if not url.lower().startswith(("data:", "#")):
        raise RenderError(
            f"the HTML preview cannot keep {function}({_address(url)}) in {where}: "
            "only data: URLs stay inside the file"
        )


def _css_unescape(text: str) -> str:
    def character(match: re.Match[str]) -> str:
        if match[1]:
            code = int(match[1], 16)
            valid = 0 < code <= 0x10FFFF and not 0xD800 <= code <= 0xDFFF
            return chr(code) if valid else "\ufffd"
        return "" if match[2] else match[3]

    return _CSS_ESCAPE.sub(character, text)
