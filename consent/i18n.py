"""Language of a packet: gettext catalogs and locale-aware number and date formats.

English is the source language: its strings are the catalog keys, so English
needs no catalog. Other languages are gettext catalogs under ``locales/``
(``<lang>/LC_MESSAGES/messages.mo``, see ``catalogs``). A regional catalog
falls back to its language's, as in gettext (es-MX, then es); a string no
catalog has prints in English, and the Localizer remembers it so the command
can say so. ``en-XA`` is a pseudo-locale: every string accented, lengthened and
bracketed, so untranslated text and layouts that break with longer text show.
"""

from __future__ import annotations

import datetime as dt
import gettext
import hashlib
import json
import re
import struct
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any

from babel import Locale, UnknownLocaleError
from babel.dates import format_date
from babel.numbers import format_decimal, format_percent

from .errors import InputError
from .resources import locales_dir

SOURCE_LOCALE = "en"
PSEUDO_LOCALE = "en-XA"
DOMAIN = "messages"
SOURCE_HEADER = "X-Consent-Source-SHA256"
"""Header field of a compiled catalog: the SHA-256 of the .po bytes it was compiled
from (written by ``catalogs.compile_catalogs``). A .mo whose .po changed since, or
that another tool compiled, is refused: its text and the review marks of the .po
would disagree."""


def available_locales(root: Path | None = None) -> list[str]:
    """English, the pseudo-locale, and every locale with a compiled catalog under ``root``."""
    root = root or locales_dir()
    compiled = sorted(p.parent.parent.name for p in root.glob(f"*/LC_MESSAGES/{DOMAIN}.mo"))
    return [SOURCE_LOCALE, PSEUDO_LOCALE, *[c for c in compiled if c != SOURCE_LOCALE]]


def resolve_locale(tag: str, root: Path | None = None) -> str:
    """The best available catalog for a BCP 47 tag: es-MX -> es, ES -> es, zh-Hans -> zh-Hans.

    Tags are compared without regard to case, as BCP 47 says.
    """
    return catalog_chain(tag, root)[0]


def catalog_chain(tag: str, root: Path | None = None) -> list[str]:
    """The available catalogs for a tag, most specific first, as gettext falls back:
    es-MX gives es-MX, es when both exist. English, the source, ends a chain."""
    available = available_locales(root)
    by_case = {a.lower(): a for a in available}
    if tag.lower() == PSEUDO_LOCALE.lower():
        return [PSEUDO_LOCALE]
    if tag.split("-")[0].lower() == "und":
        # Babel reads "undetermined" as likely English: a packet in a guessed language.
        raise InputError(f"locale {tag!r} names no language (undetermined)")
    try:
        parsed = Locale.parse(tag, sep="-")
    except (ValueError, UnknownLocaleError):
        if tag.lower() in by_case:  # a catalog folder Babel has no data for
            return [by_case[tag.lower()]]
        raise InputError(f"unknown locale {tag!r}; available: {', '.join(available)}") from None
    # From the most to the least specific: the tag as given, es_MX, zh_Hans, es.
    candidates = [tag, str(parsed), f"{parsed.language}_{parsed.script}", parsed.language]
    chain: list[str] = []
    for candidate in candidates:
        found = by_case.get(candidate.replace("_", "-").lower())
        if found is not None and found not in chain and SOURCE_LOCALE not in chain:
            chain.append(found)
    if not chain:
        raise InputError(f"no translation for locale {tag!r}; available: {', '.join(available)}")
    return chain


CONTENT_HEADER = "X-Consent-Content-SHA256"
"""Header field of a compiled catalog: ``content_digest`` of its entries, so a .mo
edited in place (a number changed, its source stamp kept) is refused too."""


def content_digest(entries: dict[Any, str]) -> str:
    """SHA-256 of a compiled catalog's entries as gettext reads them, header
    included except its own ``CONTENT_HEADER`` line."""
    canonical = []
    for key, value in entries.items():
        if key == "":
            lines = value.split("\n")
            value = "\n".join(x for x in lines if not x.startswith(f"{CONTENT_HEADER}:"))
        canonical.append([list(key) if isinstance(key, tuple) else [key], value])
    return hashlib.sha256(json.dumps(sorted(canonical), ensure_ascii=False).encode()).hexdigest()


def load_catalog(mo: Path) -> gettext.GNUTranslations:
    """A compiled catalog, refused unless ``consent locales compile`` made it from the
    .po beside it as that file is now, and it has not been edited since: the
    packet's text and the review marks it reports then come from the same file.

    Checked once while neither file changes (every packet of a batch makes a
    Localizer; the check costs a millisecond)."""
    try:
        stamps = tuple(
            (stat.st_mtime_ns, stat.st_ctime_ns, stat.st_size)
            for stat in (mo.stat(), mo.with_suffix(".po").stat())
        )
    except OSError:
        stamps = None  # not cached: _checked_catalog says what is missing
    return _checked_catalog(mo, stamps)


@lru_cache(maxsize=32)
def _checked_catalog(mo: Path, stamps: object) -> gettext.GNUTranslations:
    po = mo.with_suffix(".po")
    try:
        with mo.open("rb") as handle:
            translations = gettext.GNUTranslations(handle)
        source = hashlib.sha256(po.read_bytes()).hexdigest()
        entries = translations._catalog  # type: ignore[attr-defined]
        intact = translations.info().get(CONTENT_HEADER.lower()) == content_digest(entries)
    except (OSError, ValueError, struct.error):  # missing, unreadable or not a .mo
        source, intact = None, False
    if source is None or translations.info().get(SOURCE_HEADER.lower()) != source:
        raise InputError(
            f"{mo} was not compiled from the current {po.name} beside it; "
            "run 'consent locales compile'"
        )
    if not intact:
        raise InputError(f"{mo} was changed after it was compiled; run 'consent locales compile'")
    return translations


@dataclass
class Localizer:
    """gettext plus Babel formatting for one locale.

    ``locale`` may be any BCP 47 tag; ``self.locale`` becomes the catalog
    chosen for it (``es-MX`` gives ``es``, or ``es-MX`` when that catalog exists,
    which then falls back to ``es`` for what it lacks).
    """

    locale: str = SOURCE_LOCALE
    root: Path | None = None
    babel_locale: Locale = field(init=False)
    catalogs: dict[str, gettext.GNUTranslations] = field(init=False, default_factory=dict)
    """The catalogs a string is looked up in, in order, by locale; empty ones left out."""
    fallbacks: set[str] = field(init=False, default_factory=set)
    """English strings this catalog lacked, printed in English instead."""

    def __post_init__(self) -> None:
        requested = self.locale
        chain = catalog_chain(requested, self.root)
        self.locale = chain[0]
        if self.locale == PSEUDO_LOCALE:
            self.babel_locale = Locale.parse(SOURCE_LOCALE)
            return
        # Numbers and dates follow the tag asked for: es-MX writes 10,000 where es
        # (Spain) writes 10.000, though both read the Spanish catalog.
        self.babel_locale = Locale.parse(requested, sep="-")
        if self.babel_locale.language != Locale.parse(self.locale, sep="-").language:
            self.babel_locale = Locale.parse(self.locale, sep="-")
        folder = self.root or locales_dir()
        for lang in chain:
            if lang != SOURCE_LOCALE:
                catalog = load_catalog(folder / lang / "LC_MESSAGES" / f"{DOMAIN}.mo")
                # A catalog just started with 'locales init' prints nothing: its
                # review marks must not decide the packet's.
                if any(key != "" for key in catalog._catalog):  # type: ignore[attr-defined]
                    self.catalogs[lang] = catalog

    @property
    def tag(self) -> str:
        """The BCP 47 tag of what the packet is written in: the region asked for is
        kept (es-MX), as its numbers and dates follow it."""
        if self.locale == PSEUDO_LOCALE:
            return PSEUDO_LOCALE
        return str(self.babel_locale).replace("_", "-")

    @property
    def direction(self) -> str:
        """ "rtl" for right-to-left scripts, else "ltr"."""
        return "rtl" if self.babel_locale.character_order == "right-to-left" else "ltr"

    @property
    def reviewed(self) -> bool:
        """English needs no review; a translation is reviewed when every catalog its
        strings may come from (es-MX and es for es-MX) has believable review marks."""
        if self.locale == SOURCE_LOCALE:
            return True
        if self.locale == PSEUDO_LOCALE or not self.catalogs:
            return False
        from .catalogs import po_path, review_status

        return all(review_status(po_path(lang, self.root)).reviewed for lang in self.catalogs)

    def translate(self, message: str) -> str:
        """The translation of ``message``, unformatted (what Jinja's gettext wants)."""
        if not message or self.locale == SOURCE_LOCALE:
            return message
        if self.locale == PSEUDO_LOCALE:
            return pseudo(message)
        for catalog in self.catalogs.values():
            translated = catalog._catalog.get(message)  # type: ignore[attr-defined]
            if translated:
                return str(translated)
        self.fallbacks.add(message)
        return message

    def translate_plural(self, singular: str, plural: str, n: int) -> str:
        english = singular if n == 1 else plural
        if self.locale == SOURCE_LOCALE:
            return english
        if self.locale == PSEUDO_LOCALE:
            return pseudo(english)
        for catalog in self.catalogs.values():
            # 'locales compile' refuses a catalog with only some plural forms empty.
            key = (singular, catalog.plural(n))  # type: ignore[attr-defined]
            translated = catalog._catalog.get(key)  # type: ignore[attr-defined]
            if translated:
                return str(translated)
        self.fallbacks.add(singular)
        return english

    def gettext(self, message: str, **values: object) -> str:
        text = self.translate(message)
        return text % values if values else text

    def ngettext(self, singular: str, plural: str, n: int, **values: object) -> str:
        """Pick the plural form for ``n``; ``%(num)s`` is ``n`` formatted for the locale."""
        return self.translate_plural(singular, plural, n) % {"num": self.number(n), **values}

    def number(self, value: int) -> str:
        return format_decimal(value, locale=self.babel_locale)

    def percent(self, fraction: float) -> str:
        """A whole percent, rounded half-up like the frequencies (Babel rounds half-even)."""
        whole = (Decimal(repr(fraction)) * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP)
        return format_percent(whole / 100, locale=self.babel_locale)

    def date(self, value: dt.date) -> str:
        return format_date(value, format="long", locale=self.babel_locale)


_PLACEHOLDER = re.compile(r"(%\(\w+\)[sd]|\{\w+\})")
_ACCENTED = str.maketrans(
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ",
    "áƀçđéƒĝĥíĵķĺɱñóþǫŕšŧúṽŵẋýžÁƁÇĐÉƑĜĤÍĴĶĹṀÑÓÞǪŔŠŦÚṼŴẊÝŽ",
)


def pseudo(message: str) -> str:
    """``[Ŧĥé ŧéẋŧ ~~~]``: accented, a third longer, bracketed; placeholders kept."""
    parts = _PLACEHOLDER.split(message)
    text = "".join(p if _PLACEHOLDER.fullmatch(p) else p.translate(_ACCENTED) for p in parts)
    padding = "~" * max(1, len(message) // 3)
    return f"[{text} {padding}]"
