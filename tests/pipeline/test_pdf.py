from __future__ import annotations

import asyncio
import socket
import threading
from collections.abc import AsyncIterator, Iterator
from dataclasses import replace

import httpx
import pymupdf
import pytest

from domain.errors import DigestError, PdfUnavailable, PdfUnreadable
from pipeline.admission import ArrivalLine
from pipeline.pdf import FullText, PdfReader, Section, extract
from tests.fakes.arxiv_server import FakeArxiv
from tests.fakes.base import Request, Response
from tests.pdfgen import (
    PAPER_SECTIONS,
    make_encrypted_pdf,
    make_image_only_pdf,
    make_many_pages_pdf,
    make_paper_pdf,
)
from tests.polling import until

PAPER_ID = "2602.00780v1"
USER_AGENT = "arxiv-digest-tests/1.0 (mailto:team@example.org)"


@pytest.fixture
def fake() -> Iterator[FakeArxiv]:
    with FakeArxiv() as server:
        yield server


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(headers={"User-Agent": USER_AGENT}, timeout=5.0) as http:
        yield http


# --- extracting ---------------------------------------------------------------------------------


def test_a_paper_is_read_into_its_sections_without_the_references():
    full = extract(make_paper_pdf())
    assert full.pages == 1
    assert [(s.kind, s.heading) for s in full.sections] == [
        (None, ""),
        ("abstract", "Abstract"),
        ("introduction", "1 Introduction"),
        ("related_work", "2 Related Work"),
        ("method", "3 Method"),
        ("experiments", "4 Experiments"),
        ("conclusion", "5 Conclusion"),
    ]
    method = dict(PAPER_SECTIONS)["3 Method"]
    assert " ".join(full.sections[4].text.split()) == " ".join(method.split())
    assert all("A paper about experts" not in s.text for s in full.sections)


def test_page_numbers_and_running_headers_are_not_in_the_text():
    data = make_paper_pdf(min_pages=4)
    doc = pymupdf.open(stream=data, filetype="pdf")
    for page in doc:  # a running header on every page, as journals print them
        page.insert_text((72, 40), "Journal of Examples, Vol. 3, 2026", fontsize=8)
    data = doc.tobytes()
    doc.close()

    full = extract(data)
    assert full.pages >= 4
    lines = [line for s in full.sections for line in s.text.split("\n")]
    assert not [line for line in lines if line.strip().isdigit()]
    assert not [line for line in lines if "Journal of Examples" in line]
    assert [s.kind for s in full.sections].count("method") == 1


def test_front_text_has_the_first_pages_and_their_link_targets():
    url = "https://github.com/Example/Skip-Router"
    full = extract(make_paper_pdf(code_url=url, min_pages=3))
    assert f"Code is available at {url}" in full.front_text
    assert full.front_text.rstrip().endswith(url)  # the hyperlink's target, after the text
    assert "Learning to Skip" in full.front_text


def test_words_hyphenated_at_a_line_end_are_joined():
    doc = pymupdf.open()
    page = doc.new_page()
    body = ["We ran the experi-", "ments on a set of 10-", "20 papers."]
    page.insert_text((72, 72), "\n".join(body + ["Filler text for the rest of the page."] * 12))
    text = extract(doc.tobytes()).sections[0].text
    assert "We ran the experiments on a set of 10-\n20 papers." in text


def test_full_text_survives_a_json_round_trip_without_its_passages():
    full = extract(make_paper_pdf(code_url="https://github.com/a/b"))
    again = FullText.from_json(full.to_json())
    assert full.passages  # stored in a column of their own, not in the JSON
    assert again == replace(full, passages=[])
    assert isinstance(again.sections[0], Section)


def test_json_stored_before_passages_still_loads():
    stored = {"pages": 3, "sections": [{"kind": None, "heading": "", "text": "Hi"}]}
    assert FullText.from_json(stored) == FullText(3, [Section(None, "", "Hi")], "", [])


def test_from_json_rejects_what_is_not_a_full_text():
    with pytest.raises(ValueError, match="not a FullText"):
        FullText.from_json({"pages": "many", "sections": None})


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "the file is empty"),
        (b"not a pdf", "the file is not a PDF"),
        (b"<!DOCTYPE html><html><body>Retry later</body></html>", "a web page instead of a PDF"),
        (b"%PDF-1.7\n" + b"\x00garbage" * 100, "damaged or incomplete"),
    ],
)
def test_files_that_are_not_pdfs_are_unreadable(data, reason):
    with pytest.raises(PdfUnreadable, match=reason):
        extract(data)


def test_a_truncated_pdf_is_unreadable():
    data = make_paper_pdf(min_pages=3)
    with pytest.raises(PdfUnreadable, match=r"damaged or incomplete|incomplete"):
        extract(data[: len(data) // 2])


def test_an_encrypted_pdf_is_unreadable():
    with pytest.raises(PdfUnreadable, match="encrypted: it needs a password"):
        extract(make_encrypted_pdf())


def test_a_scanned_pdf_without_text_is_unreadable():
    with pytest.raises(PdfUnreadable, match=r"almost no text \(0 characters on 2 pages\).*scanned"):
        extract(make_image_only_pdf(pages=2))


def test_a_pdf_longer_than_the_page_limit_is_unreadable():
    data = make_many_pages_pdf(6)
    assert extract(data, max_pages=6).pages == 6
    with pytest.raises(PdfUnreadable, match="has 6 pages; only up to 5 are read"):
        extract(data, max_pages=5)


def test_unreadable_and_unavailable_are_digest_errors():
    assert issubclass(PdfUnreadable, DigestError)
    assert issubclass(PdfUnavailable, DigestError)


# --- downloading --------------------------------------------------------------------------------


async def test_read_downloads_through_the_given_client_and_extracts(fake, client):
    fake.pdfs[PAPER_ID] = make_paper_pdf()
    reader = PdfReader(client, fake.pdf_url, line=ArrivalLine())

    full = await reader.read(PAPER_ID)

    assert [s.kind for s in full.sections][-2:] == ["experiments", "conclusion"]
    (request,) = fake.requests_to("/pdf/")
    assert request.path == f"/pdf/{PAPER_ID}"
    assert request.headers["user-agent"] == USER_AGENT


async def test_download_returns_the_exact_bytes(fake, client):
    data = make_paper_pdf(min_pages=2)
    fake.pdfs[PAPER_ID] = data
    assert await PdfReader(client, fake.pdf_url, line=ArrivalLine()).download(PAPER_ID) == data


async def test_a_missing_pdf_is_unavailable_with_the_status(fake, client):
    with pytest.raises(PdfUnavailable, match=r"arXiv has no PDF for 2602.00780v1 \(HTTP 404\)"):
        await PdfReader(client, fake.pdf_url, line=ArrivalLine()).read(PAPER_ID)


@pytest.mark.parametrize(
    ("status", "reason"),
    [(500, "failed to serve .* \\(HTTP 500\\); try again later"), (403, r"refused .* \(HTTP 403")],
)
async def test_server_errors_are_unavailable_with_the_status(fake, client, status, reason):
    fake.pdfs[PAPER_ID] = make_paper_pdf()
    fake.fail_next(Response(status, b"oops"))
    with pytest.raises(PdfUnavailable, match=reason):
        await PdfReader(client, fake.pdf_url, line=ArrivalLine()).read(PAPER_ID)


async def test_a_slow_server_is_unavailable_after_the_clients_timeout(fake):
    fake.pdfs[PAPER_ID] = make_paper_pdf()
    fake.fail_next(Response(200, make_paper_pdf(), {"Content-Type": "application/pdf"}, delay=2))
    async with httpx.AsyncClient(timeout=0.2) as impatient:
        with pytest.raises(PdfUnavailable, match=r"did not send the PDF of 2602\.00780v1 in time"):
            await PdfReader(impatient, fake.pdf_url, line=ArrivalLine()).read(PAPER_ID)


async def test_an_unreachable_server_is_unavailable(client):
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    reader = PdfReader(client, f"http://127.0.0.1:{port}/pdf/", line=ArrivalLine())
    with pytest.raises(
        PdfUnavailable, match=r"could not download the PDF of 2602\.00780v1: Connect"
    ):
        await reader.read(PAPER_ID)


async def test_a_pdf_announced_larger_than_the_cap_is_not_downloaded(fake, client):
    fake.pdfs[PAPER_ID] = b"%PDF-1.7\n" + b"0" * 5_000
    reader = PdfReader(client, fake.pdf_url, line=ArrivalLine(), max_bytes=1_000)
    with pytest.raises(PdfUnavailable, match=r"larger than 1 kB \(5.009 kB\); it was not"):
        await reader.download(PAPER_ID)


async def test_a_pdf_streamed_past_the_cap_is_stopped_while_downloading(fake, client):
    total = 200_000_000  # no Content-Length: only counting tells it is too big
    fake.streamed_pdfs[PAPER_ID] = total
    reader = PdfReader(client, fake.pdf_url, line=ArrivalLine(), max_bytes=1_000_000)

    with pytest.raises(PdfUnavailable, match="larger than 1 MB; the download was stopped"):
        await reader.download(PAPER_ID)

    await until(lambda: PAPER_ID in fake.streamed_bytes)  # noticed at the fake's next write
    assert fake.streamed_bytes[PAPER_ID] < total / 4


async def test_a_pdf_streamed_within_the_cap_is_read_in_full(fake, client):
    fake.streamed_pdfs[PAPER_ID] = 300_000
    data = await PdfReader(client, fake.pdf_url, line=ArrivalLine(), max_bytes=1_000_000).download(
        PAPER_ID
    )
    assert len(data) == 300_000 and data.startswith(b"%PDF-")


async def test_an_unreadable_download_names_the_paper(fake, client):
    fake.pdfs[PAPER_ID] = make_encrypted_pdf()
    with pytest.raises(
        PdfUnreadable, match=r"the PDF of 2602\.00780v1 cannot be read: .*encrypted"
    ):
        await PdfReader(client, fake.pdf_url, line=ArrivalLine()).read(PAPER_ID)


async def test_the_page_limit_applies_to_reads(fake, client):
    fake.pdfs[PAPER_ID] = make_many_pages_pdf(4)
    with pytest.raises(PdfUnreadable, match="has 4 pages; only up to 3"):
        await PdfReader(client, fake.pdf_url, line=ArrivalLine(), max_pages=3).read(PAPER_ID)


class CountingArxiv(FakeArxiv):
    """Holds each PDF answer until `release` is set, counting how many requests are in flight."""

    def __init__(self, expected: int) -> None:
        super().__init__()
        self.in_flight = 0
        self.most_in_flight = 0
        self.expected_reached = threading.Event()  # `expected` requests are in flight together
        self.release = threading.Event()
        self._expected = expected
        self._count = threading.Lock()

    def handle(self, request: Request) -> Response:
        with self._count:
            self.in_flight += 1
            self.most_in_flight = max(self.most_in_flight, self.in_flight)
            if self.in_flight >= self._expected:
                self.expected_reached.set()
        try:
            self.release.wait(timeout=10)
            return super().handle(request)
        finally:
            with self._count:
                self.in_flight -= 1


async def test_no_more_downloads_run_at_once_than_the_concurrency(client):
    with CountingArxiv(expected=3) as fake:
        ids = [f"2602.0078{i}v1" for i in range(8)]
        for paper_id in ids:
            fake.pdfs[paper_id] = make_paper_pdf()
        reader = PdfReader(client, fake.pdf_url, line=ArrivalLine(), concurrency=3)

        reads = asyncio.gather(*(reader.read(paper_id) for paper_id in ids))
        assert await asyncio.to_thread(fake.expected_reached.wait, 10)
        await asyncio.sleep(0.2)  # room for a fourth request to arrive, if the bound were broken
        fake.release.set()
        results = await reads

    assert fake.most_in_flight == 3
    assert len(fake.requests_to("/pdf/")) == 8
    assert all(r.sections[-1].kind == "conclusion" for r in results)
