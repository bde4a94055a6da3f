"""Reading grade of a packet's English text (rule R12): Flesch-Kincaid and SMOG.

Syllables are counted from groups of vowels, the rule most readability tools
use (a silent final "e" does not count; "-le" after a consonant does), and
never fewer than Pyphen's hyphenation gives (it ships with WeasyPrint). No
dictionary is downloaded. Grades are computed per section of the packet, so a
hard section is named.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import lru_cache
from html.parser import HTMLParser
from typing import Any

MAX_GRADE = 8.0
SMOG_WARNING = 8.0
"""SMOG is shown, and only warns: it counts words of three syllables or more, and
every risk sentence needs some ("operation", "surgery"), so it rates the
templated sentences harder than readers find them. Flesch-Kincaid decides."""
NOT_PROSE = ("Where these numbers come from",)
"""Sections of citations and checksums, which are not read as prose."""
_WORD = re.compile(r"[A-Za-z]+(?:['\u2019][A-Za-z]+)?")
_SENTENCE_END = re.compile(r"[.!?:]+(?:\s|$)")


@lru_cache(maxsize=1)
def _dictionary() -> Any:
    import pyphen

    return pyphen.Pyphen(lang="en_US")


_VOWEL_GROUPS = re.compile(r"[aeiouy]+")


def syllables(word: str) -> int:
    word = word.lower()
    groups = len(_VOWEL_GROUPS.findall(word))
    if word.endswith("e") and not word.endswith(("le", "ee")) and groups > 1:
        groups -= 1
    hyphenated = len(_dictionary().positions(word)) + 1
    return max(1, groups, hyphenated)


@dataclass(frozen=True)
class Grade:
    section: str
    words: int
    sentences: int
    flesch_kincaid: float
    smog: float

    @property
    def too_hard(self) -> bool:
        return self.flesch_kincaid > MAX_GRADE


def grade(section: str, text: str) -> Grade:
    words = _WORD.findall(text)
    if not words:
        return Grade(section, 0, 0, 0.0, 0.0)
    # Headings and list items end without a full stop; count each line as a sentence.
    sentences = sum(
        max(1, len(_SENTENCE_END.findall(line.strip())))
        for line in text.splitlines()
        if _WORD.search(line)
    )
    counts = [syllables(w) for w in words]
    polysyllables = sum(1 for c in counts if c >= 3)
    fk = 0.39 * len(words) / sentences + 11.8 * sum(counts) / len(words) - 15.59
    smog = 1.043 * math.sqrt(polysyllables * 30 / sentences) + 3.1291
    return Grade(section, len(words), sentences, round(fk, 1), round(smog, 1))


class _Sections(HTMLParser):
    """The printed text of each <h2> section (what a reader reads, not SVG titles)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.sections: list[tuple[str, list[str]]] = []
        self._skip = 0
        self._heading: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("title", "style", "script", "svg"):
            self._skip += 1
        elif tag == "h2":
            self._heading = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("title", "style", "script", "svg"):
            self._skip -= 1
        elif tag == "h2" and self._heading is not None:
            self.sections.append(("".join(self._heading).strip(), []))
            self._heading = None
        elif tag in ("p", "li", "h3", "dd", "dt", "figcaption") and self.sections:
            self.sections[-1][1].append("\n")

    def handle_data(self, data: str) -> None:
        if self._skip:
            return
        if self._heading is not None:
            self._heading.append(data)
        elif self.sections:
            self.sections[-1][1].append(data)


def packet_grades(html: str, skip: tuple[str, ...] = NOT_PROSE) -> list[Grade]:
    """The grade of every prose section of a packet's (English) HTML."""
    parser = _Sections()
    parser.feed(html)
    return [grade(title, "".join(parts)) for title, parts in parser.sections if title not in skip]
