from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select, update

from domain.models import PaperAnalysis, Passage
from domain.statuses import AnalysisSource, AnalysisStatus, ExtractionStatus
from storage.analyses import AnalysisRepository, ExtractionRepository
from storage.db import Database
from storage.models import AnalysisRow, ExtractionRow

KEY = ("2602.00780", 2, "gpt-4o-mini", "en", "v1")

ANALYSIS = PaperAnalysis(
    summary="A transformer that reads its own errors.",
    motivation="Models repeat mistakes.",
    contributions=["A feedback loop", "A benchmark"],
    method="Self-critique before answering.",
    experiments="+4.1 points on GSM8K over the baseline.",
)


async def test_extraction_round_trips_and_a_resave_replaces_it(database: Database) -> None:
    sections = [{"title": "Introduction", "text": "We study…"}, {"title": "Method", "text": "…"}]
    async with database.session() as session:
        extractions = ExtractionRepository(session)
        assert await extractions.get("2602.00780", 1) is None
        unreadable = await extractions.save(
            "2602.00780", 1, status=ExtractionStatus.UNREADABLE, reason="encrypted"
        )
        saved = await extractions.save(
            "2602.00780",
            1,
            status=ExtractionStatus.OK,
            pages=14,
            content=sections,
            code_links=["https://github.com/a/b"],
        )
    async with database.session() as session:
        stored = await ExtractionRepository(session).get("2602.00780", 1)
        other_version = await ExtractionRepository(session).get("2602.00780", 2)
    assert unreadable.status is ExtractionStatus.UNREADABLE and unreadable.content is None
    assert unreadable.reason == "encrypted"
    assert stored == saved
    assert stored is not None
    assert (stored.status, stored.reason, stored.pages) == (ExtractionStatus.OK, None, 14)
    assert stored.status is ExtractionStatus.OK  # a member, not only its value
    assert stored.content == sections
    assert stored.code_links == ("https://github.com/a/b",)
    assert stored.created_at.tzinfo is not None
    assert stored.created_at.utcoffset() == timedelta(0)
    assert other_version is None


async def test_analysis_round_trips_with_its_content(database: Database) -> None:
    async with database.session() as session:
        await AnalysisRepository(session).save(
            *KEY,
            status="ok",
            source="full_text",
            analysis=ANALYSIS,
            prompt_tokens=900,
            completion_tokens=300,
        )
    async with database.session() as session:
        stored = await AnalysisRepository(session).get(*KEY)
        other_language = await AnalysisRepository(session).get(*KEY[:3], "de", KEY[4])
    assert stored is not None
    assert stored.ok and stored.analysis == ANALYSIS
    assert (stored.status, stored.source) == (AnalysisStatus.OK, AnalysisSource.FULL_TEXT)
    assert stored.status is AnalysisStatus.OK and stored.source is AnalysisSource.FULL_TEXT
    assert (stored.prompt_tokens, stored.completion_tokens, stored.attempts) == (900, 300, 1)
    assert stored.updated_at.utcoffset() == timedelta(0)
    assert other_language is None


async def test_an_analysis_comes_with_the_code_links_of_a_text_read_successfully(
    database: Database,
) -> None:
    arxiv_id, version = KEY[:2]
    async with database.session() as session:
        analyses, extractions = AnalysisRepository(session), ExtractionRepository(session)
        await analyses.save(*KEY, status="ok", source="full_text", analysis=ANALYSIS)
        nothing_read = await analyses.get_with_code_links(*KEY)
        await extractions.save(
            arxiv_id, version, status=ExtractionStatus.UNREADABLE, reason="encrypted"
        )
        unreadable = await analyses.get_with_code_links(*KEY)
        await extractions.save(arxiv_id, version, status="ok", code_links=["https://x.org/a"])
        read = await analyses.get_with_code_links(*KEY)
        await extractions.save(arxiv_id, version + 1, status="ok", code_links=["https://x.org/b"])
        other_version = await analyses.get_with_code_links(arxiv_id, version + 1, *KEY[2:])
        await extractions.save(arxiv_id, version, status="ok", code_links=[])
        no_links = await analyses.get_with_code_links(*KEY)

    assert nothing_read[0] is not None and nothing_read[0].analysis == ANALYSIS
    assert (nothing_read[1], unreadable[1], read[1]) == (None, None, ["https://x.org/a"])
    assert read[0] == nothing_read[0]
    assert other_version == (None, None)  # no analysis of that version: nothing
    assert no_links[1] == []  # read, with no link in it


async def test_retrying_counts_attempts_adds_tokens_and_keeps_the_latest_outcome(
    database: Database,
) -> None:
    async with database.session() as session:
        analyses = AnalysisRepository(session)
        first = await analyses.save(
            *KEY,
            status="failed",
            source="full_text",
            error="invalid JSON",
            prompt_tokens=1000,
            completion_tokens=50,
        )
        second = await analyses.save(
            *KEY,
            status="ok",
            source="abstract",
            analysis=ANALYSIS,
            prompt_tokens=400,
            completion_tokens=200,
        )
    async with database.session() as session:
        stored = await AnalysisRepository(session).get(*KEY)
    assert (first.status, first.analysis, first.error, first.attempts) == (
        "failed",
        None,
        "invalid JSON",
        1,
    )
    assert stored == second
    assert (second.status, second.source, second.analysis, second.error) == (
        "ok",
        "abstract",
        ANALYSIS,
        None,
    )
    assert (second.attempts, second.prompt_tokens, second.completion_tokens) == (2, 1400, 250)
    assert second.created_at == first.created_at
    assert second.updated_at >= first.updated_at


async def test_an_ok_analysis_needs_content(database: Database) -> None:
    async with database.session() as session:
        with pytest.raises(ValueError, match="content"):
            await AnalysisRepository(session).save(*KEY, status="ok", source="abstract")


async def test_an_analysis_is_stored_as_made_from_the_full_text_or_the_abstract(
    database: Database,
) -> None:
    async with database.session() as session:
        with pytest.raises(ValueError, match="full text or the abstract"):
            await AnalysisRepository(session).save(
                *KEY, status=AnalysisStatus.OK, source=AnalysisSource.NONE, analysis=ANALYSIS
            )


async def _save_at(database: Database, model: str, tokens: int, when: datetime) -> None:
    async with database.session() as session:
        await AnalysisRepository(session).save(
            KEY[0],
            KEY[1],
            model,
            "en",
            "v1",
            status="ok",
            source="abstract",
            analysis=ANALYSIS,
            prompt_tokens=tokens,
            completion_tokens=1,
        )
        await session.execute(
            update(AnalysisRow).where(AnalysisRow.model == model).values(updated_at=when)
        )


async def test_tokens_used_on_sums_the_rows_written_that_utc_day(database: Database) -> None:
    day = date(2026, 2, 3)
    await _save_at(database, "a", 100, datetime(2026, 2, 3, 0, 0, tzinfo=UTC))
    await _save_at(database, "b", 20, datetime(2026, 2, 3, 23, 59, 59, tzinfo=UTC))
    await _save_at(database, "c", 3000, datetime(2026, 2, 2, 23, 59, 59, tzinfo=UTC))
    await _save_at(database, "d", 40000, datetime(2026, 2, 4, 0, 0, tzinfo=UTC))
    # 01:30 in UTC+2 is still the previous day in UTC.
    await _save_at(
        database, "e", 500000, datetime(2026, 2, 4, 1, 30, tzinfo=timezone(timedelta(hours=2)))
    )
    async with database.session() as session:
        analyses = AnalysisRepository(session)
        assert await analyses.tokens_used_on(day) == (100 + 1) + (20 + 1) + (500000 + 1)
        assert await analyses.tokens_used_on(date(2026, 2, 2)) == 3000 + 1
        assert await analyses.tokens_used_on(date(2026, 1, 1)) == 0


PASSAGES = [
    Passage("", 1, "EcoVLA: Adaptive Pruning. Ada Lovelace, Alan Turing."),
    Passage("Abstract", 1, "Vision-language-action models are slow. We prune them."),
    Passage("4.2 Results", 6, "On LIBERO we reach a 1.6x speed-up at 0.4% loss."),
]


async def test_passages_are_stored_compactly_with_a_new_extraction(database: Database) -> None:
    async with database.session() as session:
        extractions = ExtractionRepository(session)
        await extractions.save(
            "2602.00780", 1, status=ExtractionStatus.OK, pages=6, content={}, passages=PASSAGES
        )
        await session.commit()
    async with database.session() as session:
        assert await ExtractionRepository(session).passages("2602.00780", 1) == PASSAGES
        assert await ExtractionRepository(session).passages("2602.00780", 2) is None
        raw = await session.scalar(select(ExtractionRow.passages))
    assert raw == [[p.section, p.page, p.text] for p in PASSAGES]


async def test_an_extraction_saved_without_passages_has_none_until_they_are_set(
    database: Database,
) -> None:
    async with database.session() as session:
        extractions = ExtractionRepository(session)
        saved = await extractions.save(
            "2602.00780", 1, status=ExtractionStatus.OK, pages=6, content={"pages": 6}
        )
        await session.commit()
        null = await session.scalar(
            select(func.count()).where(ExtractionRow.passages.is_(None))  # SQL NULL, not 'null'
        )
    assert null == 1
    async with database.session() as session:
        extractions = ExtractionRepository(session)
        assert await extractions.passages("2602.00780", 1) is None
        assert await extractions.set_passages("2602.00780", 1, PASSAGES)
        assert not await extractions.set_passages("2602.00780", 2, PASSAGES)  # no such row
        await session.commit()
    async with database.session() as session:
        extractions = ExtractionRepository(session)
        assert await extractions.passages("2602.00780", 1) == PASSAGES
        assert await extractions.get("2602.00780", 1) == saved  # the rest is as it was
        assert await extractions.get("2602.00780", 2) is None


async def test_a_failed_extraction_replaces_the_passages_too(database: Database) -> None:
    async with database.session() as session:
        extractions = ExtractionRepository(session)
        await extractions.save(
            "2602.00780", 1, status=ExtractionStatus.OK, content={}, passages=PASSAGES
        )
        await extractions.save(
            "2602.00780", 1, status=ExtractionStatus.UNAVAILABLE, reason="HTTP 503"
        )
        await session.commit()
        assert await extractions.passages("2602.00780", 1) is None
