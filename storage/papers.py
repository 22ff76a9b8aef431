"""Papers, the days that announced them, and which feed days were already fetched."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from datetime import date
from typing import Any

from sqlalchemy import bindparam, case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.models import AnnounceType, Paper
from storage._sql import batches, insert
from storage.models import AnnouncementRow, FeedSnapshotRow, PaperRow, utcnow

# Built once, run with parameters: read by every summarize.
_PAPER = select(PaperRow.__table__).where(PaperRow.arxiv_id == bindparam("arxiv_id"))
_METADATA = ("title", "authors", "abstract", "categories", "comments", "doi", "journal_ref")


class PaperRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def upsert(self, papers: Iterable[Paper]) -> None:
        """Store papers; newer versions replace the metadata, the earliest announcement stays.

        A version equal to the stored one refreshes the metadata too; an older one only
        contributes its announcement date.
        """
        merged = _merge_duplicates(papers)
        for batch in batches(merged):
            stmt = insert(self._session, PaperRow).values([_paper_values(p) for p in batch])
            new = stmt.excluded
            table = PaperRow.__table__.c
            newer = new.version >= table.version
            updates: dict[str, Any] = {
                name: case((newer, new[name]), else_=table[name]) for name in _METADATA
            }
            updates["version"] = case((newer, new.version), else_=table.version)
            updates["first_announced_on"] = case(
                (table.first_announced_on.is_(None), new.first_announced_on),
                (new.first_announced_on < table.first_announced_on, new.first_announced_on),
                else_=table.first_announced_on,
            )
            updates["updated_at"] = utcnow()
            stmt = stmt.on_conflict_do_update(index_elements=["arxiv_id"], set_=updates)
            await self._session.execute(stmt)

    async def get(self, arxiv_id: str) -> Paper | None:
        """The latest known version; `announced_on` is the first announcement, if known."""
        row = (await self._session.execute(_PAPER, {"arxiv_id": arxiv_id})).one_or_none()
        if row is None:
            return None
        return _paper(row, version=row.version, announced_on=row.first_announced_on)

    async def get_many(self, arxiv_ids: Iterable[str]) -> dict[str, Paper]:
        """The latest known version of each of these papers that is stored, by arXiv id."""
        found: dict[str, Paper] = {}
        for batch in batches(list(dict.fromkeys(arxiv_ids))):
            stmt = select(PaperRow.__table__).where(PaperRow.arxiv_id.in_(batch))
            for row in await self._session.execute(stmt):
                found[row.arxiv_id] = _paper(
                    row, version=row.version, announced_on=row.first_announced_on
                )
        return found

    async def latest(self, limit: int) -> list[Paper]:
        """The `limit` newest stored papers (by arXiv id, so every process gets the same)."""
        stmt = select(PaperRow.__table__).order_by(PaperRow.arxiv_id.desc()).limit(limit)
        return [
            _paper(row, version=row.version, announced_on=row.first_announced_on)
            for row in await self._session.execute(stmt)
        ]

    async def record_announcements(self, announced_on: date, papers: Iterable[Paper]) -> None:
        """Record that a feed announced these papers on a day, storing the papers as well.

        Running it again for the same day changes nothing; each paper needs an announce_type.
        """
        dated = [
            p if p.announced_on is not None else dataclasses.replace(p, announced_on=announced_on)
            for p in papers
        ]
        for paper in dated:
            if paper.announce_type is None:
                raise ValueError(f"{paper.versioned_id} has no announce_type")
        await self.upsert(dated)
        for batch in batches(dated):
            rows = [
                {
                    "announced_on": announced_on,
                    "arxiv_id": p.arxiv_id,
                    "version": p.version,
                    "announce_type": str(p.announce_type),
                }
                for p in batch
            ]
            stmt = insert(self._session, AnnouncementRow).values(rows).on_conflict_do_nothing()
            await self._session.execute(stmt)

    async def announced_on(self, day: date) -> list[Paper]:
        """The papers announced on a day, in feed order, each with that day's version and type.

        Title, abstract and the rest are the latest stored, which may belong to a later version.
        """
        stmt = (
            select(
                PaperRow.__table__,
                AnnouncementRow.version.label("announced_version"),
                AnnouncementRow.announce_type,
            )
            .join(AnnouncementRow, AnnouncementRow.arxiv_id == PaperRow.arxiv_id)
            .where(AnnouncementRow.announced_on == day)
            .order_by(AnnouncementRow.id)
        )
        rows = (await self._session.execute(stmt)).all()
        return [
            _paper(
                row,
                version=row.announced_version,
                announced_on=day,
                announce_type=AnnounceType(row.announce_type),
            )
            for row in rows
        ]


class FeedSnapshotRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def latest_date(self, categories_key: str) -> date | None:
        """The newest announcement day fetched for a feed key (e.g. "cs.AI+cs.LG")."""
        stmt = select(func.max(FeedSnapshotRow.announced_on)).where(
            FeedSnapshotRow.categories_key == categories_key
        )
        return (await self._session.execute(stmt)).scalar_one()

    async def record(self, categories_key: str, announced_on: date, item_count: int) -> None:
        """Remember a fetched feed day; a second fetch of the same day updates count and time."""
        stmt = insert(self._session, FeedSnapshotRow).values(
            categories_key=categories_key,
            announced_on=announced_on,
            item_count=item_count,
            fetched_at=utcnow(),
        )
        stmt = stmt.on_conflict_do_update(
            index_elements=["categories_key", "announced_on"],
            set_={"item_count": stmt.excluded.item_count, "fetched_at": stmt.excluded.fetched_at},
        )
        await self._session.execute(stmt)


def _merge_duplicates(papers: Iterable[Paper]) -> list[Paper]:
    """One entry per id (ON CONFLICT DO UPDATE may not touch a row twice in one statement)."""
    by_id: dict[str, Paper] = {}
    for paper in papers:
        seen = by_id.get(paper.arxiv_id)
        if seen is None:
            by_id[paper.arxiv_id] = paper
            continue
        latest = paper if paper.version >= seen.version else seen
        dates = [d for d in (seen.announced_on, paper.announced_on) if d is not None]
        by_id[paper.arxiv_id] = dataclasses.replace(
            latest, announced_on=min(dates) if dates else None
        )
    return list(by_id.values())


def _paper_values(paper: Paper) -> dict[str, Any]:
    return {
        "arxiv_id": paper.arxiv_id,
        "version": paper.version,
        "title": paper.title,
        "authors": list(paper.authors),
        "abstract": paper.abstract,
        "categories": list(paper.categories),
        "comments": paper.comments,
        "doi": paper.doi,
        "journal_ref": paper.journal_ref,
        "first_announced_on": paper.announced_on,
        "updated_at": utcnow(),
    }


def _paper(
    row: Any,
    *,
    version: int,
    announced_on: date | None,
    announce_type: AnnounceType | None = None,
) -> Paper:
    return Paper(
        arxiv_id=row.arxiv_id,
        version=version,
        title=row.title,
        authors=list(row.authors),
        abstract=row.abstract,
        categories=list(row.categories),
        announce_type=announce_type,
        announced_on=announced_on,
        comments=row.comments,
        doi=row.doi,
        journal_ref=row.journal_ref,
    )
