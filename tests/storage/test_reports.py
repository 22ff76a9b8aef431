from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import delete, func, select

from domain.statuses import Mention, ReportStatus
from storage.db import Database
from storage.models import ReportPaperRow, ReportRow
from storage.records import ReportPaper
from storage.reports import ReportRepository

MONDAY = date(2026, 2, 2)
TUESDAY = date(2026, 2, 3)
WEDNESDAY = date(2026, 2, 4)


async def _save(
    database: Database, day: date, ids: list[str], scope: str = "default", markdown: str = "# r"
) -> None:
    async with database.session() as session:
        await ReportRepository(session).save(
            day,
            scope,
            categories=["cs.AI", "cs.LG"],
            keywords=["llm"],
            status="complete" if ids else "empty",
            markdown=markdown,
            papers=[ReportPaper(arxiv_id, 1, i, ("llm",)) for i, arxiv_id in enumerate(ids)],
        )


async def test_save_and_get_round_trip_with_papers_by_position(database: Database) -> None:
    papers = [
        ReportPaper("2602.00001", 2, 1, [], "updated"),
        ReportPaper("2602.00002", 3, 0, ["llm", "agents"], "full"),
    ]
    async with database.session() as session:
        saved = await ReportRepository(session).save(
            TUESDAY,
            categories=["cs.AI"],
            keywords=["llm", "agents"],
            status="partial",
            markdown="# Tuesday",
            papers=papers,
        )
    async with database.session() as session:
        stored = await ReportRepository(session).get(TUESDAY)
    assert stored == saved
    assert stored is not None
    assert (stored.scope, stored.status, stored.markdown, stored.paper_count) == (
        "default",
        "partial",
        "# Tuesday",
        2,
    )
    assert (stored.categories, stored.keywords) == (("cs.AI",), ("llm", "agents"))
    assert [
        (p.arxiv_id, p.version, p.matched_keywords, p.mention, p.position) for p in stored.papers
    ] == [
        ("2602.00002", 3, ("llm", "agents"), "full", 0),
        ("2602.00001", 2, (), "updated", 1),
    ]
    assert stored.status is ReportStatus.PARTIAL
    assert [p.mention for p in stored.papers] == [Mention.FULL, Mention.UPDATED]
    assert all(isinstance(p.mention, Mention) for p in [*saved.papers, *stored.papers])


async def test_a_rerun_of_the_day_replaces_report_and_papers(database: Database) -> None:
    await _save(database, TUESDAY, ["2602.00001", "2602.00002"], markdown="# first")
    async with database.session() as session:
        first = await ReportRepository(session).get(TUESDAY)
    await _save(database, TUESDAY, ["2602.00003", "2602.00001"], markdown="# second")
    async with database.session() as session:
        second = await ReportRepository(session).get(TUESDAY)
        rows = (await session.execute(select(func.count()).select_from(ReportPaperRow))).scalar()
    assert first is not None and second is not None
    assert second.id == first.id and second.created_at == first.created_at
    assert second.markdown == "# second" and second.paper_count == 2
    assert [p.arxiv_id for p in second.papers] == ["2602.00003", "2602.00001"]
    assert rows == 2


async def test_scopes_are_separate_reports(database: Database) -> None:
    await _save(database, TUESDAY, ["2602.00001"], scope="default")
    await _save(database, TUESDAY, ["2602.00002"], scope="slack:C123")
    async with database.session() as session:
        reports = ReportRepository(session)
        default = await reports.get(TUESDAY)
        chat = await reports.get(TUESDAY, "slack:C123")
        missing = await reports.get(MONDAY)
    assert default is not None and [p.arxiv_id for p in default.papers] == ["2602.00001"]
    assert chat is not None and [p.arxiv_id for p in chat.papers] == ["2602.00002"]
    assert missing is None


async def test_latest_and_dates_follow_the_report_dates(database: Database) -> None:
    await _save(database, TUESDAY, ["2602.00002"])
    await _save(database, MONDAY, ["2602.00001"])
    await _save(database, WEDNESDAY, [], scope="other")
    async with database.session() as session:
        reports = ReportRepository(session)
        latest = await reports.latest()
        assert await reports.dates("default") == [MONDAY, TUESDAY]
        assert await reports.dates("other") == [WEDNESDAY]
        assert await reports.latest("nobody") is None
    assert latest is not None
    assert latest.report_date == TUESDAY
    assert [p.arxiv_id for p in latest.papers] == ["2602.00002"]


async def test_reported_before_is_strictly_before_and_per_scope(database: Database) -> None:
    await _save(database, MONDAY, ["2602.00001"])
    await _save(database, TUESDAY, ["2602.00002"])
    await _save(database, MONDAY, ["2602.00003"], scope="other")
    ids = ["2602.00001", "2602.00002", "2602.00003", "2602.00004"]
    async with database.session() as session:
        reports = ReportRepository(session)
        assert await reports.reported_before(ids, TUESDAY) == {"2602.00001"}
        assert await reports.reported_before(ids, WEDNESDAY) == {"2602.00001", "2602.00002"}
        assert await reports.reported_before(ids, MONDAY) == set()
        assert await reports.reported_before(ids, TUESDAY, "other") == {"2602.00003"}
        assert await reports.reported_before([], WEDNESDAY) == set()


async def test_a_paper_listed_twice_is_refused(database: Database) -> None:
    async with database.session() as session:
        with pytest.raises(ValueError, match="once"):
            await ReportRepository(session).save(
                TUESDAY,
                categories=[],
                keywords=[],
                status="complete",
                markdown="",
                papers=[ReportPaper("2602.00001", 1, 0), ReportPaper("2602.00001", 2, 1)],
            )


async def test_deleting_a_report_deletes_its_papers(database: Database) -> None:
    await _save(database, TUESDAY, ["2602.00001", "2602.00002"])
    async with database.session() as session:
        await session.execute(delete(ReportRow))
    async with database.session() as session:
        rows = (await session.execute(select(func.count()).select_from(ReportPaperRow))).scalar()
    assert rows == 0
