"""A table's figures as rows of text, for ``consent tables show``."""

from __future__ import annotations

from decimal import Decimal

from .. import wording
from ..frequencies import frame
from ..i18n import Localizer
from .schema import EventOutcome, MeasureOutcome, RangeValue, RiskTable


def exact(number: float) -> str:
    """A table's number as its file has it, for a reviewer to compare: 0.99996 stays
    0.99996 (not "1"), 0.00001 stays 0.00001 (not "1e-05")."""
    return format(Decimal(repr(number)), "f")


def figure_rows(table: RiskTable, loc: Localizer | None = None) -> list[tuple[str, ...]]:
    """(outcome, option, figure, what a packet says, source) for every value."""
    loc = loc or Localizer()
    rows: list[tuple[str, ...]] = []
    for outcome in table.outcomes:
        framed = frame(outcome) if isinstance(outcome, EventOutcome) else {}
        for option in table.options:
            value = outcome.values[option.key]
            if isinstance(outcome, EventOutcome):
                freq = framed.get(option.key)
                if freq is None:
                    figure, said = "not reported", wording.not_reported_sentence(loc, option)
                else:
                    figure = exact(freq.rate)
                    if value.low is not None and value.high is not None:
                        figure += f" ({exact(value.low)}-{exact(value.high)})"
                    said = " ".join(wording.event_sentences(loc, option, outcome, freq))
            elif isinstance(value, RangeValue) and isinstance(outcome, MeasureOutcome):
                figure = f"{exact(value.low)}-{exact(value.high)}"
                said = wording.measure_sentence(loc, option, outcome, value)
            source = table.sources[value.source] if value.source else None
            cited = f"{value.source} ({source.year})" if source else "-"
            rows.append((outcome.id, option.key, figure, said, cited))
    return rows
