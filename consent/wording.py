"""The sentences a patient reads: natural frequencies and ranges in plain words.

Every sentence follows one pattern (R14): who, how many in how many, what,
when (R5), then the other framing (R6) and the range in words (R11). Counts
are absolute (R7). The English strings are gettext message ids, extracted by
Babel like the templates' text.
"""

from __future__ import annotations

from .frequencies import Frequency
from .i18n import Localizer
from .tables import Option, Outcome, Value


def event_sentences(loc: Localizer, option: Option, outcome: Outcome, freq: Frequency) -> list[str]:
    """Both framings of one option's risk, then its range if it has one."""
    words = {
        "people": loc.gettext(option.people),
        "outcome": loc.gettext(outcome.label),
        "timeframe": loc.gettext(outcome.timeframe),
        "total": loc.number(freq.denominator),
    }
    if freq.fewer_than_one:
        return [
            loc.gettext(
                "Of %(people)s, fewer than 1 in %(total)s has %(outcome)s %(timeframe)s.", **words
            ),
            loc.gettext("Almost all do not."),
        ]
    if freq.almost_all:
        return [
            loc.gettext("Of %(people)s, almost all have %(outcome)s %(timeframe)s.", **words),
            loc.gettext("Fewer than 1 in %(total)s does not.", **words),
        ]
    sentences = [
        loc.ngettext(
            "Of %(people)s, about %(num)s in %(total)s has %(outcome)s %(timeframe)s.",
            "Of %(people)s, about %(num)s in %(total)s have %(outcome)s %(timeframe)s.",
            freq.events,
            **words,
        ),
        loc.ngettext(
            "About %(num)s in %(total)s does not.",
            "About %(num)s in %(total)s do not.",
            freq.non_events,
            **words,
        ),
    ]
    if (
        freq.low is not None
        and freq.high is not None
        and (freq.low, freq.high) != (freq.numerator, freq.numerator)
    ):
        sentences.append(
            loc.gettext(
                "The true number is probably between %(low)s and %(high)s in %(total)s.",
                low=loc.number(freq.low),
                high=loc.number(freq.high),
                total=words["total"],
            )
        )
    return sentences


def icon_array_label(loc: Localizer, option: Option, outcome: Outcome, freq: Frequency) -> str:
    """The text alternative of an icon array: the same numbers as the sentences (R15)."""
    return " ".join([loc.gettext(option.label) + ":", *event_sentences(loc, option, outcome, freq)])


def measure_sentence(loc: Localizer, option: Option, outcome: Outcome, value: Value) -> str:
    """A percent range such as excess weight loss: "60% to 70%"."""
    return loc.gettext(
        "Of %(people)s, a typical %(outcome)s %(timeframe)s is %(low)s to %(high)s.",
        people=loc.gettext(option.people),
        outcome=loc.gettext(outcome.label),
        timeframe=loc.gettext(outcome.timeframe),
        low=loc.percent(value.low or 0.0),
        high=loc.percent(value.high or 0.0),
    )
