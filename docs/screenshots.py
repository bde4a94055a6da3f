"""Regenerate the packet screenshots shown in the README.

    python docs/screenshots.py

Renders the reference bariatric-revision packet for a sample patient and
turns each page into docs/packet-page-N.png with MuPDF's mutool (Debian
package mupdf-tools). Not poppler's pdftoppm: it rounds a pattern tile to whole
pixels, so icon arrays can show a sliver of an extra row at some resolutions.
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
        pages = str(HERE / "packet-page-%d.png")
        subprocess.run(["mutool", "draw", "-q", "-r", "100", "-o", pages, str(pdf)], check=True)
    for page in sorted(HERE.glob("packet-page-*.png")):
        print(page.relative_to(HERE.parent))


if __name__ == "__main__":
    main()
