"""WeasyPrint, loaded and fed for speed: the parts of a render we can make cheaper.

A packet is laid out by WeasyPrint, whose cost we cannot change; these are
the costs around it that we can, each measured by ``benchmarks/render_speed.py``
and each leaving the PDF byte for byte the same (``tests/test_engine.py``):

- loading WeasyPrint's libraries without running a compiler (cold start),
  with fontconfig limited to the bundled fonts;
- for the bundled templates, reading the packet's markup with the C XML parser
  and styling it with a user-agent stylesheet that skips pseudo-elements the
  packet never has;
- laying a packet out with Python's cycle collector paused (``collector_paused``).

Everything else in the package imports WeasyPrint through this module.
"""

from __future__ import annotations

import copy
import ctypes.util
import gc
import os
import sys
import xml.etree.ElementTree as ElementTree
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from .resources import templates_dir

# Fontconfig reads this when WeasyPrint first starts it: with an empty
# configuration only the @font-face fonts of our stylesheet exist, so no system
# font can stand in for a missing glyph and packets look the same everywhere.
# A FONTCONFIG_FILE set by the user is respected.
os.environ.setdefault("FONTCONFIG_FILE", str(templates_dir() / "fonts" / "fonts.conf"))


@contextmanager
def _library_lookup_from_linker_cache() -> Iterator[None]:
    """Let WeasyPrint find Pango, HarfBuzz and fontconfig without running a compiler.

    WeasyPrint tries several names for each library, and cffi hands every name
    without a dot to ``ctypes.util.find_library``, which on Linux runs gcc and
    ld for each name the linker cache lacks: 16 failed lookups, 0.14 s of every
    cold start. The linker cache (the first step of that lookup) is all it
    needs here: a library known only through LD_LIBRARY_PATH is still loaded,
    by the plain soname (``libpango-1.0.so.0``) WeasyPrint tries next, which
    the dynamic loader resolves itself.
    """
    from_cache = getattr(ctypes.util, "_findSoname_ldconfig", None)
    if not sys.platform.startswith("linux") or from_cache is None:
        yield
        return
    original = ctypes.util.find_library
    ctypes.util.find_library = from_cache
    try:
        yield
    finally:
        ctypes.util.find_library = original


with _library_lookup_from_linker_cache():
    import cssselect2
    import weasyprint
    import weasyprint.html

# WeasyPrint's user-agent stylesheet gives every element a ::marker and five
# footnote and note pseudo-elements, and each gets a computed style: about
# 1,700 per packet, the larger part of styling it. The bundled templates have
# markers only on list items and no footnotes, so for them the footnote and
# note rules are dropped and the marker rule applies to list items (and
# summaries) alone, as ``li::marker, summary::marker`` would. Should
# WeasyPrint or cssselect2 change these rules or how they keep them, the
# bundled packets take the stock path (slower, never wrong) and a test says so.
_NEVER_USED = frozenset(
    {"footnote-call", "footnote-marker", "note-call", "note-marker", "note-callback"}
)
_MARKED = ("li", "summary")


def _lean_stylesheet(stock: Any) -> Any:
    """WeasyPrint's own parsed user-agent stylesheet with those rules scoped, or None.

    Made from the rules WeasyPrint parsed when it loaded, not parsed again:
    parsing the stylesheet took 0.03 s of every cold start. A cssselect2
    matcher keeps each rule as (test, specificity, order, pseudo-element,
    declarations) in lists by what the selector names; the rules here name no
    element (``::marker``), so they are in ``other_selectors``. A rule keeps
    its order, so the cascade is the stock one wherever the rule applies.
    """
    matcher: Any = getattr(stock, "matcher", None)
    others = getattr(matcher, "other_selectors", None)
    by_name = getattr(matcher, "lower_local_name_selectors", None)
    if not isinstance(others, list) or not isinstance(by_name, dict):
        return None
    if not all(isinstance(rule, tuple) and len(rule) == 5 for rule in others):
        return None
    pseudo_elements = [rule[3] for rule in others]
    if pseudo_elements.count("marker") != 1 or not set(pseudo_elements) >= _NEVER_USED:
        return None
    lean = copy.copy(matcher)
    lean.other_selectors = []
    lean.lower_local_name_selectors = {name: list(rules) for name, rules in by_name.items()}
    for rule in others:
        test, (ids, classes, names), order, pseudo_element, declarations = rule
        if pseudo_element == "marker":
            for name in _MARKED:  # a type selector more: li::marker is (0, 0, 2)
                scoped = (test, (ids, classes, names + 1), order, pseudo_element, declarations)
                lean.lower_local_name_selectors.setdefault(name, []).append(scoped)
        elif pseudo_element not in _NEVER_USED:
            lean.other_selectors.append(rule)
    sheet = copy.copy(stock)
    sheet.matcher = lean
    return sheet


_LEAN_UA = _lean_stylesheet(getattr(weasyprint.html, "UA_STYLESHEET", None))


class _BundledPacket(weasyprint.HTML):  # type: ignore[misc]
    """A packet from the bundled templates, parsed as XML, styled with the lean sheet.

    The bundled templates write well-formed markup (void elements closed, only
    XML's entities), so the C XML parser builds the same tree as WeasyPrint's
    HTML5 parser, ten times faster. An institution's templates do not promise
    that (``<div/>`` means different things to the two parsers), so they always
    go through the HTML5 parser and the stock stylesheet.
    """

    def __init__(self, root: ElementTree.Element, base_url: str, url_fetcher: Any) -> None:
        # WeasyPrint sets itself up on an empty page (base URL, fetcher and
        # whatever else its version needs), then gets the packet's tree.
        super().__init__(string="", base_url=base_url, url_fetcher=url_fetcher)
        self.wrapper_element = cssselect2.ElementWrapper.from_html_root(root, content_language=None)
        self.etree_element = self.wrapper_element.etree_element

    def _ua_stylesheets(self, forms: bool = False) -> list[Any]:
        return [_LEAN_UA]


@contextmanager
def collector_paused() -> Iterator[None]:
    """Lay out a packet with Python's cycle collector paused, then collect its leftovers.

    The boxes and styles of a packet live until its PDF is written, so the
    collector, running as they are made, promotes them to the oldest generation,
    and every few packets a full collection walks all of WeasyPrint's heap: in
    a warm process, 0.020 s of each packet (7%). Paused, what the packet left
    is collected once, from the youngest generation: 0.004 s, with memory flat
    (93 MB over 120 packets, against 105 MB). This needs the packet to be
    garbage when the pause ends, and nothing made per packet to be kept in a
    cycle with it (see ``consent.pdf._fetcher``). Callgrind, which counts
    instructions and not memory traffic, barely sees the difference. A
    collector the caller turned off stays off.
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
        gc.collect(0)


def document(html: str, base_url: str, url_fetcher: Any, *, bundled: bool) -> Any:
    """The WeasyPrint document for ``html``; the fast path when ``bundled`` allows it."""
    if bundled and _LEAN_UA is not None:
        try:
            root = ElementTree.fromstring(html)
        except ElementTree.ParseError:
            pass  # not well-formed after all: the HTML5 parser reads anything
        else:
            return _BundledPacket(root, base_url, url_fetcher)
    return weasyprint.HTML(string=html, base_url=base_url, url_fetcher=url_fetcher)
