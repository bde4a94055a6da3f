"""Risk tables: find a procedure's version files, load one, validate it.

A risk table is the evidence a patient signs against, so loading is strict:
every problem is collected and reported with ``file:line yaml.path``, and a
table that loads is immutable. The schema here is deliberately small (the
shape in DESIGN.md); it grows with the project.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from .errors import TableInvalid, TableNotFound
from .resources import tables_dir
from .yamlfile import Located, read_yaml

SCHEMA_VERSION = 1
STATUSES = ("draft", "reference", "approved")
_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,79}$")
_VERSION = re.compile(r"^[0-9A-Za-z][0-9A-Za-z.-]{0,39}$")


@dataclass(frozen=True)
class Source:
    key: str
    citation: str
    year: int
    doi: str | None = None
    pmid: str | None = None
    url: str | None = None


@dataclass(frozen=True)
class Option:
    """One choice being compared; the first option of a table is the comparator."""

    key: str
    label: str
    people: str
    """The reference class of its numbers (rule R5): "people having a revision operation"."""


@dataclass(frozen=True)
class Value:
    """One option's figure for one outcome.

    For an ``event`` outcome ``rate`` is a probability, with an optional
    ``low``..``high`` uncertainty range; for a ``measure`` outcome only the
    ``low``..``high`` range (fractions, 0.4 means 40%) is given.
    """

    source: str
    rate: float | None = None
    low: float | None = None
    high: float | None = None


@dataclass(frozen=True)
class Outcome:
    id: str
    kind: Literal["event", "measure"]
    label: str
    timeframe: str
    values: Mapping[str, Value]
    no_guarantee: bool = False


@dataclass(frozen=True)
class RiskTable:
    id: str
    version: str
    status: Literal["draft", "reference", "approved"]
    effective: dt.date
    title: str
    procedure: str
    population: str
    options: tuple[Option, ...]
    outcomes: tuple[Outcome, ...]
    sources: Mapping[str, Source]
    path: Path
    sha256: str
    approved_by: str | None = None
    approved_on: dt.date | None = None

    @property
    def comparator(self) -> Option:
        return self.options[0]


def version_key(version: str) -> tuple[tuple[int, int | str], ...]:
    """Order versions naturally: 2026.2 < 2026.10, numbers before text."""
    parts = re.split(r"[.-]", version)
    return tuple((0, int(p)) if p.isdigit() else (1, p) for p in parts)


def procedures(root: Path | None = None) -> list[str]:
    """The procedure ids that have a folder of version files under ``root``."""
    root = root or tables_dir()
    return sorted(
        p.name
        for p in root.iterdir()
        if p.is_dir() and _SLUG.match(p.name) and any(p.glob("*.yaml"))
    )


def load_table(
    procedure: str,
    version: str | None = None,
    *,
    root: Path | None = None,
    allow_draft: bool = False,
) -> RiskTable:
    """Load a procedure's risk table.

    With ``version`` that version is loaded; otherwise the newest ``approved``
    version, or failing that the newest ``reference`` one. Drafts are used
    only when ``allow_draft`` is true.
    """
    root = root or tables_dir()
    if not _SLUG.match(procedure) or not (root / procedure).is_dir():
        known = ", ".join(procedures(root)) or "none"
        raise TableNotFound(f"unknown procedure {procedure!r}; available: {known}")
    folder = root / procedure
    versions = sorted((p.stem for p in folder.glob("*.yaml")), key=version_key)

    if version is not None:
        if not _VERSION.match(version) or version not in versions:
            raise TableNotFound(
                f"procedure {procedure!r} has no version {version!r}; "
                f"available: {', '.join(versions) or 'none'}"
            )
        table = load_table_file(folder / f"{version}.yaml")
        if table.status == "draft" and not allow_draft:
            raise TableNotFound(
                f"{procedure} version {version} is a draft; pass --allow-draft to use it"
            )
        return table

    tables = [load_table_file(folder / f"{v}.yaml") for v in versions]
    for wanted in ("approved", "reference", "draft"):
        if wanted == "draft" and not allow_draft:
            break
        candidates = [t for t in tables if t.status == wanted]
        if candidates:
            return candidates[-1]
    raise TableNotFound(
        f"procedure {procedure!r} has only draft versions; pass --allow-draft to use one"
    )


def load_table_file(path: Path) -> RiskTable:
    """Load and validate one version file; raise TableInvalid listing every problem."""
    doc = read_yaml(path)
    return _Validator(doc, path).table()


class _Validator:
    """Turns parsed YAML into a RiskTable, collecting every problem on the way."""

    def __init__(self, doc: Located, path: Path) -> None:
        self.doc = doc
        self.path = path
        self.problems: list[str] = []

    def problem(self, yaml_path: str, message: str) -> None:
        self.problems.append(f"{self.doc.at(yaml_path)}: {message}")

    def is_mapping(self, entry: Any, yaml_path: str) -> bool:
        if not isinstance(entry, dict):
            self.problem(yaml_path, f"{entry!r} should be a mapping of keys")
            return False
        return True

    def get(
        self,
        mapping: dict[str, Any],
        yaml_path: str,
        key: str,
        kinds: type | tuple[type, ...],
        required: bool = True,
    ) -> Any:
        child = f"{yaml_path}.{key}" if yaml_path else key
        if key not in mapping:
            if required:
                self.problem(yaml_path, f"missing required key {key!r}")
            return None
        if mapping[key] is None:
            if required:
                self.problem(child, "is empty but required")
            return None
        value = mapping[key]
        expected = kinds if isinstance(kinds, tuple) else (kinds,)
        # YAML's true/false are ints to Python; never accept them as numbers.
        wrong_bool = isinstance(value, bool) and bool not in expected
        if wrong_bool or not isinstance(value, expected):
            self.problem(child, f"{value!r} should be {_describe(expected)}")
            return None
        if isinstance(value, str) and not value.strip():
            self.problem(child, "must not be empty")
            return None
        return value

    def table(self) -> RiskTable:
        data = self.doc.data
        if not isinstance(data, dict):
            raise TableInvalid([f"{self.doc.at('')}: a risk table must be a mapping of keys"])

        schema = self.get(data, "", "schema", int)
        if schema is not None and schema != SCHEMA_VERSION:
            self.problem("schema", f"schema {schema} is not supported (expected {SCHEMA_VERSION})")
        table_id = self.get(data, "", "id", str)
        if table_id is not None and table_id != self.path.parent.name:
            self.problem("id", f"{table_id!r} does not match its folder {self.path.parent.name!r}")
        version = self.get(data, "", "version", str)
        if version is not None and version != self.path.stem:
            self.problem("version", f"{version!r} does not match the file name {self.path.name!r}")
        status = self.get(data, "", "status", str)
        if status is not None and status not in STATUSES:
            self.problem("status", f"{status!r} is not one of {', '.join(STATUSES)}")
        approved_by = self.get(data, "", "approved_by", str, required=status == "approved")
        approved_on = self.get(data, "", "approved_on", dt.date, required=status == "approved")
        effective = self.get(data, "", "effective", dt.date)
        title = self.get(data, "", "title", str)
        procedure = self.get(data, "", "procedure", str)
        population = self.get(data, "", "population", str)
        sources = self.sources(data)
        options = self.options(data)
        option_keys = list(data["options"]) if isinstance(data.get("options"), dict) else []
        outcomes = self.outcomes(data, option_keys, sources)

        if self.problems:
            raise TableInvalid(self.problems)
        return RiskTable(
            id=table_id,
            version=version,
            status=status,
            effective=effective,
            title=title,
            procedure=procedure,
            population=population,
            options=options,
            outcomes=outcomes,
            sources=sources,
            path=self.path,
            sha256=self.doc.sha256,
            approved_by=approved_by,
            approved_on=approved_on,
        )

    def sources(self, data: dict[str, Any]) -> dict[str, Source]:
        raw = self.get(data, "", "sources", dict)
        result: dict[str, Source] = {}
        for key, entry in (raw or {}).items():
            where = f"sources.{key}"
            if not self.is_mapping(entry, where):
                continue
            citation = self.get(entry, where, "citation", str)
            year = self.get(entry, where, "year", int)
            optional = {
                k: self.get(entry, where, k, (str, int), required=False)
                for k in ("doi", "pmid", "url")
            }
            if citation is not None and year is not None:
                result[key] = Source(
                    key,
                    citation,
                    year,
                    **{k: None if v is None else str(v) for k, v in optional.items()},
                )
        return result

    def options(self, data: dict[str, Any]) -> tuple[Option, ...]:
        raw = self.get(data, "", "options", dict)
        if raw is None:
            return ()
        if len(raw) < 2:
            self.problem("options", "a table compares two or more options")
        result = []
        for key, entry in raw.items():
            where = f"options.{key}"
            if not self.is_mapping(entry, where):
                continue
            label = self.get(entry, where, "label", str)
            people = self.get(entry, where, "people", str)
            if label is not None and people is not None:
                result.append(Option(key, label, people))
        return tuple(result)

    def outcomes(
        self, data: dict[str, Any], option_keys: list[str], sources: Mapping[str, Source]
    ) -> tuple[Outcome, ...]:
        raw = self.get(data, "", "outcomes", list)
        if raw is None:
            return ()
        if not raw:
            self.problem("outcomes", "a table needs at least one outcome")
        result = []
        seen_ids: set[str] = set()
        for index, entry in enumerate(raw):
            where = f"outcomes[{index}]"
            if not self.is_mapping(entry, where):
                continue
            outcome_id = self.get(entry, where, "id", str)
            if outcome_id in seen_ids:
                self.problem(f"{where}.id", f"outcome id {outcome_id!r} is used twice")
            seen_ids.add(outcome_id)
            kind = self.get(entry, where, "kind", str)
            if kind is not None and kind not in ("event", "measure"):
                self.problem(f"{where}.kind", f"{kind!r} is not 'event' or 'measure'")
                kind = None
            label = self.get(entry, where, "label", str)
            timeframe = self.get(entry, where, "timeframe", str)
            no_guarantee = self.get(entry, where, "no_guarantee", bool, required=False) or False
            values = self.get(entry, where, "values", dict) or {}
            for key in values:
                if key not in option_keys:
                    self.problem(
                        f"{where}.values.{key}",
                        f"{key!r} is not one of the table's options ({', '.join(option_keys)})",
                    )
            for key in option_keys:
                if values and key not in values:
                    self.problem(f"{where}.values", f"no value for option {key!r}")
            parsed = {
                key: self.value(values[key], f"{where}.values.{key}", kind, sources)
                for key in option_keys
                if key in values
            }
            if None not in (outcome_id, kind, label, timeframe) and all(parsed.values()):
                result.append(
                    Outcome(
                        outcome_id,
                        kind,
                        label,
                        timeframe,
                        {k: v for k, v in parsed.items() if v},
                        no_guarantee,
                    )
                )
        return tuple(result)

    def value(
        self, entry: Any, where: str, kind: str | None, sources: Mapping[str, Source]
    ) -> Value | None:
        if not self.is_mapping(entry, where):
            return None
        source = self.get(entry, where, "source", str)
        if source is not None and source not in sources:
            self.problem(f"{where}.source", f"{source!r} is not listed under sources")
        is_event = kind == "event"
        rate = self.probability(entry, where, "rate", required=is_event)
        low = self.probability(entry, where, "low", required=kind == "measure")
        high = self.probability(entry, where, "high", required=kind == "measure")
        if kind == "measure" and rate is not None:
            self.problem(f"{where}.rate", "a measure has a low..high range, not a rate")
        if (low is None) != (high is None):
            self.problem(where, "give both low and high, or neither")
        ordered = [x for x in (low, rate, high) if x is not None]
        if ordered != sorted(ordered):
            self.problem(
                where, f"expected low <= rate <= high, got low={low} rate={rate} high={high}"
            )
        if source is None or kind is None:
            return None
        return Value(source=source, rate=rate, low=low, high=high)

    def probability(self, entry: Any, where: str, key: str, required: bool) -> float | None:
        value = self.get(entry, where, key, (int, float), required=required)
        if value is None:
            return None
        if not 0 <= value <= 1:
            self.problem(f"{where}.{key}", f"{value} is not a probability (0 to 1)")
            return None
        return float(value)


_FRIENDLY = {
    "str": "text",
    "int": "a whole number",
    "float": "a number",
    "dict": "a mapping",
    "list": "a list",
    "date": "a date (YYYY-MM-DD)",
    "bool": "true or false",
}


def _describe(kinds: tuple[type, ...]) -> str:
    if float in kinds:  # an int is a number too; say so once
        kinds = tuple(k for k in kinds if k is not int)
    return " or ".join(_FRIENDLY.get(k.__name__, k.__name__) for k in kinds)
