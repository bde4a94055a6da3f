"""Packets in Spanish, Polish and Arabic, read back from the PDF."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from pypdf import PdfReader

from consent.errors import InputError
from consent.i18n import Localizer
from consent.packet import render_packet
from consent.patient import Encounter, Patient
from consent.render import outcome_views, packet_html
from consent.tables import load_table, procedures, versions

from pdftools import pdftotext, run_tool, words
from test_packet_document import SECTIONS
from test_pdf import bundled_font_names
from test_pdfdigest import recorded_and_read

LOCALES = ["es", "pl", "ar"]


@pytest.fixture(scope="module")
def packets(tmp_path_factory, table, alex) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("localized")
    out = {}
    for lang in ["en", *LOCALES]:
        out[lang] = folder / f"{lang}.pdf"
        render_packet(table, *alex, out[lang], locale=lang)
    return out


def frequency_numbers(html: str) -> list[str]:
    sentences = re.findall(r'<p class="frequency">([^<]*)</p>', html)
    return [
        n.replace(",", "").replace(".", "").replace("\u00a0", "")
        for s in sentences
        for n in re.findall(r"\d[\d,.\u00a0]*\d|\d", s)
    ]


@pytest.mark.parametrize("lang", LOCALES)
def test_the_numbers_are_the_english_packet_numbers(lang, table, alex):
    english = frequency_numbers(packet_html(table, *alex, Localizer("en")))
    assert frequency_numbers(packet_html(table, *alex, Localizer(lang))) == english


@pytest.mark.parametrize("lang", LOCALES)
def test_pdf_declares_its_language_and_embeds_only_bundled_fonts(lang, packets):
    reader = PdfReader(packets[lang])
    assert reader.trailer["/Root"]["/Lang"] == lang
    fonts = run_tool("pdffonts", str(packets[lang])).splitlines()[2:]
    assert fonts and all(line.split()[-5] == "yes" for line in fonts)
    names = {line.split()[0].split("+")[-1] for line in fonts}
    # Arabic has no italic: its italic face is the bundled regular (see style.css).
    assert names <= bundled_font_names() | {"Noto-Sans-Arabic-Italic"}


@pytest.mark.parametrize("lang", ["es", "pl"])
def test_latin_script_packets_read_in_their_language(lang, packets, table):
    text = pdftotext(packets[lang])
    loc = Localizer(lang)
    for english in ("Signatures", "Where these numbers come from", "Patient name"):
        assert loc.gettext(english) != english
        assert loc.gettext(english) in text
    first_leak = outcome_views(table, loc)[0].options[0].sentences[0]
    assert first_leak in text
    assert "Translation not yet reviewed." in text


def test_arabic_text_layer_reads_back_as_written(packets):
    import pypdfium2

    document = pypdfium2.PdfDocument(str(packets["ar"]))
    text = "".join(page.get_textpage().get_text_range() for page in document)
    document.close()
    loc = Localizer("ar")
    # Words with the lam-alef-maksura ligature (على) still read back reordered: a
    # known limit of the PDF text layer, listed in CHANGELOG.md.
    for english in ("Signatures", "What this packet is for", "Risks", "die"):
        assert loc.gettext(english) in text


def test_arabic_packet_is_right_to_left_in_arabic_script(packets, table, alex):
    text = pdftotext(packets["ar"])
    assert len(re.findall(r"[\u0600-\u06FF]", text)) > 500
    assert "Noto-Sans-Arabic" in run_tool("pdffonts", str(packets["ar"]))
    html = packet_html(table, *alex, Localizer("ar"))
    assert '<html lang="ar" dir="rtl">' in html and 'href="rtl.css"' in html
    # The icon arrays start from the right-hand edge (R9, mirrored).
    first = re.search(r'<svg [^>]*class="icon-array icon-array-100".*?</svg>', html, re.S).group(0)
    event_x = [int(x) for x in re.findall(r'<text x="(\d+)"[^>]*data-kind="event"', first)]
    assert event_x and min(event_x) >= 50


@pytest.mark.parametrize("lang", ["en", "pl", "ar"])
def test_cover_fields_put_each_label_level_with_its_value_where_reading_starts(lang, packets):
    """A field's label is level with its value, also when it takes two lines
    (Polish), and comes first in reading order: left of the value, right of it
    in Arabic (a grid, which WeasyPrint does not mirror, put it left)."""
    found = words(packets[lang], 1)
    # The record number on the cover, below the page header that repeats it.
    x0, y0, x1, y1, _ = next(w for w in found if w[4] == "MRN-0042" and w[1] > 100)
    beside = sorted(
        (w for w in found if w[1] < y1 and w[3] > y0 and w[4] != "MRN-0042"), key=lambda w: w[0]
    )
    assert beside, "no label beside the record number"
    if lang == "ar":
        assert all(w[0] > x1 for w in beside)
    else:
        assert all(w[2] < x0 for w in beside)
        label = Localizer(lang).gettext("Record number")
        assert label.startswith(" ".join(w[4] for w in beside)), label


@pytest.mark.parametrize(
    ("n", "polish"),
    [
        (1, "1 osoba"),
        (2, "2 osoby"),
        (5, "5 osób"),
        (22, "22 osoby"),
        (12, "12 osób"),
        (1000, "1\u00a0000 osób"),
    ],
)
def test_polish_counts_people_with_the_cldr_plural_forms(n, polish):
    from consent.wording import people_count

    assert people_count(Localizer("pl"), n) == polish


@pytest.mark.parametrize("tag", ["es-MX", "es-419", "pl-PL", "ar-EG"])
def test_regional_tags_pick_the_language_catalog(tag):
    assert Localizer(tag).locale == tag.split("-")[0]


def test_require_reviewed_refuses_english_fallbacks(tmp_path, alex):
    from test_tables import VALID

    folder = tmp_path / "tables" / "test-procedure"
    folder.mkdir(parents=True)
    (folder / "1.yaml").write_text(VALID)
    table = load_table("test-procedure", roots=[tmp_path / "tables"])
    with pytest.raises(InputError, match="have no es translation and would print in English"):
        render_packet(
            table, *alex, tmp_path / "x.pdf", locale=ReviewedSpanish(), require_reviewed=True
        )


class ReviewedSpanish(Localizer):
    """The Spanish catalog, as if a reviewer had signed it."""

    def __init__(self) -> None:
        super().__init__("es")

    @property
    def reviewed(self) -> bool:
        return True


def test_an_unreviewed_translation_can_be_refused(tmp_path, table, alex):
    with pytest.raises(InputError, match="the es translation has not been reviewed"):
        render_packet(table, *alex, tmp_path / "x.pdf", locale="es", require_reviewed=True)
    assert not (tmp_path / "x.pdf").exists()


def test_a_string_without_translation_prints_in_english_and_is_reported(tmp_path, alex):
    from test_tables import VALID

    folder = tmp_path / "tables" / "test-procedure"
    folder.mkdir(parents=True)
    (folder / "1.yaml").write_text(VALID)
    table = load_table("test-procedure", roots=[tmp_path / "tables"])
    loc = Localizer("es")
    html = packet_html(table, *alex, loc)
    assert "have a leak" in loc.fallbacks and "Test procedure" in loc.fallbacks
    assert "Test procedure" in html
    assert "Signatures" not in loc.fallbacks


@pytest.mark.parametrize("lang", LOCALES)
def test_every_bundled_table_renders_in_every_language(lang, tmp_path, alex):
    for procedure in (
        "salvage-lung-resection",
        "pelvic-exenteration-recurrent-rectal",
        "watch-and-wait-rectal",
    ):
        loc = Localizer(lang)
        out = tmp_path / f"{procedure}.pdf"
        render_packet(load_table(procedure), *alex, out, locale=loc)
        assert not loc.fallbacks, sorted(loc.fallbacks)
        recorded, read = recorded_and_read(out)
        assert recorded == read, f"{procedure}: the digest read back differs from the one made"


def visual_lines(found: list[tuple[float, float, float, float, str]]) -> list[str]:
    """A page's lines as drawn, each read left to right."""
    lines: dict[int, list[tuple[float, str]]] = {}
    for x0, y0, _, _, text in found:
        lines.setdefault(round(y0), []).append((x0, text))
    return [" ".join(text for _, text in sorted(line)) for _, line in sorted(lines.items())]


def test_english_citations_read_in_order_in_the_arabic_packet(tmp_path, alex):
    """An English citation inside right-to-left text is laid out left to right:
    otherwise its brackets, quotes and numbers are drawn in another order."""
    out = tmp_path / "ar.pdf"
    table = load_table("bariatric-revision")
    render_packet(table, *alex, out, locale="ar")
    last = len(PdfReader(out).pages)
    drawn = " ".join(
        line
        for line in visual_lines(words(out, last))
        # Without the list numbers, which stand at the right-hand end of a first line.
        for line in [re.sub(r" \.\d+$", "", line)]
    )
    # Without brackets: poppler mirrors them in a line it reads as right to left.
    drawn = re.sub(r"[()]", "", drawn)
    for source in table.sources.values():
        assert re.sub(r"[()]", "", source.citation) in drawn, source.citation


def test_the_arabic_footer_keeps_the_table_id_on_one_line(tmp_path, alex):
    out = tmp_path / "ar.pdf"
    render_packet(load_table("pelvic-exenteration-recurrent-rectal"), *alex, out, locale="ar")
    for page in range(1, len(PdfReader(out).pages) + 1):
        assert any("pelvic-exenteration-recurrent-rectal" in w[4] for w in words(out, page))


@pytest.mark.parametrize("lang", ["en", *LOCALES])
def test_every_version_of_every_bundled_table_has_every_section_in_order(lang, alex):
    """Where a table has no list for a section, the section says who will explain it."""
    loc = Localizer(lang)
    for procedure, folder in procedures().items():
        for version in versions(folder):
            table = load_table(procedure, version, allow_draft=True)
            checks = table.offers == "surveillance"
            expected = [
                loc.gettext("Your regular checks" if checks and h == "Before the operation" else h)
                for h in SECTIONS[1:]  # after the title
            ]
            html = packet_html(table, *alex, loc)
            headings = [h for h in re.findall(r"<h2[^>]*>([^<]*)</h2>", html)]
            assert headings == expected, f"{procedure} {version}"
    assert not loc.fallbacks, sorted(loc.fallbacks)


def test_pseudo_locale_renders_with_every_string_marked(tmp_path, table, alex):
    loc = Localizer("en-XA")
    html = packet_html(table, *alex, loc)
    headings = re.findall(r"<h[123][^>]*>([^<]*)", html)
    assert headings and all(h.startswith("[") for h in headings if h.strip())


# What the template says of "the operation", and what it says instead where the
# table offers regular checks (watch and wait): a packet for a choice without an
# operation asked "What will recovery be like?" and "Before the operation".
OPERATION_WORDING = [
    "Before the operation",
    "What will recovery be like, and when can I go back to my usual life?",
    "Who do I call if I have a problem after the operation?",
    "What are the other choices, including not having the operation?",
    "What do you hope this operation will do for you?",
]
SURVEILLANCE_WORDING = [
    "Your regular checks",
    "Your care team will tell you how often you will have checks and what each one involves.",
    "If I need an operation later, what would recovery be like?",
    "Who do I call if I notice a change between checks?",
    "What are the other choices, including having an operation now?",
    "What do you hope this choice will do for you?",
]


@pytest.mark.parametrize("lang", ["en", "es", "pl"])
def test_a_surveillance_packet_speaks_of_checks_not_of_an_operation(lang, tmp_path, alex):
    table = load_table("watch-and-wait-rectal")
    assert table.offers == "surveillance"
    loc = Localizer(lang)
    out = tmp_path / "watch.pdf"
    render_packet(table, *alex, out, locale=loc)
    assert not loc.fallbacks, sorted(loc.fallbacks)
    text = " ".join(pdftotext(out).split())
    for english in SURVEILLANCE_WORDING:
        assert loc.gettext(english) in text, english
    for english in OPERATION_WORDING:
        assert loc.gettext(english) not in text, english


def test_an_operation_packet_keeps_its_operation_wording(packets):
    text = " ".join(pdftotext(packets["es"]).split())
    loc = Localizer("es")
    assert all(loc.gettext(english) in text for english in OPERATION_WORDING)
    assert not any(loc.gettext(english) in text for english in SURVEILLANCE_WORDING)


def test_what_people_typed_keeps_its_order_in_an_arabic_packet(tmp_path):
    """Right to left, "485 777 3456" was printed "3456 777 485" and "O'Neil, Mary J."
    as ".O'Neil, Mary J", in the header of every page and on the cover."""
    out = tmp_path / "ar.pdf"
    patient = Patient.from_input("O'Neil, Mary J.", None, "485 777 3456")
    encounter = Encounter.from_input(
        "2026-11-30", "Ana López, M.D.", interpreter_name="Ana Ruiz", interpreter_language="es"
    )
    render_packet(load_table("bariatric-revision"), patient, encounter, out, locale="ar")
    cover = visual_lines(words(out, 1))
    assert sum("485 777 3456" in line for line in cover) == 2  # the header and the cover
    assert sum("O'Neil, Mary J." in line for line in cover) == 2
    assert any("Ana López, M.D." in line for line in cover)
    for page in range(2, len(PdfReader(out).pages) + 1):
        header = visual_lines([w for w in words(out, page) if w[3] < 62])  # in the top margin
        assert "485 777 3456 · O'Neil, Mary J." in header, (page, header)
