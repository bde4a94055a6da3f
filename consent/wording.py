"""The sentences a patient reads: natural frequencies and ranges in plain words.

Every sentence follows one pattern (R14): who, how many in how many, what,
when (R5), then the other framing (R6) and the range in words (R11). Counts
are absolute (R7). The English strings are gettext message ids, extracted by
Babel like the templates' text.
"""

from __future__ import annotations

from .frequencies import Frequency
from .i18n import Localizer
from .tables import EventOutcome, MeasureOutcome, Option, RangeValue


def event_sentences(
    loc: Localizer, option: Option, outcome: EventOutcome, freq: Frequency
) -> list[str]:
    """Both framings of one option's risk (R6), then its range if it has one (R11)."""
    value = outcome.values[option.key]
    words = {
        "people": loc.gettext(value.people or option.people),
        "event": loc.gettext(outcome.event),
        "timeframe": loc.gettext(outcome.timeframe),
        "total": loc.number(freq.denominator),
    }
    non_event = loc.gettext(outcome.non_event) if outcome.non_event else None
    if freq.fewer_than_one:
        return [
            loc.gettext(
                "Of %(people)s, fewer than 1 in %(total)s %(event)s %(timeframe)s.", **words
            ),
            loc.gettext("Almost all %(non_event)s.", non_event=non_event or loc.gettext("do not")),
        ]
    if freq.almost_all:
        return [
            loc.gettext("Of %(people)s, almost all %(event)s %(timeframe)s.", **words),
            loc.gettext(
                "Fewer than 1 in %(total)s %(non_event)s.",
                total=words["total"],
                non_event=non_event or loc.gettext("do not"),
            ),
        ]
    sentences = [
        loc.ngettext(
            "Of %(people)s, about %(num)s in %(total)s %(event)s %(timeframe)s.",
            "Of %(people)s, about %(num)s in %(total)s %(event)s %(timeframe)s.",
            freq.events,
            **words,
        ),
        loc.ngettext(
            "About %(num)s in %(total)s %(non_event)s.",
            "About %(num)s in %(total)s %(non_event)s.",
            freq.non_events,
            total=words["total"],
            non_event=non_event or loc.gettext("do not"),
        ),
    ]
    if freq.has_range and (freq.low, freq.high) != (freq.numerator, freq.numerator):
        sentences.append(
            loc.gettext(
                "The true number is probably between %(low)s and %(high)s in %(total)s.",
                low=loc.number(freq.low or 0),
                high=loc.number(freq.high or 0),
                total=words["total"],
            )
        )
    return sentences


def people_count(loc: Localizer, n: int) -> str:
    """ "1 person", "5 people": the count with its noun in the right plural form
    (Polish: 1 osoba, 2 osoby, 5 osób, 22 osoby)."""
    return loc.ngettext("%(num)s person", "%(num)s people", n)


def icon_array_description(loc: Localizer, freq: Frequency) -> str:
    """What an icon array shows, figure by figure, for its SVG description."""
    events = freq.numerator
    high = freq.high if freq.high is not None else events
    return loc.gettext(
        "A picture of %(total)s: %(events)s shown as solid figures (it happens), "
        "%(range)s as striped figures (it might happen) and %(none)s as hollow figures "
        "(it does not happen).",
        total=people_count(loc, freq.denominator),
        events=people_count(loc, events),
        range=people_count(loc, high - events),
        none=people_count(loc, freq.denominator - high),
    )


def no_picture_sentence(loc: Localizer, denominator: int) -> str:
    """Said once for an outcome counted out of 10,000: too many people for a picture."""
    return loc.gettext(
        "These numbers are counted out of %(total)s people, too many to show in a picture.",
        total=loc.number(denominator),
    )


def icon_array_label(loc: Localizer, option: Option, outcome: EventOutcome, freq: Frequency) -> str:
    """The text alternative of an icon array: the same numbers as the sentences (R15)."""
    return " ".join([loc.gettext(option.label) + ":", *event_sentences(loc, option, outcome, freq)])


def measure_sentence(
    loc: Localizer, option: Option, outcome: MeasureOutcome, value: RangeValue
) -> str:
    """A percent range such as excess weight loss: "60% to 70%"."""
    return loc.gettext(
        "Of %(people)s, a typical %(outcome)s %(timeframe)s is %(low)s to %(high)s.",
        people=loc.gettext(value.people or option.people),
        outcome=loc.gettext(outcome.label),
        timeframe=loc.gettext(outcome.timeframe),
        low=loc.percent(value.low),
        high=loc.percent(value.high),
    )


def not_reported_sentence(loc: Localizer, option: Option) -> str:
    """Said instead of a number when the table's sources give none for this option."""
    return loc.gettext(
        "Of %(people)s: the sources of this packet give no figure.",
        people=loc.gettext(option.people),
    )
