"""The risk table schema: what a valid table file holds, declared with pydantic.

Validation is strict on purpose: no text is turned into a number, no ``true``
into 1, a quoted date is not a date. Every English text here is source text
for translation (the YAML extractor collects it).

``consent tables schema`` prints this schema as JSON Schema.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)
from pydantic.json_schema import SkipJsonSchema

SCHEMA_VERSION = 1
VERSION_PATTERN = r"^[0-9]{1,6}(\.[0-9]{1,6}){0,3}$"
STATUSES = ("draft", "reference", "approved")


def _printable(text: str) -> str:
    """Refuse text a reader cannot see: control or invisible formatting characters."""
    for char in text:
        if unicodedata.category(char) in ("Cc", "Cf", "Cs", "Co") and char not in "\n\t":
            raise ValueError(
                f"contains an invisible or control character (U+{ord(char):04X}); retype it"
            )
    return text


Text = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=2000),
    AfterValidator(_printable),
]
SLUG_PATTERN = r"^[a-z0-9][a-z0-9-]{0,79}$"
Slug = Annotated[str, StringConstraints(pattern=SLUG_PATTERN)]


def _not_a_percent(value: Any) -> Any:
    """Refuse the whole number 1: written for "1%", it printed "about 100 in 100"."""
    if type(value) is int and value == 1:
        raise ValueError("1 means everyone (100%); write 0.01 for 1%, or 1.0 if everyone is meant")
    return value


Probability = Annotated[
    float,
    Field(ge=0, le=1),
    BeforeValidator(_not_a_percent),
    # -0.0 passes ge=0 and printed as "about -0%".
    AfterValidator(lambda value: 0.0 if value == 0 else value),
]


class _Strict(BaseModel):
    model_config = ConfigDict(strict=True, frozen=True, extra="forbid")


class Source(_Strict):
    """Where a number comes from (rule R13)."""

    citation: Text
    year: Annotated[int, Field(ge=1900, le=2100)]
    doi: Text | None = None
    pmid: Annotated[str, StringConstraints(pattern=r"^[0-9]{1,9}$")] | None = None
    url: Text | None = None

    @field_validator("pmid", mode="before")
    @classmethod
    def _pmid_as_text(cls, value: Any) -> Any:
        """YAML reads an unquoted PubMed id as a number; it is an identifier."""
        return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


class Option(_Strict):
    """One choice being compared. ``people`` is its reference class (rule R5)."""

    key: Slug
    label: Text
    people: Text


class EventValue(_Strict):
    """One option's probability of an event, with an optional uncertainty range.

    ``not_reported: true`` (and no numbers) says honestly that the sources give
    no figure for this option; the packet says so instead of showing a number.
    """

    source: Slug | None = None
    rate: Probability | None = None
    low: Probability | None = None
    high: Probability | None = None
    not_reported: bool = False
    people: Text | None = None
    """The reference class of this figure when narrower than the option's (R5):
    "people whose cancer grows back during watch and wait"."""

    @model_validator(mode="after")
    def _consistent(self) -> EventValue:
        if self.not_reported:
            if any(x is not None for x in (self.rate, self.low, self.high)):
                raise ValueError("a value that is not_reported cannot also give numbers")
            return self
        if self.rate is None:
            raise ValueError("missing required key 'rate' (or say not_reported: true)")
        if self.source is None:
            raise ValueError("missing required key 'source': every number needs a source")
        if (self.low is None) != (self.high is None):
            raise ValueError("give both low and high, or neither")
        if (
            self.low is not None
            and self.high is not None
            and not (self.low <= self.rate <= self.high)
        ):
            raise ValueError(
                "expected low <= rate <= high, "
                f"got low={self.low} rate={self.rate} high={self.high}"
            )
        return self


class RangeValue(_Strict):
    """One option's typical range of a measure, as fractions (0.4 means 40%)."""

    source: Slug
    low: Probability
    high: Probability
    people: Text | None = None
    """The reference class of this figure when narrower than the option's (R5)."""
    rate: None = Field(default=None, description="not allowed: a measure is a low..high range")

    @model_validator(mode="before")
    @classmethod
    def _no_rate(cls, data: Any) -> Any:
        if isinstance(data, dict) and "rate" in data:
            raise ValueError("a measure has a low..high range, not a rate")
        return data

    @model_validator(mode="after")
    def _ordered(self) -> RangeValue:
        if self.low > self.high:
            raise ValueError(f"expected low <= high, got low={self.low} high={self.high}")
        return self


class _OutcomeBase(_Strict):
    id: Slug
    label: Text
    """A short heading: "A serious leak", "Death", "Loss of excess weight"."""
    timeframe: Text
    """When (rule R5): "within 30 days after surgery"."""
    benefit: bool = False
    """A good outcome (clear margins, weight loss): shown under expected results."""
    note: Text | None = None
    """A caution printed with the figures, e.g. that they come from different studies."""
    note_source: Slug | None = None
    """The source of any number in the note (rule R13)."""
    no_guarantee: bool = False


class EventOutcome(_OutcomeBase):
    kind: Literal["event"]
    event: Text
    """What the people it happens to do, as a verb phrase for "about 5 in 100 ...":
    "have a serious leak from a staple line", "die", "are alive"."""
    non_event: Text | None = None
    """The other framing, for "about 95 in 100 ...": "are not" (default "do not")."""
    values: dict[str, EventValue]


class MeasureOutcome(_OutcomeBase):
    kind: Literal["measure"]
    values: dict[str, RangeValue]
    benefit: bool = True
    """Most measures are results hoped for (weight lost); ``benefit: false``
    puts one that is a harm (breathing capacity lost) under the risks."""


Outcome = Annotated[EventOutcome | MeasureOutcome, Field(discriminator="kind")]


class RiskTable(_Strict):
    """A validated, immutable risk table: the evidence a packet is built from."""

    schema_version: Literal[1] = Field(alias="schema")
    id: Slug
    version: Annotated[str, StringConstraints(pattern=VERSION_PATTERN)]
    """Dotted numbers ("2026.2"), so versions order without doubt."""
    status: Literal["draft", "reference", "approved"]
    approved_by: Text | None = None
    approved_on: dt.date | None = None
    effective: dt.date
    title: Text
    procedure: Text
    """The operation, as a phrase: "a revision (redo) weight-loss operation"."""
    offers: Literal["operation", "surveillance"] = "operation"
    """What the patient is offered now: an operation, or regular checks with an
    operation only if they find a problem (watch and wait). It chooses how the
    packet's own headings and questions speak: "Before the operation" and
    "What will recovery be like?" are wrong where no operation is planned."""
    population: Text
    options: Annotated[tuple[Option, ...], Field(min_length=1)]
    """Usually two or more, the first being the comparator. One option is allowed
    where the sources have no comparison group: the packet then says so."""
    outcomes: Annotated[tuple[Outcome, ...], Field(min_length=1)]
    sources: dict[str, Source]
    indications: tuple[Text, ...] = ()
    """Why this operation is offered."""
    differences: tuple[Text, ...] = ()
    """What makes it different from a first operation."""
    alternatives: tuple[Text, ...] = ()
    preparation: tuple[Text, ...] = ()
    """What must come first: the checklist before the operation."""

    # Set by the loader, never read from the file:
    path: SkipJsonSchema[Path | None] = Field(default=None, exclude=True)
    sha256: SkipJsonSchema[str] = Field(default="", exclude=True)
    warnings: SkipJsonSchema[tuple[str, ...]] = Field(default=(), exclude=True)

    model_config = ConfigDict(strict=True, frozen=True, extra="forbid", populate_by_name=True)

    @model_validator(mode="before")
    @classmethod
    def _from_yaml(cls, data: Any) -> Any:
        """Adapt YAML's shapes: options are a mapping (its keys become ``Option.key``,
        its order is kept), and lists become tuples so the table cannot change."""
        if not isinstance(data, dict):
            return data
        for forbidden in ("path", "sha256", "warnings"):
            if forbidden in data:
                raise ValueError(f"{forbidden!r} is set by the loader, not written in the file")
        data = dict(data)
        options = data.get("options")
        if isinstance(options, list):
            # A file's list of options has no keys; a caller's list of Options has.
            if all(isinstance(o, dict) and "key" not in o for o in options):
                raise ValueError(
                    "options: a mapping from each option's key to its label and people, not a list"
                )
            data["options"] = tuple(options)
        if isinstance(data.get("options"), dict):
            for key, value in data["options"].items():
                if isinstance(value, dict) and "key" in value:
                    # Else "key:" inside an option could swap which figures it gets.
                    raise ValueError(f"options.{key}: 'key' comes from the option's name")
            data["options"] = tuple(
                {**value, "key": key} if isinstance(value, dict) else value
                for key, value in data["options"].items()
            )
        for key in ("outcomes", "indications", "differences", "alternatives", "preparation"):
            if isinstance(data.get(key), list):
                data[key] = tuple(data[key])
        return data

    @property
    def comparator(self) -> Option:
        return self.options[0]

    def option(self, key: str) -> Option:
        return next(o for o in self.options if o.key == key)


def table_json_schema() -> dict[str, Any]:
    """The JSON Schema of a table file as it is written.

    The model keeps the options as a list, each with its key inside; the file
    has them as a mapping from each key. Printed by ``consent tables schema``.
    """
    schema = RiskTable.model_json_schema(by_alias=True)
    listed = schema["properties"]["options"]
    schema["properties"]["options"] = {
        "title": listed.get("title", "Options"),
        "description": "Each option's key (lowercase letters, digits, '-'), then its label "
        "and people; the first is the comparator.",
        "type": "object",
        "minProperties": 1,
        "propertyNames": {"pattern": SLUG_PATTERN},
        "additionalProperties": {"$ref": "#/$defs/Option"},
    }
    option = schema["$defs"]["Option"]
    del option["properties"]["key"]
    option["required"] = [name for name in option["required"] if name != "key"]
    # YAML reads an unquoted PubMed id as a number, which the loader takes.
    schema["$defs"]["Source"]["properties"]["pmid"]["anyOf"].append(
        {"type": "integer", "minimum": 0, "maximum": 999_999_999}
    )
    return schema


def cross_checks(table: RiskTable) -> list[tuple[str, str]]:
    """Problems between fields that the field types cannot see, as (YAML path, message).

    Run by the loader after the structure is valid, so the paths exist.
    """
    problems: list[tuple[str, str]] = []
    option_keys = [o.key for o in table.options]
    if table.status == "approved":
        for key in ("approved_by", "approved_on"):
            if getattr(table, key) is None:
                problems.append(("status", f"an approved table needs {key}"))
    seen: set[str] = set()
    for index, outcome in enumerate(table.outcomes):
        where = f"outcomes[{index}]"
        if outcome.id in seen:
            problems.append((f"{where}.id", f"outcome id {outcome.id!r} is used twice"))
        seen.add(outcome.id)
        for key in outcome.values:
            if key not in option_keys:
                problems.append(
                    (
                        f"{where}.values.{key}",
                        f"{key!r} is not one of the table's options ({', '.join(option_keys)})",
                    )
                )
        for key in option_keys:
            if key not in outcome.values:
                problems.append((f"{where}.values", f"no value for option {key!r}"))
        if outcome.note_source is not None and outcome.note_source not in table.sources:
            problems.append(
                (f"{where}.note_source", f"{outcome.note_source!r} is not listed under sources")
            )
        for key, value in outcome.values.items():
            if value.source is not None and value.source not in table.sources:
                problems.append(
                    (
                        f"{where}.values.{key}.source",
                        f"{value.source!r} is not listed under sources",
                    )
                )
        if isinstance(outcome, EventOutcome) and all(
            v.not_reported for v in outcome.values.values()
        ):
            problems.append((f"{where}.values", "no option has a figure; leave the outcome out"))
    return problems
