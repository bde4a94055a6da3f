"""How fast a packet renders: warm in-process, cold from the command line, and --help.

Run from the repository root after `pip install .`:

    python benchmarks/render_speed.py [--runs N]

Prints the median and the fastest run in seconds, and how fast the machine was
running (see timing.py); the numbers go in CHANGELOG.md. The cold runs start
in an empty folder, so they load the installed package with its compiled
bytecode, as a user's command does. This is a measurement, not a test: it
never fails on a slow machine.
"""

from __future__ import annotations

import argparse
import compileall
import subprocess
import sys
import tempfile
from pathlib import Path

from timing import calibration_seconds, report, timings

import consent
from consent import Encounter, Localizer, Patient, load_table, packet_html, render_packet


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    runs = parser.parse_args().runs
    before = calibration_seconds()

    table = load_table("bariatric-revision")
    patient = Patient.from_input("Alex Doe", "1980-02-03", "MRN-0042")
    encounter = Encounter.from_input("2026-11-30", "Dr. Rivera")
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "packet.pdf"
        for _ in range(3):  # warm-up: fonts, templates, WeasyPrint's caches
            render_packet(table, patient, encounter, out)
        # As `pip install .` leaves it (an editable install may have no bytecode yet).
        compileall.compile_dir(Path(consent.__file__).parent, quiet=1)
        results = {
            "packet HTML only (warm)": timings(
                lambda: packet_html(table, patient, encounter, Localizer()), runs
            ),
            "packet PDF, pdf/ua-1 (warm)": timings(
                lambda: render_packet(table, patient, encounter, out), runs
            ),
            "packet PDF, plain (warm)": timings(
                lambda: render_packet(table, patient, encounter, out, variant="plain"), runs
            ),
            "consent render (cold process)": timings(
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
                    cwd=folder,
                ),
                max(3, runs // 2),
            ),
            "consent --help (cold process)": timings(
                lambda: subprocess.run(
                    [sys.executable, "-m", "consent", "--help"],
                    check=True,
                    capture_output=True,
                    cwd=folder,
                ),
                runs,
            ),
        }
    width = max(map(len, results))
    print(f"{'':<{width}}  median  fastest")
    for name, (median, fastest) in results.items():
        print(f"{name:<{width}}  {median:6.3f}  {fastest:6.3f} s")
    print(report(before))


if __name__ == "__main__":
    main()
