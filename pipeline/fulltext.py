"""A paper's full text: the stored extraction, else a fresh download, stored either way."""

from __future__ import annotations

from domain.models import Paper
from pipeline.codelinks import find_code_links
from pipeline.errors import PdfUnavailable, PdfUnreadable
from pipeline.pdf import FullText, PdfReader
from storage.db import Database
from storage.records import ExtractionStatus
from storage.repositories import ExtractionRepository

# Extraction statuses: "unavailable" (download failed: try again next run), "unreadable" (the
# file itself is unusable: never download it again), "ok".
_RETRY_LATER: ExtractionStatus = "unavailable"
_UNREADABLE: ExtractionStatus = "unreadable"
_OK: ExtractionStatus = "ok"


class FullTexts:
    """Each PDF is downloaded and read once: a later run (or `summarize`) reads the store."""

    def __init__(self, db: Database, reader: PdfReader) -> None:
        self._db = db
        self._reader = reader

    async def read(self, paper: Paper) -> tuple[FullText | None, str | None]:
        """The paper's full text, or None and the reason there is none; never an error."""
        async with self._db.session() as session:
            stored = await ExtractionRepository(session).get(paper.arxiv_id, paper.version)
        if stored is not None and stored.status == _OK and stored.content is not None:
            return FullText.from_json(stored.content), None
        if stored is not None and stored.status == _UNREADABLE:
            return None, stored.reason or "the PDF could not be read"
        try:
            full = await self._reader.read(paper.versioned_id)
        except (PdfUnavailable, PdfUnreadable) as exc:
            status = _RETRY_LATER if isinstance(exc, PdfUnavailable) else _UNREADABLE
            await self._save(paper, status=status, reason=str(exc), full=None)
            return None, str(exc)
        await self._save(paper, status=_OK, reason=None, full=full)
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
            )
            await session.commit()
