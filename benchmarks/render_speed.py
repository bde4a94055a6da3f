"""How fast a packet renders: warm in-process, cold from the command line, and --help.

Run from the repository root after `pip install .`:

    python benchmarks/render_speed.py [--runs N]

Prints medians in seconds; the numbers go in CHANGELOG.md. This is a
measurement, not a test: it never fails on a slow machine.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from consent import Encounter, Localizer, Patient, load_table, packet_html, render_packet


def median_seconds(action: Callable[[], object], runs: int) -> float:
    timings = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        timings.append(time.perf_counter() - start)
    return statistics.median(timings)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    runs = parser.parse_args().runs

    table = load_table("bariatric-revision")
    patient = Patient.from_input("Alex Doe", "1980-02-03", "MRN-0042")
    encounter = Encounter.from_input("2026-11-30", "Dr. Rivera")
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "packet.pdf"
        render_packet(table, patient, encounter, out)  # warm-up: fonts, templates
        results = {
            "packet HTML only (warm)": median_seconds(
                lambda: packet_html(table, patient, encounter, Localizer()), runs
            ),
            "packet PDF, pdf/ua-1 (warm)": median_seconds(
                lambda: render_packet(table, patient, encounter, out), runs
            ),
            "packet PDF, plain (warm)": median_seconds(
                lambda: render_packet(table, patient, encounter, out, variant="plain"), runs
            ),
            "consent render (cold process)": median_seconds(
                lambda: subprocess.run(
                    [
                        sys.executable,
                        "-m",
                        "consent",
                        "render",
                        "bariatric-revision",
                        "--patient-name",
                        "Alex Doe",
                        "--out",
                        str(out),
                    ],
                    check=True,
                    capture_output=True,
                ),
                max(3, runs // 2),
            ),
            "consent --help (cold process)": median_seconds(
                lambda: subprocess.run(
                    [sys.executable, "-m", "consent", "--help"], check=True, capture_output=True
                ),
                runs,
            ),
        }
    width = max(map(len, results))
    for name, seconds in results.items():
        print(f"{name:<{width}}  {seconds:6.3f} s")


if __name__ == "__main__":
    main()
