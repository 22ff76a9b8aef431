"""What was read from each PDF and what the LLM made of it, so no paper is paid for twice."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import and_, bindparam, func, null, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from domain.models import PaperAnalysis, Passage
from domain.statuses import AnalysisSource, AnalysisStatus, ExtractionStatus
from storage._sql import insert
from storage.models import AnalysisRow, ExtractionRow, utcnow
from storage.records import StoredAnalysis, StoredExtraction

# Built once, run with parameters: the reads every summarize makes skip building them anew.
_ANALYSIS_KEY = and_(
    AnalysisRow.arxiv_id == bindparam("arxiv_id"),
    AnalysisRow.version == bindparam("version"),
    AnalysisRow.model == bindparam("model"),
    AnalysisRow.language == bindparam("language"),
    AnalysisRow.prompt_version == bindparam("prompt_version"),
)
_ANALYSIS = select(AnalysisRow.__table__).where(_ANALYSIS_KEY)
_ANALYSIS_AND_LINKS = (
    select(AnalysisRow.__table__, ExtractionRow.code_links)
    .select_from(AnalysisRow)
    .outerjoin(
        ExtractionRow,
        and_(
            ExtractionRow.arxiv_id == AnalysisRow.arxiv_id,
            ExtractionRow.version == AnalysisRow.version,
            ExtractionRow.status == ExtractionStatus.OK,
        ),
    )
    .where(_ANALYSIS_KEY)
)


# Everything but the passages, which only questions read.
_EXTRACTION = select(*(c for c in ExtractionRow.__table__.c if c.name != "passages"))
_EXTRACTION_KEY = and_(
    ExtractionRow.arxiv_id == bindparam("arxiv_id"), ExtractionRow.version == bindparam("version")
)


class ExtractionRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get(self, arxiv_id: str, version: int) -> StoredExtraction | None:
        stmt = _EXTRACTION.where(_EXTRACTION_KEY)
        key = {"arxiv_id": arxiv_id, "version": version}
        row = (await self._session.execute(stmt, key)).one_or_none()
        return None if row is None else _extraction(row)

    async def passages(self, arxiv_id: str, version: int) -> list[Passage] | None:
        """The version's passages; None when it was not read, or read before passages were kept."""
        stmt = select(ExtractionRow.passages).where(_EXTRACTION_KEY)
        key = {"arxiv_id": arxiv_id, "version": version}
        stored = (await self._session.execute(stmt, key)).scalar_one_or_none()
        if stored is None:
            return None
        return [Passage(section, page, text) for section, page, text in stored]

    async def set_passages(self, arxiv_id: str, version: int, passages: Sequence[Passage]) -> bool:
        """Store the passages of a version already read, leaving the rest of its row as it is;
        False when the version has no row."""
        stmt = (
            update(ExtractionRow)
            .where(ExtractionRow.arxiv_id == arxiv_id, ExtractionRow.version == version)
            .values(passages=_compact(passages))
        )
        result = await self._session.execute(stmt)
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def save(
        self,
        arxiv_id: str,
        version: int,
        *,
        status: ExtractionStatus,
        reason: str | None = None,
        pages: int | None = None,
        content: Any = None,
        code_links: Sequence[str] = (),
        passages: Sequence[Passage] | None = None,
    ) -> StoredExtraction:
        """Store the outcome of reading one version's PDF, replacing any earlier outcome.

        `passages` None leaves the column NULL: they are read from the PDF when first asked for."""
        values = {
            "status": status,
            "reason": reason,
            "pages": pages,
            "content": content,
            "code_links": list(code_links),
            "passages": null() if passages is None else _compact(passages),
            "created_at": utcnow(),
        }
        stmt = insert(self._session, ExtractionRow).values(
            arxiv_id=arxiv_id, version=version, **values
        )
        upsert = stmt.on_conflict_do_update(
            index_elements=["arxiv_id", "version"],
            set_={name: stmt.excluded[name] for name in values},
        ).returning(*_EXTRACTION.selected_columns)
        return _extraction((await self._session.execute(upsert)).one())


class AnalysisRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get(
        self, arxiv_id: str, version: int, model: str, language: str, prompt_version: str
    ) -> StoredAnalysis | None:
        """The stored outcome, failed or not, so the caller can decide whether to retry."""
        key = _key(arxiv_id, version, model, language, prompt_version)
        row = (await self._session.execute(_ANALYSIS, key)).one_or_none()
        return None if row is None else _analysis(row)

    async def get_with_code_links(
        self, arxiv_id: str, version: int, model: str, language: str, prompt_version: str
    ) -> tuple[StoredAnalysis | None, list[str] | None]:
        """The stored outcome, and the code links of the version's text if it was read (None
        otherwise): all a cached analysis needs, in one query, without loading the text."""
        key = _key(arxiv_id, version, model, language, prompt_version)
        row = (await self._session.execute(_ANALYSIS_AND_LINKS, key)).one_or_none()
        if row is None:
            return None, None
        return _analysis(row), None if row.code_links is None else list(row.code_links)

    async def save(
        self,
        arxiv_id: str,
        version: int,
        model: str,
        language: str,
        prompt_version: str,
        *,
        status: AnalysisStatus,
        source: AnalysisSource,
        analysis: PaperAnalysis | None = None,
        error: str | None = None,
        prompt_tokens: int = 0,
        completion_tokens: int = 0,
    ) -> StoredAnalysis:
        """Record one attempt: its outcome replaces the previous one, its tokens add up.

        `prompt_tokens` and `completion_tokens` are what this attempt spent, failed or not.
        """
        if status == AnalysisStatus.OK and analysis is None:
            raise ValueError("an analysis with status 'ok' needs its content")
        if source == AnalysisSource.NONE:
            raise ValueError("a stored analysis was made from the full text or the abstract")
        now = utcnow()
        stmt = insert(self._session, AnalysisRow).values(
            arxiv_id=arxiv_id,
            version=version,
            model=model,
            language=language,
            prompt_version=prompt_version,
            status=status,
            source=source,
            content=None if analysis is None else analysis.model_dump(mode="json"),
            error=error,
            prompt_tokens=prompt_tokens,
            completion_tokens=completion_tokens,
            attempts=1,
            created_at=now,
            updated_at=now,
        )
        new = stmt.excluded
        upsert = stmt.on_conflict_do_update(
            index_elements=["arxiv_id", "version", "model", "language", "prompt_version"],
            set_={
                "status": new.status,
                "source": new.source,
                "content": new.content,
                "error": new.error,
                "prompt_tokens": AnalysisRow.prompt_tokens + new.prompt_tokens,
                "completion_tokens": AnalysisRow.completion_tokens + new.completion_tokens,
                "attempts": AnalysisRow.attempts + 1,
                "updated_at": new.updated_at,
            },
        ).returning(*AnalysisRow.__table__.c)
        return _analysis((await self._session.execute(upsert)).one())

    async def tokens_used_on(self, day: date) -> int:
        """Tokens of the analyses last written on a UTC day (all their attempts included).

        An analysis retried across midnight counts its earlier attempts again on the later
        day, which errs on the side of staying under a daily budget.
        """
        start = datetime.combine(day, time.min, tzinfo=UTC)
        stmt = select(
            func.coalesce(func.sum(AnalysisRow.prompt_tokens + AnalysisRow.completion_tokens), 0)
        ).where(AnalysisRow.updated_at >= start, AnalysisRow.updated_at < start + timedelta(1))
        return int((await self._session.execute(stmt)).scalar_one())


def _compact(passages: Sequence[Passage]) -> list[list[object]]:
    """[section, page, text] each: a passage's field names would be a fifth of its size."""
    return [[p.section, p.page, p.text] for p in passages]


def _extraction(row: Any) -> StoredExtraction:
    return StoredExtraction(
        arxiv_id=row.arxiv_id,
        version=row.version,
        status=ExtractionStatus(row.status),
        reason=row.reason,
        pages=row.pages,
        content=row.content,
        code_links=tuple(row.code_links),
        created_at=row.created_at,
    )


def _key(
    arxiv_id: str, version: int, model: str, language: str, prompt_version: str
) -> dict[str, Any]:
    return {
        "arxiv_id": arxiv_id,
        "version": version,
        "model": model,
        "language": language,
        "prompt_version": prompt_version,
    }


def _analysis(row: Any) -> StoredAnalysis:
    return StoredAnalysis(
        arxiv_id=row.arxiv_id,
        version=row.version,
        model=row.model,
        language=row.language,
        prompt_version=row.prompt_version,
        status=AnalysisStatus(row.status),
        source=AnalysisSource(row.source),
        analysis=None if row.content is None else PaperAnalysis.model_validate(row.content),
        error=row.error,
        prompt_tokens=row.prompt_tokens,
        completion_tokens=row.completion_tokens,
        attempts=row.attempts,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )
