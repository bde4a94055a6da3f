"""Find, load and check risk table files.

Tables live in one or more *roots* (an institution's folders first, then the
bundled ``risk_tables/``), as ``<root>/<procedure>/<version>.yaml``. The first
root that has a procedure provides all its versions. Each root may hold a
``LOCK`` file recording the SHA-256 of every approved version, in the format
of ``sha256sum`` (so ``sha256sum -c LOCK`` checks it too).
"""

from __future__ import annotations

import copy
import itertools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from ..errors import TableInvalid, TableNotFound
from ..files import write_text_atomically
from ..resources import tables_dir
from ..yamlfile import Located, read_yaml
from .schema import (
    VERSION_PATTERN,
    EventOutcome,
    EventValue,
    MeasureOutcome,
    Option,
    RangeValue,
    RiskTable,
    Source,
    cross_checks,
)

LOCK_NAME = "LOCK"
_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,79}$")
_VERSION = re.compile(VERSION_PATTERN)
_PROBABILITY_FIELDS = {"rate", "low", "high"}


def version_key(version: str) -> tuple[tuple[int, int | str], ...]:
    """Order versions by number: 2026.2 < 2026.10 (names that are not numbers sort last)."""
    parts = version.split(".")
    if all(p.isascii() and p.isdigit() for p in parts):
        # Trailing zeros do not count: 2026.1 and 2026.1.0 are the same version.
        numbers = [int(p) for p in parts]
        while len(numbers) > 1 and numbers[-1] == 0:
            numbers.pop()
        return tuple((0, n) for n in numbers)
    return ((1, version),)


def default_roots(extra: Iterable[Path] = (), bundled: bool = True) -> list[Path]:
    """An institution's folders first, then (unless ``bundled`` is false) the bundled tables."""
    return [*extra, *([tables_dir()] if bundled else [])]


def procedures(roots: Sequence[Path] | None = None) -> dict[str, Path]:
    """Every procedure id and the folder that provides it (the first root wins).

    A table file that would be passed over (``2026.3.yml``, a folder named
    ``Bariatric-Revision``) is an error, not a silence: the same procedure in
    a later root (the bundled example figures) would be used in its place.
    """
    found: dict[str, Path] = {}
    for root in roots if roots is not None else default_roots():
        if not root.is_dir():
            continue
        for folder in sorted(root.iterdir()):
            if not folder.is_dir() or folder.name.startswith("."):
                continue
            if _version_files(folder):
                found.setdefault(folder.name, folder)
    return dict(sorted(found.items()))


_VERSION_STEM = re.compile(r"^(\d+(?:\.\d+)*)(?=[.\s]|$)")


def table_files(folder: Path) -> list[Path]:
    """The files of a procedure folder that are, or look like, versions of its table.

    Besides ``<version>.yaml``, a file named like a version in another way
    (``2026.3.yml``, ``2026.3.yaml.txt`` as some editors save it, ``2026.3``,
    ``"2026.3.yaml "``) when no ``2026.3.yaml`` stands beside it: passed over,
    the version would be missing without a word. A backup of a version that is
    there (``2026.2.yaml.orig``, ``2026.2.yaml~``) is not one.
    """
    names = {path.name for path in folder.iterdir()}
    found = []
    for name in sorted(names):
        stem = _VERSION_STEM.match(name)
        if name.endswith(".yaml") or (stem and f"{stem[1]}.yaml" not in names):
            found.append(folder / name)
    return found


def _misnamed(path: Path) -> str | None:
    if path.name.endswith(".yaml") and path.name == path.name.strip():
        return None
    return f"{path}: table files are named <version>.yaml; rename it, or this version is not used"


def _version_files(folder: Path) -> list[Path]:
    """The version files of a procedure folder (misnamed ones too: see ``versions``)."""
    files = table_files(folder)
    if files and not _SLUG.match(folder.name):
        raise TableInvalid(
            [
                f"{folder}: a procedure folder is named by its table id, in lowercase letters, "
                "digits and hyphens; rename it, or its tables are not used"
            ]
        )
    return files


def versions(folder: Path) -> list[str]:
    """The version names of a procedure folder, oldest first.

    Two names that order the same (2026.1 and 2026.01) would make the default
    depend on the file system, so they are refused.
    """
    for path in _version_files(folder):  # refused here, when this procedure is used
        if problem := _misnamed(path):
            raise TableInvalid([problem])
    names = sorted((p.stem for p in folder.glob("*.yaml")), key=version_key)
    for older, newer in itertools.pairwise(names):
        if version_key(older) == version_key(newer):
            raise TableInvalid(
                [f"{folder}: versions {older!r} and {newer!r} are the same number; keep one"]
            )
    return names


def load_table(
    procedure: str,
    version: str | None = None,
    *,
    roots: Sequence[Path] | None = None,
    allow_draft: bool = False,
    strict: bool = False,
) -> RiskTable:
    """Load a procedure's risk table.

    With ``version`` that version is loaded; otherwise the newest ``approved``
    version, or failing that the newest ``reference`` one. Drafts are used only
    when ``allow_draft`` is true.
    """
    folders = procedures(roots)
    if procedure not in folders:
        known = ", ".join(folders) or "none"
        raise TableNotFound(f"unknown procedure {procedure!r}; available: {known}")
    folder = folders[procedure]
    available = versions(folder)

    if version is not None:
        if not _VERSION.match(version) or version not in available:
            raise TableNotFound(
                f"procedure {procedure!r} has no version {version!r}; "
                f"available: {', '.join(available) or 'none'}"
            )
        table = load_table_file(folder / f"{version}.yaml", strict=strict)
        if table.status == "draft" and not allow_draft:
            raise TableNotFound(
                f"{procedure} version {version} is a draft, not for patients "
                "('consent render --allow-draft' renders it anyway)"
            )
        return table

    tables = [load_table_file(folder / f"{v}.yaml", strict=strict) for v in available]
    for wanted in ("approved", "reference", "draft"):
        if wanted == "draft" and not allow_draft:
            break
        candidates = [t for t in tables if t.status == wanted]
        if candidates:
            return candidates[-1]
    raise TableNotFound(
        f"procedure {procedure!r} has only draft versions, not for patients "
        "('consent render --allow-draft' renders one anyway)"
    )


def load_table_file(path: Path, *, strict: bool = False) -> RiskTable:
    """Load and validate one version file.

    Raises TableInvalid listing every problem as ``file:line yaml.path: message``.
    Unknown keys are warnings (kept on ``table.warnings``) unless ``strict``.
    """
    table = _load_unlocked(path, strict)
    check_lock(table)
    return table


def _load_unlocked(path: Path, strict: bool = False) -> RiskTable:
    if problem := _misnamed(path):
        raise TableInvalid([problem])
    report = _validate(read_yaml(path), path, strict)
    if report.table is None:
        raise TableInvalid(report.errors + report.warnings)
    return report.table


@dataclass
class _Report:
    table: RiskTable | None
    errors: list[str]
    warnings: list[str]


def _validate(doc: Located, path: Path, strict: bool) -> _Report:
    data = doc.data
    if not isinstance(data, dict):
        return _Report(None, [f"{doc.at('')}: a risk table must be a mapping of keys"], [])
    errors: list[str] = []
    unknown: list[tuple[list[str | int], str]] = []
    try:
        table = RiskTable.model_validate(data)
    except ValidationError as error:
        table = None
        for raw_loc, message, is_unknown in _explain(error, data):
            line = f"{doc.at(_yaml_path(raw_loc))}: {message}"
            if is_unknown:
                unknown.append((raw_loc, line))
            else:
                errors.append(line)
    if table is None and not errors:
        # Only unknown keys were wrong. Checks of a whole value (a figure
        # without its source, low <= rate) run once they are dropped.
        try:
            table = RiskTable.model_validate(_without(data, [loc for loc, _ in unknown]))
        except ValidationError as error:
            errors += [
                f"{doc.at(_yaml_path(raw_loc))}: {message}"
                for raw_loc, message, _ in _explain(error, data)
            ]
    if strict:
        errors += [line for _, line in unknown]
        warnings = []
    else:
        warnings = [f"{line} (ignored; an error with --strict)" for _, line in unknown]
    if table is None or errors:
        return _Report(None, errors, warnings)

    folder = path.absolute().parent.name  # "2026.1.yaml", typed in its own folder, has one too
    if table.id != folder:
        errors.append(f"{doc.at('id')}: {table.id!r} does not match its folder {folder!r}")
    if table.version != path.stem:
        errors.append(
            f"{doc.at('version')}: {table.version!r} does not match the file name {path.name!r}"
        )
    errors += [f"{doc.at(where)}: {message}" for where, message in cross_checks(table)]
    if errors:
        return _Report(None, errors, warnings)
    table = table.model_copy(
        update={"path": path, "sha256": doc.sha256, "warnings": tuple(warnings)}
    )
    return _Report(table, [], warnings)


def _raw_loc(loc: tuple[str | int, ...], data: dict[str, Any]) -> list[str | int]:
    """Pydantic's error location as a path into the YAML data.

    Two translations: options are validated as a list but written as a mapping
    (index -> key), and an outcome's location carries its ``kind`` tag.
    """
    raw: list[str | int] = []
    items = list(loc)
    while items:
        item = items.pop(0)
        raw.append(item)
        if raw == ["options"] and items and isinstance(items[0], int):
            keys = list(data["options"]) if isinstance(data.get("options"), dict) else []
            index = items.pop(0)
            raw.append(str(keys[index]) if isinstance(index, int) and index < len(keys) else index)
        if len(raw) == 2 and raw[0] == "outcomes" and items and items[0] in ("event", "measure"):
            items.pop(0)
    return raw


def _yaml_path(raw: list[str | int]) -> str:
    path = ""
    for item in raw:
        path = f"{path}[{item}]" if isinstance(item, int) else (f"{path}.{item}" if path else item)
    return path


def _explain(
    error: ValidationError, data: dict[str, Any]
) -> list[tuple[list[str | int], str, bool]]:
    """Each pydantic error as (YAML location, plain message, is an unknown key)."""
    explained = []
    items = error.errors(include_url=False)
    for item in items:
        if item["type"] == "too_short" and any(
            other["loc"][: len(item["loc"])] == item["loc"] and len(other["loc"]) > len(item["loc"])
            for other in items
        ):
            # pydantic also says a list whose only items failed is too short: the
            # items' own errors say what is wrong.
            continue
        raw = _raw_loc(item["loc"], data)
        kind, value = item["type"], item.get("input")
        field = raw[-1] if raw else ""
        if kind.startswith("union_tag"):
            raw = [*raw, "kind"]
        if kind == "missing":
            explained.append((raw[:-1], f"missing required key {field!r}", False))
        elif kind == "extra_forbidden":
            mistaken = _mistaken_key(str(field), item["loc"])
            explained.append((raw, f"unknown key {field!r}{mistaken}", not mistaken))
        elif kind in ("greater_than_equal", "less_than_equal") and field in _PROBABILITY_FIELDS:
            explained.append((raw, f"{value} is not a probability (0 to 1)", False))
        else:
            explained.append((raw, _message(kind, value, item["msg"], str(field)), False))
    return explained


def _keys(model: type[BaseModel]) -> frozenset[str]:
    """The keys a table file may give ``model``, as written in YAML."""
    loader = ("path", "sha256", "warnings", "key")
    return frozenset(
        field.alias or name for name, field in model.model_fields.items() if name not in loader
    )


_FIGURE_KEYS = _keys(EventValue) | _keys(RangeValue)
_RANGE_WORDS = {
    **dict.fromkeys(("lower", "min", "minimum", "ci_low", "lower_ci", "lcl"), "low"),
    **dict.fromkeys(("upper", "max", "maximum", "ci_high", "upper_ci", "ucl"), "high"),
    **dict.fromkeys(("percent", "probability", "risk", "proportion", "value"), "rate"),
}
"""What else people call a figure's parts: ignored, a range was dropped from the packet."""


def _keys_at(loc: tuple[str | int, ...]) -> frozenset[str]:
    """The keys the schema has where pydantic found an unknown key (its ``loc``)."""
    parent = loc[:-1]
    if not parent:
        return _keys(RiskTable)
    if parent[0] == "options" and len(parent) == 2:
        return _keys(Option)
    if parent[0] == "sources" and len(parent) == 2:
        return _keys(Source)
    if parent[0] == "outcomes" and len(parent) == 3:
        return _keys(EventOutcome if parent[2] == "event" else MeasureOutcome)
    if parent[0] == "outcomes" and len(parent) == 5:
        return _keys(EventValue if parent[2] == "event" else RangeValue)
    return frozenset()


def _mistaken_key(key: str, loc: tuple[str | int, ...]) -> str:
    """Why an unknown key is an error rather than a warning, or "".

    In a figure, a key of another kind of figure (``not_reported`` on a
    measure) or another name for one of its parts (``upper``, ``ci_low``); and
    anywhere, a key a letter or two from one the schema has there (``poeple``,
    ``sorce``, ``HIGH``) or the start of one (``lo``, ``hi``): ignoring it
    would print a figure without its range, its people or its source. Other
    keys (an institution's own ``comments`` or ``notes``) are only warned about.
    """
    here = _keys_at(loc)
    folded = key.casefold()
    if here and here <= _FIGURE_KEYS:
        if folded in _FIGURE_KEYS - here:
            return " (it does not belong in this kind of figure)"
        if _RANGE_WORDS.get(folded) in here:
            return f" (did you mean {_RANGE_WORDS[folded]!r}?)"
    for known in sorted(here):
        typos = 2 if min(len(folded), len(known)) >= 8 else 1
        close = len(folded) >= 4 and _edits(folded, known) <= typos
        if close or (len(folded) >= 2 and known.startswith(folded)) or folded == known:
            return f" (did you mean {known!r}?)"
    return ""


def _edits(a: str, b: str) -> int:
    """Letters added, dropped, changed or swapped with a neighbour to make ``a`` into ``b``."""
    before, row = [0] * (len(b) + 1), list(range(len(b) + 1))
    for i, char in enumerate(a, 1):
        current = [i] + [0] * len(b)
        for j, other in enumerate(b, 1):
            current[j] = min(row[j] + 1, current[j - 1] + 1, row[j - 1] + (char != other))
            if i > 1 and j > 1 and char == b[j - 2] and a[i - 2] == other:
                current[j] = min(current[j], before[j - 2] + 1)
        before, row = row, current
    return row[-1]


_TYPE_WORDS = {
    "float": "a number",
    "int": "a whole number",
    "string": "text",
    "bool": "true or false",
    "date": "a date (YYYY-MM-DD)",
    "dict": "a mapping of keys",
    "tuple": "a list",
    "model": "a mapping of keys",
}


_PATTERNS = {
    "version": "is not a valid version (letters, digits, '.' and '-')",
    "pmid": "is not a PubMed id (digits only)",
}


def _message(kind: str, value: Any, fallback: str, field: str) -> str:
    family = kind.split("_", 1)[0]
    if family in _TYPE_WORDS and kind.endswith(("_type", "_parsing", "_attributes_type")):
        return f"{value!r} should be {_TYPE_WORDS[family]}"
    if kind == "string_too_short":
        return "must not be empty"
    if kind == "string_pattern_mismatch":
        return f"{value!r} " + _PATTERNS.get(
            field, "is not a valid id (lowercase letters, digits, '-')"
        )
    if kind == "union_tag_invalid":
        return f"{value.get('kind')!r} is not 'event' or 'measure'"
    if kind == "union_tag_not_found":
        return "missing required key 'kind' ('event' or 'measure')"
    if kind == "literal_error" and field == "schema":
        return f"schema {value!r} is not supported (this consent reads schema 1)"
    if kind == "literal_error":
        return f"{value!r} {fallback.removeprefix('Input ')}"
    if kind == "too_short":
        return fallback.replace("List", "this list").replace("Tuple", "this list")
    return fallback.removeprefix("Value error, ")


def _without(data: dict[str, Any], locations: list[list[str | int]]) -> dict[str, Any]:
    """A copy of ``data`` with the keys at ``locations`` removed."""
    pruned = copy.deepcopy(data)
    for location in locations:
        node: Any = pruned
        for step in location[:-1]:
            node = node[step]
        node.pop(location[-1], None)
    return pruned


_NOT_PRINTED = frozenset({"approved_by"})
"""A table's texts no packet shows (who approved it is in the file, for the record)."""


def unprintable_texts(path: Path, fonts_dir: Path) -> list[str]:
    """Every text of a table file the packet's fonts cannot print, as
    ``file:line yaml.path: what``: a packet from it would be refused."""
    from ..fonts import unprintable

    doc = read_yaml(path)
    found = []

    def walk(node: Any, where: list[str | int]) -> None:
        if isinstance(node, str):
            if (missing := unprintable(node, fonts_dir)) is not None:
                found.append(
                    f"{doc.at(_yaml_path(where))}: has {missing} that the packet's fonts "
                    "cannot print (they cover Latin, Greek, Cyrillic and Arabic letters)"
                )
        elif isinstance(node, dict):
            for key, value in node.items():
                if where or key not in _NOT_PRINTED:
                    walk(value, [*where, str(key)])
        elif isinstance(node, list):
            for index, value in enumerate(node):
                walk(value, [*where, index])

    walk(doc.data, [])
    return found


# --- the lock on approved versions -------------------------------------------------


def lock_path(table_file: Path) -> Path:
    """The LOCK file of the root a version file lives in."""
    return table_file.parent.parent / LOCK_NAME


def read_lock(lock: Path) -> dict[str, str]:
    """``{"procedure/version.yaml": sha256}`` from a LOCK file (empty if there is none)."""
    if not lock.exists():
        return {}
    try:
        text = lock.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        reason = getattr(error, "strerror", None) or "not UTF-8 text"
        raise TableInvalid([f"{lock}: cannot be read ({reason})"]) from None
    entries: dict[str, str] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        digest, _, name = line.partition("  ")
        if not re.fullmatch(r"[0-9a-f]{64}", digest) or not name:
            raise TableInvalid([f"{lock}:{number}: not a 'sha256  procedure/version.yaml' line"])
        if name in entries:
            raise TableInvalid([f"{lock}:{number}: {name} is listed twice"])
        entries[name] = digest
    return entries


def check_lock(table: RiskTable) -> None:
    """A file in the LOCK must have exactly its recorded bytes, whatever its status now;
    an approved file must be in the LOCK."""
    if table.path is None:
        return
    lock = lock_path(table.path)
    name = f"{table.path.parent.name}/{table.path.name}"
    recorded = read_lock(lock).get(name)
    if recorded is None:
        if table.status == "approved":
            raise TableInvalid(
                [f"{table.path}: approved but not recorded in {lock}; run 'consent tables lock'"]
            )
        return
    if recorded != table.sha256:
        raise TableInvalid(
            [
                f"{table.path}: this approved table was changed after it was locked "
                f"(LOCK has {recorded[:12]}…, the file is {table.sha256[:12]}…); "
                "approved versions are immutable: publish a new version instead"
            ]
        )


def lock_tables(root: Path) -> list[str]:
    """Record the SHA-256 of every approved version under ``root`` in its LOCK file.

    Returns the names newly recorded. An entry already in the LOCK is never
    changed: if its file no longer matches, that is an error, because an
    approved version must not change (publish a new version instead).
    """
    lock = root / LOCK_NAME
    entries = read_lock(lock)
    added = []
    for folder in sorted(p for p in root.iterdir() if p.is_dir() and _SLUG.match(p.name)):
        for version in versions(folder):
            table = _load_unlocked(folder / f"{version}.yaml")
            name = f"{folder.name}/{version}.yaml"
            if name in entries:
                check_lock(table)  # a recorded file must not have changed
            elif table.status == "approved":
                if table.warnings:  # what is approved is what is read: no key ignored
                    _load_unlocked(folder / f"{version}.yaml", strict=True)
                entries[name] = table.sha256
                added.append(name)
    lines = [
        "# SHA-256 of every approved risk table version; written by 'consent tables lock'.",
        "# Approved versions are immutable: loading one whose bytes differ is an error.",
        *(f"{digest}  {name}" for name, digest in sorted(entries.items())),
    ]
    write_text_atomically(lock, "\n".join(lines) + "\n")
    return added
