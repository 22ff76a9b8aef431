"""A paper's passages: stored with each new extraction, read again from the PDF once for an
extraction stored before passages were kept, never an exception."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import httpx
import pytest

from domain.statuses import ExtractionStatus
from pipeline.admission import ArrivalLine
from pipeline.fulltext import FullTexts
from pipeline.pdf import PdfReader, extract
from storage.db import Database
from storage.repositories import ExtractionRepository
from tests.daydata import ECO, method_pdf
from tests.fakes.arxiv_server import FakeArxiv
from tests.fakes.base import Response
from tests.pdfgen import make_encrypted_pdf

OLD_CONTENT = {"pages": 1, "sections": [], "front_text": "as stored before passages"}


@pytest.fixture
async def texts(arxiv: FakeArxiv, database: Database) -> AsyncIterator[FullTexts]:
    async with httpx.AsyncClient(timeout=5.0) as client:
        yield FullTexts(database, PdfReader(client, arxiv.pdf_url, line=ArrivalLine()))


async def _save_without_passages(database: Database) -> None:
    async with database.session() as session:
        await ExtractionRepository(session).save(
            ECO.arxiv_id, ECO.version, status=ExtractionStatus.OK, pages=1, content=OLD_CONTENT
        )
        await session.commit()


async def _stored(database: Database) -> tuple[object, object]:
    async with database.session() as session:
        extractions = ExtractionRepository(session)
        row = await extractions.get(ECO.arxiv_id, ECO.version)
        return row, await extractions.passages(ECO.arxiv_id, ECO.version)


async def test_a_new_extraction_stores_its_passages_and_they_are_read_from_the_store(
    arxiv: FakeArxiv, database: Database, texts: FullTexts
) -> None:
    arxiv.pdfs[ECO.versioned_id] = method_pdf(ECO.title)

    full, _ = await texts.read(ECO)
    passages, reason = await texts.passages(ECO)

    assert full is not None and full.passages
    assert (passages, reason) == (full.passages, None)
    assert [p.section for p in passages][1:3] == ["Abstract", "1 Introduction"]
    assert (await _stored(database))[1] == full.passages
    assert len(arxiv.requests_to("/pdf/")) == 1


async def test_a_paper_never_read_is_read_and_stored_whole_on_the_first_question(
    arxiv: FakeArxiv, database: Database, texts: FullTexts
) -> None:
    arxiv.pdfs[ECO.versioned_id] = data = method_pdf(ECO.title)

    passages, reason = await texts.passages(ECO)

    assert reason is None and passages == extract(data).passages
    row, stored = await _stored(database)
    assert stored == passages
    assert row.status is ExtractionStatus.OK and row.content["sections"]  # type: ignore[attr-defined]


async def test_an_extraction_stored_before_passages_gets_them_from_the_pdf_once(
    arxiv: FakeArxiv, database: Database, texts: FullTexts
) -> None:
    await _save_without_passages(database)
    arxiv.pdfs[ECO.versioned_id] = data = method_pdf(ECO.title)
    before, _ = await _stored(database)

    first = await texts.passages(ECO)
    again = await texts.passages(ECO)

    assert first == again == (extract(data).passages, None)
    after, stored = await _stored(database)
    assert stored == first[0]
    assert after == before  # only the passages were written: content and date as they were
    assert len(arxiv.requests_to("/pdf/")) == 1


async def test_two_first_questions_at_once_download_the_pdf_once(
    arxiv: FakeArxiv, database: Database, texts: FullTexts
) -> None:
    await _save_without_passages(database)
    arxiv.pdfs[ECO.versioned_id] = data = method_pdf(ECO.title)
    # A slow first answer: without a lock the second question would start its own download.
    arxiv.fail_next(Response(200, data, {"Content-Type": "application/pdf"}, delay=0.3))

    one, two = await asyncio.gather(texts.passages(ECO), texts.passages(ECO))

    assert one == two and one[0]
    assert len(arxiv.requests_to("/pdf/")) == 1


async def test_an_unavailable_pdf_gives_the_reason_and_keeps_the_stored_text(
    arxiv: FakeArxiv, database: Database, texts: FullTexts
) -> None:
    await _save_without_passages(database)  # the fake has no PDF for it: HTTP 404

    passages, reason = await texts.passages(ECO)

    assert passages is None
    assert reason == f"arXiv has no PDF for {ECO.versioned_id} (HTTP 404)"
    row, stored = await _stored(database)
    assert stored is None and row.status is ExtractionStatus.OK  # type: ignore[attr-defined]
    assert row.content == OLD_CONTENT  # type: ignore[attr-defined]

    arxiv.pdfs[ECO.versioned_id] = method_pdf(ECO.title)  # back: the next question gets them
    passages, reason = await texts.passages(ECO)
    assert passages and reason is None


async def test_an_unreadable_pdf_is_not_downloaded_again(
    arxiv: FakeArxiv, database: Database, texts: FullTexts
) -> None:
    arxiv.pdfs[ECO.versioned_id] = make_encrypted_pdf()

    first = await texts.passages(ECO)
    again = await texts.passages(ECO)

    assert first == again
    assert first[0] is None and "encrypted" in str(first[1])
    assert len(arxiv.requests_to("/pdf/")) == 1
    row, stored = await _stored(database)
    assert row.status is ExtractionStatus.UNREADABLE and stored is None  # type: ignore[attr-defined]
