"""Hostile PDFs: locked, scanned, cut, page bombs, content bombs and endless downloads.

Each one is generated here with PyMuPDF (or written by hand where PyMuPDF would take seconds);
each must end in a clear reason and an abstract-only analysis, within bounded time and memory.
"""

from __future__ import annotations

import pymupdf
import pytest

from bot.core import ChatCore
from bot.platform import PaperReply
from domain.errors import PdfUnreadable
from domain.statuses import AnalysisSource
from pipeline.pdf import MAX_PAGE_CONTENT_BYTES, extract
from tests.chat import MEMBER
from tests.daydata import ECO, method_pdf
from tests.fakes.arxiv_server import FakeArxiv
from tests.fakes.openai_server import FakeOpenAI
from tests.pdfgen import (
    make_encrypted_pdf,
    make_image_only_pdf,
    make_many_pages_pdf,
    make_paper_pdf,
)
from tests.polling import until


def hand_written_pdf(pages: int) -> bytes:
    """A valid PDF of `pages` pages sharing one content stream, written byte by byte: PyMuPDF
    needs seconds for 20,000 pages, this takes milliseconds."""
    content = b"BT /F1 12 Tf 72 720 Td (a page of a very long document) Tj ET"
    kids = b" ".join(b"%d 0 R" % (5 + i) for i in range(pages))
    page = (
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
        b"/Resources << /Font << /F1 3 0 R >> >> /Contents 4 0 R >>"
    )
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [" + kids + b"] /Count %d >>" % pages,
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(content), content),
        *[page] * pages,
    ]
    out = bytearray(b"%PDF-1.7\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    start = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        start,
    )
    return bytes(out)


def _bomb_content(inflated: int) -> bytes:
    line = b"BT /helv 10 Tf 72 72 Td (" + b"A" * 200 + b") Tj ET\n"
    return line * (inflated // len(line) + 1)


def bomb_pdf(inflated: int = 3 * MAX_PAGE_CONTENT_BYTES) -> bytes:
    """One page whose few compressed kilobytes inflate into `inflated` bytes of text drawing."""
    doc = pymupdf.open()
    page = doc.new_page()
    page.insert_text((72, 72), "seed", fontsize=10)  # gives the page a font and a stream
    doc.update_stream(page.get_contents()[0], _bomb_content(inflated))
    data = doc.tobytes(garbage=3, deflate=True)
    doc.close()
    return data


def paper_with_a_bomb_page(*, as_form: bool) -> bytes:
    """A readable paper plus one bomb page, drawn directly or through a form XObject."""
    doc = pymupdf.open(stream=method_pdf(ECO.title), filetype="pdf")
    bomb = pymupdf.open(stream=bomb_pdf(), filetype="pdf")
    if as_form:
        doc.new_page().show_pdf_page(pymupdf.Rect(0, 0, 595, 842), bomb, 0)
    else:
        doc.insert_pdf(bomb)
    data = doc.tobytes(garbage=3, deflate=True)
    doc.close()
    bomb.close()
    return data


def test_a_hand_written_pdf_is_a_real_pdf() -> None:
    with pymupdf.open(stream=hand_written_pdf(30), filetype="pdf") as doc:
        assert doc.page_count == 30 and not doc.is_repaired
        assert "a page of a very long document" in doc[29].get_text()


def test_twenty_thousand_pages_are_refused_before_any_is_read() -> None:
    data = hand_written_pdf(20_000)
    with pytest.raises(PdfUnreadable, match="has 20000 pages; only up to 150 are read"):
        extract(data)


def test_a_small_file_inflating_into_megabytes_of_text_is_not_run() -> None:
    data = bomb_pdf()
    assert len(data) < 1_000_000  # small on the wire, 15 MB once inflated
    with pytest.raises(PdfUnreadable, match="every page holds more than 5 MB"):
        extract(data)


@pytest.mark.parametrize("as_form", [False, True], ids=["page", "form-xobject"])
def test_a_bomb_page_is_left_out_and_the_rest_of_the_paper_read(as_form: bool) -> None:
    full = extract(paper_with_a_bomb_page(as_form=as_form))

    text = "\n".join(s.text for s in full.sections)
    assert "Our method predicts sparsity" in text
    assert "AAAA" not in text
    assert full.pages == pymupdf.open(stream=method_pdf(ECO.title), filetype="pdf").page_count + 1


def test_a_bomb_page_is_read_when_the_page_cap_allows_it() -> None:
    """The cap is what leaves the page out: raised above the page's size, the text is there."""
    full = extract(bomb_pdf(200_000), max_page_content=300_000)
    assert "AAAA" in "\n".join(s.text for s in full.sections)
    with pytest.raises(PdfUnreadable, match="PDF_MAX_PAGE_CONTENT_BYTES"):
        extract(bomb_pdf(200_000), max_page_content=100_000)


def test_the_whole_documents_content_is_capped_too() -> None:
    data = make_many_pages_pdf(6)
    assert extract(data).pages == 6
    with pytest.raises(PdfUnreadable, match="PDF_MAX_CONTENT_BYTES"):
        extract(data, max_content=3_000)


def _truncated() -> bytes:
    data = make_paper_pdf(min_pages=3)
    return data[: len(data) // 2]


@pytest.mark.parametrize(
    ("make", "reason"),
    [
        (make_encrypted_pdf, "the PDF is encrypted: it needs a password to open"),
        (make_image_only_pdf, "it looks scanned or made of images"),
        (_truncated, "incomplete"),
        (lambda: hand_written_pdf(20_000), "the PDF has 20000 pages; only up to 150 are read"),
        (bomb_pdf, "every page holds more than 5 MB of drawing instructions"),
        (lambda: b"%PDF-1.7\n" + bytes(range(256)) * 100, "damaged"),
    ],
    ids=["encrypted", "image-only", "truncated", "20000-pages", "content-bomb", "garbage"],
)
async def test_summarize_falls_back_to_the_abstract_with_the_reason(
    core: ChatCore,
    arxiv: FakeArxiv,
    llm: FakeOpenAI,
    make: object,
    reason: str,
) -> None:
    arxiv.add_paper(ECO, make())  # type: ignore[operator]

    reply = await core.handle(MEMBER, "summarize 2602.00780")

    assert isinstance(reply, PaperReply), reply
    assert reply.entry.source is AnalysisSource.ABSTRACT
    assert reply.entry.analysis is not None
    assert any(reason in note and "from the abstract only" in note for note in reply.entry.notes)
    assert len(llm.completions) == 1


async def test_a_200_mb_pdf_is_stopped_at_the_size_cap_while_streaming(
    core: ChatCore,
    arxiv: FakeArxiv,
    llm: FakeOpenAI,
) -> None:
    total = 200_000_000
    arxiv.papers[ECO.arxiv_id] = ECO
    arxiv.streamed_pdfs[ECO.versioned_id] = total  # made on the fly, never held whole

    reply = await core.handle(MEMBER, "summarize 2602.00780")

    assert isinstance(reply, PaperReply), reply
    assert reply.entry.source is AnalysisSource.ABSTRACT
    assert any("larger than 30 MB; the download was stopped" in n for n in reply.entry.notes)
    await until(lambda: ECO.versioned_id in arxiv.streamed_bytes)  # once the client hung up
    assert arxiv.streamed_bytes[ECO.versioned_id] < total / 2
