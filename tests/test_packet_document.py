"""The packet as a document a consent office signs off: content order, tags, archival
variant, reproducible bytes, provenance and `consent verify`."""

from __future__ import annotations

import json
import re
import shutil
import zlib
from pathlib import Path

import pytest
from PIL import Image
from pypdf import PdfReader, PdfWriter
from pypdf.generic import (
    ArrayObject,
    BooleanObject,
    DictionaryObject,
    IndirectObject,
    NameObject,
    NullObject,
    NumberObject,
    RectangleObject,
    StreamObject,
    TextStringObject,
)
from typer.testing import CliRunner

from consent.cli import app
from consent.packet import render_packet
from consent.pdfdigest import _number
from consent.provenance import ATTACHMENT_NAME
from consent.tables import load_table, procedures

from pdftools import pdftotext, run_tool, words

CHANGED = "FAIL  content: the pages or the provenance record were changed after the packet was made"

SECTIONS = [
    "Revision bariatric surgery",
    "What this packet is for",
    "Why this is being offered",
    "What is different this time",
    "Risks",
    "Expected results",
    "Other choices",
    "Before the operation",
    "Questions to ask your care team",
    "What matters most to you",
    "Signatures",
    "Where these numbers come from",
]


def run(*args: str):
    return CliRunner().invoke(app, list(args), terminal_width=200)


def struct_elements(pdf: Path) -> list:
    """Every element of the PDF's structure tree, in document order."""
    return tree_elements(PdfReader(pdf).trailer["/Root"]["/StructTreeRoot"])


def pdftotext_page(pdf: Path, page: int) -> str:
    return run_tool("pdftotext", "-f", str(page), "-l", str(page), str(pdf), "-")


def tree_elements(root) -> list:
    """Every dictionary under a structure tree root (a reader's or a writer's), in order."""
    found = []

    def walk(node) -> None:
        node = node.get_object()
        if isinstance(node, list):
            for item in node:
                walk(item)
        elif hasattr(node, "get"):
            found.append(node)
            if node.get("/K") is not None:
                walk(node["/K"])

    walk(root)
    return found


def headings(pdf: Path) -> list[str]:
    """Struct-tree headings (H1-H3) in document order."""
    return [
        str(n["/S"]) for n in struct_elements(pdf) if str(n.get("/S", "")) in ("/H1", "/H2", "/H3")
    ]


def figure_alts(pdf: Path, without: list[int] | None = None) -> list[str]:
    """The alternate text of every Figure; ``without`` collects those that have none."""
    alts = []
    for node in struct_elements(pdf):
        if node.get("/S") == "/Figure":
            if "/Alt" in node:
                alts.append(str(node["/Alt"]))
            elif without is not None:
                without.append(1)
    return alts


def test_a_long_name_without_spaces_stays_on_the_page(tmp_path, table):
    from consent import Encounter, Patient

    out = tmp_path / "long.pdf"
    patient = Patient.from_input("W" * 200, "1980-02-03", "MRN-0042")
    render_packet(table, patient, Encounter.from_input("2026-11-30", "Dr. Rivera"), out)
    width = float(PdfReader(out).pages[0].mediabox.width)
    for page in (1, 2):
        assert max(x1 for _, _, x1, _, _ in words(out, page)) < width, page


@pytest.mark.parametrize("dpi", [72, 100, 150])
def test_each_writing_space_shows_three_ruled_lines_in_any_viewer(packet_pdf, tmp_path, dpi):
    """The lines were a repeating gradient, drawn as a pattern tile that viewers
    round to whole pixels: some zoom levels showed a sliver of a fourth line."""
    page_number = next(
        n for n in range(1, 10) if "What matters most" in pdftotext_page(packet_pdf, n)
    )
    image = tmp_path / "page"
    run_tool(
        "pdftoppm",
        "-r",
        str(dpi),
        "-f",
        str(page_number),
        "-l",
        str(page_number),
        "-singlefile",
        "-gray",
        str(packet_pdf),
        str(image),
    )
    ink = Image.open(f"{image}.pgm")
    px = dpi / 72
    on_page = words(packet_pdf, page_number)
    prompts = [y1 for _, _, _, y1, text in on_page if text in ("hope", "worries", "avoid,")]
    assert len(prompts) == 3
    left, right = round(60 * px), round(530 * px)
    for top, bottom in zip(prompts, [*prompts[1:], prompts[-1] + 90], strict=True):
        ruled = [
            y
            for y in range(round(top * px) + 2, round((bottom - 12) * px))
            if max(ink.getpixel((x, y)) for x in range(left, right, 7)) < 235
        ]
        lines = [y for y in ruled if y - 1 not in ruled]  # the first row of each line
        assert len(lines) == 3, (dpi, top, lines)


def test_the_header_shortens_a_long_name_and_the_cover_shows_it_whole(tmp_path, table):
    """A 193-character Spanish name ran the header up off the top of the page."""
    from consent import Encounter, Patient

    name = " ".join(["Mariangeles Concepción de la Santísima Trinidad"] * 4)  # 191 characters
    out = tmp_path / "long.pdf"
    render_packet(table, Patient.from_input(name, None, "R" * 40), Encounter.from_input(), out)
    cover = " ".join(pdftotext_page(out, 1).split())
    assert name in cover
    header = " ".join(pdftotext_page(out, 2).split()[:12])
    assert header.startswith("Mariangeles Concepción de la Santísima… · Record RRRR")
    from consent.render import _shortened

    assert _shortened("María de los Ángeles Fernández-Villaverde") == (
        "María de los Ángeles Fernández-Villaver…"  # not "María de los Ángeles…"
    )
    assert min(y0 for _, y0, _, _, _ in words(out, 2)) > 12  # 4 mm: printers print there


def test_every_page_of_a_blank_packet_has_lines_for_the_patient(tmp_path, table):
    """With the fields left to fill in by hand, pages after the cover named nobody:
    a page that came loose could not be matched to its patient."""
    from consent import Encounter, Patient

    out = tmp_path / "blank.pdf"
    render_packet(table, Patient(), Encounter.from_input("2026-11-30"), out)
    for page in range(2, len(PdfReader(out).pages) + 1):
        header = " ".join(pdftotext_page(out, page).split()[:6])
        assert header.startswith("Patient name: ______________ · Record ______________"), page


def test_the_record_label_keeps_to_its_number_when_the_header_wraps(tmp_path, table):
    from consent import Encounter, Patient

    out = tmp_path / "long.pdf"
    patient = Patient.from_input("María José Fernández-Łukasiewicz", None, "MRN-0042")
    render_packet(table, patient, Encounter.from_input("2026-11-30"), out, locale="es")
    on_page = words(out, 2)
    label = next(w for w in on_page if w[4] == "Historia")  # "Historia clínica n.º"
    number = next(w for w in on_page if w[4] == "MRN-0042")
    assert abs(label[1] - number[1]) < 1  # one line


def test_arabic_source_numbers_stand_apart_from_english_citations(tmp_path, table, alex):
    """ ".1" touched the last word of a citation's first line ("chemoradiation, 7 .4")."""
    out = tmp_path / "ar.pdf"
    render_packet(table, *alex, out, locale="ar")
    on_page = words(out, len(PdfReader(out).pages))
    numbers = [w for w in on_page if re.fullmatch(r"\.\d{1,2}", w[4])]
    right = max(w[2] for w in numbers)  # item numbers line up at the right
    markers = [w for w in numbers if w[2] > right - 1]
    assert markers
    for x0, y0, _, y1, text in markers:
        beside = [w[2] for w in on_page if w[2] <= x0 and w[1] < y1 and w[3] > y0]
        assert not beside or x0 - max(beside) > 5, text


def test_a_screen_reader_hears_each_option_with_its_own_picture(packet_pdf):
    """Side by side, each option's words and picture are one block: laid out as a row
    of words and a row of pictures (to line the pictures up), a screen reader heard
    both options' words, then both pictures."""
    lines = [
        line.strip() for line in run_tool("pdfinfo", "-struct-text", str(packet_pdf)).splitlines()
    ]
    first = lines.index('"First-time gastric bypass"')
    second = lines.index('"Revision (redo) operation"', first)
    assert any(line.startswith("Figure") for line in lines[first:second])


def test_sections_come_in_the_agreed_order(packet_pdf):
    text = pdftotext(packet_pdf)
    positions = [text.index(section) for section in SECTIONS]
    assert positions == sorted(positions)


def test_heading_hierarchy_is_tagged(packet_pdf):
    found = headings(packet_pdf)
    assert found[0] == "/H1" and found.count("/H1") == 1
    assert found.count("/H2") >= len(SECTIONS) - 1


def test_pdf_ua_is_tagged_with_language_and_title(packet_pdf):
    info = run_tool("pdfinfo", str(packet_pdf))
    assert "Tagged:          yes" in info
    reader = PdfReader(packet_pdf)
    assert reader.trailer["/Root"]["/Lang"] == "en"
    assert reader.metadata.title == "Consent information: Revision bariatric surgery"


def test_every_icon_array_has_its_sentences_as_alt_text(packet_pdf):
    alts = figure_alts(packet_pdf)
    arrays = [a for a in alts if re.search(r"about \d+ in 100 ", a)]
    assert len(arrays) == 4  # leak x2, bleeding and readmission for the revision
    assert any(
        a.startswith("Revision (redo) operation: Of people having a revision") for a in arrays
    )


def test_every_figure_has_alternate_text(packet_pdf):
    missing: list[int] = []
    alts = figure_alts(packet_pdf, missing)
    assert alts and not missing, f"{len(missing)} figure(s) without alt text"


def test_legend_figures_are_drawn_as_decoration_and_their_words_read_once(packet_pdf, tmp_path):
    """The legend's figures were tagged as pictures whose alternate text repeated
    the words beside them, so a screen reader said each key twice. They are CSS
    backgrounds now, which the tagged PDF marks as artifacts; they still show."""
    keys = {"it happens": "#A84300", "it does not happen": "#595959"}
    assert not set(figure_alts(packet_pdf)) & set(keys)
    tagged = run_tool("pdfinfo", "-struct-text", str(packet_pdf)).splitlines()
    for key in keys:
        assert [line.strip() for line in tagged].count(f'"{key}"') == 1, key

    dpi = 150
    page = tmp_path / "page"
    run_tool(
        "pdftoppm", "-r", str(dpi), "-f", "2", "-l", "2", "-singlefile", str(packet_pdf), str(page)
    )
    image = Image.open(f"{page}.ppm").convert("RGB")
    on_page = words(packet_pdf, 2)
    px = dpi / 72
    for key, colour in keys.items():
        # The key, not the sentence above it ("people it happens to").
        first = [*key.split(), "to"]
        at = next(
            i
            for i in range(len(on_page))
            if [w[4] for w in on_page[i : i + len(first)]][:-1] == first[:-1]
            and not on_page[i + len(first) - 1][4].startswith("to")
        )
        x0, y0, _, y1, _ = on_page[at]
        # The figure stands in the 5.6 mm before the words (style.css, .legend-key).
        before = image.crop((round((x0 - 16) * px), round(y0 * px), round(x0 * px), round(y1 * px)))
        wanted = [int(colour[i : i + 2], 16) for i in (1, 3, 5)]
        inks = [rgb for _, rgb in before.getcolors(10_000)]
        assert any(
            max(abs(a - b) for a, b in zip(rgb, wanted, strict=True)) < 24 for rgb in inks
        ), key


def test_list_items_are_tagged_with_their_text_in_a_body(packet_pdf):
    items = [e for e in struct_elements(packet_pdf) if e.get("/S") == "/LI"]
    assert len(items) > 20
    for item in items:
        kids = item["/K"] if isinstance(item["/K"], list) else [item["/K"]]
        assert [str(kid.get_object()["/S"]) for kid in kids][-1] == "/LBody"


def test_a_bullet_is_drawn_before_each_item_and_none_on_wrapped_lines(packet_pdf, table, tmp_path):
    """Bullets are dots drawn by style.css, hung in the list's indent."""
    dpi = 150
    indent = (18 + 6) * 72 / 25.4  # page margin and list indent (style.css), in points
    line_starts = [
        (y0, y1, text) for x0, y0, _, y1, text in words(packet_pdf, 1) if abs(x0 - indent) < 1
    ]
    firsts = {item.split()[0] for item in [*table.indications, *table.differences]}
    assert {text for *_, text in line_starts} > firsts  # item starts, and wrapped lines
    page = tmp_path / "page"
    run_tool(
        "pdftoppm",
        "-r",
        str(dpi),
        "-f",
        "1",
        "-l",
        "1",
        "-singlefile",
        "-gray",
        str(packet_pdf),
        str(page),
    )
    ink = Image.open(f"{page}.pgm").point(lambda v: 255 if v < 128 else 0)
    px = dpi / 72
    for y0, y1, text in line_starts:
        # Between 0.6 em and 0.2 em before the text, where "• " put its dot.
        before = (
            round((indent - 0.6 * 11.5) * px),
            round(y0 * px),
            round((indent - 0.2 * 11.5) * px),
            round(y1 * px),
        )
        assert (ink.crop(before).getbbox() is not None) == (text in firsts), text


def test_same_inputs_give_the_same_bytes(tmp_path, table, alex):
    first, second = tmp_path / "a.pdf", tmp_path / "b.pdf"
    render_packet(table, *alex, first)
    render_packet(table, *alex, second)
    assert first.read_bytes() == second.read_bytes()


def test_dates_come_from_the_packet_not_the_clock(packet_pdf):
    info = run_tool("pdfinfo", str(packet_pdf))
    assert "CreationDate:    Mon Nov 30 00:00:00 2026 UTC" in info


def test_provenance_attachment_describes_the_packet_without_patient_data(packet_pdf, table):
    raw = PdfReader(packet_pdf).attachments[ATTACHMENT_NAME][0]
    record = json.loads(raw)
    assert record["table"] == {
        "id": table.id,
        "version": table.version,
        "status": table.status,
        "sha256": table.sha256,
    }
    assert record["language"]["locale"] == "en" and record["pdf_variant"] == "pdf/ua-1"
    assert re.fullmatch(r"[0-9a-f]{64}", record["content_sha256"])
    assert record["content_sha256"] != "0" * 64
    for private in (b"Alex", b"MRN-0042", b"1980", b"Rivera"):
        assert private not in raw


def test_verify_accepts_an_untouched_packet(packet_pdf):
    result = run("verify", str(packet_pdf))
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[-1].endswith(": verified")


def test_verify_fails_when_the_pages_were_changed(packet_pdf, tmp_path):
    writer = PdfWriter(clone_from=packet_pdf)
    page = writer.pages[1]
    contents = page["/Contents"].get_object()
    contents.set_data(contents.get_data().replace(b"BT", b"BT 0 Tr", 1))
    changed = tmp_path / "changed.pdf"
    writer.write(changed)
    result = run("verify", str(changed))
    assert result.exit_code == 1
    assert CHANGED in result.stdout


def annotation(subtype: str, *, appearance: bool) -> DictionaryObject:
    """An annotation over page 2's first risk numbers; with an appearance it draws a
    white box reading "1 in 100", as a PDF editor's text box or stamp would."""
    values = {
        NameObject("/Type"): NameObject("/Annot"),
        NameObject("/Subtype"): NameObject(subtype),
        NameObject("/Rect"): RectangleObject([307, 563, 351, 574]),
        NameObject("/F"): NumberObject(4),
    }
    if appearance:
        box = StreamObject()
        box.set_data(b"1 1 1 rg 0 0 44 11 re f 0 0 0 rg BT /Helv 8 Tf 1 2 Td (1 in 100) Tj ET")
        box[NameObject("/Subtype")] = NameObject("/Form")
        box[NameObject("/BBox")] = RectangleObject([0, 0, 44, 11])
        values[NameObject("/AP")] = DictionaryObject({NameObject("/N"): box})
    return DictionaryObject(values)


@pytest.mark.parametrize("subtype", ["/Square", "/FreeText", "/Stamp", "/Widget"])
def test_verify_fails_when_something_is_drawn_over_a_page(packet_pdf, tmp_path, subtype):
    writer = PdfWriter(clone_from=packet_pdf)
    writer.pages[1][NameObject("/Annots")] = ArrayObject(
        [writer._add_object(annotation(subtype, appearance=True))]
    )
    changed = tmp_path / "drawn-over.pdf"
    writer.write(changed)
    result = run("verify", str(changed))
    assert result.exit_code == 1
    assert f"FAIL  content: page 2 has a {subtype[1:]} annotation drawn over it" in result.stdout


def test_verify_fails_when_a_link_is_added(packet_pdf, tmp_path):
    # Even without an appearance a link can draw (poppler strokes its border),
    # and it leads somewhere the packet did not; links the templates made are
    # in the digest and verify.
    writer = PdfWriter(clone_from=packet_pdf)
    writer.pages[1][NameObject("/Annots")] = ArrayObject(
        [writer._add_object(annotation("/Link", appearance=False))]
    )
    linked = tmp_path / "linked.pdf"
    writer.write(linked)
    result = run("verify", str(linked))
    assert result.exit_code == 1
    assert CHANGED in result.stdout


@pytest.mark.parametrize("change", ["crop away the banner", "turn a page"])
def test_verify_fails_when_a_page_was_cropped_or_turned(packet_pdf, tmp_path, change):
    writer = PdfWriter(clone_from=packet_pdf)
    page = writer.pages[1]
    if change == "turn a page":
        page.rotate(90)
    else:
        box = page.mediabox
        page.cropbox = RectangleObject([box.left, box.bottom, box.right, box.top - 60])
    changed = tmp_path / "framed.pdf"
    writer.write(changed)
    result = run("verify", str(changed))
    assert result.exit_code == 1
    assert CHANGED in result.stdout


def edited(packet_pdf: Path, tmp_path: Path, edit) -> Path:
    """The packet saved again by pypdf after ``edit(writer)``."""
    writer = PdfWriter(clone_from=packet_pdf)
    edit(writer)
    out = tmp_path / "edited.pdf"
    writer.write(out)
    return out


def page_resources(writer: PdfWriter, page: int = 1):
    return writer.pages[page]["/Resources"]


def first_font(writer: PdfWriter):
    """The descendant CID font of page 2's first font (widths, glyphs, text mapping)."""
    fonts = page_resources(writer)["/Font"]
    type0 = fonts[sorted(fonts)[0]].get_object()
    return type0, type0["/DescendantFonts"][0].get_object()


def hide_text(writer: PdfWriter) -> None:
    # Every graphics state draws fully transparent: the text is still in the
    # content stream, but nothing shows on screen or paper.
    for state in page_resources(writer)["/ExtGState"].values():
        state = state.get_object()
        for key in ("/ca", "/CA"):
            if key in state:
                state[NameObject(key)] = NumberObject(0)


def change_widths(writer: PdfWriter) -> None:
    widths = first_font(writer)[1]["/W"]
    widths[1][0] = NumberObject(widths[1][0] + 300)  # glyphs drift apart


def change_glyphs(writer: PdfWriter) -> None:
    program = first_font(writer)[1]["/FontDescriptor"]["/FontFile2"].get_object()
    data = program.get_data()
    program.set_data(data[:-64] + bytes(64))  # the last glyph outlines, zeroed


def change_text_mapping(writer: PdfWriter) -> None:
    mapping = first_font(writer)[0]["/ToUnicode"].get_object()
    mapping.set_data(mapping.get_data().replace(b"<0035>", b"<0031>"))  # "5" copies as "1"


def change_colours(writer: PdfWriter) -> None:
    for space in page_resources(writer)["/ColorSpace"].values():
        space[1][NameObject("/WhitePoint")] = ArrayObject([NumberObject(1)] * 3)


@pytest.mark.parametrize(
    "edit",
    [hide_text, change_widths, change_glyphs, change_text_mapping, change_colours],
    ids=["transparent text", "font widths", "font glyphs", "font text mapping", "colours"],
)
def test_verify_fails_when_what_a_page_draws_with_was_changed(packet_pdf, tmp_path, edit):
    result = run("verify", str(edited(packet_pdf, tmp_path, edit)))
    assert result.exit_code == 1
    assert CHANGED in result.stdout


def icon_array_element(writer: PdfWriter):
    """The structure element whose alternate text tells a screen reader the first risk."""
    elements = tree_elements(writer._root_object["/StructTreeRoot"])
    found = next((e for e in elements if "about 5 in 100" in str(e.get("/Alt", ""))), None)
    assert found is not None, "no element reads 'about 5 in 100'"
    return found


def change_alt_text(writer: PdfWriter) -> None:
    element = icon_array_element(writer)
    alt = str(element["/Alt"]).replace("about 5 in 100", "about 1 in 100")
    element[NameObject("/Alt")] = TextStringObject(alt)


def add_actual_text(writer: PdfWriter) -> None:
    # ActualText replaces what a screen reader reads for the whole element.
    element = icon_array_element(writer)
    element[NameObject("/ActualText")] = TextStringObject("about 1 in 100")


def change_language(writer: PdfWriter) -> None:
    writer._root_object[NameObject("/Lang")] = TextStringObject("de")


@pytest.mark.parametrize(
    "edit",
    [change_alt_text, add_actual_text, change_language],
    ids=["alternate text", "actual text added", "document language"],
)
def test_verify_fails_when_what_a_screen_reader_reads_was_changed(packet_pdf, tmp_path, edit):
    result = run("verify", str(edited(packet_pdf, tmp_path, edit)))
    assert result.exit_code == 1
    assert CHANGED in result.stdout


def merge_two_page_keys_into_one(writer: PdfWriter) -> None:
    # One key spelled to read, byte for byte, like /BleedBox's entry followed by
    # /Contents': the page loses its content. Keys are length-prefixed so no
    # spelling stands for two.
    page = writer.pages[0]
    bleed = b"[" + b"".join(map(_number, page["/BleedBox"])) + b"]"
    contents = page.raw_get("/Contents")
    del page["/BleedBox"], page["/Contents"]
    page[NameObject("/BleedBox\0" + bleed.decode() + "Contents")] = contents


def move_structure_to_another_page(writer: PdfWriter) -> None:
    # /Pg says whose marked content an element reads: a screen reader now reads
    # page 2's text where page 3's was.
    source, target = writer.pages[2].indirect_reference, writer.pages[1].indirect_reference
    for element in tree_elements(writer._root_object["/StructTreeRoot"]):
        page = element.raw_get("/Pg") if "/Pg" in element else None
        if page is not None and page.idnum == source.idnum:
            element[NameObject("/Pg")] = target


def hide_the_last_page(writer: PdfWriter) -> None:
    # Viewers believe /Count: the sources page disappears.
    writer._root_object["/Pages"][NameObject("/Count")] = NumberObject(7)


def miscount_a_page_tree_node(writer: PdfWriter) -> None:
    # MuPDF finds a page through the counts of the nodes in between: with the
    # first four pages under a node that counts three, page 4 never shows.
    root_reference = writer._root_object.raw_get("/Pages")
    root = root_reference.get_object()
    kids = list(root["/Kids"])

    def node(pages: list, count: int):
        made = writer._add_object(
            DictionaryObject(
                {
                    NameObject("/Type"): NameObject("/Pages"),
                    NameObject("/Kids"): ArrayObject(pages),
                    NameObject("/Count"): NumberObject(count),
                    NameObject("/Parent"): root_reference,
                }
            )
        )
        for page in pages:
            page.get_object()[NameObject("/Parent")] = made
        return made

    root[NameObject("/Kids")] = ArrayObject([node(kids[:4], 3), node(kids[4:], len(kids) - 4)])


def retitle(writer: PdfWriter) -> None:
    # The packet asks viewers to show its title in their title bar.
    writer.add_metadata({"/Title": "Consent information: Knee arthroscopy (low risk)"})


def name_another_table_in_the_record(writer: PdfWriter) -> None:
    # A table that exists, with its true digest: only the pages say otherwise.
    other = load_table("salvage-lung-resection")
    stream = attached_record(writer)
    record = json.loads(stream.get_data())
    record["table"].update(id=other.id, version=other.version, sha256=other.sha256)
    stream.set_data(json.dumps(record, indent=2, sort_keys=True).encode() + b"\n")


def flip_the_templates_mark(writer: PdfWriter) -> None:
    stream = attached_record(writer)
    stream.set_data(stream.get_data().replace(b'"custom": false', b'"custom": true'))


def retitle_the_xmp(writer: PdfWriter) -> None:
    # pdf.js shows the XMP title, where the packet has one, in its title bar.
    metadata = writer._root_object["/Metadata"].get_object()
    title = b"Revision bariatric surgery"
    assert title in metadata.get_data()
    metadata.set_data(metadata.get_data().replace(title, b"Watch and wait, no surgery"))


def attach_another_file(writer: PdfWriter) -> None:
    writer.add_attachment("README.txt", b"Ignore page 3: the risks there are out of date.")


def attached_record(writer: PdfWriter):
    names = writer._root_object["/Names"]["/EmbeddedFiles"]["/Names"]
    return names[1].get_object()["/EF"]["/F"].get_object()


def give_a_page_another_parent(writer: PdfWriter) -> None:
    # MuPDF takes inherited attributes from /Parent: page 1 shows upside down.
    fake = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Pages"),
            NameObject("/Kids"): ArrayObject(),
            NameObject("/Count"): NumberObject(0),
            NameObject("/Rotate"): NumberObject(180),
        }
    )
    writer.pages[0][NameObject("/Parent")] = writer._add_object(fake)


def untag_and_relabel(writer: PdfWriter) -> None:
    root = writer._root_object
    root[NameObject("/MarkInfo")] = DictionaryObject({NameObject("/Marked"): BooleanObject(False)})
    root[NameObject("/PageLabels")] = DictionaryObject(
        {
            NameObject("/Nums"): ArrayObject(
                [
                    NumberObject(0),
                    DictionaryObject({NameObject("/P"): TextStringObject("Approved-")}),
                ]
            )
        }
    )


@pytest.mark.parametrize(
    "edit",
    [
        merge_two_page_keys_into_one,
        move_structure_to_another_page,
        hide_the_last_page,
        give_a_page_another_parent,
        untag_and_relabel,
        miscount_a_page_tree_node,
        retitle,
        retitle_the_xmp,
        name_another_table_in_the_record,
        flip_the_templates_mark,
    ],
    ids=[
        "two keys as one",
        "structure page",
        "page count",
        "fake parent",
        "catalog",
        "page tree node count",
        "title",
        "xmp title",
        "record names another table",
        "record template mark flipped",
    ],
)
def test_verify_fails_on_edits_a_review_reproduced(packet_pdf, tmp_path, edit):
    result = run("verify", str(edited(packet_pdf, tmp_path, edit)))
    assert result.exit_code == 1
    assert CHANGED in result.stdout


def attach_a_file_through_af_only(writer: PdfWriter) -> None:
    spec = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Filespec"),
            NameObject("/F"): TextStringObject("README.txt"),
            NameObject("/UF"): TextStringObject("README.txt"),
        }
    )
    writer._root_object[NameObject("/AF")] = ArrayObject([writer._add_object(spec)])


@pytest.mark.parametrize(
    "attach", [attach_another_file, attach_a_file_through_af_only], ids=["embedded", "/AF only"]
)
def test_verify_fails_when_another_file_is_attached(packet_pdf, tmp_path, attach):
    result = run("verify", str(edited(packet_pdf, tmp_path, attach)))
    assert result.exit_code == 1
    assert "FAIL  content: 1 other file(s) were attached after it was made" in result.stdout


def test_verify_fails_when_the_file_is_locked_against_printing(packet_pdf, tmp_path):
    locked = tmp_path / "locked.pdf"
    run_tool(
        "qpdf", "--encrypt", "", "owner", "256", "--print=none", "--", str(packet_pdf), str(locked)
    )
    result = run("verify", str(locked))
    assert result.exit_code == 1
    assert "FAIL  content: the file was locked against printing" in result.stdout


def test_verify_says_when_an_institution_laid_the_packet_out(tmp_path, table, alex):
    folder = tmp_path / "templates" / "parts"
    folder.mkdir(parents=True)
    (folder / "logo.html.j2").write_text("<p>Clinic</p>")
    made = tmp_path / "custom.pdf"
    render_packet(table, *alex, made, templates=folder.parent)
    result = run("verify", str(made))
    assert result.exit_code == 0, result.output
    assert "laid out with an institution's own templates (not checked here)" in result.stdout


@pytest.mark.parametrize(
    "annots",
    [
        lambda writer: NumberObject(5),
        lambda writer: DictionaryObject({NameObject("/A"): NumberObject(1)}),
        lambda writer: ArrayObject([NullObject()]),
        lambda writer: ArrayObject([IndirectObject(9999, 0, writer)]),
    ],
    ids=["number", "dictionary", "null", "missing object"],
)
def test_verify_reports_broken_annotations_as_a_change(packet_pdf, tmp_path, annots):
    def edit(writer: PdfWriter) -> None:
        writer.pages[0][NameObject("/Annots")] = annots(writer)

    result = run("verify", str(edited(packet_pdf, tmp_path, edit)))
    assert result.exit_code == 1
    assert CHANGED in result.stdout
    assert "internal error" not in result.output


def test_verify_fails_when_the_file_needs_repair_to_be_read(packet_pdf, tmp_path):
    # Page 1's content stream stays where it was; an edited copy with the same
    # object number is appended, and the index entry points at another object.
    # pypdf repairs by finding the first copy, poppler and MuPDF rebuild the
    # index and show the last: the page loses most of its text.
    plain = tmp_path / "plain.pdf"
    run_tool("qpdf", "--object-streams=disable", str(packet_pdf), str(plain))
    data = plain.read_bytes()
    reader = PdfReader(plain)
    number = reader.pages[0].raw_get("/Contents").idnum
    start = int(re.search(rb"startxref\s+(\d+)\s+%%EOF\s*$", data)[1])
    table = re.compile(rb"xref\s+0 (\d+)\s+").match(data, start)
    size, at = int(table[1]), table.end()
    entries = [data[at + 20 * i : at + 20 * i + 20] for i in range(size)]
    entries[number] = entries[number + 1]
    trailer = data[at + 20 * size : data.index(b"startxref", at)]
    content = reader.pages[0]["/Contents"].get_data()
    cut = content[: content.index(b"BT", len(content) // 3)]
    edited = zlib.compress(cut + b"\n" + b"Q " * (cut.count(b"q") - cut.count(b"Q")))
    body = data[:start] + b"%d 0 obj\n<< /Filter /FlateDecode /Length %d >>\nstream\n" % (
        number,
        len(edited),
    )
    body += edited + b"\nendstream\nendobj\n"
    index = b"xref\n0 %d\n" % size + b"".join(entries)
    bent = tmp_path / "bent.pdf"
    bent.write_bytes(body + index + trailer + b"startxref\n%d\n%%%%EOF\n" % len(body))

    def first_page_words(pdf: Path) -> int:  # as poppler reads the page
        return len(run_tool("pdftotext", "-l", "1", str(pdf), "-").split())

    assert first_page_words(bent) < first_page_words(plain) / 2
    result = run("verify", str(bent))
    assert result.exit_code == 1
    assert "FAIL  content: the file had to be repaired to be read" in result.stdout


def rewrite_record(packet_pdf: Path, tmp_path: Path, change) -> Path:
    def edit(writer: PdfWriter) -> None:
        filespec = writer._root_object["/Names"]["/EmbeddedFiles"]["/Names"][1].get_object()
        if change is None:
            del filespec["/EF"]
            return
        stream = filespec["/EF"]["/F"].get_object()
        stream.set_data(json.dumps(change(json.loads(stream.get_data()))).encode())

    return edited(packet_pdf, tmp_path, edit)


@pytest.mark.parametrize(
    "change",
    [
        lambda record: [],
        lambda record: {k: v for k, v in record.items() if k != "tool"},
        lambda record: {**record, "table": "x"},
        lambda record: {**record, "language": "en"},
        lambda record: {**record, "tool": {"version": "0.1.0\nok    content: fine"}},
        lambda record: {**record, "content_sha256": 5},
        lambda record: {**record, "padding": " " * 80_000_000},
        None,
    ],
    ids=[
        "a list",
        "no tool",
        "table not an object",
        "language not an object",
        "a line break to forge the report",
        "digest not text",
        "larger than pypdf reads",
        "no file",
    ],
)
def test_verify_reports_a_malformed_record_as_unreadable(packet_pdf, tmp_path, change):
    result = run("verify", str(rewrite_record(packet_pdf, tmp_path, change)))
    assert result.exit_code == 1
    assert f"FAIL  provenance: {ATTACHMENT_NAME} is not readable" in result.stdout
    assert "internal error" not in result.output


def move_resources_to_the_page_tree(writer: PdfWriter) -> None:
    # Pages may take their resources from the page tree: the same resources,
    # moved there, are the same page.
    page = writer.pages[1]
    resources = page.raw_get("/Resources")  # the reference, not a copy
    del page["/Resources"]
    page["/Parent"].get_object()[NameObject("/Resources")] = resources


def merge_identical_objects(writer: PdfWriter) -> None:
    writer.compress_identical_objects()


@pytest.mark.parametrize(
    "edit", [move_resources_to_the_page_tree, merge_identical_objects], ids=["inherited", "merged"]
)
def test_verify_accepts_the_same_pages_saved_another_way_by_pypdf(packet_pdf, tmp_path, edit):
    result = run("verify", str(edited(packet_pdf, tmp_path, edit)))
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize(
    "options",
    [
        ["--stream-data=uncompress"],
        ["--recompress-flate", "--compression-level=9", "--object-streams=generate"],
        ["--linearize"],
        ["--encrypt", "", "owner", "256", "--"],
    ],
    ids=["uncompressed", "recompressed", "linearized", "encrypted for the owner only"],
)
def test_verify_accepts_the_same_pages_saved_again_by_qpdf(packet_pdf, tmp_path, options):
    saved = tmp_path / "saved.pdf"
    run_tool("qpdf", *options, str(packet_pdf), str(saved))
    result = run("verify", str(saved))
    assert result.exit_code == 0, result.output


def test_verify_fails_when_the_record_claims_another_table_status(packet_pdf, tmp_path):
    writer = PdfWriter(clone_from=packet_pdf)
    for reference in writer._objects:
        obj = reference.get_object() if reference is not None else None
        if isinstance(obj, StreamObject) and obj.get("/Type") == "/EmbeddedFile":
            obj.set_data(obj.get_data().replace(b'"reference"', b'"approved"'))
    claimed = tmp_path / "claimed.pdf"
    writer.write(claimed)
    result = run("verify", str(claimed))
    assert result.exit_code == 1
    assert (
        "FAIL  risk table: bariatric-revision 2026.2 (reference) is not approved, "
        "as the packet's record says"
    ) in result.stdout


def test_verify_fails_when_the_risk_table_changed(packet_pdf, table, tmp_path):
    folder = tmp_path / "tables" / table.id
    folder.mkdir(parents=True)
    shutil.copy(procedures()[table.id] / f"{table.version}.yaml", folder)
    edited = folder / f"{table.version}.yaml"
    edited.write_text(edited.read_text() + "# edited\n")
    result = run("verify", str(packet_pdf), "--tables", str(tmp_path / "tables"))
    assert result.exit_code == 1
    assert "FAIL  risk table: bariatric-revision 2026.2 (reference) differs" in result.stdout


def test_verify_refuses_a_pdf_without_provenance(tmp_path):
    from consent.pdf import pdf_bytes
    from consent.resources import templates_dir

    plain = tmp_path / "other.pdf"
    plain.write_bytes(pdf_bytes("<p>x</p>", base_dir=templates_dir()))
    result = run("verify", str(plain))
    assert result.exit_code == 1 and "not a consent packet" in result.stdout


def test_verify_names_a_file_that_is_not_a_pdf(tmp_path):
    bad = tmp_path / "bad.pdf"
    bad.write_text("not a pdf")
    result = run("verify", str(bad))
    assert result.exit_code == 1 and "cannot be read as a PDF" in result.stderr


def test_pdf_a3b_is_archival_and_verifiable(tmp_path, table, alex):
    out = tmp_path / "archive.pdf"
    render_packet(table, *alex, out, variant="pdf/a-3b")
    reader = PdfReader(out)
    assert reader.xmp_metadata is not None
    xmp = reader.xmp_metadata.stream.get_data()
    assert b'pdfaid:part="3"' in xmp and b'pdfaid:conformance="B"' in xmp
    assert run("verify", str(out)).exit_code == 0
    run_tool("qpdf", "--check", str(out))


@pytest.mark.parametrize("variant", ["plain", "pdf/ua-1", "pdf/a-3b"])
def test_every_variant_keeps_fonts_embedded(tmp_path, table, alex, variant):
    out = tmp_path / "p.pdf"
    render_packet(table, *alex, out, variant=variant)
    fonts = run_tool("pdffonts", str(out)).splitlines()[2:]
    assert fonts and all(line.split()[-5] == "yes" for line in fonts)


def test_institution_templates_override_by_name(tmp_path, table, alex):
    example = Path(__file__).resolve().parent.parent / "docs" / "custom-templates"
    out = tmp_path / "custom.pdf"
    render_packet(table, *alex, out, templates=example)
    text = pdftotext(out)
    assert "Example Hospital, Department of Surgery" in text and "Who to contact" in text
    assert "about 5 in 100 have a serious leak" in text  # the rest is the bundled packet
    record = json.loads(PdfReader(out).attachments[ATTACHMENT_NAME][0])
    assert record["templates"]["custom"] is True
    assert run("verify", str(out)).exit_code == 0


def test_html_preview_is_one_self_contained_file(tmp_path):
    out = tmp_path / "packet.html"
    result = run("render", "bariatric-revision", "--patient-name", "Alex Doe", "--html", str(out))
    assert result.exit_code == 0, result.output
    html = out.read_text(encoding="utf-8")
    assert "about 5 in 100 have a serious leak" in html
    assert 'href="style.css"' not in html and 'url("fonts/' not in html
    assert html.count("data:font/ttf;base64,") >= 4
    assert not list(tmp_path.glob("*.pdf"))


def test_render_needs_a_pdf_or_an_html_target():
    assert run("render", "bariatric-revision").exit_code == 2


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"translation_reviewed": True}, "the catalog it was made with is not reviewed"),
        (
            {"translation_reviewed": True, "catalog_sha256": None},
            "cannot be confirmed: the catalog it names is not the one installed here",
        ),
        ({"locale": "pl"}, "pl, translation not reviewed, but the pages are in es"),
        (
            {"locale": "en", "translation_reviewed": True, "catalog_sha256": None},
            "but the pages are in es",
        ),
    ],
    ids=["mark flipped", "mark flipped, catalog digest taken out", "to pl", "to en"],
)
def test_verify_checks_the_review_mark_against_the_catalog(tmp_path, table, alex, change, expected):
    """The record's "translation reviewed" is the catalog's to say, as a table's status
    is the table's: flipping it in the attachment alone must not pass."""
    made = tmp_path / "es.pdf"
    render_packet(table, *alex, made, locale="es")
    assert "es, translation not reviewed" in run("verify", str(made)).output
    writer = PdfWriter(clone_from=PdfReader(made))
    names = writer._root_object["/Names"]["/EmbeddedFiles"]["/Names"]
    stream = names[1].get_object()["/EF"]["/F"].get_object()
    record = json.loads(stream.get_data())
    record["language"].update(change)
    stream.set_data(json.dumps(record).encode())
    claimed = tmp_path / "claims-reviewed.pdf"
    with claimed.open("wb") as handle:
        writer.write(handle)
    result = run("verify", str(claimed))
    assert result.exit_code == 1
    assert expected in result.output


def test_verify_accepts_an_honest_not_reviewed_once_the_catalog_is_reviewed(
    tmp_path, table, alex, monkeypatch
):
    """A packet that said "not reviewed" stays verified when its catalog, with the
    same text, is marked reviewed later: it claimed less than the truth."""
    from consent import provenance
    from consent.i18n import Localizer

    class ReviewedSince(Localizer):
        @property
        def reviewed(self) -> bool:
            return True

    made = tmp_path / "es.pdf"
    render_packet(table, *alex, made, locale="es")
    monkeypatch.setattr(provenance, "Localizer", ReviewedSince)
    result = run("verify", str(made))
    assert result.exit_code == 0, result.output
    assert (
        "es, translation not reviewed (as recorded; the catalog was reviewed since)"
        in result.stdout
    )


def test_the_banner_is_in_the_structure_tree_not_only_in_the_margins(tmp_path, table, alex):
    """WeasyPrint leaves margin text out of the structure tree, so a screen reader
    never heard "not approved" or "not reviewed"; the cover says it as tagged text."""
    for locale, expected in [
        ("en", "Reference figures — not approved by your institution."),
        ("es", "(Translation not yet reviewed.)"),
    ]:
        out = tmp_path / f"{locale}.pdf"
        render_packet(table, *alex, out, locale=locale)
        assert expected in run_tool("pdfinfo", "-struct-text", str(out))


def test_each_cover_field_is_one_paragraph_and_no_caption_is_misplaced(packet_pdf):
    """A <dl> was tagged as one flat list of 14 labels and values, and a <figcaption>
    as a Caption inside a NonStruct (PDF/UA allows a Caption only in a Figure,
    Table or list): the cover now has a paragraph per field, the options a P."""
    lines = run_tool("pdfinfo", "-struct-text", str(packet_pdf)).splitlines()

    def block_of(text: str) -> int:
        at = next(i for i, line in enumerate(lines) if line.strip() == f'"{text}"')
        return max(i for i in range(at) if "(block)" in lines[i])

    assert block_of("Patient name") == block_of("Alex Doe")
    assert lines[block_of("Patient name")].strip() == "P (block)"
    assert block_of("Record number") == block_of("MRN-0042")
    assert "/Caption" not in {str(e.get("/S")) for e in struct_elements(packet_pdf)}
