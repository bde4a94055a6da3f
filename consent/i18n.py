"""Language of a packet: gettext catalogs and locale-aware number and date formats.

English is the source language: its strings are the catalog keys, so English
needs no catalog. Other languages are gettext catalogs under ``locales/``
(``<lang>/LC_MESSAGES/messages.mo``, see ``catalogs``). A string a catalog
lacks prints in English, and the Localizer remembers it so the command can
say so. ``en-XA`` is a pseudo-locale: every string accented, lengthened and
bracketed, so untranslated text and layouts that break with longer text show.
"""

from __future__ import annotations

import datetime as dt
import gettext
import re
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from babel import Locale, UnknownLocaleError
from babel.dates import format_date
from babel.numbers import format_decimal, format_percent
from babel.support import Translations

from .errors import InputError
from .resources import locales_dir

SOURCE_LOCALE = "en"
PSEUDO_LOCALE = "en-XA"
DOMAIN = "messages"


def available_locales(root: Path | None = None) -> list[str]:
    """English, the pseudo-locale, and every locale with a compiled catalog under ``root``."""
    root = root or locales_dir()
    compiled = sorted(p.parent.parent.name for p in root.glob(f"*/LC_MESSAGES/{DOMAIN}.mo"))
    return [SOURCE_LOCALE, PSEUDO_LOCALE, *[c for c in compiled if c != SOURCE_LOCALE]]


def resolve_locale(tag: str, root: Path | None = None) -> str:
    """The best available catalog for a BCP 47 tag: es-MX -> es, ES -> es, zh-Hans -> zh-Hans.

    Tags are compared without regard to case, as BCP 47 says.
    """
    available = available_locales(root)
    by_case = {a.lower(): a for a in available}
    if tag.lower() in by_case:
        return by_case[tag.lower()]
    try:
        parsed = Locale.parse(tag, sep="-")
    except (ValueError, UnknownLocaleError):
        raise InputError(f"unknown locale {tag!r}; available: {', '.join(available)}") from None
    # From the most to the least specific: es_MX, then zh_Hans, then es.
    candidates = [str(parsed), f"{parsed.language}_{parsed.script}", parsed.language]
    for candidate in candidates:
        found = by_case.get(candidate.replace("_", "-").lower())
        if found is not None:
            return found
    raise InputError(f"no translation for locale {tag!r}; available: {', '.join(available)}")


@dataclass
class Localizer:
    """gettext plus Babel formatting for one locale.

    ``locale`` may be any BCP 47 tag; ``self.locale`` becomes the catalog
    chosen for it (``es-MX`` gives ``es``).
    """

    locale: str = SOURCE_LOCALE
    root: Path | None = None
    babel_locale: Locale = field(init=False)
    translations: gettext.NullTranslations = field(init=False)
    fallbacks: set[str] = field(init=False, default_factory=set)
    """English strings this catalog lacked, printed in English instead."""

    def __post_init__(self) -> None:
        requested = self.locale
        self.locale = resolve_locale(requested, self.root)
        if self.locale == PSEUDO_LOCALE:
            self.babel_locale = Locale.parse(SOURCE_LOCALE)
            self.translations = PseudoTranslations()
            return
        # Numbers and dates follow the tag asked for: es-MX writes 10,000 where es
        # (Spain) writes 10.000, though both read the Spanish catalog.
        self.babel_locale = Locale.parse(requested, sep="-")
        if self.babel_locale.language != Locale.parse(self.locale, sep="-").language:
            self.babel_locale = Locale.parse(self.locale, sep="-")
        if self.locale == SOURCE_LOCALE:
            self.translations = gettext.NullTranslations()
        else:
            folder = str(self.root or locales_dir())
            self.translations = Translations.load(folder, [self.locale], DOMAIN)

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
        """English needs no review; a catalog is reviewed when its header names a reviewer."""
        if self.locale == SOURCE_LOCALE:
            return True
        if self.locale == PSEUDO_LOCALE:
            return False
        from .catalogs import po_path, review_status

        return bool(review_status(po_path(self.locale, self.root)).reviewed_by)

    def _has(self, key: object) -> bool:
        catalog = getattr(self.translations, "_catalog", None)
        return catalog is None or key in catalog

    def translate(self, message: str) -> str:
        """The translation of ``message``, unformatted (what Jinja's gettext wants)."""
        if not message:
            return message
        translated = self.translations.gettext(message)
        if not self._has(message) or not translated:
            self.fallbacks.add(message)
            return message
        return translated

    def translate_plural(self, singular: str, plural: str, n: int) -> str:
        translated = self.translations.ngettext(singular, plural, n)
        english = singular if n == 1 else plural
        # A catalog without the entry, or with this plural form empty or missing,
        # gives back the English (or nothing): say so, and print English.
        if (
            not self._has((singular, 0))
            or not translated
            or (
                translated == english
                and self.locale not in (SOURCE_LOCALE, PSEUDO_LOCALE)
                and translated != self.translations.ngettext(singular, plural, 1)
            )
        ):
            self.fallbacks.add(singular)
            return english
        return translated

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


class PseudoTranslations(gettext.NullTranslations):
    """The en-XA pseudo-locale: every string transformed by ``pseudo``."""

    def gettext(self, message: str) -> str:
        return pseudo(message) if message else message

    def ngettext(self, msgid1: str, msgid2: str, n: int) -> str:
        return pseudo(msgid1 if n == 1 else msgid2)
