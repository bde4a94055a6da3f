"""Provenance of a packet: what it was made from, attached to the PDF, and checked later.

Every packet carries ``consent-provenance.json`` as an embedded file: the tool
version, the risk table (id, version, status, SHA-256 of its file), the
language and whether its translation was reviewed, the template set, and a
SHA-256 of the pages' content streams (the text and drawings a reader sees).
It holds no patient data. ``consent verify`` reads it back: the table version
must still exist with the same bytes, and the pages must hash the same.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, cast

from . import __version__
from .i18n import Localizer
from .tables import RiskTable

FORMAT = "consent-provenance/1"
ATTACHMENT_NAME = "consent-provenance.json"
PLACEHOLDER = "0" * 64
"""Stands for the content digest until the pages exist (same length as a digest)."""


def content_digest(page_contents: Iterable[bytes]) -> str:
    """SHA-256 over every page's decoded content stream, in page order."""
    digest = hashlib.sha256()
    for data in page_contents:
        digest.update(len(data).to_bytes(8, "big"))
        digest.update(data)
    return digest.hexdigest()


@lru_cache(maxsize=8)
def folder_digest(folders: tuple[Path, ...]) -> str:
    """SHA-256 of every file of the template folders (what the packet was laid out with)."""
    digest = hashlib.sha256()
    for folder in folders:
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            digest.update(str(path.relative_to(folder)).encode() + b"\0")
            digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def catalog_digest(loc: Localizer) -> str | None:
    """SHA-256 of the compiled catalog the packet's text comes from (None for English)."""
    from .catalogs import po_path

    mo = po_path(loc.locale, loc.root).with_suffix(".mo")
    return hashlib.sha256(mo.read_bytes()).hexdigest() if mo.is_file() else None


def provenance(
    table: RiskTable, loc: Localizer, folders: Sequence[Path], custom: bool, variant: str
) -> dict[str, Any]:
    """The record attached to a packet, with the content digest still a placeholder."""
    return {
        "format": FORMAT,
        "tool": {"name": "consent", "version": __version__},
        "table": {
            "id": table.id,
            "version": table.version,
            "status": table.status,
            "sha256": table.sha256,
        },
        "language": {
            "locale": loc.locale,
            "translation_reviewed": loc.reviewed,
            "catalog_sha256": catalog_digest(loc),
        },
        "templates": {"custom": custom, "sha256": folder_digest(tuple(folders))},
        "pdf_variant": variant,
        "content_sha256": PLACEHOLDER,
    }


def to_json(record: dict[str, Any]) -> str:
    return json.dumps(record, indent=2, sort_keys=True) + "\n"


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str


def verify(pdf: Path, roots: Sequence[Path] | None = None) -> list[Check]:
    """Check a finished packet against its provenance record and the risk tables."""
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    from .errors import ConsentError, InputError
    from .tables import load_table

    try:
        reader = PdfReader(pdf)
        attachments = reader.attachments
    except (OSError, PdfReadError, ValueError) as error:
        raise InputError(f"{pdf} cannot be read as a PDF ({error})") from None
    if ATTACHMENT_NAME not in attachments:
        return [Check("provenance", False, f"no {ATTACHMENT_NAME} attached: not a consent packet")]
    try:
        record = json.loads(attachments[ATTACHMENT_NAME][0])
        if record.get("format") != FORMAT:
            raise ValueError(f"unknown format {record.get('format')!r}")
        table = record["table"]
    except (ValueError, KeyError, TypeError) as error:
        return [Check("provenance", False, f"{ATTACHMENT_NAME} is not readable ({error})")]

    checks = [Check("provenance", True, f"made by consent {record['tool']['version']}")]
    contents = [cast(Any, page["/Contents"]).get_object().get_data() for page in reader.pages]
    unchanged = content_digest(contents) == record.get("content_sha256")
    checks.append(
        Check(
            "content",
            unchanged,
            "pages unchanged since the packet was made"
            if unchanged
            else "the pages were changed after the packet was made",
        )
    )
    try:
        current = load_table(table["id"], table["version"], roots=roots, allow_draft=True)
    except ConsentError as error:
        checks.append(Check("risk table", False, str(error)))
    else:
        same = current.sha256 == table["sha256"]
        detail = f"{table['id']} {table['version']} ({table['status']})"
        checks.append(
            Check(
                "risk table",
                same,
                f"{detail} unchanged"
                if same
                else f"{detail} differs from the file it was made from",
            )
        )
    language = record.get("language", {})
    reviewed = language.get("translation_reviewed", False)
    checks.append(
        Check(
            "language",
            True,
            f"{language.get('locale')}, translation "
            + ("reviewed" if reviewed else "not reviewed"),
        )
    )
    return checks
