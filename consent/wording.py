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
    sentences = _framings(loc, freq, words, non_event or loc.gettext("do not"))
    if freq.has_range:
        sentences.append(range_sentence(loc, freq))
    return sentences


def _framings(loc: Localizer, freq: Frequency, words: dict[str, str], non_event: str) -> list[str]:
    """The event framing, then the other one (R6); "fewer than 1" rather than "0" (R3)."""
    if freq.fewer_than_one:
        return [
            loc.gettext(
                "Of %(people)s, fewer than 1 in %(total)s %(event)s %(timeframe)s.", **words
            ),
            loc.gettext("Almost all %(non_event)s.", non_event=non_event),
        ]
    if freq.almost_all:
        return [
            loc.gettext("Of %(people)s, almost all %(event)s %(timeframe)s.", **words),
            loc.gettext(
                "Fewer than 1 in %(total)s %(non_event)s.",
                total=words["total"],
                non_event=non_event,
            ),
        ]
    return [
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
            non_event=non_event,
        ),
    ]


def range_sentence(loc: Localizer, freq: Frequency) -> str:
    """The range in words (R11), its ends rounded like the estimate.

    Every range is said, also when the estimate is "fewer than 1" or "almost
    all", and when both ends round to it. A low end above zero that rounds to
    0 is said as "no more than" the high end, a high end below one that rounds
    to all as "at least" the low end (R3); a range open at both ends (nothing
    to almost all) says so rather than "at least 0".
    """
    total = loc.number(freq.denominator)
    low, high = freq.low or 0, freq.high or 0
    if low == freq.numerator == high:
        return loc.gettext("The true number is probably very close to this.")
    if (freq.low_below_one or low == 0) and (freq.high_almost_all or high == freq.denominator):
        return loc.gettext(
            "The true number could be anywhere from fewer than 1 in %(total)s to almost all.",
            total=total,
        )
    if freq.low_below_one:
        return loc.gettext(
            "The true number is probably no more than %(high)s in %(total)s.",
            high=loc.number(high),
            total=total,
        )
    if freq.high_almost_all:
        return loc.gettext(
            "The true number is probably at least %(low)s in %(total)s.",
            low=loc.number(low),
            total=total,
        )
    return loc.gettext(
        "The true number is probably between %(low)s and %(high)s in %(total)s.",
        low=loc.number(low),
        high=loc.number(high),
        total=total,
    )


def people_count(loc: Localizer, n: int) -> str:
    """ "1 person", "5 people": the count with its noun in the right plural form
    (Polish: 1 osoba, 2 osoby, 5 osób, 22 osoby)."""
    return loc.ngettext("%(num)s person", "%(num)s people", n)


def icon_array_description(loc: Localizer, freq: Frequency) -> str:
    """What an icon array shows, figure by figure, for its SVG description."""
    events = freq.numerator
    high = freq.high if freq.high is not None else events
    if high == events:  # no striped figures, so none are mentioned
        return loc.gettext(
            "A picture of %(total)s: %(events)s shown as solid figures (it happens) "
            "and %(none)s as hollow figures (it does not happen).",
            total=people_count(loc, freq.denominator),
            events=people_count(loc, events),
            none=people_count(loc, freq.denominator - events),
        )
    # The striped figures are among those the estimate says it does not happen
    # to: said so, the picture's counts agree with the sentences beside it.
    return loc.gettext(
        "A picture of %(total)s: %(events)s shown as solid figures (it happens), "
        "%(range)s as striped figures (it might happen too, at the top of the range) "
        "and %(none)s as hollow figures (it does not happen, even at the top of the range).",
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
    """A percent range such as excess weight loss: "60% to 70%"; one value when
    both ends print alike ("about 60%", never "60% to 60%")."""
    words = {
        "people": loc.gettext(value.people or option.people),
        "outcome": loc.gettext(outcome.label),
        "timeframe": loc.gettext(outcome.timeframe),
    }
    low, high = _whole_percent(loc, value.low), _whole_percent(loc, value.high)
    if low == high and low != loc.percent(value.low):  # "less than 1%", "more than 99%"
        return loc.gettext(
            "Of %(people)s, a typical %(outcome)s %(timeframe)s is %(value)s.", value=low, **words
        )
    if low == high:
        return loc.gettext(
            "Of %(people)s, a typical %(outcome)s %(timeframe)s is about %(value)s.",
            value=low,
            **words,
        )
    return loc.gettext(
        "Of %(people)s, a typical %(outcome)s %(timeframe)s is %(low)s to %(high)s.",
        low=low,
        high=high,
        **words,
    )


def _whole_percent(loc: Localizer, fraction: float) -> str:
    """A whole percent, but never "0%" for more than nothing nor "100%" for less than all (R3)."""
    shown = loc.percent(fraction)
    if fraction > 0 and shown == loc.percent(0):
        return loc.gettext("less than %(percent)s", percent=loc.percent(0.01))
    if fraction < 1 and shown == loc.percent(1):
        return loc.gettext("more than %(percent)s", percent=loc.percent(0.99))
    return shown


def not_reported_sentence(loc: Localizer, option: Option) -> str:
    """Said instead of a number when the table's sources give none for this option."""
    return loc.gettext(
        "Of %(people)s: the sources of this packet give no figure.",
        people=loc.gettext(option.people),
    )
