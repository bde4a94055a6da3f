"""Natural-frequency arithmetic, one test per rule of RISK_COMMUNICATION.md it serves."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from consent.frequencies import choose_denominator, frame, frequency, people
from consent.tables import EventOutcome, EventValue, MeasureOutcome, RangeValue

rates = st.floats(min_value=0, max_value=1, allow_nan=False)


def event(*rates: float) -> EventOutcome:
    return EventOutcome(
        id="o",
        kind="event",
        label="a problem",
        event="have a problem",
        timeframe="within 30 days",
        values={f"option{i}": EventValue(source="s", rate=r) for i, r in enumerate(rates)},
    )


def test_rule_R1_one_denominator_for_every_option_of_an_outcome():
    framed = frame(event(0.02, 0.004))
    assert {f.denominator for f in framed.values()} == {1_000}
    assert [f.numerator for f in framed.values()] == [20, 4]


@given(st.lists(rates, min_size=2, max_size=5))
def test_rule_R1_property_options_always_share_a_denominator(values):
    framed = frame(event(*values))
    assert len({f.denominator for f in framed.values()}) == 1


@given(rates)
def test_rule_R2_denominator_is_always_100_1000_or_10000(rate):
    assert choose_denominator([rate]) in (100, 1_000, 10_000)


@pytest.mark.parametrize(
    ("rates", "denominator"),
    [
        ([0.02, 0.05], 100),
        ([0.01, 0.05], 100),
        ([0.009, 0.05], 1_000),  # 0.9% would print as "1 in 100": too coarse
        ([0.001, 0.013], 1_000),
        ([0.0002, 0.0006], 10_000),
        ([0.00001, 0.5], 10_000),
        ([0.995, 0.5], 1_000),  # the other framing, 0.5 in 100, needs 1,000 too
        ([0.0, 0.05], 100),  # a true zero needs no finer denominator
    ],
)
def test_rule_R3_denominator_chosen_from_the_smallest_risk(rates, denominator):
    assert choose_denominator(rates) == denominator


@given(st.floats(min_value=1e-12, max_value=1, exclude_min=False))
def test_rule_R3_never_zero_for_a_nonzero_risk(rate):
    freq = frame(event(rate, 0.5))["option0"]
    assert freq.numerator > 0 or freq.fewer_than_one


def test_rule_R3_below_one_in_10000_is_flagged_fewer_than_one():
    freq = frequency(0.00001, 10_000)
    assert (freq.numerator, freq.fewer_than_one) == (0, True)


def test_almost_all_is_flagged_rather_than_all():
    freq = frequency(0.99999, 10_000)
    assert freq.almost_all and freq.numerator == 10_000
    assert not frequency(1.0, 100).almost_all


@given(rates, st.sampled_from([100, 1_000, 10_000]))
def test_rule_R4_whole_people_add_up_to_the_denominator(rate, denominator):
    freq = frequency(rate, denominator)
    assert isinstance(freq.numerator, int)
    assert freq.events + freq.non_events == denominator
    assert 0 <= freq.numerator <= denominator


@pytest.mark.parametrize(
    ("rate", "denominator", "expected"),
    [
        (0.025, 100, 3),
        (0.015, 100, 2),
        (0.0245, 100, 2),
        (0.0125, 1000, 13),
        (0.005, 100, 1),
        (0.29, 100, 29),
        (0.57, 100, 57),
    ],  # 0.29 * 100 is 28.999999999999996 in binary floats
)
def test_rounding_is_half_up_on_the_decimal_value(rate, denominator, expected):
    assert people(rate, denominator) == expected


@given(rates, rates, st.sampled_from([100, 1_000, 10_000]))
def test_a_higher_rate_never_gives_fewer_people(a, b, denominator):
    low, high = sorted((a, b))
    assert frequency(low, denominator).numerator <= frequency(high, denominator).numerator


@given(st.lists(rates, min_size=3, max_size=3).map(sorted), st.sampled_from([100, 1_000, 10_000]))
def test_rule_R11_low_point_high_stay_ordered_after_rounding(triple, denominator):
    low, rate, high = triple
    freq = frequency(rate, denominator, low, high)
    assert freq.low is not None and freq.high is not None
    assert freq.low <= freq.numerator <= freq.high <= denominator


def test_rule_R3_a_low_bound_below_1_percent_moves_the_outcome_to_1000():
    outcome = event(0.02, 0.03)
    values = dict(outcome.values)
    values["option0"] = EventValue(source="s", rate=0.02, low=0.001, high=0.04)
    framed = frame(outcome.model_copy(update={"values": values}))
    assert {f.denominator for f in framed.values()} == {1_000}
    assert (framed["option0"].low, framed["option0"].numerator) == (1, 20)


def test_rule_R11_range_is_kept_in_whole_people():
    freq = frequency(0.05, 100, 0.03, 0.07)
    assert (freq.low, freq.numerator, freq.high) == (3, 5, 7)


def test_measures_are_not_framed_as_frequencies():
    weight = MeasureOutcome(
        id="w",
        kind="measure",
        label="weight loss",
        timeframe="at 2 years",
        values={"a": RangeValue(source="s", low=0.6, high=0.7)},
    )
    with pytest.raises(ValueError, match="measure"):
        frame(weight)
