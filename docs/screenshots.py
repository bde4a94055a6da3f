"""Regenerate the packet screenshots shown in the README.

    python docs/screenshots.py

Renders the reference bariatric-revision packet for a sample patient and
turns each page into docs/packet-page-N.png with poppler's pdftoppm.
"""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path

from consent import Encounter, Patient, load_table, render_packet

HERE = Path(__file__).resolve().parent


def main() -> None:
    table = load_table("bariatric-revision")
    patient = Patient.from_input("Alex Doe", "1980-02-03", "MRN-0042")
    encounter = Encounter.from_input("2026-11-30", "Dr. Rivera")
    for old in HERE.glob("packet-page-*.png"):
        old.unlink()
    with tempfile.TemporaryDirectory() as folder:
        pdf = Path(folder) / "packet.pdf"
        render_packet(table, patient, encounter, pdf)
        subprocess.run(
            ["pdftoppm", "-r", "150", "-png", str(pdf), str(HERE / "packet-page")], check=True
        )
    for page in sorted(HERE.glob("packet-page-*.png")):
        print(page.relative_to(HERE.parent))


if __name__ == "__main__":
    main()
