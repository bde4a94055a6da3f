"""A table's figures as rows of text, for ``consent tables show``."""

from __future__ import annotations

from .. import wording
from ..frequencies import frame
from ..i18n import Localizer
from .schema import EventOutcome, MeasureOutcome, RangeValue, RiskTable


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
                    figure = f"{value.rate:.4g}"
                    if value.low is not None:
                        figure += f" ({value.low:.4g}-{value.high:.4g})"
                    said = " ".join(wording.event_sentences(loc, option, outcome, freq))
            elif isinstance(value, RangeValue) and isinstance(outcome, MeasureOutcome):
                figure = f"{value.low:.0%}-{value.high:.0%}"
                said = wording.measure_sentence(loc, option, outcome, value)
            source = table.sources[value.source] if value.source else None
            cited = f"{value.source} ({source.year})" if source else "-"
            rows.append((outcome.id, option.key, figure, said, cited))
    return rows
