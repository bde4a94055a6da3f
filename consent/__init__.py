"""consent: shared-decision-making consent packets for revision and salvage surgery.

The public API. Names are loaded on first use, so that importing ``consent``
(and running ``consent --help``) does not pay for WeasyPrint and Babel.

    from consent import Encounter, Patient, load_table, render_packet

    table = load_table("bariatric-revision")
    render_packet(table, Patient(name="Alex Doe"), Encounter.from_input(), Path("packet.pdf"))
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

_EXPORTS = {
    "ConsentError": "errors",
    "Encounter": "patient",
    "Frequency": "frequencies",
    "InputError": "errors",
    "Localizer": "i18n",
    "OutputError": "errors",
    "Patient": "patient",
    "RenderError": "errors",
    "RiskTable": "tables",
    "TableError": "errors",
    "TableInvalid": "errors",
    "TableNotFound": "errors",
    "frame": "frequencies",
    "icon_array": "icons",
    "load_table": "tables",
    "packet_html": "render",
    "render_packet": "packet",
    "write_pdf": "pdf",
}

__all__ = [
    "ConsentError",
    "Encounter",
    "Frequency",
    "InputError",
    "Localizer",
    "OutputError",
    "Patient",
    "RenderError",
    "RiskTable",
    "TableError",
    "TableInvalid",
    "TableNotFound",
    "__version__",
    "frame",
    "icon_array",
    "load_table",
    "packet_html",
    "render_packet",
    "write_pdf",
]


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        value = getattr(import_module(f".{_EXPORTS[name]}", __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'consent' has no attribute {name!r}")


if TYPE_CHECKING:
    from .errors import (
        ConsentError,
        InputError,
        OutputError,
        RenderError,
        TableError,
        TableInvalid,
        TableNotFound,
    )
    from .frequencies import Frequency, frame
    from .i18n import Localizer
    from .icons import icon_array
    from .packet import render_packet
    from .patient import Encounter, Patient
    from .pdf import write_pdf
    from .render import packet_html
    from .tables import RiskTable, load_table
