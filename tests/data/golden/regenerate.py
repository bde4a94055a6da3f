"""Rewrite the golden icon-array SVGs and their PNG renderings in docs/.

    python tests/data/golden/regenerate.py

Look at docs/icon-array-*.png before committing: the tests trust these files.
PNGs are drawn by MuPDF's mutool (Debian package mupdf-tools).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[2]
sys.path.insert(0, str(ROOT / "tests"))

from test_cli_icon_array import GOLDEN_ARRAYS, golden_svg  # noqa: E402


def main() -> None:
    for name, *args in GOLDEN_ARRAYS:
        svg = HERE / name
        svg.write_text(golden_svg(*args), encoding="utf-8")
        png = ROOT / "docs" / f"icon-array-{svg.stem}.png"
        subprocess.run(["mutool", "draw", "-q", "-r", "60", "-o", str(png), str(svg)], check=True)
        print(svg.relative_to(ROOT), png.relative_to(ROOT))


if __name__ == "__main__":
    main()
