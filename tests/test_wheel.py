"""The built wheel carries its data and works from any folder, without the source tree."""

from __future__ import annotations

import ast
import importlib.metadata
import re
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest

from pdftools import pdftotext

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    dist = tmp_path_factory.mktemp("dist")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", str(dist), str(ROOT)],
        check=True,
        capture_output=True,
    )
    (built,) = dist.glob("consent-*.whl")
    return built


def test_wheel_contains_templates_fonts_tables_and_locales(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    for required in [
        "consent/templates/packet.html.j2",
        "consent/templates/style.css",
        "consent/templates/fonts/NotoSans-Regular.ttf",
        "consent/templates/fonts/OFL.txt",
        "consent/risk_tables/bariatric-revision/2026.1.yaml",
        "consent/locales/messages.pot",
    ]:
        assert required in names


@pytest.mark.slow
def test_installed_wheel_renders_a_packet_from_any_folder(wheel, tmp_path):
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = venv / "bin" / "python"
    subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", str(wheel)],
        check=True,
        capture_output=True,
    )
    work = tmp_path / "elsewhere"
    work.mkdir()

    where = subprocess.run(
        [str(python), "-c", "import consent.resources as r; print(r.templates_dir())"],
        cwd=work,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    assert Path(where).is_relative_to(venv), "data must come from the installed package"

    result = subprocess.run(
        [
            str(venv / "bin" / "consent"),
            "render",
            "bariatric-revision",
            "--patient-name",
            "Alex Doe",
            "--out",
            "packet.pdf",
        ],
        cwd=work,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert "about 5 in 100 have a serious leak" in pdftotext(work / "packet.pdf")


def _requirement_names(requirements: list[str]) -> set[str]:
    return {
        re.split(r"[\[<>=!~; ]", r, maxsplit=1)[0].lower().replace("_", "-") for r in requirements
    }


def test_every_package_the_code_imports_is_a_declared_dependency():
    """A plain `pip install .` must run every command: no import may rely on a test extra
    or on another package happening to bring it along."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    declared = _requirement_names(project["dependencies"])
    # The Dask extra is imported only by `consent batch --scheduler`, which asks for it.
    allowed = declared | _requirement_names(project["optional-dependencies"]["dask"])
    distributions = importlib.metadata.packages_distributions()
    imported = set()
    for source in (ROOT / "consent").rglob("*.py"):
        for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                imported.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                imported.add(node.module.split(".")[0])
    third_party = sorted(imported - set(sys.stdlib_module_names) - {"consent"})
    assert "weasyprint" in third_party  # the scan sees the imports
    undeclared = {
        name: distributions[name]
        for name in third_party
        if not {d.lower().replace("_", "-") for d in distributions[name]} & allowed
    }
    assert undeclared == {}
