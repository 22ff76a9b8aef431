from __future__ import annotations

from datetime import date

import pytest

from domain.models import AnnounceType, Paper
from storage.db import Database
from storage.papers import FeedSnapshotRepository, PaperRepository

MONDAY = date(2026, 2, 2)
TUESDAY = date(2026, 2, 3)
WEDNESDAY = date(2026, 2, 4)


def paper(
    arxiv_id: str = "2602.00780",
    version: int = 1,
    *,
    title: str = "Attention, again",
    announced_on: date | None = None,
    announce_type: AnnounceType | None = AnnounceType.NEW,
    doi: str | None = None,
) -> Paper:
    return Paper(
        arxiv_id=arxiv_id,
        version=version,
        title=title,
        authors=["Ada Lovelace", "Alan Turing"],
        abstract=f"The abstract of {title}.",
        categories=["cs.LG", "cs.AI"],
        announce_type=announce_type,
        announced_on=announced_on,
        comments="12 pages",
        doi=doi,
    )


async def test_upsert_stores_every_field_and_get_returns_it(database: Database) -> None:
    async with database.session() as session:
        await PaperRepository(session).upsert([paper(announced_on=MONDAY, doi="10.1/x")])
    async with database.session() as session:
        stored = await PaperRepository(session).get("2602.00780")
        missing = await PaperRepository(session).get("2602.99999")
    assert stored == paper(announced_on=MONDAY, doi="10.1/x", announce_type=None)
    assert missing is None


async def test_newer_version_replaces_metadata_but_keeps_first_announcement(
    database: Database,
) -> None:
    async with database.session() as session:
        papers = PaperRepository(session)
        await papers.upsert([paper(version=1, title="Draft", announced_on=TUESDAY)])
        await papers.upsert([paper(version=2, title="Final", announced_on=WEDNESDAY)])
        stored = await papers.get("2602.00780")
    assert stored is not None
    assert (stored.version, stored.title, stored.announced_on) == (2, "Final", TUESDAY)


async def test_older_version_changes_nothing_but_an_earlier_announcement(
    database: Database,
) -> None:
    async with database.session() as session:
        papers = PaperRepository(session)
        await papers.upsert([paper(version=3, title="Final", announced_on=WEDNESDAY)])
        await papers.upsert([paper(version=1, title="Draft", announced_on=MONDAY)])
        await papers.upsert([paper(version=2, title="Middle", announced_on=None)])
        stored = await papers.get("2602.00780")
    assert stored is not None
    assert (stored.version, stored.title, stored.announced_on) == (3, "Final", MONDAY)


async def test_same_version_refreshes_metadata(database: Database) -> None:
    async with database.session() as session:
        papers = PaperRepository(session)
        await papers.upsert([paper(doi=None)])
        await papers.upsert([paper(doi="10.1/late")])
        stored = await papers.get("2602.00780")
    assert stored is not None and stored.doi == "10.1/late"


async def test_a_paper_listed_twice_in_one_batch_is_merged(database: Database) -> None:
    async with database.session() as session:
        papers = PaperRepository(session)
        await papers.upsert(
            [
                paper(version=2, title="Final", announced_on=WEDNESDAY),
                paper(version=1, title="Draft", announced_on=MONDAY),
            ]
        )
        stored = await papers.get("2602.00780")
    assert stored is not None
    assert (stored.version, stored.title, stored.announced_on) == (2, "Final", MONDAY)


async def test_announcements_are_idempotent_and_keep_feed_order(database: Database) -> None:
    feed = [
        paper("2602.00003", 1),
        paper("2602.00001", 2, announce_type=AnnounceType.REPLACE),
        paper("2602.00002", 1, announce_type=AnnounceType.CROSS),
    ]
    for _ in range(2):
        async with database.session() as session:
            await PaperRepository(session).record_announcements(TUESDAY, feed)
    async with database.session() as session:
        papers = PaperRepository(session)
        announced = await papers.announced_on(TUESDAY)
        other_day = await papers.announced_on(WEDNESDAY)
        stored = await papers.get("2602.00001")
    assert [(p.arxiv_id, p.version, p.announce_type) for p in announced] == [
        ("2602.00003", 1, AnnounceType.NEW),
        ("2602.00001", 2, AnnounceType.REPLACE),
        ("2602.00002", 1, AnnounceType.CROSS),
    ]
    assert all(p.announced_on == TUESDAY for p in announced)
    assert other_day == []
    assert stored is not None and stored.announced_on == TUESDAY


async def test_an_announcement_keeps_its_own_version_after_a_newer_one(
    database: Database,
) -> None:
    async with database.session() as session:
        papers = PaperRepository(session)
        await papers.record_announcements(MONDAY, [paper(version=1, title="Draft")])
        await papers.record_announcements(
            WEDNESDAY, [paper(version=2, title="Final", announce_type=AnnounceType.REPLACE)]
        )
        monday = await papers.announced_on(MONDAY)
        wednesday = await papers.announced_on(WEDNESDAY)
        stored = await papers.get("2602.00780")
    assert [(p.version, p.announce_type) for p in monday] == [(1, AnnounceType.NEW)]
    assert [(p.version, p.announce_type) for p in wednesday] == [(2, AnnounceType.REPLACE)]
    assert stored is not None and (stored.version, stored.announced_on) == (2, MONDAY)


async def test_an_announcement_needs_its_type(database: Database) -> None:
    async with database.session() as session:
        with pytest.raises(ValueError, match="announce_type"):
            await PaperRepository(session).record_announcements(MONDAY, [paper(announce_type=None)])


async def test_upsert_handles_more_papers_than_one_statement_takes(database: Database) -> None:
    many = [paper(f"2602.{n:05d}", announced_on=MONDAY) for n in range(1200)]
    async with database.session() as session:
        await PaperRepository(session).record_announcements(MONDAY, many)
    async with database.session() as session:
        announced = await PaperRepository(session).announced_on(MONDAY)
    assert [p.arxiv_id for p in announced] == [p.arxiv_id for p in many]


async def test_feed_snapshots_track_the_latest_day_per_key(database: Database) -> None:
    async with database.session() as session:
        snapshots = FeedSnapshotRepository(session)
        assert await snapshots.latest_date("cs.AI+cs.LG") is None
        await snapshots.record("cs.AI+cs.LG", TUESDAY, 120)
        await snapshots.record("cs.AI+cs.LG", MONDAY, 80)
        await snapshots.record("cs.AI+cs.LG", TUESDAY, 121)
        await snapshots.record("cs.CL", WEDNESDAY, 30)
        assert await snapshots.latest_date("cs.AI+cs.LG") == TUESDAY
        assert await snapshots.latest_date("cs.CL") == WEDNESDAY
