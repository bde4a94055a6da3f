"""Which characters the bundled fonts can draw, and a check that a packet needs no others.

WeasyPrint quietly falls back to whatever fonts the machine has, or draws an
empty box, for a character the packet's fonts lack. Either way the printed
packet would differ from what was meant, so a packet with such a character is
refused before it is laid out.
"""

from __future__ import annotations

import re
import unicodedata
import xml.etree.ElementTree as ElementTree
from collections.abc import Iterator, Mapping
from functools import lru_cache
from html.parser import HTMLParser
from pathlib import Path

from .errors import InputError, RenderError

# Attributes whose text is printed through CSS (string-set for "page X of Y").
_PRINTED_ATTRIBUTES = {"data-page", "data-of"}
# Elements whose text is never drawn (SVG titles are read aloud, not printed).
_UNPRINTED = {"title", "style", "script"}


@lru_cache(maxsize=8)
def covered_characters(fonts_dir: Path) -> frozenset[int]:
    """Every code point some font in ``fonts_dir`` has a glyph for."""
    from fontTools.ttLib import TTFont

    points: set[int] = set()
    for font_file in sorted(fonts_dir.glob("*.[ot]tf")):
        with TTFont(font_file, lazy=True) as font:
            # Only the code points matter: numbered glyph names spare reading
            # every glyph's name, most of this function's time on a cold start.
            font.setGlyphOrder([f"glyph{i}" for i in range(font["maxp"].numGlyphs)])
            points.update(font.getBestCmap())
    return frozenset(points)


def printed_text(html: str) -> list[str]:
    """The text a reader sees: text nodes and printed attributes, not SVG titles.

    The bundled templates write well-formed markup, which the C XML parser reads
    in a quarter of the time; anything else (an institution's templates) goes
    through the HTML parser.
    """
    try:
        root = ElementTree.fromstring(html)
    except ElementTree.ParseError:
        collector = _PrintedText()
        collector.feed(html)
        collector.close()
        return collector.parts
    return list(_element_text(root))


def _element_text(element: ElementTree.Element) -> Iterator[str]:
    yield from (v for k, v in element.attrib.items() if k in _PRINTED_ATTRIBUTES and v)
    if element.tag.rpartition("}")[2] in _UNPRINTED:  # SVG's tags carry a namespace
        return
    if element.text:
        yield element.text
    for child in element:
        yield from _element_text(child)
        if child.tail:
            yield child.tail


class _PrintedText(HTMLParser):
    """``printed_text`` for markup that is not well-formed XML."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _UNPRINTED:
            self._skip += 1
        self.parts.extend(v for k, v in attrs if k in _PRINTED_ATTRIBUTES and v)

    def handle_endtag(self, tag: str) -> None:
        if tag in _UNPRINTED:
            self._skip = max(0, self._skip - 1)

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def _missing(text: str, covered: frozenset[int]) -> Iterator[str]:
    for char in dict.fromkeys(text):
        # Spaces and invisible marks (the LRM Babel puts in some numbers) draw nothing.
        invisible = char.isspace() or unicodedata.category(char) == "Cf"
        if not invisible and ord(char) not in covered:
            yield char


def check_coverage(
    html: str, fonts_dir: Path, locale: str, private_fields: Mapping[str, str | None]
) -> None:
    """Raise if any printed character of ``html`` has no glyph in the bundled fonts.

    ``private_fields`` (field name -> value) are checked first, so that a
    patient's own text is reported by field name and script, never quoted.
    """
    check_fields(fonts_dir, private_fields)
    covered = covered_characters(fonts_dir)
    parts = printed_text(html)
    if next(_missing("".join(parts), covered), None) is None:
        return
    for part in parts:  # find the text to name in the message
        for char in _missing(part, covered):
            where = f"the {locale} text {part.strip()!r}"
            if _holds_private(part, private_fields):
                # An institution's template can print a name beside its own words, or
                # part of one ("Alex" of "Alex Doe"): then the text is not shown.
                where = f"a text of the {locale} packet that holds patient data"
            raise RenderError(
                f"the character {char!r} ({_name(char)}) in {where} has no glyph "
                "in the packet's fonts"
            )


def _holds_private(text: str, fields: Mapping[str, str | None]) -> bool:
    """Whether ``text`` has any field value, or any word of one, in it.

    Compared without case or vowel marks ("مُحَمَّد" is "محمد"); of a date, only
    the whole date and its numbers count ("de" of "3 de febrero de 1980" does not).
    """
    folded = _plain(text)
    for field, value in fields.items():
        if not value:
            continue
        plain = _plain(value)
        pattern = r"\d+" if field.startswith("date") else r"\w{2,}"
        words = {plain, *re.findall(pattern, plain)}
        if any(re.search(rf"(?<!\w){re.escape(word)}(?!\w)", folded) for word in words):
            return True
    return False


def _plain(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def unprintable(text: str, fonts_dir: Path) -> str | None:
    """What in ``text`` the fonts cannot print ("a CJK character"), or None."""
    missing = next(_missing(text, covered_characters(fonts_dir)), None)
    return None if missing is None else _script(missing)


def check_fields(fonts_dir: Path, private_fields: Mapping[str, str | None]) -> None:
    """Raise if a field (name -> value) has a character the fonts lack. Neither the
    value nor the character is named, only the field and the character's script:
    one character of a name (张, the surname Zhang) is patient data too."""
    covered = covered_characters(fonts_dir)
    for field, value in private_fields.items():
        for char in _missing(value or "", covered):
            raise InputError(
                f"{field} has {_script(char)} that the packet's fonts cannot print "
                "(they cover Latin, Greek, Cyrillic and Arabic letters)"
            )


_SCRIPT_END = re.compile(
    r" (?:CAPITAL |SMALL |UNIFIED |COMPATIBILITY )?"
    r"(?:LETTER|IDEOGRAPH|SYLLABLE|CHARACTER|DIGIT|SIGN|VOWEL|MARK)\b.*"
)


def _script(char: str) -> str:
    """ "a CJK character", "a HEBREW character": the script a character's Unicode name
    starts with, or "a symbol"."""
    name = unicodedata.name(char, "")
    script = _SCRIPT_END.sub("", name)
    return f"a {script} character" if script and script != name else "a symbol"


def _name(char: str) -> str:
    return f"U+{ord(char):04X} {unicodedata.name(char, 'unnamed')}"
