"""Daily reports, one per (date, scope): the CLI's is "default", each chat can have its own."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.statuses import Mention, ReportStatus
from storage._sql import batches, insert
from storage.models import ReportPaperRow, ReportRow, utcnow
from storage.records import ReportPaper, StoredReport

DEFAULT_SCOPE = "default"


class ReportRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def save(
        self,
        report_date: date,
        scope: str = DEFAULT_SCOPE,
        *,
        categories: Sequence[str],
        keywords: Sequence[str],
        status: ReportStatus,
        markdown: str,
        papers: Sequence[ReportPaper],
    ) -> StoredReport:
        """Store a day's report; a rerun of the day replaces the report and all its papers."""
        ids = [p.arxiv_id for p in papers]
        if len(set(ids)) != len(ids):
            raise ValueError(f"a report lists each paper once, got {ids}")
        now = utcnow()
        stmt = insert(self._session, ReportRow).values(
            report_date=report_date,
            scope=scope,
            categories=list(categories),
            keywords=list(keywords),
            status=status,
            markdown=markdown,
            paper_count=len(papers),
            created_at=now,
            updated_at=now,
        )
        replaced = ("categories", "keywords", "status", "markdown", "paper_count", "updated_at")
        upsert = stmt.on_conflict_do_update(
            index_elements=["report_date", "scope"],
            set_={name: stmt.excluded[name] for name in replaced},
        ).returning(*ReportRow.__table__.c)
        row = (await self._session.execute(upsert)).one()
        await self._session.execute(
            delete(ReportPaperRow).where(ReportPaperRow.report_id == row.id)
        )
        placed = sorted(
            (
                ReportPaper(
                    p.arxiv_id,
                    p.version,
                    p.position,
                    tuple(p.matched_keywords),
                    Mention(p.mention),
                    p.reason,
                )
                for p in papers
            ),
            key=lambda p: p.position,
        )
        for batch in batches(placed):
            await self._session.execute(
                insert(self._session, ReportPaperRow).values(
                    [
                        {
                            "report_id": row.id,
                            "arxiv_id": p.arxiv_id,
                            "version": p.version,
                            "position": p.position,
                            "matched_keywords": list(p.matched_keywords),
                            "mention": p.mention,
                            "reason": p.reason,
                        }
                        for p in batch
                    ]
                )
            )
        return _report(row, placed)

    async def get(self, report_date: date, scope: str = DEFAULT_SCOPE) -> StoredReport | None:
        stmt = select(ReportRow.__table__).where(
            ReportRow.report_date == report_date, ReportRow.scope == scope
        )
        return await self._with_papers((await self._session.execute(stmt)).one_or_none())

    async def latest(self, scope: str = DEFAULT_SCOPE) -> StoredReport | None:
        stmt = (
            select(ReportRow.__table__)
            .where(ReportRow.scope == scope)
            .order_by(ReportRow.report_date.desc())
            .limit(1)
        )
        return await self._with_papers((await self._session.execute(stmt)).one_or_none())

    async def dates(self, scope: str = DEFAULT_SCOPE) -> list[date]:
        """Every date with a report in this scope, oldest first."""
        stmt = (
            select(ReportRow.report_date)
            .where(ReportRow.scope == scope)
            .order_by(ReportRow.report_date)
        )
        return list((await self._session.execute(stmt)).scalars())

    async def reported_before(
        self, arxiv_ids: Iterable[str], before: date, scope: str = DEFAULT_SCOPE
    ) -> set[str]:
        """The ids among `arxiv_ids` in any report of this scope dated strictly before `before`."""
        found: set[str] = set()
        for batch in batches(sorted(set(arxiv_ids))):
            stmt = (
                select(ReportPaperRow.arxiv_id)
                .join(ReportRow, ReportRow.id == ReportPaperRow.report_id)
                .where(
                    ReportRow.scope == scope,
                    ReportRow.report_date < before,
                    ReportPaperRow.arxiv_id.in_(batch),
                )
                .distinct()
            )
            found.update((await self._session.execute(stmt)).scalars())
        return found

    async def _with_papers(self, row: Any) -> StoredReport | None:
        if row is None:
            return None
        stmt = (
            select(ReportPaperRow.__table__)
            .where(ReportPaperRow.report_id == row.id)
            .order_by(ReportPaperRow.position, ReportPaperRow.arxiv_id)
        )
        papers = [
            ReportPaper(
                arxiv_id=p.arxiv_id,
                version=p.version,
                matched_keywords=tuple(p.matched_keywords),
                mention=Mention(p.mention),
                position=p.position,
                reason=p.reason,
            )
            for p in (await self._session.execute(stmt)).all()
        ]
        return _report(row, papers)


def _report(row: Any, papers: Sequence[ReportPaper]) -> StoredReport:
    return StoredReport(
        id=row.id,
        report_date=row.report_date,
        scope=row.scope,
        categories=tuple(row.categories),
        keywords=tuple(row.keywords),
        status=ReportStatus(row.status),
        markdown=row.markdown,
        paper_count=row.paper_count,
        created_at=row.created_at,
        updated_at=row.updated_at,
        papers=tuple(papers),
    )
