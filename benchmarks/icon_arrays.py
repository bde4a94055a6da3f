"""What icon arrays add to the render time of a packet.

    python benchmarks/icon_arrays.py [--runs N]

Renders, warm, the reference bariatric-revision packet (four 100-person
arrays), then the same packet with an added outcome counted out of 1,000 (two
1,000-person arrays more), each with its arrays and with every array removed
from the same HTML. Prints the medians and the difference. The target (issue 4)
is at most 20% added.
"""

from __future__ import annotations

import argparse
import re
from functools import partial

from timing import calibration_seconds, report, timings

from consent import Encounter, Localizer, Patient, load_table, packet_html
from consent.pdf import pdf_bytes
from consent.resources import templates_dir
from consent.tables import EventOutcome


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    runs = parser.parse_args().runs
    before = calibration_seconds()

    reference = load_table("bariatric-revision")
    rare = EventOutcome.model_validate(
        {
            "id": "rare-event",
            "kind": "event",
            "label": "a rare problem",
            "event": "have a rare problem",
            "timeframe": "within 30 days after surgery",
            "values": {
                "primary": {"rate": 0.004, "source": "seed-example"},
                "revision": {"rate": 0.009, "low": 0.006, "high": 0.013, "source": "seed-example"},
            },
        }
    )
    with_rare = reference.model_copy(update={"outcomes": (*reference.outcomes, rare)})
    for name, table in (("reference packet", reference), ("with a 1,000 outcome", with_rare)):
        html = packet_html(
            table, Patient(name="Alex Doe"), Encounter.from_input("2026-11-30"), Localizer()
        )
        arrays = re.findall(r'<svg [^>]*class="icon-array icon-array-(\d+)"', html)
        without = re.sub(r'<svg [^>]*class="icon-array .*?</svg>', "", html, flags=re.S)
        pdf_bytes(html, base_dir=templates_dir())  # warm-up: fonts, stylesheet
        with_arrays = timings(partial(pdf_bytes, html, base_dir=templates_dir()), runs)[0]
        without_arrays = timings(partial(pdf_bytes, without, base_dir=templates_dir()), runs)[0]
        print(f"{name}: icon arrays of {', '.join(arrays)} people")
        print(f"  with icon arrays     {with_arrays:.3f} s")
        print(f"  without icon arrays  {without_arrays:.3f} s")
        print(
            f"  added by the arrays  {with_arrays - without_arrays:+.3f} s "
            f"({(with_arrays / without_arrays - 1) * 100:+.0f}%)"
        )
    print(report(before))


if __name__ == "__main__":
    main()
