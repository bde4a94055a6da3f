"""Where the bundled data folders (templates, risk tables, locales) live.

In an installed wheel they sit inside the package (``consent/templates``...),
put there by the build; in a source checkout or an editable install they are
the top-level folders beside the package. Both are plain directories on disk,
which WeasyPrint and Jinja need.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

_SOURCE_ROOT = Path(__file__).resolve().parent.parent


def data_dir(name: str) -> Path:
    """Return the bundled folder ``name`` ("templates", "risk_tables", "locales")."""
    packaged = Path(str(resources.files("consent") / name))
    if packaged.is_dir():
        return packaged
    in_checkout = _SOURCE_ROOT / name
    if in_checkout.is_dir():
        return in_checkout
    raise FileNotFoundError(f"the bundled {name!r} folder is missing from this installation")


def templates_dir() -> Path:
    return data_dir("templates")


def tables_dir() -> Path:
    return data_dir("risk_tables")


def locales_dir() -> Path:
    return data_dir("locales")
