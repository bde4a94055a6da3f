"""Read PDFs back with poppler's command-line tools."""

from __future__ import annotations

import html
import re
import shutil
import subprocess
from pathlib import Path

import pytest


def pdftotext(path: Path) -> str:
    """The PDF's text as poppler extracts it, whitespace collapsed so sentences match."""
    text = run_tool("pdftotext", "-enc", "UTF-8", str(path), "-")
    return " ".join(text.split())


def run_tool(*args: str) -> str:
    if shutil.which(args[0]) is None:
        pytest.fail(f"{args[0]} is not installed (poppler-utils); .ci/run installs it")
    return subprocess.run(args, check=True, capture_output=True, text=True).stdout


_WORD = re.compile(
    r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>'
)


def words(path: Path, page: int) -> list[tuple[float, float, float, float, str]]:
    """The words of one page with their boxes (x0, y0, x1, y1 in points from the top left)."""
    found = _WORD.findall(
        run_tool("pdftotext", "-bbox", "-f", str(page), "-l", str(page), str(path), "-")
    )
    return [
        (float(x0), float(y0), float(x1), float(y1), html.unescape(text))
        for x0, y0, x1, y1, text in found
    ]
