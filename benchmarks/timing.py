"""Timing shared by the benchmarks: how long an action takes, and how fast the machine runs.

The shared 2-core machines this project is measured on change speed from one
minute to the next (the same render takes 0.28 s, then 0.5 s). A fixed piece
of pure-Python work, timed before and after each benchmark, says which state
the machine was in, so numbers from different runs can be compared.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable


def timings(action: Callable[[], object], runs: int) -> tuple[float, float]:
    """Median and fastest of ``runs`` timed calls of ``action``."""
    seconds = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        seconds.append(time.perf_counter() - start)
    return statistics.median(seconds), min(seconds)


def calibration_seconds() -> float:
    """Best of three timings of ten million additions (about 0.6 s on a quiet machine)."""
    timings = []
    for _ in range(3):
        start = time.perf_counter()
        total = 0
        for number in range(10_000_000):
            total += number
        timings.append(time.perf_counter() - start)
    return min(timings)


def report(before: float) -> str:
    """The calibration taken ``before`` the measurements, and one taken now."""
    return (
        f"machine: 10M-addition loop {before:.2f} s before, {calibration_seconds():.2f} s after "
        "(lower is faster; about 0.35 s when the machine is quick)"
    )
