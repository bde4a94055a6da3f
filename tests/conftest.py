"""Shared fixtures: the bundled table, scratch table folders, and one rendered packet."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from consent.patient import Encounter, Patient
from consent.tables import RiskTable, load_table

REFERENCE = "bariatric-revision"


@pytest.fixture(scope="session")
def table() -> RiskTable:
    return load_table(REFERENCE)


@pytest.fixture
def tables_root(tmp_path: Path) -> Path:
    """An empty folder of risk tables."""
    root = tmp_path / "tables"
    root.mkdir()
    return root


@pytest.fixture
def write_table(tables_root: Path):
    """Write YAML text as ``<root>/<procedure>/<version>.yaml`` and return its path."""

    def write(text: str, procedure: str = "test-procedure", version: str = "1") -> Path:
        folder = tables_root / procedure
        folder.mkdir(exist_ok=True)
        path = folder / f"{version}.yaml"
        path.write_text(textwrap.dedent(text), encoding="utf-8")
        return path

    return write


@pytest.fixture(scope="session")
def alex() -> tuple[Patient, Encounter]:
    return (
        Patient.from_input("Alex Doe", "1980-02-03", "MRN-0042"),
        Encounter.from_input("2026-11-30", "Dr. Rivera"),
    )


@pytest.fixture(scope="session")
def packet_pdf(
    tmp_path_factory: pytest.TempPathFactory, table: RiskTable, alex: tuple[Patient, Encounter]
) -> Path:
    """The reference packet, rendered once for every test that reads a PDF back."""
    from consent.packet import render_packet

    out = tmp_path_factory.mktemp("packet") / "packet.pdf"
    render_packet(table, *alex, out)
    return out
