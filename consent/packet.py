"""One packet, start to finish: a loaded table and a patient in, a PDF file out."""

from __future__ import annotations

from pathlib import Path

from .errors import InputError
from .files import check_writable
from .i18n import Localizer
from .patient import Encounter, Patient
from .pdf import DEFAULT_VARIANT, PDF_VARIANTS, write_pdf
from .render import packet_html
from .resources import templates_dir
from .tables import RiskTable


def render_packet(
    table: RiskTable,
    patient: Patient,
    encounter: Encounter,
    out: Path,
    *,
    locale: str = "en",
    variant: str = DEFAULT_VARIANT,
) -> None:
    """Write the consent packet for ``patient`` from ``table`` to ``out`` (atomically)."""
    if variant not in PDF_VARIANTS:
        raise InputError(
            f"unknown PDF variant {variant!r}; choose one of {', '.join(PDF_VARIANTS)}"
        )
    check_writable(out)
    localizer = Localizer(locale)
    html = packet_html(table, patient, encounter, localizer)
    write_pdf(html, out, base_dir=templates_dir(), variant=variant)
