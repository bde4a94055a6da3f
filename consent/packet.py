"""One packet, start to finish: a loaded table and a patient in, a PDF file out."""

from __future__ import annotations

from pathlib import Path

from .errors import InputError
from .files import check_writable
from .i18n import Localizer
from .patient import Encounter, Patient
from .pdf import DEFAULT_VARIANT, PDF_VARIANTS, write_pdf
from .provenance import provenance
from .render import packet_html, template_folders
from .tables import RiskTable


def render_packet(
    table: RiskTable,
    patient: Patient,
    encounter: Encounter,
    out: Path,
    *,
    locale: str | Localizer = "en",
    variant: str = DEFAULT_VARIANT,
    require_reviewed: bool = False,
    templates: Path | None = None,
) -> Localizer:
    """Write the consent packet for ``patient`` from ``table`` to ``out`` (atomically).

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
    check_writable(out)
    html = packet_html(table, patient, encounter, localizer, templates=templates)
    folders = list(template_folders(templates))
    record = provenance(table, localizer, folders, templates is not None, variant)
    write_pdf(
        html,
        out,
        base_dir=folders[0],
        variant=variant,
        asset_roots=folders,
        provenance=record,
        created=encounter.date,
    )
    return localizer
