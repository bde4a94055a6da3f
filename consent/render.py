"""The packet as HTML: a view of the table in the patient's language, through Jinja.

Everything a template shows is prepared here as plain, already translated
text (or SVG built by ``icons``), so templates hold layout and their own
wording only. Autoescaping is always on: patient fields are data, never markup.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from . import __version__, frequencies, icons, wording
from .i18n import Localizer
from .patient import Encounter, Patient
from .resources import templates_dir
from .tables import RiskTable

PACKET_TEMPLATE = "packet.html.j2"


@dataclass(frozen=True)
class OptionView:
    label: str
    sentences: list[str]
    figure: Markup | None = None


@dataclass(frozen=True)
class OutcomeView:
    id: str
    kind: str
    heading: str
    timeframe: str
    options: list[OptionView]
    denominator: int | None = None
    no_guarantee: bool = False


@lru_cache(maxsize=16)
def environment(folder: Path, locale: str, locales_root: Path | None = None) -> jinja2.Environment:
    """A Jinja environment for one template folder and language, built once per process."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(folder),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    localizer = Localizer(locale, locales_root)
    env.install_gettext_translations(localizer.translations, newstyle=True)  # type: ignore[attr-defined]
    return env


def outcome_views(table: RiskTable, loc: Localizer) -> list[OutcomeView]:
    """Sentences and pictures for every outcome, options in the table's order."""
    views = []
    for outcome in table.outcomes:
        heading = loc.gettext(outcome.label)
        timeframe = loc.gettext(outcome.timeframe)
        if outcome.kind == "measure":
            options = [
                OptionView(
                    label=loc.gettext(option.label),
                    sentences=[wording.measure_sentence(loc, option, outcome, value)],
                    figure=Markup(icons.range_bar(value.low or 0.0, value.high or 0.0)),
                )
                for option in table.options
                if (value := outcome.values.get(option.key)) is not None
            ]
            views.append(
                OutcomeView(
                    outcome.id,
                    "measure",
                    heading,
                    timeframe,
                    options,
                    no_guarantee=outcome.no_guarantee,
                )
            )
            continue
        framed = frequencies.frame(outcome)
        options = []
        for index, option in enumerate(table.options):
            freq = framed[option.key]
            figure = None
            if freq.denominator in icons.COLUMNS:
                figure = Markup(
                    icons.icon_array(
                        freq,
                        wording.icon_array_label(loc, option, outcome, freq),
                        rtl=loc.direction == "rtl",
                        id_prefix=f"{outcome.id}-{index}",
                    )
                )
            options.append(
                OptionView(
                    loc.gettext(option.label),
                    wording.event_sentences(loc, option, outcome, freq),
                    figure,
                )
            )
        denominator = next(iter(framed.values())).denominator
        views.append(
            OutcomeView(
                outcome.id, "event", heading, timeframe, options, denominator, outcome.no_guarantee
            )
        )
    return views


def packet_context(
    table: RiskTable, patient: Patient, encounter: Encounter, loc: Localizer
) -> dict[str, Any]:
    """Everything the packet template shows, already in the patient's language."""
    return {
        "lang": loc.locale,
        "dir": loc.direction,
        "tool_version": __version__,
        "table": table,
        "title": loc.gettext(table.title),
        "procedure": loc.gettext(table.procedure),
        "population": loc.gettext(table.population),
        "options": [loc.gettext(o.label) for o in table.options],
        "patient": patient,
        "date_of_birth": loc.date(patient.date_of_birth) if patient.date_of_birth else None,
        "clinician": encounter.clinician,
        "date": loc.date(encounter.date),
        "effective": loc.date(table.effective),
        "outcomes": outcome_views(table, loc),
        "sources": list(table.sources.values()),
        "legend": {kind: Markup(icons.legend_icon(kind)) for kind in ("event", "range", "none")},
    }


def packet_html(
    table: RiskTable,
    patient: Patient,
    encounter: Encounter,
    loc: Localizer | None = None,
    *,
    templates: Path | None = None,
) -> str:
    """Render the whole packet as one HTML document."""
    loc = loc or Localizer()
    env = environment(templates or templates_dir(), loc.locale, loc.root)
    return env.get_template(PACKET_TEMPLATE).render(packet_context(table, patient, encounter, loc))
