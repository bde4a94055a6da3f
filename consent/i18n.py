"""Language of a packet: gettext catalogs and locale-aware number and date formats.

English is the source language: its strings are the catalog keys, so English
needs no catalog. Other languages are gettext catalogs under ``locales/``
(``<lang>/LC_MESSAGES/messages.mo``) managed with Babel.
"""

from __future__ import annotations

import datetime as dt
import gettext
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
DOMAIN = "messages"


def available_locales(root: Path | None = None) -> list[str]:
    """English plus every locale with a compiled catalog under ``root``."""
    root = root or locales_dir()
    compiled = sorted(p.parent.parent.name for p in root.glob(f"*/LC_MESSAGES/{DOMAIN}.mo"))
    return [SOURCE_LOCALE, *[c for c in compiled if c != SOURCE_LOCALE]]


@dataclass
class Localizer:
    """gettext plus Babel formatting for one locale."""

    locale: str = SOURCE_LOCALE
    root: Path | None = None
    babel_locale: Locale = field(init=False)
    translations: gettext.NullTranslations = field(init=False)

    def __post_init__(self) -> None:
        try:
            self.babel_locale = Locale.parse(self.locale, sep="-")
        except (ValueError, UnknownLocaleError):
            raise InputError(f"unknown locale {self.locale!r}") from None
        if self.locale == SOURCE_LOCALE:
            self.translations = gettext.NullTranslations()
            return
        available = available_locales(self.root)
        if self.locale not in available:
            raise InputError(
                f"no translation for locale {self.locale!r}; available: {', '.join(available)}"
            )
        self.translations = Translations.load(
            str(self.root or locales_dir()), [self.locale], DOMAIN
        )

    @property
    def direction(self) -> str:
        """ "rtl" for right-to-left scripts, else "ltr"."""
        return "rtl" if self.babel_locale.character_order == "right-to-left" else "ltr"

    def gettext(self, message: str, **values: object) -> str:
        text = self.translations.gettext(message)
        return text % values if values else text

    def ngettext(self, singular: str, plural: str, n: int, **values: object) -> str:
        """Pick the plural form for ``n``; ``%(num)s`` is ``n`` formatted for the locale."""
        return self.translations.ngettext(singular, plural, n) % {"num": self.number(n), **values}

    def number(self, value: int) -> str:
        return format_decimal(value, locale=self.babel_locale)

    def percent(self, fraction: float) -> str:
        """A whole percent, rounded half-up like the frequencies (Babel rounds half-even)."""
        whole = (Decimal(repr(fraction)) * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP)
        return format_percent(whole / 100, locale=self.babel_locale)

    def date(self, value: dt.date) -> str:
        return format_date(value, format="long", locale=self.babel_locale)
