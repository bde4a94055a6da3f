"""The digest of what a packet shows: pydyf's objects (when the packet is made) and
pypdf's reading of the file (when it is verified) must give the same bytes."""

from __future__ import annotations

import json
import zlib
from io import BytesIO
from pathlib import Path

import pydyf
import pytest
from PIL import Image
from pypdf import PdfReader
from pypdf.generic import FloatObject, NumberObject, read_object

from consent.packet import render_packet
from consent.pdfdigest import MAX_STREAM, StreamTooLarge, _number, stream_node
from consent.provenance import ATTACHMENT_NAME, read_content_digest

from pdftools import run_tool


def recorded_and_read(pdf: Path) -> tuple[str, str]:
    reader = PdfReader(pdf)
    raw = reader.attachments[ATTACHMENT_NAME][0]
    claimed = json.loads(raw)["content_sha256"]
    return claimed, read_content_digest(reader, raw, claimed)


@pytest.mark.parametrize(
    "value",
    [0, -0.0, 1.0, 3, 595.2755905511812, -12.5, 1e-7, -4e-7, 0.5000005, 2.0000001, 123456.75],
)
def test_a_number_reads_back_as_pydyf_wrote_it(value):
    written = pydyf._to_bytes(value)
    read = read_object(BytesIO(written + b" "), None)
    assert isinstance(read, NumberObject | FloatObject)
    assert _number(read) == _number(value), written


@pytest.mark.parametrize(
    "value", [1122.5196850393, 793.7007874, 1000.0000004, 99999.123456, -4321.9999996]
)
def test_a_number_pypdf_saved_again_reads_as_it_was_made(value):
    """pypdf keeps nine significant digits: from 1,000 up it drops decimals
    pydyf wrote (a page height of 1122.519685 CSS pixels is saved as 1122.51968)."""
    read = read_object(BytesIO(pydyf._to_bytes(value) + b" "), None)
    saved = BytesIO()
    read.write_to_stream(saved)
    again = read_object(BytesIO(saved.getvalue() + b" "), None)
    assert _number(again) == _number(value), saved.getvalue()


def test_a_stream_that_inflates_past_the_limit_is_refused_not_read_whole():
    """A few hundred kilobytes of Flate data can inflate to gigabytes: verify
    stops at pypdf's own limit instead of running the machine out of memory."""
    bomb = zlib.compress(b" " * (MAX_STREAM + 1), 9)
    with pytest.raises(StreamTooLarge):
        stream_node([("Filter", "/FlateDecode")], bomb)
    assert stream_node([("Filter", "/FlateDecode")], zlib.compress(b"q Q"))[2] == b"q Q"


@pytest.mark.parametrize("variant", ["pdf/ua-1", "pdf/a-3b", "plain"])
@pytest.mark.parametrize("lang", ["en", "es", "pl", "ar"])
def test_a_packet_reads_back_with_the_digest_it_was_made_with(tmp_path, table, alex, lang, variant):
    # The other tables, in every language, are checked where they are rendered
    # (test_localized_packets.py).
    out = tmp_path / "packet.pdf"
    render_packet(table, *alex, out, locale=lang, variant=variant)
    recorded, read = recorded_and_read(out)
    assert recorded == read


@pytest.fixture(scope="module")
def raster_logo_packet(tmp_path_factory, table, alex) -> Path:
    """A packet whose institution template adds a PNG logo with transparency
    (Flate with a predictor, and a soft mask), a JPEG one (DCT) and a link
    (an annotation, which the digest covers)."""
    templates = tmp_path_factory.mktemp("templates")
    (templates / "parts").mkdir()
    Image.new("RGBA", (60, 20), (200, 30, 30, 128)).save(templates / "logo.png")
    Image.new("RGB", (60, 20), (30, 30, 200)).save(templates / "logo.jpg", quality=80)
    (templates / "parts" / "logo.html.j2").write_text(
        '<div class="letterhead"><img src="logo.png" alt="Logo"/>'
        '<img src="logo.jpg" alt="Logo"/>'
        '<p><a href="https://example.org/contact">Hospital</a></p></div>\n'
    )
    out = tmp_path_factory.mktemp("logo") / "packet.pdf"
    render_packet(table, *alex, out, templates=templates)
    return out


@pytest.mark.parametrize(
    "options",
    [[], ["--stream-data=uncompress"], ["--recompress-flate", "--compression-level=9"]],
    ids=["as made", "uncompressed by qpdf", "recompressed by qpdf"],
)
def test_raster_logos_read_back_with_the_digest_they_were_made_with(
    raster_logo_packet, tmp_path, options
):
    images = run_tool("pdfimages", "-list", str(raster_logo_packet))
    assert " jpeg " in images and " smask " in images  # the filters this test is about
    assert "/Annots" in PdfReader(raster_logo_packet).pages[0]
    saved = tmp_path / "saved.pdf"
    run_tool("qpdf", *options, str(raster_logo_packet), str(saved))
    recorded, read = recorded_and_read(saved)
    assert recorded == read
