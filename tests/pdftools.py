"""Read PDFs back with poppler's command-line tools."""

from __future__ import annotations

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
