"""One SHA-256 of everything a packet shows, read alike from pydyf and from pypdf.

A page looks the way it does because of its content stream and of what that
stream names: fonts (their glyph shapes, widths and text mapping), graphics
states (an opacity of 0 hides text), colour spaces, patterns and images, and
the page's boxes and rotation, and its annotations. A screen reader also reads
the structure tree (the alternate text of every icon array) in the document's
language. The digest covers all of these, and the rest of the document
catalog (page tree, page labels, outlines, actions) except the attached
provenance record itself and the XMP metadata.

When a packet is made, WeasyPrint's objects are pydyf values; when it is
verified, they are pypdf values read back from the file. Both are turned into
the same canonical tokens: dictionaries in key order with each key
length-prefixed, numbers as pydyf writes them (an integer or six decimals),
names and strings as length-prefixed bytes, streams as their dictionary and a
hash of their data. A dictionary stands for the hash of its tokens, so
whether an object is written inline or as an indirect object, shared or
repeated, does not matter, and a stream whose only filter is Flate is hashed
decoded: a tool that saves the file again (qpdf, pypdf) does not count as a
change, but anything that alters what is drawn or read does.
"""

from __future__ import annotations

import hashlib
import math
import re
import zlib
from codecs import BOM_UTF16_BE
from collections.abc import Callable, Iterable
from functools import lru_cache
from typing import Any
from xml.etree import ElementTree

CATALOG_LEFT_OUT = frozenset({"EmbeddedFiles", "AF", "Metadata", "Version", "Extensions"})
"""Catalog entries not digested as they are: the attached files (the record,
which holds the digest, is digested apart, ``Digest.extras``; ``verify``
refuses any other), the XMP metadata, which archives may extend (its titles
are digested apart), and the PDF version a tool declares when it saves (qpdf's
AES-256 encryption does). Everything else in the catalog is: the page tree and
its page count, the structure tree, the language, page labels, outlines,
actions, forms."""

# What a reader makes of a value that is not a number: a leaf's final token
# (bytes), or one of these nodes.
REF, DICT, LIST, STREAM = range(4)
Node = bytes | tuple[int, Any, Any]


def leaf(kind: bytes, data: bytes) -> bytes:
    return b"%b%d:%b" % (kind, len(data), data)


TRUE, FALSE, NULL = leaf(b"b", b"true"), leaf(b"b", b"false"), leaf(b"z", b"")


class Digest:
    """The tokens of one document's pages and catalog, hashed.

    ``classify`` is one library's reader; ``numbers`` are that library's number
    types, looked up first because most values are numbers. Values of the
    ``kept`` types (pydyf's names and references, written as text) have their
    token kept by value, as the same ones recur thousands of times.
    """

    def __init__(
        self,
        classify: Callable[[Any], Node],
        numbers: frozenset[type],
        kept: frozenset[type] = frozenset(),
    ) -> None:
        self.classify = classify
        self.numbers = numbers
        self.kept = kept
        self.tokens: dict[Any, bytes] = {}
        self.hash = hashlib.sha256()
        self.done: dict[Any, bytes] = {}
        self.open: set[Any] = set()
        self.left_out: frozenset[str] = frozenset()

    def page(self, key: Any, items: Iterable[tuple[str, Any]]) -> None:
        """One page, given as its indirect object's key and its attributes."""
        token = self.done[key] = self.dictionary(items)
        self.hash.update(b"P" + token)

    def catalog(self, items: Iterable[tuple[str, Any]], page_count: Any) -> None:
        """The document catalog, after the pages, without ``CATALOG_LEFT_OUT``.

        Its page tree stands as the page count it claims (viewers believe it)
        and the pages in order (digested before it): how a tool arranges the
        tree, and what it puts there for pages to inherit (read into each page
        already), are left out.
        """
        self.left_out = CATALOG_LEFT_OUT
        entries = [(key, value) for key, value in items if key != "Pages"]
        self.hash.update(b"C" + self.dictionary(entries) + b"N" + self.token(page_count))
        self.left_out = frozenset()

    def token(self, value: Any) -> bytes:
        of_type = type(value)
        if of_type in self.numbers:
            return _number(value)
        kept = of_type in self.kept
        if kept:
            known = self.tokens.get(value)
            if known is not None:
                return known
        node = self.classify(value)
        if isinstance(node, bytes):
            if kept:
                self.tokens[value] = node
            return node
        kind, first, second = node
        if kind == REF:  # first: the object's key; second: reads the object
            known = self.done.get(first)
            if known is None:
                if first in self.open:  # a loop (a packet has none; an edited file may)
                    return b"~;"
                self.open.add(first)
                known = self.done[first] = self.token(second())
                self.open.discard(first)
            if kept:
                self.tokens[value] = known
            return known
        if kind == DICT:  # first: the entries
            return self.dictionary(first)
        if kind == LIST:  # first: the items
            numbers = self.numbers
            # Font widths, boxes and matrices are lists of numbers: formatted in one go.
            if first and type(first[0]) in numbers and all(type(n) in numbers for n in first):
                return b"[" + b"".join(map(_number, first)) + b"]"
            return b"[" + b"".join(map(self.token, first)) + b"]"
        # STREAM: first, the entries; second, the data
        return b"S" + self.dictionary(first) + hashlib.sha256(second).digest()

    def dictionary(self, items: Iterable[tuple[str, Any]]) -> bytes:
        left_out = self.left_out
        tokens = [
            _key(key) + self.token(value)
            for key, value in sorted(items)  # keys are unique, so values are never compared
            if key not in left_out
        ]
        return b"@" + hashlib.sha256(b"<" + b"".join(tokens) + b">").digest()

    def extras(self, title: Any, metadata: bytes | None, record: bytes) -> None:
        """The document's title, in the document information and in the XMP
        ``metadata`` (viewers show one or the other in their title bar, as the
        packet asks), and the provenance record as it was attached, with the
        placeholder where its digest stands: none can change unseen. The rest of
        the XMP is left out: archives may add to it."""
        self.hash.update(b"T" + (NULL if title is None else self.token(title)))
        self.hash.update(b"X" + _xmp_titles(metadata))
        self.hash.update(b"R" + hashlib.sha256(record).digest())

    def hexdigest(self) -> str:
        return self.hash.hexdigest()


def _xmp_titles(metadata: bytes | None) -> bytes:
    """The text of every ``dc:title`` in XMP metadata, or its bytes' hash if it is
    not XML a reader can parse."""
    if metadata is None:
        return NULL
    try:
        root = ElementTree.fromstring(metadata)
    except ElementTree.ParseError:
        return leaf(b"x", hashlib.sha256(metadata).digest())
    titles = ("".join(title.itertext()) for title in root.iter(f"{{{_DC}}}title"))
    return leaf(b"t", "\0".join(titles).encode())


_DC = "http://purl.org/dc/elements/1.1/"


@lru_cache(maxsize=1024)
def _key(key: str) -> bytes:
    """A dictionary key's token, length-prefixed so no key can read like two.
    Kept: a packet has a few dozen keys, used thousands of times."""
    return leaf(b"k", key.encode())


def _number(value: Any) -> bytes:
    """A number as pydyf writes it: an integer, or six decimals without trailing zeros.

    pypdf reads those decimals back as the nearest float, which formats to the
    same six decimals, so both sides give the same bytes. From 1,000 up, pypdf
    saves nine significant digits (1122.519685, a page height in CSS pixels,
    becomes 1122.51968), so there the written number is cut to what pypdf keeps;
    cutting again changes nothing, so a file pypdf saved gives the same token.
    """
    if isinstance(value, int) or value.is_integer():
        return b"#%d;" % value
    text = b"%f" % value
    if abs(value) >= 1000:
        written = float(text)
        text = b"%.*f" % (max(0, 8 - int(math.log10(abs(written)))), written)
    text = text.rstrip(b"0").rstrip(b".") if b"." in text else text
    return b"#0;" if text in (b"-0", b"0") else b"#" + text + b";"


def stream_node(items: Iterable[tuple[str, Any]], raw: bytes, decoded: bytes | None = None) -> Node:
    """A stream's dictionary (without its length) and the data to hash.

    ``decoded`` is given when the writer is still to compress the data.
    Otherwise a stream whose only filter is Flate is hashed decoded (with its
    predictor undone, for images), without its filter; a stream with any other
    filter (a JPEG image) is hashed as stored, with its filters.
    """
    entries = {key: value for key, value in items if key != "Length"}
    if decoded is None:
        if _filter_name(entries.get("Filter")) not in ("/FlateDecode", "[/FlateDecode]"):
            return STREAM, entries.items(), raw
        parameters = entries.pop("DecodeParms", None)
        decoded = _inflated(raw)
        if parameters:
            decoded = _unpredicted(raw, parameters)
    entries.pop("Filter", None)
    return STREAM, entries.items(), decoded


MAX_STREAM = 75_000_000
"""The most a stream may hold once inflated (pypdf's own limit): a file of a
few megabytes can inflate to gigabytes, and verify must not run out of memory."""


class StreamTooLarge(ValueError):
    """A stream inflates to more than ``MAX_STREAM`` bytes."""


def _inflated(raw: bytes) -> bytes:
    inflater = zlib.decompressobj()
    data = inflater.decompress(raw, MAX_STREAM + 1)
    if len(data) > MAX_STREAM:
        raise StreamTooLarge(f"a stream holds more than {MAX_STREAM // 1_000_000} MB uncompressed")
    return data


def _unpredicted(raw: bytes, parameters: Any) -> bytes:
    """Flate data with a PNG or TIFF predictor, decoded by pypdf (as it reads it back)."""
    from pypdf.filters import FlateDecode
    from pypdf.generic import DictionaryObject, NameObject, NumberObject

    if isinstance(parameters, list | tuple) and len(parameters) == 1:
        parameters = parameters[0]
    if hasattr(parameters, "get_object"):
        parameters = parameters.get_object()
    as_read = {
        NameObject("/" + str(key).lstrip("/")): NumberObject(int(value))
        for key, value in dict.items(parameters)
    }
    return FlateDecode.decode(raw, DictionaryObject(as_read))


def _filter_name(value: Any) -> str | None:
    """A filter's name as text, whichever library it comes from (a one-name array too)."""
    if isinstance(value, list | tuple) and len(value) == 1:
        return f"[{_filter_name(value[0])}]"
    if isinstance(value, bytes):
        return value.decode("latin-1")
    return None if value is None else str(value)


def made_digest(pdf: Any, joined: Callable[[Any], bytes], record: bytes) -> str:
    """The digest of a pydyf PDF that WeasyPrint has built and not yet written.

    ``joined`` gives a stream's data as the writer will have it (the caller
    keeps it, so it is joined once); ``record`` is the provenance record as
    attached, its digest still the placeholder.
    """
    import pydyf

    objects = pdf.objects  # pydyf numbers an object by its place in this list

    def classify(value: Any) -> Node:
        kind = type(value)
        if kind is str or kind is bytes:  # names, references and keywords, the most common
            token = _pydyf_token(value)
            if isinstance(token, int):
                return REF, (token, 0), lambda: objects[token]
            return token
        if isinstance(value, dict):
            return DICT, value.items(), None
        if isinstance(value, pydyf.Stream):
            if value.compress:
                return stream_node(value.extra.items(), b"", joined(value))
            return stream_node(value.extra.items(), joined(value))
        if isinstance(value, list | tuple):
            return LIST, value, None
        if isinstance(value, bool):
            return TRUE if value else FALSE
        if isinstance(value, pydyf.String):
            text = value.string
            if isinstance(text, bytes):
                return leaf(b"s", text)
            try:
                return leaf(b"s", text.encode("ascii"))
            except UnicodeEncodeError:
                return leaf(b"s", BOM_UTF16_BE + text.encode("utf-16-be"))
        return leaf(b"?", value.data if isinstance(value, pydyf.Object) else repr(value).encode())

    digest = Digest(classify, frozenset({int, float}), frozenset({str, bytes}))
    for number in pdf.pages["Kids"][::3]:  # pydyf lists kids as N, 0, "R"
        page = objects[number]
        digest.page((number, 0), ((k, v) for k, v in page.items() if k != "Parent"))
    digest.catalog(pdf.catalog.items(), pdf.pages["Count"])
    metadata = pdf.catalog.get("Metadata")
    metadata_data = joined(objects[_pydyf_token(metadata)]) if metadata else None
    digest.extras(pdf.info.get("Title"), metadata_data, record)
    return digest.hexdigest()


_REFERENCE = re.compile(rb"(\d+) 0 R")
_ESCAPED = re.compile(rb"#([0-9a-fA-F]{2})")


@lru_cache(maxsize=4096)
def _pydyf_token(value: str | bytes) -> bytes | int:
    """A value pydyf writes as it is: a name, a keyword, or a reference (then
    the object's number; pydyf's generation is always 0). Kept, because the
    same names recur hundreds of times in a packet."""
    token = value if isinstance(value, bytes) else value.encode()
    if token.startswith(b"/"):
        return leaf(b"/", _ESCAPED.sub(lambda m: bytes.fromhex(m[1].decode()), token[1:]))
    reference = _REFERENCE.fullmatch(token)
    if reference:
        return int(reference[1])
    return {b"true": TRUE, b"false": FALSE, b"null": NULL}.get(token) or leaf(b"?", token)


def read_digest(reader: Any, record: bytes) -> str:
    """The digest of a PDF read by pypdf (raises pypdf's errors on a broken file,
    ValueError on a page tree viewers would read otherwise); ``record`` as for
    ``made_digest``."""
    from pypdf import generic

    def classify(value: Any) -> Node:
        if isinstance(value, generic.IndirectObject):
            return REF, (value.idnum, value.generation), value.get_object
        if isinstance(value, generic.StreamObject):
            return stream_node(_items(value), value._data)  # the data as stored
        if isinstance(value, generic.DictionaryObject):
            return DICT, _items(value), None
        if isinstance(value, generic.ArrayObject):
            return LIST, value, None
        if isinstance(value, generic.NameObject):
            return leaf(b"/", str(value)[1:].encode())
        if isinstance(value, generic.BooleanObject):
            return TRUE if value.value else FALSE
        if isinstance(value, generic.NullObject):
            return NULL
        if isinstance(value, generic.TextStringObject):
            return leaf(b"s", value.get_original_bytes())
        if isinstance(value, generic.ByteStringObject):
            return leaf(b"s", bytes(value))
        return leaf(b"?", repr(value).encode())

    digest = Digest(classify, frozenset({generic.NumberObject, generic.FloatObject}))
    catalog = reader.trailer["/Root"]
    # pypdf's reader copies the attributes a page inherits from the page tree
    # (resources, boxes, rotation) into the page, so a page here is complete;
    # a viewer that follows the page's /Parent instead must find the same tree.
    for page in reader.pages:
        _check_parents(page, dict.get(catalog, "/Pages"))
        reference = page.indirect_reference
        items = [(key, value) for key, value in _items(page) if key != "Parent"]
        digest.page((reference.idnum, reference.generation), items)
    _check_counts(dict.get(catalog, "/Pages"))
    digest.catalog(_items(catalog), catalog["/Pages"]["/Count"])
    info = reader.trailer.get("/Info")
    metadata = catalog.get("/Metadata")
    digest.extras(
        info.get_object().get("/Title") if info is not None else None,
        metadata.get_object().get_data() if metadata is not None else None,
        record,
    )
    return digest.hexdigest()


def _check_counts(root: Any) -> None:
    """Raise ValueError unless every page tree node counts the pages under it.

    The digest covers the pages in order and the count the root claims, but
    MuPDF finds a page through the counts of the nodes in between: a wrong one
    hides a page there while every other reader shows it.
    """

    def pages_under(reference: Any, depth: int) -> int:
        node = reference.get_object()
        if node.get("/Type") != "/Pages":
            return 1
        if depth > 64:  # deeper than any page tree a packet has
            raise ValueError("the page tree nests too deeply")
        found = sum(pages_under(kid, depth + 1) for kid in node["/Kids"])
        if node.get("/Count") != found:
            raise ValueError("a page tree node miscounts its pages")
        return found

    pages_under(root, 0)


def _check_parents(page: Any, root: Any) -> None:
    """Raise ValueError unless the page's /Parent chain is the page tree that lists it."""
    child: Any = page.indirect_reference
    parent: Any = dict.get(page, "/Parent")
    for _ in range(64):  # deeper than any page tree a packet has
        kids = parent.get_object()["/Kids"]
        if not any(kid.idnum == child.idnum for kid in kids):
            raise ValueError("a page's /Parent is not the page tree node that lists it")
        if parent.idnum == root.idnum:
            return
        child, parent = parent, dict.get(parent.get_object(), "/Parent")
    raise ValueError("a page's /Parent chain does not reach the page tree")


def _items(dictionary: Any) -> list[tuple[str, Any]]:
    """A pypdf dictionary's entries with keys as pydyf writes them (no slash), values unresolved."""
    return [(str(key)[1:], value) for key, value in dict.items(dictionary)]
