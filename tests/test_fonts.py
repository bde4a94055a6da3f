"""The glyph-coverage check: what the bundled fonts can print, and what is refused."""

from __future__ import annotations

import subprocess
import sys
import xml.etree.ElementTree as ElementTree
from pathlib import Path

import pytest
from fontTools.ttLib import TTFont

from consent.errors import InputError, RenderError
from consent.fonts import _PrintedText, check_coverage, covered_characters, printed_text
from consent.i18n import Localizer
from consent.render import packet_html
from consent.resources import tables_dir, templates_dir
from consent.tables import load_table

FONTS = templates_dir() / "fonts"


def test_covered_characters_are_exactly_the_fonts_code_points():
    expected: set[int] = set()
    for font_file in FONTS.glob("*.[ot]tf"):
        with TTFont(font_file) as font:  # read the plain way, glyph names and all
            expected.update(font.getBestCmap())
    assert covered_characters(FONTS) == frozenset(expected)
    assert ord("ł") in expected and ord("ع") in expected and ord("王") not in expected


def test_a_name_the_fonts_cannot_print_is_refused_by_field_never_quoted():
    with pytest.raises(InputError) as refused:
        check_coverage("<p>x</p>", FONTS, "en", {"--patient-name": "Wang 王"})
    message = str(refused.value)
    assert "--patient-name has a CJK character that the packet's fonts cannot print" in message
    # One character of a name (王, the surname Wang) is patient data too.
    assert "Wang" not in message and "738B" not in message and "王" not in message


def test_cli_refuses_an_unprintable_name_in_one_line_and_writes_nothing(tmp_path: Path):
    out = tmp_path / "packet.pdf"
    command = ["render", "bariatric-revision", "--patient-name", "Wang 王", "--out", str(out)]
    result = subprocess.run(
        [sys.executable, "-m", "consent", *command],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 1
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.stderr and "Wang" not in result.stderr
    assert not out.exists()


@pytest.mark.parametrize(
    "html",
    [
        '<html><body data-page="Page"><p>Sign here: 王</p></body></html>',  # well-formed
        "<html><body><p>Sign here: 王<br></p></body></html>",  # HTML only (unclosed <br>)
    ],
)
def test_a_template_character_without_a_glyph_is_refused_naming_the_text(html):
    with pytest.raises(RenderError) as refused:
        check_coverage(html, FONTS, "xx", {})
    assert "U+738B" in str(refused.value) and "Sign here" in str(refused.value)
    assert "xx text" in str(refused.value)


@pytest.mark.parametrize(
    "text",
    [
        "☎ Born 1980-02-03 · Alex",
        "☎ Call Doe on 555",
        "☎ Born 3 February 1980",
        "☎ Welcome, مُحَمَّد",  # vowel marks split the name into "words" of one letter
    ],
)
def test_a_text_with_patient_data_in_it_is_never_quoted(text):
    """Only the whole values were hidden: an institution's template printing the
    first name or the ISO date of birth had them quoted in the error."""
    fields = {
        "patient name": "Alex Doe مُحَمَّد",
        "date of birth": "February 3, 1980",
        "date of birth (YYYY-MM-DD)": "1980-02-03",
    }
    with pytest.raises(RenderError) as refused:
        check_coverage(f"<p>{text}</p>", FONTS, "en", fields)
    message = str(refused.value)
    assert "U+260E" in message and "a text of the en packet that holds patient data" in message
    assert not any(word in message for word in ("Alex", "Doe", "1980", "Born", "Call"))


def test_a_translators_text_is_quoted_though_a_word_of_the_date_is_in_it():
    """ "de" of "3 de febrero de 1980" hid every Spanish text with "de" in it."""
    fields = {"date of birth": "3 de febrero de 1980", "patient name": "Ana Ruiz"}
    with pytest.raises(RenderError, match="the es text 'Hoja de consentimiento ☎'"):
        check_coverage("<p>Hoja de consentimiento ☎</p>", FONTS, "es", fields)


@pytest.mark.parametrize(
    "html",
    [
        '<p>x<svg xmlns="http://www.w3.org/2000/svg"><title>王</title></svg> y</p>',
        "<p>x<svg><title>王</title></svg> y<br></p>",
    ],
)
def test_svg_titles_are_not_printed_so_not_checked(html):
    check_coverage(html, FONTS, "en", {})  # no error
    assert "".join(printed_text(html)) == "x y"


@pytest.mark.parametrize("procedure", sorted(p.name for p in tables_dir().iterdir() if p.is_dir()))
@pytest.mark.parametrize("lang", ["en", "es", "pl", "ar"])
def test_bundled_packets_are_read_by_the_xml_parser_with_the_html_parsers_result(
    procedure, lang, alex
):
    html = packet_html(load_table(procedure), *alex, Localizer(lang))
    ElementTree.fromstring(html)  # well-formed: the fast path is the one taken
    collector = _PrintedText()
    collector.feed(html)
    collector.close()
    # The parsers split whitespace between tags differently; the text is the same.
    assert _words(printed_text(html)) == _words(collector.parts)


def _words(parts: list[str]) -> list[str]:
    return [part.strip() for part in parts if part.strip()]


def test_a_date_of_birth_spelled_in_letters_the_fonts_lack_is_refused_by_field(alex):
    # en-Dsrt reads the English catalog but writes dates in the Deseret script.
    patient, encounter = alex
    with pytest.raises(InputError) as refused:
        packet_html(load_table("bariatric-revision"), patient, encounter, Localizer("en-Dsrt"))
    message = str(refused.value)
    assert message.startswith("date of birth has a DESERET character")
    assert "1980" not in message and "Alex" not in message
