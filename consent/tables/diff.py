"""What changed between two versions of a risk table, for a reviewer to read."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Literal

from ..frequencies import Frequency, frame
from .report import exact
from .schema import EventOutcome, RiskTable

_TABLE_FIELDS = (
    "status",
    "approved_by",
    "approved_on",
    "effective",
    "title",
    "procedure",
    "offers",
    "population",
    "indications",
    "differences",
    "alternatives",
    "preparation",
)
_OUTCOME_FIELDS = (
    "kind",
    "label",
    "event",
    "non_event",
    "timeframe",
    "benefit",
    "note",
    "note_source",
    "no_guarantee",
)
_VALUE_FIELDS = ("rate", "low", "high", "source", "not_reported", "people")


@dataclass(frozen=True)
class Change:
    """One difference; ``where`` names it ("outcome serious-leak, revision, rate")."""

    kind: Literal["added", "removed", "changed"]
    where: str
    old: str | None = None
    new: str | None = None

    def __str__(self) -> str:
        mark = {"added": "+", "removed": "-", "changed": "~"}[self.kind]
        if self.kind == "changed":
            return f"{mark} {self.where}: {self.old} -> {self.new}"
        return f"{mark} {self.where}: {self.new if self.kind == 'added' else self.old}"


def diff_tables(old: RiskTable, new: RiskTable) -> list[Change]:
    """Every change from ``old`` to ``new``: fields, options, outcomes, figures, sources."""
    order = [o.key for o in old.options], [o.key for o in new.options]
    reordered = []
    if order[0] != order[1] and set(order[0]) == set(order[1]):
        reordered = [
            Change(
                "changed",
                "option order (the first is the comparator)",
                ", ".join(order[0]),
                ", ".join(order[1]),
            )
        ]
    return [
        *_fields("table", old, new, _TABLE_FIELDS),
        *reordered,
        *_keyed(
            "option",
            {o.key: o for o in old.options},
            {o.key: o for o in new.options},
            lambda o: o.label,
            ("label", "people"),
        ),
        *_outcomes(old, new),
        *_keyed(
            "source",
            dict(old.sources),
            dict(new.sources),
            lambda s: f"{s.citation} ({s.year})",
            ("citation", "year", "doi", "pmid", "url"),
        ),
    ]


def _fields(
    where: str, old: Any, new: Any, names: tuple[str, ...], sep: str = " "
) -> Iterator[Change]:
    for name in names:
        # Event and measure outcomes (and values) do not share every field.
        before, after = getattr(old, name, None), getattr(new, name, None)
        if before != after:
            yield Change("changed", f"{where}{sep}{name}", _show(before), _show(after))


def _keyed(
    what: str, old: dict[str, Any], new: dict[str, Any], describe: Any, fields: tuple[str, ...]
) -> Iterator[Change]:
    for key in sorted(old.keys() - new.keys()):
        yield Change("removed", f"{what} {key}", old=describe(old[key]))
    for key in sorted(new.keys() - old.keys()):
        yield Change("added", f"{what} {key}", new=describe(new[key]))
    for key in sorted(old.keys() & new.keys()):
        yield from _fields(f"{what} {key}", old[key], new[key], fields)


def _outcomes(old: RiskTable, new: RiskTable) -> Iterator[Change]:
    before = {o.id: o for o in old.outcomes}
    after = {o.id: o for o in new.outcomes}
    for key in sorted(before.keys() - after.keys()):
        yield Change("removed", f"outcome {key}", old=before[key].label)
    for key in sorted(after.keys() - before.keys()):
        yield Change("added", f"outcome {key}", new=after[key].label)
    for key in [o.id for o in new.outcomes if o.id in before]:
        a, b = before[key], after[key]
        yield from _fields(f"outcome {key}", a, b, _OUTCOME_FIELDS)
        old_freq = frame(a) if isinstance(a, EventOutcome) else {}
        new_freq = frame(b) if isinstance(b, EventOutcome) else {}
        denominators = (
            {f.denominator for f in old_freq.values()},
            {f.denominator for f in new_freq.values()},
        )
        if all(denominators) and denominators[0] != denominators[1]:
            # Every sentence of the outcome changes, even for figures that did not move.
            yield Change(
                "changed",
                f"outcome {key} counted out of",
                _numbers(denominators[0]),
                _numbers(denominators[1]),
            )
        for option in sorted(a.values.keys() | b.values.keys()):
            where = f"outcome {key}, {option}"
            if option not in b.values:
                yield Change("removed", where, old=_value(a.values[option]))
            elif option not in a.values:
                yield Change("added", where, new=_value(b.values[option]))
            else:
                values = a.values[option], b.values[option]
                for change in _fields(where, *values, _VALUE_FIELDS, sep=", "):
                    if change.where.endswith(", rate"):
                        change = Change(
                            "changed",
                            change.where,
                            f"{change.old}{_said(old_freq.get(option))}",
                            f"{change.new}{_said(new_freq.get(option))}",
                        )
                    yield change


def _numbers(values: set[int]) -> str:
    return ", ".join(f"{v:,}" for v in sorted(values))


def _said(freq: Frequency | None) -> str:
    """What a packet says of the figure, as it says it (rule R3: never "about 0")."""
    if freq is None:
        return ""
    if freq.fewer_than_one:
        return f" (fewer than 1 in {freq.denominator:,})"
    if freq.almost_all:
        return " (almost all)"
    return f" (about {freq.numerator:,} in {freq.denominator:,})"


def _value(value: Any) -> str:
    shown = {k: getattr(value, k) for k in _VALUE_FIELDS if getattr(value, k, None) is not None}
    return ", ".join(f"{k}={_show(v)}" for k, v in shown.items() if v is not False)


def _show(value: Any) -> str:
    if isinstance(value, float):
        return exact(value)
    if isinstance(value, tuple):
        return "; ".join(map(str, value)) or "(none)"
    return "(none)" if value is None else str(value)
