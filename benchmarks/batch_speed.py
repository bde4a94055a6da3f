"""Batch throughput and worker memory: `consent batch` on a generated roster.

    python benchmarks/batch_speed.py [--rows 200] [--jobs 2] [--all-procedures]

Writes a roster of N rows of the reference bariatric-revision packet, four
languages in turn (the roster the batch speed target is set for), or with
--all-procedures the four bundled procedures in turn; runs `consent batch` in
a new process, and samples the resident memory of its worker processes from
/proc every 0.2 s. Prints packets per second and, per worker, the peak memory;
with 1,000 rows or more it also compares the workers' memory over the first
and the last tenth of the run (it should not grow: workers are replaced every
200 packets).
"""

from __future__ import annotations

import argparse
import csv
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from timing import calibration_seconds, report

PROCEDURES = [
    "bariatric-revision",
    "salvage-lung-resection",
    "pelvic-exenteration-recurrent-rectal",
    "watch-and-wait-rectal",
]
LOCALES = ["en", "es", "pl", "ar"]


def children(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=200)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument(
        "--all-procedures", action="store_true", help="rotate the four bundled procedures"
    )
    args = parser.parse_args()
    before = calibration_seconds()
    procedures = PROCEDURES if args.all_procedures else PROCEDURES[:1]
    with tempfile.TemporaryDirectory() as folder:
        roster = Path(folder) / "roster.csv"
        with roster.open("w", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(["patient_name", "record_number", "procedure", "locale", "date"])
            for i in range(args.rows):
                writer.writerow(
                    [
                        f"Patient {i}",
                        f"MRN-{i:05d}",
                        procedures[i % len(procedures)],
                        LOCALES[(i // len(procedures)) % len(LOCALES)],
                        "2026-12-01",
                    ]
                )
        out = Path(folder) / "out"
        start = time.perf_counter()
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "consent",
                "batch",
                str(roster),
                "--out-dir",
                str(out),
                "--jobs",
                str(args.jobs),
                "--quiet",
            ],
            cwd=folder,  # the installed package, not the checkout in the current folder
        )
        samples: list[tuple[float, int, float]] = []  # (fraction done, pid, MB)
        while process.poll() is None:
            done = len(list(out.glob("*.pdf"))) / args.rows if out.exists() else 0.0
            samples.extend((done, pid, rss_mb(pid)) for pid in children(process.pid))
            time.sleep(0.2)
        seconds = time.perf_counter() - start
    print(
        f"{args.rows} rows of {', '.join(procedures)}, --jobs {args.jobs}: {seconds:.1f} s, "
        f"{args.rows / seconds:.1f} packets/s (exit {process.returncode})"
    )
    peaks: dict[int, float] = {}
    for _, pid, mb in samples:
        peaks[pid] = max(peaks.get(pid, 0.0), mb)
    print(
        f"workers seen: {len(peaks)}; peak memory per worker: "
        f"{max(peaks.values(), default=0):.0f} MB"
    )
    if args.rows >= 1000:
        first = [mb for done, _, mb in samples if done <= 0.1 and mb]
        last = [mb for done, _, mb in samples if done >= 0.9 and mb]
        if first and last:
            print(
                f"worker memory, first tenth: max {max(first):.0f} MB; "
                f"last tenth: max {max(last):.0f} MB"
            )

    print(report(before))


if __name__ == "__main__":
    main()
