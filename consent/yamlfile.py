"""Read a YAML file into plain Python data while remembering where each value was.

PyYAML's ordinary loaders silently keep the last of two duplicate keys and
expand aliases without limit; for a clinical document both are dangerous. This
reader builds the data from the node tree itself, so it can refuse duplicate
keys and aliases, and it records the line of every YAML path so validation
messages can say ``file:line path: problem``.
"""

from __future__ import annotations

import hashlib
import os
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from .errors import TableInvalid

MAX_BYTES = 1_000_000
"""A risk table is a few kilobytes; anything this large is a mistake or an attack."""


@dataclass(frozen=True)
class Located:
    """Parsed YAML data plus the 1-based line of each YAML path ("outcomes[0].values")."""

    data: Any
    lines: dict[str, int]
    where: str
    sha256: str
    """SHA-256 of the exact bytes parsed."""

    def line_of(self, path: str) -> int:
        """The line of ``path``, or of its nearest ancestor that has one."""
        while path:
            if path in self.lines:
                return self.lines[path]
            path = _parent(path)
        return self.lines.get("", 1)

    def at(self, path: str) -> str:
        """``file:line path`` for an error message."""
        return f"{self.where}:{self.line_of(path)} {path or '(top level)'}"


def _parent(path: str) -> str:
    cut = max(path.rfind("."), path.rfind("["))
    return path[:cut] if cut > 0 else ""


def _child(path: str, key: object) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else str(key)


def read_yaml(path: Path, where: str | None = None) -> Located:
    """Parse ``path``; raise TableInvalid with one line per problem if it cannot be read."""
    where = where or str(path)
    try:
        raw = _read_limited(path, where)
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise TableInvalid([f"{where}: not UTF-8 text ({error.reason})"]) from None
    except OSError as error:
        raise TableInvalid([f"{where}: cannot be read ({error.strerror})"]) from None
    return parse_yaml(text, where, hashlib.sha256(raw).hexdigest())


def parse_yaml(text: str, where: str, sha256: str = "") -> Located:
    """Parse YAML text (``where`` names it in messages) with the same rules as read_yaml."""
    loader = _Loader(text)
    try:
        _refuse_aliases_and_deep_nesting(text, where)
        root = loader.get_single_node()
        if root is None:
            raise TableInvalid([f"{where}:1: the file is empty"])
        lines: dict[str, int] = {}
        data = _build(loader, root, "", lines, where)
    except yaml.reader.ReaderError as error:
        line = text.count("\n", 0, error.position) + 1
        raise TableInvalid([f"{where}:{line}: not valid YAML: {error.reason}"]) from None
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark else 1
        problem = error.problem or error.context or "invalid YAML"
        raise TableInvalid([f"{where}:{line}: not valid YAML: {problem}"]) from None
    except yaml.YAMLError as error:
        raise TableInvalid([f"{where}: not valid YAML: {error}"]) from None
    except RecursionError:
        raise TableInvalid([f"{where}: nested too deeply to be a risk table"]) from None
    finally:
        loader.dispose()
    return Located(data, lines, where, sha256)


def _read_limited(path: Path, where: str) -> bytes:
    """The bytes of a regular file of at most MAX_BYTES (a FIFO or device is refused)."""
    # O_NONBLOCK: opening a FIFO must not wait for a writer.
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    with os.fdopen(fd, "rb") as handle:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise TableInvalid([f"{where}: not a regular file"])
        raw = handle.read(MAX_BYTES + 1)
    if len(raw) > MAX_BYTES:
        raise TableInvalid([f"{where}: larger than the limit of {MAX_BYTES:,} bytes"])
    return raw


_PLAIN_COLLECTIONS = ("tag:yaml.org,2002:map", "tag:yaml.org,2002:seq")

# libyaml's C parser when PyYAML has it: ten times faster than the Python one.
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


MAX_DEPTH = 100
"""Deeper than any risk table nests (they nest five levels or so)."""


def _refuse_aliases_and_deep_nesting(text: str, where: str) -> None:
    """Aliases can repeat or blow up content unseen; a risk table never needs one.

    Nesting is measured here, on the parser's events, because building the
    tree is recursive: libyaml's composer overflows the C stack (a segmentation
    fault, not an exception) at about 30,000 levels, which fit in a 1 MB file.
    """
    depth = 0
    for event in yaml.parse(text, Loader=_Loader):
        if isinstance(event, yaml.AliasEvent):
            line = event.start_mark.line + 1
            raise TableInvalid([f"{where}:{line}: YAML aliases (*name) are not allowed"])
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > MAX_DEPTH:
                line = event.start_mark.line + 1
                raise TableInvalid([f"{where}:{line}: nested too deeply to be a risk table"])
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1


def _scalar(loader: Any, node: yaml.Node, path: str, where: str) -> Any:
    try:
        return loader.construct_object(node, deep=True)
    except ValueError as error:  # e.g. a date such as 2026-02-30
        line = node.start_mark.line + 1
        raise TableInvalid(
            [f"{where}:{line} {path}: {node.value!r} is not valid ({error})"]
        ) from None


def _build(loader: Any, node: yaml.Node, path: str, lines: dict[str, int], where: str) -> Any:
    line = node.start_mark.line + 1
    lines[path] = line
    if isinstance(node, yaml.CollectionNode) and node.tag not in _PLAIN_COLLECTIONS:
        raise TableInvalid(
            [f"{where}:{line} {path or '(top level)'}: the tag {node.tag} is not allowed"]
        )

    if isinstance(node, yaml.MappingNode):
        result: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                raise TableInvalid([f"{where}:{line} {path}: YAML merge keys (<<) are not allowed"])
            key = _scalar(loader, key_node, path, where)
            if not isinstance(key, str):
                # 1 and "1" would be two different keys; dates and booleans worse.
                at = f"{where}:{key_node.start_mark.line + 1} {path or '(top level)'}"
                raise TableInvalid([f"{at}: the key {key!r} must be text (put quotes around it)"])
            child = _child(path, key)
            if key in result:
                raise TableInvalid(
                    [
                        f"{where}:{key_node.start_mark.line + 1} {child}: duplicate key "
                        f"(first given on line {lines[child]})"
                    ]
                )
            result[key] = _build(loader, value_node, child, lines, where)
            lines[child] = key_node.start_mark.line + 1
        return result
    if isinstance(node, yaml.SequenceNode):
        return [
            _build(loader, item, _child(path, index), lines, where)
            for index, item in enumerate(node.value)
        ]
    return _scalar(loader, node, path, where)
