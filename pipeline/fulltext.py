"""A paper's full text: the stored extraction, else a fresh download, stored either way."""

from __future__ import annotations

import asyncio
from weakref import WeakValueDictionary

from domain.errors import PdfUnavailable, PdfUnreadable
from domain.models import Paper, Passage
from domain.statuses import ExtractionStatus
from pipeline.codelinks import find_code_links
from pipeline.pdf import FullText, PdfReader
from storage.db import Database
from storage.repositories import ExtractionRepository


class FullTexts:
    """Each PDF is downloaded and read once: a later run (or `summarize`) reads the store."""

    def __init__(self, db: Database, reader: PdfReader) -> None:
        self._db = db
        self._reader = reader
        # One lock per paper being read, alive while someone holds or awaits it: two people
        # asking about the same paper at once wait for one download.
        self._locks: WeakValueDictionary[tuple[str, int], asyncio.Lock] = WeakValueDictionary()

    async def read(self, paper: Paper) -> tuple[FullText | None, str | None]:
        """The paper's full text, or None and the reason there is none (maybe empty when it was
        not recorded); never an error."""
        async with self._lock(paper):
            return await self._read(paper)

    async def passages(self, paper: Paper) -> tuple[list[Passage] | None, str | None]:
        """The paper's passages, or None and the reason there are none; never an error.

        A version read before passages were kept is read again from its PDF, once, and only
        its passages are stored; a PDF found unreadable is not downloaded again."""
        async with self._lock(paper):
            async with self._db.session() as session:
                extractions = ExtractionRepository(session)
                stored = await extractions.passages(paper.arxiv_id, paper.version)
                if stored is not None:
                    return stored, None
                row = await extractions.get(paper.arxiv_id, paper.version)
            if row is None or row.status is not ExtractionStatus.OK:
                full, reason = await self._read(paper)
                return (None, reason) if full is None else (full.passages, None)
            try:
                full = await self._reader.read(paper.versioned_id)
            except (PdfUnavailable, PdfUnreadable) as exc:
                return None, str(exc)  # the stored text stays; the next question tries again
            async with self._db.session() as session:
                await ExtractionRepository(session).set_passages(
                    paper.arxiv_id, paper.version, full.passages
                )
                await session.commit()
            return full.passages, None

    def _lock(self, paper: Paper) -> asyncio.Lock:
        key = (paper.arxiv_id, paper.version)
        lock = self._locks.get(key)
        if lock is None:
            lock = self._locks[key] = asyncio.Lock()
        return lock

    async def _read(self, paper: Paper) -> tuple[FullText | None, str | None]:
        async with self._db.session() as session:
            stored = await ExtractionRepository(session).get(paper.arxiv_id, paper.version)
        if (
            stored is not None
            and stored.status is ExtractionStatus.OK
            and stored.content is not None
        ):
            return FullText.from_json(stored.content), None
        if stored is not None and stored.status is ExtractionStatus.UNREADABLE:
            return None, stored.reason or ""  # the note says the PDF could not be read
        try:
            full = await self._reader.read(paper.versioned_id)
        except (PdfUnavailable, PdfUnreadable) as exc:
            status = (
                ExtractionStatus.UNAVAILABLE  # try again next run
                if isinstance(exc, PdfUnavailable)
                else ExtractionStatus.UNREADABLE  # never download it again
            )
            await self._save(paper, status=status, reason=str(exc), full=None)
            return None, str(exc)
        await self._save(paper, status=ExtractionStatus.OK, reason=None, full=full)
        return full, None

    async def _save(
        self,
        paper: Paper,
        *,
        status: ExtractionStatus,
        reason: str | None,
        full: FullText | None,
    ) -> None:
        async with self._db.session() as session:
            await ExtractionRepository(session).save(
                paper.arxiv_id,
                paper.version,
                status=status,
                reason=reason,
                pages=full.pages if full else None,
                content=full.to_json() if full else None,
                code_links=find_code_links(full.front_text) if full else [],
                passages=full.passages if full else None,
            )
            await session.commit()
