"""The sentences beside each number, and what the pictures' descriptions say (R3, R11, R15).

Each case here was a packet that hid a range or said a number the table does
not support: a range dropped when the estimate printed as "fewer than 1",
a range end of 99.996% printed as "all", a low end of 0.001% rounded up to "1".
"""

from __future__ import annotations

import re

import pytest

from consent.frequencies import frame
from consent.i18n import Localizer
from consent.render import packet_html
from consent.tables import EventOutcome, EventValue, MeasureOutcome, Option, RangeValue, load_table
from consent.wording import event_sentences, icon_array_description, measure_sentence

A = Option(key="a", label="Option A", people="people having option A")
B = Option(key="b", label="Option B", people="people having option B")


def outcome(a: EventValue, b: EventValue, *, event: str = "die") -> EventOutcome:
    return EventOutcome(
        id="o",
        kind="event",
        label="death",
        event=event,
        timeframe="within 30 days",
        values={"a": a, "b": b},
    )


def value(rate: float, low: float | None = None, high: float | None = None) -> EventValue:
    return EventValue(source="s", rate=rate, low=low, high=high)


def sentences_of_a(case: EventOutcome, locale: str = "en") -> str:
    return " ".join(event_sentences(Localizer(locale), A, case, frame(case)["a"]))


def test_rule_R11_a_range_is_said_when_the_estimate_is_fewer_than_one():
    text = sentences_of_a(outcome(value(0.00004, 0.00001, 0.0003), value(0.0002)))
    assert "fewer than 1 in 10,000 die" in text
    assert text.endswith("The true number is probably no more than 3 in 10,000.")


def test_rule_R11_a_range_is_said_when_the_estimate_is_almost_all():
    text = sentences_of_a(outcome(value(0.99996, 0.997, 0.99999), value(0.9998), event="are alive"))
    assert "almost all are alive" in text
    assert text.endswith("The true number is probably at least 9,970 in 10,000.")


def test_rule_R3_a_range_end_below_all_never_prints_as_all():
    text = sentences_of_a(outcome(value(0.98, 0.95, 0.99996), value(0.5), event="go home"))
    assert "10,000 in 10,000" not in text
    assert text.endswith("The true number is probably at least 9,500 in 10,000.")


def test_rule_R3_a_range_end_below_one_never_prints_as_one():
    text = sentences_of_a(outcome(value(0.0002, 0.00001, 0.0005), value(0.001)))
    assert "about 2 in 10,000" in text
    assert "between 1 and" not in text
    assert text.endswith("The true number is probably no more than 5 in 10,000.")


def test_rule_R11_a_range_narrower_than_one_person_is_still_said():
    text = sentences_of_a(outcome(value(0.05, 0.045, 0.054), value(0.02)))
    assert text.endswith("About 95 in 100 do not. The true number is probably very close to this.")


def test_rule_R11_an_ordinary_range_is_said_between_its_ends():
    text = sentences_of_a(outcome(value(0.05, 0.03, 0.07), value(0.02)))
    assert text.endswith("The true number is probably between 3 and 7 in 100.")


@pytest.mark.parametrize(
    ("locale", "expected"),
    [
        ("es", "La cifra real probablemente no pasa de 3 de cada 10.000."),
        ("pl", "Prawdziwa liczba to prawdopodobnie nie więcej niż 3 na 10\u00a0000."),
    ],
)
def test_the_new_range_sentences_are_translated(locale, expected):
    case = outcome(value(0.00004, 0.00001, 0.0003), value(0.0002))
    assert sentences_of_a(case, locale).endswith(expected)


def counts_in(description: str) -> list[int]:
    return [int(n.replace(",", "")) for n in re.findall(r"([\d,]+) (?:people|person)", description)]


def test_rule_R15_a_picture_with_a_range_counts_the_same_people_as_its_sentences():
    """25 in 100 (22 to 29): 25 solid, 4 striped, 71 hollow; the 4 striped are among
    the 75 who, by the estimate, do not have it, and the description says so."""
    case = outcome(value(0.252, 0.222, 0.285), value(0.1))
    freq = frame(case)["a"]
    total, solid, striped, hollow = counts_in(icon_array_description(Localizer(), freq))
    assert (total, solid, striped, hollow) == (100, 25, 4, 71)
    assert "About 75 in 100 do not." in sentences_of_a(case)
    assert striped + hollow == 75
    assert "even at the top of the range" in icon_array_description(Localizer(), freq)


def test_rule_R15_a_picture_without_a_range_mentions_no_striped_figures():
    freq = frame(outcome(value(0.05), value(0.02)))["a"]
    description = icon_array_description(Localizer(), freq)
    assert "striped" not in description
    assert counts_in(description) == [100, 5, 95]


def test_the_legend_explains_striped_figures_only_where_a_picture_has_them(alex):
    no_ranges = packet_html(load_table("bariatric-revision"), *alex)
    assert "Striped figures" not in no_ranges
    assert "range of the estimate" not in no_ranges
    with_range = packet_html(load_table("watch-and-wait-rectal"), *alex)
    risks = with_range[
        with_range.index('id="risks-title"') : with_range.index('id="benefits-title"')
    ]
    assert "Striped figures are people it might also happen to" in risks
    assert "range of the estimate" in risks


def measure(low: float, high: float) -> str:
    case = MeasureOutcome(
        id="m",
        kind="measure",
        label="weight loss",
        timeframe="at 1 year",
        values={"a": RangeValue(source="s", low=low, high=high)},
    )
    return measure_sentence(Localizer(), A, case, case.values["a"])


def test_a_measure_whose_ends_print_alike_is_said_once():
    assert measure(0.601, 0.604).endswith("a typical weight loss at 1 year is about 60%.")


def test_rule_R3_a_measure_above_nothing_never_prints_as_0_percent():
    assert measure(0.004, 0.006).endswith("is less than 1% to 1%.")
    assert measure(0.996, 0.999).endswith("is more than 99%.")
    assert measure(0.6, 0.7).endswith("is 60% to 70%.")


@pytest.mark.parametrize(
    ("a", "b"),
    [
        (value(0.00001, 0.0, 0.99999), value(0.5)),  # was "at least 0 in 10,000"
        (value(0.00005, 0.00001, 1.0), value(0.5)),  # was "no more than 10,000 in 10,000"
    ],
)
def test_rule_R11_a_range_open_at_both_ends_says_so(a, b):
    assert sentences_of_a(outcome(a, b)).endswith(
        "The true number could be anywhere from fewer than 1 in 10,000 to almost all."
    )


@pytest.mark.parametrize("low", [0.0, 0.00001, 0.00007, 0.0002])
@pytest.mark.parametrize("high", [0.0009, 0.5, 0.99993, 0.99999, 1.0])
def test_rule_R3_no_range_end_is_0_or_all_unless_it_is(low, high):
    text = sentences_of_a(outcome(value(0.0003, low, high), value(0.5)))
    range_said = text.split("do not. ")[-1]
    assert "at least 0 " not in range_said
    if high < 1:  # only a high end of exactly 1 may be said as all
        assert "10,000 in 10,000" not in range_said


def test_the_legend_names_only_the_sizes_of_picture_its_section_has(alex):
    """Every packet said "Each picture shows 100 or 1,000 people", though most draw
    only pictures of 100."""
    table = load_table("bariatric-revision")
    only_100 = packet_html(table, *alex)
    assert "There are 100 people in each picture. Each figure is one person." in only_100
    assert "or 1,000 people" not in only_100
    assert "Hay 100 personas en cada imagen." in packet_html(table, *alex, Localizer("es"))
    source = next(iter(table.sources))
    rare = EventOutcome(
        id="rare",
        kind="event",
        label="a rare harm",
        event="have a rare harm",
        timeframe="within 30 days",
        values={o.key: EventValue(source=source, rate=0.005) for o in table.options},
    )
    both = packet_html(table.model_copy(update={"outcomes": (*table.outcomes, rare)}), *alex)
    risks = both[both.index('id="risks-title"') : both.index('id="benefits-title"')]
    assert "Each picture shows 100 or 1,000 people." in risks
