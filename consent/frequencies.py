"""Natural-frequency arithmetic: probabilities into whole people out of 100, 1,000 or 10,000.

Pure functions, no I/O. The rules are those of RISK_COMMUNICATION.md:
one denominator for every option of an outcome (R1), never "1 in X" (R2),
the denominator chosen from the smallest risk (R3), whole people that add up
exactly (R4), and ranges kept in order after rounding (R11).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from .tables import EventOutcome

DENOMINATORS = (100, 1_000, 10_000)


@dataclass(frozen=True)
class Frequency:
    """One option's risk for one outcome, in whole people out of ``denominator``."""

    rate: float
    denominator: int
    numerator: int
    low: int | None = None
    high: int | None = None
    fewer_than_one: bool = False
    """The risk is above zero but below 1 in the largest denominator."""
    almost_all: bool = False
    """The risk is below one but rounds to the whole denominator."""
    low_below_one: bool = False
    """The range's low end is above zero but below 1 in ``denominator`` (``low`` is 0)."""
    high_almost_all: bool = False
    """The range's high end is below one but rounds to the whole denominator."""

    @property
    def events(self) -> int:
        return self.numerator

    @property
    def non_events(self) -> int:
        return self.denominator - self.numerator

    @property
    def has_range(self) -> bool:
        return self.low is not None and self.high is not None


def people(rate: float, denominator: int) -> int:
    """Round ``rate`` x ``denominator`` half-up to whole people, exactly in decimal."""
    exact = Decimal(repr(rate)) * denominator
    return int(exact.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def choose_denominator(rates: Iterable[float]) -> int:
    """The smallest of 100, 1,000, 10,000 showing every risk and its complement as whole people.

    A risk (or the chance of escaping it) above zero but below 1 in N would
    print as "0 in N" or be badly distorted by rounding, so it moves the whole
    outcome to the next denominator (R3). Range ends count too: a low bound of
    0.001 must not print as "1 in 100".
    """
    smallest = min((min(r, 1 - r) for r in rates if 0 < r < 1), default=None)
    for denominator in DENOMINATORS:
        if smallest is None or smallest >= 1 / denominator:
            return denominator
    return DENOMINATORS[-1]


def frequency(
    rate: float, denominator: int, low: float | None = None, high: float | None = None
) -> Frequency:
    """Express one rate (with an optional range) at a given denominator."""
    numerator = people(rate, denominator)
    fewer_than_one = rate > 0 and numerator == 0
    almost_all = rate < 1 and numerator == denominator
    if low is None or high is None:
        return Frequency(rate, denominator, numerator, None, None, fewer_than_one, almost_all)
    # The ends are rounded like the estimate and flagged like it: an end below
    # 1 in N is said as "no more than", one that rounds to all as "at least",
    # never as "1" or "all" (R3).
    low_n, high_n = people(low, denominator), people(high, denominator)
    return Frequency(
        rate,
        denominator,
        numerator,
        min(low_n, numerator),
        max(high_n, numerator),
        fewer_than_one,
        almost_all,
        low_below_one=low > 0 and low_n == 0,
        high_almost_all=high < 1 and high_n == denominator,
    )


def frame(outcome: EventOutcome) -> Mapping[str, Frequency]:
    """One Frequency per reported option of an event outcome, all on one denominator (R1).

    Options whose value is ``not_reported`` have no Frequency.
    """
    if outcome.kind != "event":
        raise ValueError(f"outcome {outcome.id!r} is a measure, not an event")
    reported = {key: v for key, v in outcome.values.items() if v.rate is not None}
    denominator = choose_denominator(
        x for v in reported.values() for x in (v.rate, v.low, v.high) if x is not None
    )
    return {
        key: frequency(value.rate, denominator, value.low, value.high)
        for key, value in reported.items()
        if value.rate is not None
    }
