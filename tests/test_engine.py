"""consent.engine's shortcuts: taken for the bundled templates, and the PDF stays the same.

Each shortcut (the XML parser, the lean user-agent stylesheet) is only worth
having if a packet made with it is byte for byte the packet WeasyPrint makes
without it; these tests render both ways and compare.
"""

from __future__ import annotations

import copy
import ctypes.util
import gc
import sys
from collections.abc import Iterator
from pathlib import Path

import cssselect2
import pytest
import weasyprint.html

from consent.i18n import Localizer
from consent.packet import render_packet
from consent.patient import Encounter, Patient
from consent.render import packet_html
from consent.resources import templates_dir
from consent.standalone import make_frequency, render_icon_array
from consent.tables import load_table

engine = sys.modules["consent.engine"]
pdf = sys.modules["consent.pdf"]

# Every bundled table and every shipped language at least once, with a name
# that needs escaping and an interpreter line.
CASES = [
    ("bariatric-revision", "en"),
    ("salvage-lung-resection", "es"),
    ("pelvic-exenteration-recurrent-rectal", "pl"),
    ("watch-and-wait-rectal", "ar"),
    ("bariatric-revision", "en-XA"),
]
PATIENT = Patient.from_input('Zoë O\'Brien <"Ana"> & Co', "1980-02-03", "MRN-0042")
ENCOUNTER = Encounter.from_input(
    "2026-11-30", "Dr. Rivera", interpreter_name="Ana Ruiz", interpreter_language="Spanish"
)


@pytest.fixture
def stock_weasyprint(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make consent.pdf hand every packet to plain weasyprint.HTML and its stock stylesheet."""
    fast = engine.document

    def stock(html: str, base_url: str, url_fetcher: object, *, bundled: bool) -> object:
        return fast(html, base_url, url_fetcher, bundled=False)

    monkeypatch.setattr(pdf, "document", stock)


def _render(procedure: str, locale: str, out: Path, variant: str = "pdf/ua-1") -> bytes:
    render_packet(load_table(procedure), PATIENT, ENCOUNTER, out, locale=locale, variant=variant)
    return out.read_bytes()


@pytest.mark.parametrize(("procedure", "locale"), CASES)
def test_bundled_packet_takes_the_fast_path(procedure: str, locale: str) -> None:
    html = packet_html(load_table(procedure), PATIENT, ENCOUNTER, Localizer(locale))
    html, _ = pdf._parsed_stylesheets(html, (templates_dir(),))
    document = engine.document(html, str(templates_dir()) + "/", None, bundled=True)
    assert isinstance(document, engine._BundledPacket)


@pytest.mark.parametrize(("procedure", "locale"), CASES)
def test_fast_path_gives_the_same_bytes(
    procedure: str, locale: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    fast = _render(procedure, locale, tmp_path / "fast.pdf")
    request.getfixturevalue("stock_weasyprint")
    stock = _render(procedure, locale, tmp_path / "stock.pdf")
    assert fast == stock


@pytest.mark.parametrize("variant", ["pdf/a-3b", "plain"])
def test_fast_path_gives_the_same_bytes_in_every_variant(
    variant: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    fast = _render("bariatric-revision", "es", tmp_path / "fast.pdf", variant)
    request.getfixturevalue("stock_weasyprint")
    assert _render("bariatric-revision", "es", tmp_path / "stock.pdf", variant) == fast


def test_standalone_icon_array_pdf_is_the_same(
    tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    def draw(name: str) -> bytes:
        out = tmp_path / name
        render_icon_array(make_frequency(7, 100, low=4, high=11), out, locale="ar")
        return out.read_bytes()

    fast = draw("fast.pdf")
    request.getfixturevalue("stock_weasyprint")
    assert draw("stock.pdf") == fast


def test_markup_that_is_not_well_formed_goes_to_the_html5_parser() -> None:
    document = engine.document("<p>an open paragraph<br>", "/tmp/", None, bundled=True)
    assert not isinstance(document, engine._BundledPacket)
    assert document.etree_element.find(".//p") is not None


def test_an_institutions_templates_never_take_the_fast_path() -> None:
    well_formed = "<html><body><div/><p>after</p></body></html>"
    assert not isinstance(
        engine.document(well_formed, "/tmp/", None, bundled=False), engine._BundledPacket
    )


def test_lean_stylesheet_scopes_the_rules_and_leaves_the_stock_one_alone() -> None:
    """If WeasyPrint or cssselect2 change these rules, the stock path is used: correct, but slower."""
    assert engine._LEAN_UA is not None
    stock, lean = weasyprint.html.UA_STYLESHEET.matcher, engine._LEAN_UA.matcher
    assert sorted(rule[3] for rule in stock.other_selectors if rule[3]) == sorted(
        ["marker", *engine._NEVER_USED]
    )
    assert [rule for rule in lean.other_selectors if rule[3]] == []
    (marker,) = [rule for rule in stock.other_selectors if rule[3] == "marker"]
    for name in ("li", "summary"):
        scoped = [rule[1:4] for rule in lean.lower_local_name_selectors[name] if rule[3]]
        assert scoped == [((0, 0, 2), marker[2], "marker")]
    assert not any(rule[3] for rule in lean.lower_local_name_selectors["p"])
    assert "marker" not in [rule[3] for rule in stock.lower_local_name_selectors["li"]]


def test_a_stylesheet_kept_another_way_takes_the_stock_path() -> None:
    assert engine._lean_stylesheet(None) is None
    odd = copy.copy(weasyprint.html.UA_STYLESHEET)
    odd.matcher = cssselect2.Matcher()
    assert engine._lean_stylesheet(odd) is None


def test_library_lookup_is_restored_after_loading() -> None:
    assert ctypes.util.find_library.__name__ == "find_library"


def test_only_the_bundled_templates_alone_take_the_fast_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen = []
    real = engine.document

    def spy(html: str, base_url: str, url_fetcher: object, *, bundled: bool) -> object:
        seen.append(bundled)
        return real(html, base_url, url_fetcher, bundled=bundled)

    monkeypatch.setattr(pdf, "document", spy)
    table = load_table("bariatric-revision")
    render_packet(table, PATIENT, ENCOUNTER, tmp_path / "bundled.pdf")
    overrides = tmp_path / "institution"
    overrides.mkdir()  # even an empty override folder means templates we do not know
    render_packet(table, PATIENT, ENCOUNTER, tmp_path / "custom.pdf", templates=overrides)
    assert seen == [True, False]


@pytest.fixture
def collections() -> Iterator[list[int]]:
    """The generation of every collection that starts while the test runs."""
    seen: list[int] = []

    def record(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            seen.append(info["generation"])

    gc.callbacks.append(record)
    yield seen
    gc.callbacks.remove(record)


def test_a_packet_is_laid_out_with_the_collector_paused(
    tmp_path: Path, collections: list[int]
) -> None:
    _render("bariatric-revision", "es", tmp_path / "warm-up.pdf")  # catalogs, fonts, caches
    collections.clear()
    _render("bariatric-revision", "es", tmp_path / "first.pdf")
    _render("bariatric-revision", "es", tmp_path / "second.pdf")
    # Without the pause, each packet sets off about 25 collections; with it, one
    # of the packet's leftovers (and now and then one more, outside the layout).
    assert 2 <= len(collections) <= 4
    assert gc.isenabled()


def test_packets_leave_no_cycles_for_a_full_collection_to_find(tmp_path: Path) -> None:
    # What the young collection after each packet cannot free piles up until a
    # full one: a urllib opener made per packet did, 45 objects a packet.
    _render("bariatric-revision", "pl", tmp_path / "warm-up.pdf")
    gc.collect()
    for number in range(4):
        _render("bariatric-revision", "pl", tmp_path / f"{number}.pdf")
    assert gc.collect() < 20


def test_the_collector_is_back_on_when_a_packet_fails(
    tmp_path: Path, collections: list[int]
) -> None:
    with pytest.raises(pdf.RenderError):
        pdf.pdf_bytes('<img src="http://example.invalid/x.png">', base_dir=tmp_path)
    assert gc.isenabled() and collections == [0]


def test_a_collector_the_caller_turned_off_stays_off(
    tmp_path: Path, collections: list[int]
) -> None:
    gc.disable()
    try:
        _render("bariatric-revision", "en", tmp_path / "packet.pdf")
        assert not gc.isenabled() and collections == []
    finally:
        gc.enable()
