"""How much work MuPDF would do to extract a page, measured before it does it.

A small file can inflate into gigabytes of drawing instructions (1,000:1 for deflate), and MuPDF
keeps every character of a page in memory while extracting it: the caps in `pipeline.pdf` are on
the inflated size, counted here without holding the inflated bytes.
"""

from __future__ import annotations

import zlib

import pymupdf

_INFLATE_STEP = 1 << 20


def content_size(
    doc: pymupdf.Document, page: pymupdf.Page, limit: int, measured: dict[int, int]
) -> int:
    """Inflated bytes of the page's content streams and form XObjects, counted up to `limit`
    without holding them: the work MuPDF would do to extract the page."""
    try:
        xrefs = [*page.get_contents(), *(x[0] for x in page.get_xobjects())]
    except (RuntimeError, ValueError):
        return 0
    total = 0
    for xref in xrefs:
        if xref not in measured:
            measured[xref] = _stream_size(doc, xref, limit)
        total += measured[xref]
        if total >= limit:
            break
    return total


def _stream_size(doc: pymupdf.Document, xref: int, limit: int) -> int:
    try:
        kind, filters = doc.xref_get_key(xref, "Filter")
        raw = doc.xref_stream_raw(xref) or b""
        if kind == "null":
            return len(raw)
        if filters.strip("[] ") != "/FlateDecode":  # rare filters: decoded by MuPDF in full
            return len(doc.xref_stream(xref) or b"")
    except (RuntimeError, ValueError):
        return 0  # MuPDF finds the stream broken too, and skips it
    inflater, size = zlib.decompressobj(), 0
    try:
        while raw and size < limit:
            size += len(inflater.decompress(raw, _INFLATE_STEP))
            raw = inflater.unconsumed_tail
    except zlib.error:
        pass  # what inflated so far is what MuPDF will run
    return size
