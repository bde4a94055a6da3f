"""One packet, start to finish: a loaded table and a patient in, a PDF file out."""

from __future__ import annotations

from pathlib import Path

from .accessibility import check_images_described
from .errors import InputError
from .files import check_writable, write_all_atomically
from .html_export import self_contained
from .i18n import Localizer
from .patient import Encounter, Patient
from .pdf import DEFAULT_VARIANT, PDF_VARIANTS, pdf_bytes
from .provenance import provenance
from .render import packet_html, template_folders
from .tables import RiskTable


def render_packet(
    table: RiskTable,
    patient: Patient,
    encounter: Encounter,
    out: Path | None,
    *,
    locale: str | Localizer = "en",
    variant: str = DEFAULT_VARIANT,
    require_reviewed: bool = False,
    templates: Path | None = None,
    html_out: Path | None = None,
) -> Localizer:
    """Write the consent packet for ``patient`` from ``table`` to ``out`` (atomically).

    With ``html_out`` the same packet is also written there as one
    self-contained HTML file; ``out`` may then be None to write only that.
    Returns the Localizer used: its ``fallbacks`` are the strings that printed
    in English because the catalog lacked them.
    """
    if variant not in PDF_VARIANTS:
        raise InputError(
            f"unknown PDF variant {variant!r}; choose one of {', '.join(PDF_VARIANTS)}"
        )
    localizer = locale if isinstance(locale, Localizer) else Localizer(locale)
    if require_reviewed and not localizer.reviewed:
        raise InputError(
            f"the {localizer.locale} translation has not been reviewed; "
            "its packets cannot be used while --require-reviewed is set"
        )
    for target in (out, html_out):
        if target is not None:
            check_writable(target)
    if out is not None and html_out is not None and out.resolve() == html_out.resolve():
        raise InputError(f"the PDF and the HTML preview name the same file, {out.name}")
    html = packet_html(table, patient, encounter, localizer, templates=templates)
    if out is not None and variant != "plain" and templates is not None:
        check_images_described(html)  # (the bundled templates have no image)
    if require_reviewed and localizer.fallbacks:
        raise InputError(
            f"{len(localizer.fallbacks)} text(s) of this packet have no {localizer.locale} "
            "translation and would print in English; --require-reviewed refuses that"
        )
    folders = list(template_folders(templates))
    files = []
    if html_out is not None:  # first: it may be refused, and it costs little
        files.append((self_contained(html, folders).encode("utf-8"), html_out))
    if out is not None:
        record = provenance(table, localizer, folders, templates is not None, variant)
        data = pdf_bytes(
            html,
            base_dir=folders[0],
            variant=variant,
            asset_roots=folders,
            provenance=record,
            created=encounter.date,
        )
        files.append((data, out))
    # Both or neither: a disk that fills while the preview is written leaves no
    # new packet, and no old one replaced.
    write_all_atomically(files)
    return localizer
