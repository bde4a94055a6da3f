"""The PDF read back with real tools: text, fonts, tags, and how it is written."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from pypdf import PdfReader
from pypdf.generic import StreamObject

from consent.errors import OutputError, RenderError
from consent.packet import render_packet
from consent.patient import Encounter, Patient
from consent.pdf import AssetsOnlyFetcher, pdf_bytes, write_pdf
from consent.resources import templates_dir

from pdftools import pdftotext, run_tool


def test_packet_text_holds_the_natural_frequency_sentences(packet_pdf):
    text = pdftotext(packet_pdf)
    for sentence in [
        "Of people having a first-time gastric bypass, about 2 in 100 have a serious leak from a "
        "staple line after surgery.",
        "About 98 in 100 do not.",
        "Of people having a revision operation, about 5 in 100 have a serious leak from a staple "
        "line after surgery.",
        "About 95 in 100 do not.",
        "a typical loss of excess weight in the years after surgery is 60% to 70%.",
        "a typical loss of excess weight in the years after surgery is 40% to 60%.",
        "We cannot make any guarantees.",
    ]:
        assert sentence in text


def test_cover_names_patient_procedure_date_and_clinician(packet_pdf):
    text = pdftotext(packet_pdf)
    for field in [
        "Patient name Alex Doe",
        "Record number MRN-0042",
        "Date of birth February 3, 1980",
        "Procedure Revision bariatric surgery",
        "Clinician Dr. Rivera",
        "Date November 30, 2026",
    ]:
        assert field in text


def test_every_page_names_the_table_version_and_the_patient(packet_pdf):
    reader = PdfReader(packet_pdf)
    assert len(reader.pages) >= 3
    for number, page in enumerate(reader.pages, start=1):
        text = " ".join(page.extract_text().split())
        assert "Risk table bariatric-revision, version 2026.2" in text
        assert f"Page {number} of {len(reader.pages)}" in text
        assert "Alex Doe" in text and "Record MRN-0042" in text
        assert "Reference figures — not approved by your institution." in text


def test_signature_lines_for_patient_clinician_interpreter_and_witness(packet_pdf):
    text = pdftotext(packet_pdf)
    signatures = text[text.index("Signatures") :]
    for role in (
        "Patient Name",
        "Clinician Name",
        "written below. Name and language",
        "Witness Name",
    ):
        assert f"{role} Signature" in signatures
    assert "Interpreter I interpreted this packet and the conversation about it" in signatures
    assert len(re.findall(r"\bSignature\b", signatures)) == 4


def test_sources_are_listed_with_the_table_checksum(packet_pdf, table):
    text = pdftotext(packet_pdf)
    assert "Where these numbers come from" in text
    assert "counselling script" in text
    assert table.sha256 in text.replace(" ", "")


def embedded_fonts(pdf: Path) -> dict[str, str]:
    """Font name (subset prefix removed) -> 'yes'/'no' embedded, as pdffonts reports."""
    lines = run_tool("pdffonts", str(pdf)).splitlines()[2:]
    return {line.split()[0].split("+")[-1]: line.split()[-5] for line in lines}


def bundled_font_names() -> set[str]:
    """The bundled fonts as WeasyPrint names them: "Noto-Sans-Bold", "Consent-Icons"."""
    from fontTools.ttLib import TTFont

    names = set()
    for path in Path(templates_dir(), "fonts").glob("*.ttf"):
        full = TTFont(path)["name"].getDebugName(4)
        names.add(full.removesuffix(" Regular").replace(" ", "-"))
    return names


def test_every_font_is_embedded_and_bundled(packet_pdf):
    fonts = embedded_fonts(packet_pdf)
    assert {"Noto-Sans", "Noto-Sans-Bold", "Consent-Icons"} <= set(fonts)
    assert set(fonts.values()) == {"yes"}
    # Nothing outside templates/ was read: no system font stood in for a glyph.
    assert set(fonts) <= bundled_font_names()


def test_pdf_is_tagged_titled_and_structurally_valid(packet_pdf):
    info = run_tool("pdfinfo", str(packet_pdf))
    assert "Tagged:          yes" in info
    assert "Title:           Consent information: Revision bariatric surgery" in info
    assert "Alex" not in info  # no patient data in the metadata
    run_tool("qpdf", "--check", str(packet_pdf))


def test_every_stream_is_flate_compressed_and_decodes(packet_pdf):
    # The packet compresses its streams itself (consent.pdf.ZLIB_LEVEL); each
    # must say so and decode, or viewers would show garbage.
    reader = PdfReader(packet_pdf)
    objects = (reader.get_object(number) for number in range(1, reader.trailer["/Size"]))
    streams = [obj for obj in objects if isinstance(obj, StreamObject)]
    assert len(streams) > 10
    for stream in streams:
        assert stream.get("/Filter") == "/FlateDecode"
        assert stream.get_data()


def test_patient_markup_prints_literally(tmp_path, table):
    out = tmp_path / "p.pdf"
    render_packet(
        table,
        Patient.from_input("<b>x</b> & co"),
        Encounter.from_input("2026-11-30"),
        out,
        variant="plain",
    )
    assert "<b>x</b> & co" in pdftotext(out)


@pytest.mark.parametrize(
    "url",
    [
        "http://example.invalid/logo.png",
        "https://example.invalid/a.css",
        "file:///etc/passwd",
        "ftp://example.invalid/x",
    ],
)
def test_fetcher_refuses_everything_but_the_packet_assets(url):
    with pytest.raises(PermissionError, match="refused"):
        AssetsOnlyFetcher([templates_dir()]).fetch(url)


def test_fetcher_serves_bundled_assets():
    response = AssetsOnlyFetcher([templates_dir()]).fetch((templates_dir() / "style.css").as_uri())
    assert b"@font-face" in response.read()


@pytest.mark.parametrize(
    "tag",
    [
        '<img src="file:///etc/hostname">',
        '<link rel="stylesheet" href="http://example.invalid/x.css">',
    ],
)
def test_a_document_reaching_outside_fails_and_writes_nothing(tmp_path, tag):
    out = tmp_path / "p.pdf"
    with pytest.raises(RenderError, match="refused to fetch"):
        write_pdf(f"<html><body>{tag}<p>hi</p></body></html>", out, base_dir=templates_dir())
    assert list(tmp_path.iterdir()) == []


def test_existing_file_is_replaced_whole(tmp_path):
    out = tmp_path / "p.pdf"
    out.write_bytes(b"old")
    write_pdf("<p>new</p>", out, base_dir=templates_dir())
    assert out.read_bytes().startswith(b"%PDF-")
    assert [p.name for p in tmp_path.iterdir()] == ["p.pdf"]


@pytest.mark.parametrize(
    ("target", "message"),
    [
        ("missing/p.pdf", "does not exist"),
        ("", "it is a folder"),
        ("file.txt/p.pdf", "file.txt is a file, not a folder"),
        ("link.pdf", "it is a link or a special file"),
        ("pipe.pdf", "it is a link or a special file"),
    ],
)
def test_unwritable_output_is_refused_before_rendering(tmp_path, target, message):
    """A link or a pipe would be replaced by the packet, not written through."""
    (tmp_path / "file.txt").write_text("x")
    (tmp_path / "link.pdf").symlink_to(tmp_path / "file.txt")
    os.mkfifo(tmp_path / "pipe.pdf")
    with pytest.raises(OutputError, match=message):
        write_pdf("<p>x</p>", tmp_path / target, base_dir=templates_dir())
    assert (tmp_path / "file.txt").read_text() == "x"


def test_plain_variant_is_a_pdf_too(tmp_path):
    assert pdf_bytes("<p>x</p>", base_dir=templates_dir(), variant="plain").startswith(b"%PDF-")


@pytest.mark.parametrize(
    "procedure",
    ["salvage-lung-resection", "pelvic-exenteration-recurrent-rectal", "watch-and-wait-rectal"],
)
def test_every_bundled_table_renders_into_a_packet(tmp_path, procedure, alex):
    from consent.frequencies import frame
    from consent.tables import EventOutcome, load_table

    table = load_table(procedure)
    out = tmp_path / "p.pdf"
    render_packet(table, *alex, out)
    text = pdftotext(out)
    assert f"Risk table {procedure}, version {table.version}" in text
    for outcome in (o for o in table.outcomes if isinstance(o, EventOutcome)):
        for freq in frame(outcome).values():
            assert f"about {freq.numerator} in {freq.denominator:,}" in text
    assert set(embedded_fonts(out)) <= bundled_font_names()
