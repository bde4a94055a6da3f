"""How long `consent tables validate` takes on a folder of 100 tables.

    python benchmarks/validate_speed.py [--runs N]

Copies the bundled bariatric-revision 2026.2 table into 100 procedure folders
and times the whole command in a new process (median wall clock).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

from timing import calibration_seconds, report, timings

from consent.tables import procedures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    runs = parser.parse_args().runs
    before = calibration_seconds()
    source = (procedures()["bariatric-revision"] / "2026.2.yaml").read_text(encoding="utf-8")
    with tempfile.TemporaryDirectory() as folder:
        for index in range(100):
            procedure = Path(folder) / f"procedure-{index}"
            procedure.mkdir()
            text = source.replace("id: bariatric-revision", f"id: procedure-{index}")
            (procedure / "2026.2.yaml").write_text(text, encoding="utf-8")
        median, _ = timings(
            lambda: subprocess.run(
                [sys.executable, "-m", "consent", "tables", "validate", folder],
                check=True,
                capture_output=True,
            ),
            runs,
        )
    print(f"consent tables validate, 100 tables (new process)  {median:.3f} s")
    print(report(before))


if __name__ == "__main__":
    main()
