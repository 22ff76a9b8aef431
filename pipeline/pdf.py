"""Download a paper's PDF and turn it into sections, and passages with their page, of plain text.

Plain `get_text` is all we use (a few milliseconds a page); layout analysis costs a hundred
times more for no better sections (docs/pdf-extraction.md). Ligatures are spelled out ("ﬁ" →
"fi") and words hyphenated at a line end joined (`pipeline.furniture`), so the model and keyword
search see plain words.
"""

from __future__ import annotations

import asyncio
import threading
from dataclasses import dataclass, field

import httpx
import pymupdf

from domain.errors import PdfUnavailable, PdfUnreadable
from domain.models import Passage
from pipeline.admission import ArrivalLine
from pipeline.content_size import content_size
from pipeline.downloads import RATE_LIMIT_RETRIES, TooLarge, read_capped, retry_after
from pipeline.furniture import without_page_furniture
from pipeline.passages import cut_passages
from pipeline.sections import Section, drop_back_matter, locate_sections, paper_lines

__all__ = ["FullText", "PdfReader", "Section", "extract"]

# The default text flags without ligature preservation (see above for hyphens).
_FLAGS = pymupdf.TEXTFLAGS_TEXT & ~pymupdf.TEXT_PRESERVE_LIGATURES
_FRONT_PAGES = 2
# MuPDF keeps global state and PyMuPDF does not support calls from several threads at once:
# extractions run in threads (off the event loop) but one at a time.
_MUPDF = threading.Lock()
_MIN_CHARS_PER_PAGE = 200  # below this the pages are pictures of text (scans) or blank
# A small file can inflate into gigabytes of drawing instructions (1,000:1 for deflate), and
# MuPDF keeps every character of a page in memory while extracting it: both caps are on the
# inflated size, counted before MuPDF runs the page. A real page holds tens of kilobytes.
MAX_PAGE_CONTENT_BYTES = 5_000_000
MAX_CONTENT_BYTES = 50_000_000


@dataclass(slots=True)
class FullText:
    pages: int
    sections: list[Section]  # references, acknowledgements and appendices already dropped
    front_text: str  # the first two pages as printed, plus their link targets (code links)
    # The main text again, cut for questions: stored in a column of its own (`extractions.
    # passages`), not in `to_json`, so a FullText read back from JSON has none.
    passages: list[Passage] = field(default_factory=list)

    def to_json(self) -> dict[str, object]:
        return {
            "pages": self.pages,
            "sections": [
                {"kind": s.kind, "heading": s.heading, "text": s.text} for s in self.sections
            ],
            "front_text": self.front_text,
        }

    @classmethod
    def from_json(cls, data: dict[str, object]) -> FullText:
        pages, sections, front = data["pages"], data["sections"], data.get("front_text", "")
        if not isinstance(pages, int) or not isinstance(sections, list):
            raise ValueError("not a FullText: 'pages' must be an int and 'sections' a list")
        return cls(
            pages=pages,
            sections=[Section(s["kind"], s["heading"], s["text"]) for s in sections],
            front_text=str(front),
        )


class PdfReader:
    """Downloads PDFs (streamed, size cap, bounded concurrency); extracts text in a thread."""

    def __init__(
        self,
        client: httpx.AsyncClient,
        base_url: str,
        *,
        line: ArrivalLine,
        max_bytes: int = 30_000_000,
        max_pages: int = 150,
        concurrency: int = 4,
        deadline_seconds: float = 300.0,
        max_page_content_bytes: int = MAX_PAGE_CONTENT_BYTES,
        max_content_bytes: int = MAX_CONTENT_BYTES,
    ) -> None:
        self._client = client
        # The read timeout restarts with every chunk: only a bound on the whole download stops
        # a server that trickles bytes forever.
        self._deadline = deadline_seconds
        self._base_url = base_url
        self._max_bytes = max_bytes
        self._max_pages = max_pages
        self._content_caps = (max_page_content_bytes, max_content_bytes)
        self._slots = line.slots(concurrency)  # people first, in order of arrival
        # PyMuPDF reads one document at a time (_MUPDF); waiting here rather than on that lock
        # keeps the same order and leaves no worker threads parked on it.
        self._extracting = line.slots(1)

    async def download(self, versioned_id: str) -> bytes:
        """The PDF's bytes; PdfUnavailable on an HTTP error, a timeout, a network error or size.

        A 429 or 503 asking for a short wait is waited out (outside the download slots).
        """
        for attempt in range(1 + RATE_LIMIT_RETRIES):
            async with self._slots:
                data, wait = await self._download_once(versioned_id)
            if data is not None:
                return data
            assert wait is not None
            if attempt == RATE_LIMIT_RETRIES:
                break
            await asyncio.sleep(wait)
        raise PdfUnavailable(
            f"arXiv was still rate-limiting the PDF download of {versioned_id} after "
            f"{RATE_LIMIT_RETRIES} retries"
        )

    async def _download_once(self, versioned_id: str) -> tuple[bytes | None, float | None]:
        """The bytes, or (None, seconds to wait) for a 429/503 that asks for a short wait."""
        url = f"{self._base_url}{versioned_id}"
        cap = _size(self._max_bytes)
        try:
            async with asyncio.timeout(self._deadline):
                async with self._client.stream("GET", url, follow_redirects=True) as response:
                    if (wait := retry_after(response)) is not None:
                        return None, wait
                    if response.status_code != 200:
                        raise PdfUnavailable(_status_reason(versioned_id, response.status_code))
                    announced = response.headers.get("Content-Length", "")
                    if announced.isdigit() and int(announced) > self._max_bytes:
                        raise PdfUnavailable(
                            f"the PDF of {versioned_id} is larger than {cap} "
                            f"({_size(int(announced))}); it was not downloaded"
                        )
                    try:
                        data = await read_capped(response, self._max_bytes)
                    except TooLarge:
                        raise PdfUnavailable(
                            f"the PDF of {versioned_id} is larger than {cap}; "
                            "the download was stopped"
                        ) from None
        except httpx.TimeoutException as exc:
            raise PdfUnavailable(
                f"arXiv did not send the PDF of {versioned_id} in time ({_describe(exc)})"
            ) from exc
        except httpx.TransportError as exc:
            raise PdfUnavailable(
                f"could not download the PDF of {versioned_id}: {_describe(exc)}"
            ) from exc
        except TimeoutError as exc:
            raise PdfUnavailable(
                f"the PDF of {versioned_id} was still arriving after {self._deadline:g} s; "
                "the download was stopped"
            ) from exc
        return data, None

    async def read(self, versioned_id: str) -> FullText:
        """Download and extract; PdfUnavailable or PdfUnreadable say what went wrong."""
        data = await self.download(versioned_id)
        try:
            page_cap, total_cap = self._content_caps
            async with self._extracting:
                return await asyncio.to_thread(
                    extract,
                    data,
                    max_pages=self._max_pages,
                    max_page_content=page_cap,
                    max_content=total_cap,
                )
        except PdfUnreadable as exc:
            if _is_web_page(data):  # a captcha or error page in arXiv's place: try again later
                raise PdfUnavailable(
                    f"arXiv sent a web page instead of the PDF of {versioned_id}"
                ) from exc
            raise PdfUnreadable(f"the PDF of {versioned_id} cannot be read: {exc}") from exc


def extract(
    data: bytes,
    *,
    max_pages: int = 150,
    max_page_content: int = MAX_PAGE_CONTENT_BYTES,
    max_content: int = MAX_CONTENT_BYTES,
) -> FullText:
    """Sections and passages of a PDF's text; PdfUnreadable (with the reason) when there is no
    usable text. The text's lines are kept with their page so each passage knows where it starts.

    A page whose drawing instructions inflate past `max_page_content` bytes is left out (a
    giant vector figure, or a bomb); a document past `max_content` in all is not read.
    """
    if not data:
        raise PdfUnreadable("the file is empty")
    if b"%PDF-" not in data[:1024]:
        raise PdfUnreadable(_not_a_pdf(data))
    with _MUPDF:
        pages, texts, front, skipped = _read_pages(data, max_pages, (max_page_content, max_content))
    if skipped == pages:
        raise PdfUnreadable(
            f"every page holds more than {_size(max_page_content)} of drawing instructions "
            "(PDF_MAX_PAGE_CONTENT_BYTES); none was read"
        )
    texts = without_page_furniture(texts)
    characters = sum(len(text) - text.count(" ") - text.count("\n") for text in texts)
    if characters < _MIN_CHARS_PER_PAGE * (pages - skipped):
        raise PdfUnreadable(
            f"the PDF has almost no text ({characters} characters on {pages} pages); "
            "it looks scanned or made of images"
        )
    lines: list[str] = []
    line_pages: list[int] = []
    for number, text in enumerate(texts, start=1):
        on_page = paper_lines(text)
        lines += on_page
        line_pages += [number] * len(on_page)
    located = drop_back_matter(locate_sections(lines))
    return FullText(
        pages=pages,
        sections=[found.section for found in located],
        front_text=front,
        passages=cut_passages(lines, line_pages, located),
    )


def _read_pages(
    data: bytes, max_pages: int, caps: tuple[int, int]
) -> tuple[int, list[str], str, int]:
    """Page count, each page's text, the first pages' text with their link targets, and how
    many pages were left out for their size."""
    page_cap, total_cap = caps
    total = skipped = 0
    measured: dict[int, int] = {}  # xref → inflated size: a logo on every page counts once
    try:
        doc = pymupdf.open(stream=data, filetype="pdf")
    except pymupdf.EmptyFileError as exc:
        raise PdfUnreadable("the file is empty") from exc
    except (pymupdf.FileDataError, RuntimeError) as exc:
        raise PdfUnreadable(
            f"the file is damaged or incomplete and cannot be opened ({exc})"
        ) from exc
    with doc:
        if doc.needs_pass:
            raise PdfUnreadable("the PDF is encrypted: it needs a password to open")
        if doc.is_repaired and b"%%EOF" not in data[-2048:]:
            raise PdfUnreadable("the PDF is incomplete (the file is cut short)")
        pages = doc.page_count
        if pages == 0:
            raise PdfUnreadable("the PDF has no pages")
        if pages > max_pages:
            raise PdfUnreadable(f"the PDF has {pages} pages; only up to {max_pages} are read")
        texts: list[str] = []
        links: list[str] = []
        for number in range(pages):
            page = doc[number]
            size = content_size(doc, page, page_cap + 1, measured)
            if size > page_cap:
                texts.append("")  # left out: a giant figure, or a bomb
                skipped += 1
                continue
            total += size
            if total > total_cap:
                raise PdfUnreadable(
                    f"its pages hold more than {_size(total_cap)} of drawing instructions "
                    "(PDF_MAX_CONTENT_BYTES); it was not read"
                )
            texts.append(_page_text(page))
            if number < _FRONT_PAGES:
                links += _link_targets(page)
    return pages, texts, "\n".join(texts[:_FRONT_PAGES] + links), skipped


def _page_text(page: pymupdf.Page) -> str:
    try:
        return page.get_text(flags=_FLAGS)
    except (RuntimeError, ValueError):  # one broken page does not spoil the paper
        return ""


def _link_targets(page: pymupdf.Page) -> list[str]:
    """URLs of a page's hyperlinks: the first pages' footnote links are often cut in the text."""
    try:
        return [str(link["uri"]) for link in page.get_links() if link.get("uri")]
    except (RuntimeError, ValueError):
        return []


def _is_web_page(data: bytes) -> bool:
    start = data[:200].lstrip().lower()
    return start.startswith((b"<!doctype html", b"<html")) or b"<html" in start


def _not_a_pdf(data: bytes) -> str:
    if _is_web_page(data):
        return "the server sent a web page instead of a PDF"
    return "the file is not a PDF"


def _status_reason(versioned_id: str, status: int) -> str:
    if status == 404:
        return f"arXiv has no PDF for {versioned_id} (HTTP 404)"
    if status in (403, 429):
        return f"arXiv refused the PDF download of {versioned_id} (HTTP {status}, rate limited?)"
    if status >= 500:
        return f"arXiv failed to serve the PDF of {versioned_id} (HTTP {status}); try again later"
    return f"arXiv answered HTTP {status} for the PDF of {versioned_id}"


def _describe(exc: httpx.HTTPError) -> str:
    detail = str(exc)
    return f"{type(exc).__name__}: {detail}" if detail else type(exc).__name__


def _size(count: int) -> str:
    if count >= 1_000_000:
        return f"{count / 1_000_000:g} MB"
    if count >= 1_000:
        return f"{count / 1_000:g} kB"
    return f"{count} bytes"
