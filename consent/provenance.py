"""Provenance of a packet: what it was made from, attached to the PDF, and checked later.

Every packet carries ``consent-provenance.json`` as an embedded file: the tool
version, the risk table (id, version, status, SHA-256 of its file), the
language and whether its translation was reviewed, the template set, and a
SHA-256 of everything the pages show (``consent.pdfdigest``: content, fonts,
graphics states, colours, page boxes, and the tagged structure a screen
reader reads).
It holds no patient data. ``consent verify`` reads it back: the table version
must still exist with the same bytes, and the pages must hash the same.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, cast

from . import __version__
from .i18n import SOURCE_LOCALE, Localizer, resolve_locale
from .pdfdigest import read_digest
from .tables import RiskTable

FORMAT = "consent-provenance/4"
"""/4: the content digest also covers the record itself and the document title;
/3 covered what the pages show (``consent.pdfdigest``); /2 only the content
streams and the page frames."""
ATTACHMENT_NAME = "consent-provenance.json"
PLACEHOLDER = "0" * 64
"""Stands for the content digest until the pages exist (same length as a digest)."""


@lru_cache(maxsize=8)
def folder_digest(folders: tuple[Path, ...]) -> str:
    """SHA-256 of every file of the template folders (what the packet was laid out with).

    A link to a file outside its folder is left out: templates and assets are
    never read through one (``render._FolderLoader``, ``pdf.AssetsOnlyFetcher``).
    Files are hashed a block at a time, so a large one is not read whole.
    """
    digest = hashlib.sha256()
    for folder in folders:
        root = folder.resolve()
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            if not path.resolve().is_relative_to(root):
                continue
            digest.update(str(path.relative_to(folder)).encode() + b"\0")
            with path.open("rb") as file:
                digest.update(hashlib.file_digest(file, "sha256").digest())
    return digest.hexdigest()


def catalog_digest(loc: Localizer) -> str | None:
    """SHA-256 of the compiled catalogs the packet's text comes from (None for
    English): of the one catalog's file, or, where a regional catalog falls
    back to its language's (es-MX, then es), of each file's digest in turn."""
    from .catalogs import po_path

    digests = [
        hashlib.sha256(po_path(lang, loc.root).with_suffix(".mo").read_bytes()).hexdigest()
        for lang in loc.catalogs
    ]
    if len(digests) <= 1:
        return digests[0] if digests else None
    return hashlib.sha256("\n".join(digests).encode()).hexdigest()


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
    from pypdf.errors import PdfReadError, PyPdfError

    from .errors import ConsentError, InputError
    from .tables import load_table

    with _repairs() as repaired:
        try:
            reader = PdfReader(pdf)
            attachments = reader.attachments
        except (OSError, PdfReadError, ValueError) as error:
            raise InputError(f"{pdf} cannot be read as a PDF ({error})") from None
        try:
            # pypdf reads an attachment's contents to say whether it is there.
            if ATTACHMENT_NAME not in attachments:
                message = f"no {ATTACHMENT_NAME} attached: not a consent packet"
                return [Check("provenance", False, message)]
            raw = attachments[ATTACHMENT_NAME][0]
            record = _record(raw)
            others = sum(len(files) for files in attachments.values()) - 1 + _other_af(reader)
        except (ValueError, PyPdfError) as error:  # PyPdfError: also pypdf's size limits
            return [Check("provenance", False, f"{ATTACHMENT_NAME} is not readable ({error})")]
        claimed = record["content_sha256"]
        try:
            changed = read_content_digest(reader, raw, claimed) != claimed
            reason = _drawn_over(reader) if changed else None
        except Exception:
            # An edited file can break pypdf's reading anywhere (bad filters,
            # missing objects, loops): what cannot be read as the packet wrote it
            # has changed.
            changed, reason = True, None
        printable = _printing_allowed(reader)
    table = record["table"]
    made_by = f"made by consent {record['tool']['version']}"
    if record.get("templates", {}).get("custom") is not False:
        made_by += ", laid out with an institution's own templates (not checked here)"
    checks = [Check("provenance", True, made_by)]
    if others:
        # The digest leaves attachments out (the record is one); a file added
        # later could still be taken for part of the packet.
        changed = True
        reason = reason or f"{others} other file(s) were attached after it was made"
    if not printable:
        changed = True
        reason = reason or "the file was locked against printing"
    if repaired and not changed:
        # A packet as made needs no repair; where pypdf repairs (an object not
        # where the file's index says), viewers may read another object.
        changed, reason = True, f"the file had to be repaired to be read ({repaired[0]})"
    checks.append(
        Check(
            "content",
            not changed,
            reason
            or (
                "the pages or the provenance record were changed after the packet was made"
                if changed
                else "pages unchanged since the packet was made"
            ),
        )
    )
    try:
        current = load_table(table["id"], table["version"], roots=roots, allow_draft=True)
    except ConsentError as error:
        checks.append(Check("risk table", False, str(error)))
    else:
        same = current.sha256 == table["sha256"]
        detail = f"{table['id']} {table['version']} ({current.status})"
        if not same:
            detail += " differs from the file it was made from"
        elif current.status != table["status"]:
            # The file is the one the packet was made from, so its status is the truth.
            same = False
            detail += f" is not {table['status']}, as the packet's record says"
        else:
            detail += " unchanged"
        checks.append(Check("risk table", same, detail))
    checks.append(_language_check(record["language"], _document_language(reader)))
    return checks


def _document_language(reader: Any) -> str | None:
    """The PDF's /Lang, which the content digest covers, so a record cannot lie about it."""
    try:
        lang = reader.trailer["/Root"].get("/Lang")
    except Exception:
        return None
    return str(lang) if lang is not None else None


def _language_check(language: dict[str, Any], document_language: str | None) -> Check:
    """The record's review mark, checked against the catalog it names when that
    catalog is still the one installed: like a table's status, the mark is the
    catalog's, not the packet's to claim. A catalog edited since (translations
    change; tables do not) leaves "not reviewed" as recorded, and says so; it
    cannot confirm "reviewed", which then fails."""
    from .errors import ConsentError

    claimed = language.get("translation_reviewed") is True
    detail = f"{language['locale']}, translation " + ("reviewed" if claimed else "not reviewed")
    try:
        loc = Localizer(language["locale"])
        written_in = resolve_locale(document_language) if document_language else None
    except ConsentError as error:
        return Check("language", False, f"{detail}, but {error}")
    if written_in != loc.locale:
        pages = document_language or "no language"
        return Check("language", False, f"{detail}, but the pages are in {pages}")
    if catalog_digest(loc) != language.get("catalog_sha256"):
        # Claiming less than the truth harms no one; a "reviewed" that the catalog
        # cannot confirm (edited since, or its digest taken out) is not verified.
        if claimed and loc.locale != SOURCE_LOCALE:
            return Check(
                "language",
                False,
                f"{detail}, which cannot be confirmed: the catalog it names is not "
                "the one installed here",
            )
        return Check("language", True, f"{detail} (as recorded; the catalog has changed since)")
    if claimed and not loc.reviewed:
        actual = "the catalog it was made with is not reviewed"
        return Check("language", False, f"{detail}, but {actual}")
    if loc.reviewed and not claimed:
        # Reviewed since the packet was made, with the same text: the packet
        # honestly said it was not, and claiming less than the truth harms no one.
        return Check("language", True, f"{detail} (as recorded; the catalog was reviewed since)")
    return Check("language", True, detail)


RECORD_FIELDS = {
    "tool": ("version",),
    "table": ("id", "version", "status", "sha256"),
    "language": ("locale",),
}
"""The text fields of a record that ``verify`` reads and prints."""


def _record(raw: bytes) -> dict[str, Any]:
    """The provenance record, with the parts ``verify`` reads; ValueError if it is not one."""
    record = json.loads(raw)
    if not isinstance(record, dict) or record.get("format") != FORMAT:
        found = record.get("format") if isinstance(record, dict) else None
        raise ValueError(f"unknown format {_shown(found)}")
    for part, fields in RECORD_FIELDS.items():
        value = record.get(part)
        if not isinstance(value, dict) or not all(isinstance(value.get(f), str) for f in fields):
            raise ValueError(f"its {part!r} part is missing or malformed")
        if any(not value[f].isprintable() for f in fields):
            # verify prints these: a line break or a terminal escape could forge its report.
            raise ValueError(f"its {part!r} part has characters that cannot be printed")
    digest = record.get("content_sha256")
    if not isinstance(digest, str) or len(digest) != 64 or not digest.isascii():
        raise ValueError("its content digest is missing or malformed")
    return record


def _shown(value: Any) -> str:
    """A value from the record, quoted and with control characters escaped."""
    return ascii(value) if isinstance(value, str) else repr(type(value).__name__)


def read_content_digest(reader: Any, raw: bytes, claimed: str) -> str:
    """The content digest of a PDF read by pypdf, whose attached record ``raw``
    claims the digest ``claimed``: the record is digested as it was attached,
    with the placeholder back where the digest stands."""

    def field(digest: str) -> bytes:  # as ``to_json`` writes it
        return f'"content_sha256": "{digest}"'.encode()

    return read_digest(reader, raw.replace(field(claimed), field(PLACEHOLDER), 1))


def _other_af(reader: Any) -> int:
    """Files the catalog's /AF lists besides the record (PDF/A-3b lists the record
    there too): a file can be attached through /AF alone."""
    try:
        listed = reader.trailer["/Root"].get("/AF") or []
        specs = [f.get_object() for f in listed]
        return sum(str(spec.get("/UF") or spec.get("/F")) != ATTACHMENT_NAME for spec in specs)
    except Exception:  # an /AF that cannot be read as file specifications is not the packet's
        return 1


def _printing_allowed(reader: Any) -> bool:
    """False when the file's encryption forbids printing (a packet is printed to be signed)."""
    if not reader.is_encrypted:
        return True
    from pypdf.constants import UserAccessPermissions

    return UserAccessPermissions.PRINT in reader.user_access_permissions


class _Collected(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


@contextmanager
def _repairs() -> Iterator[list[str]]:
    """What pypdf reports having repaired while the file is read (it logs, then goes on)."""
    handler = _Collected()
    logger = logging.getLogger("pypdf")
    logger.addHandler(handler)
    try:
        yield handler.messages
    finally:
        logger.removeHandler(handler)


def _drawn_over(reader: Any) -> str | None:
    """The annotation drawn over a changed page, to name the change, or None.

    The digest covers every annotation, so one added in a PDF editor (a
    comment, a stamp, a form field, a text box that could hide or change a
    number) already fails the check; this says which. Links without an
    appearance, as an institution's templates may make, are not named.
    """
    for number, page in enumerate(reader.pages, 1):
        for annotation in cast(Any, page.get("/Annots") or []):
            annotation = annotation.get_object()
            if annotation.get("/Subtype") != "/Link" or "/AP" in annotation:
                kind = str(annotation.get("/Subtype", "/unknown"))[1:]
                return f"page {number} has a {kind} annotation drawn over it"
    return None
