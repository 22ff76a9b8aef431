"""Questions asked about papers and what was answered, so that no asking is answered twice and
no question is paid for twice.

A question's answer is kept as JSON: `{"text", "citations": [{"passage", "section", "page"}],
"grounded", "full_text", "found"}` when answered, `{"error"}` when the model failed. Only
answered first turns serve as the cache: a follow-up depends on its conversation, and a failure
on a moment's trouble.

A question across the archive (no one paper) is stored in the same table under the paper
`ARCHIVE_ID` ("") version `ARCHIVE_VERSION` (0), its passages as `[arxiv_id, index]` pairs (an
index below 0 names a paper's abstract or analysis, see `pipeline.qa.archive`), and its answer
as `{"text", "citations": [{"arxiv_id", "title", "section", "page"}], "papers", "grounded",
"found", "nothing_found"}`.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from domain.statuses import QuestionStatus
from storage._sql import insert
from storage.models import QuestionRow, utcnow

ARCHIVE_ID = ""  # the `arxiv_id` of a question across the archive
ARCHIVE_VERSION = 0

_SPACES = re.compile(r"\s+")
_END_PUNCTUATION = re.compile(r"[\s?？!！.。…,，;；:：]+$")


def question_key(question: str) -> str:
    """The digest of a question as a cache sees it: case, runs of white space and the
    punctuation at its end do not make another question."""
    normal = _END_PUNCTUATION.sub("", _SPACES.sub(" ", question.casefold()).strip())
    return hashlib.sha256(normal.encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class NewQuestion:
    """What is stored of one asking and its outcome."""

    platform: str
    chat_id: str
    user_id: str
    arxiv_id: str
    version: int
    question: str
    language: str
    status: QuestionStatus
    answer: dict[str, Any]
    passages: Sequence[int]  # the paper's passage indexes sent to the model
    model: str
    prompt_tokens: int = 0
    completion_tokens: int = 0
    follows: int | None = None
    request_key: str | None = None
    # A question across the archive: the passages sent, as (arxiv_id, index) pairs.
    archive_passages: Sequence[tuple[str, int]] = ()


@dataclass(frozen=True, slots=True)
class StoredQuestion:
    id: int
    platform: str
    chat_id: str
    user_id: str
    arxiv_id: str
    version: int
    question: str
    language: str
    follows: int | None
    request_key: str | None
    status: QuestionStatus
    answer: dict[str, Any]
    passages: tuple[int, ...]
    model: str
    prompt_tokens: int
    completion_tokens: int
    message_id: str | None
    created_at: datetime
    archive_passages: tuple[tuple[str, int], ...] = ()  # `passages` of an archive question

    @property
    def about_archive(self) -> bool:
        """Asked across the archive, not about one paper: its follow-ups are archive questions."""
        return self.arxiv_id == ARCHIVE_ID


class QuestionRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, new: NewQuestion) -> tuple[StoredQuestion, bool]:
        """Store an asking; with a `request_key` the platform already delivered, the first
        asking's record instead and True (a duplicate): the racing second writer never raises."""
        values = {
            "platform": new.platform,
            "chat_id": new.chat_id,
            "user_id": new.user_id,
            "arxiv_id": new.arxiv_id,
            "version": new.version,
            "question": new.question,
            "question_key": question_key(new.question),
            "language": new.language,
            "follows": new.follows,
            "request_key": new.request_key,
            "status": new.status,
            "answer": new.answer,
            "passages": (
                [[arxiv_id, index] for arxiv_id, index in new.archive_passages]
                if new.arxiv_id == ARCHIVE_ID
                else list(new.passages)
            ),
            "model": new.model,
            "prompt_tokens": new.prompt_tokens,
            "completion_tokens": new.completion_tokens,
            "created_at": utcnow(),
        }
        stmt = insert(self._session, QuestionRow).values(**values)
        stmt = stmt.on_conflict_do_nothing(index_elements=["platform", "request_key"])
        row = (await self._session.execute(stmt.returning(*_COLUMNS))).one_or_none()
        if row is not None:
            return _stored(row), False
        assert new.request_key is not None  # only a request key can conflict
        first = await self.by_request(new.platform, new.request_key)
        assert first is not None
        return first, True

    async def get(self, question_id: int) -> StoredQuestion | None:
        stmt = select(*_COLUMNS).where(QuestionRow.id == question_id)
        row = (await self._session.execute(stmt)).one_or_none()
        return None if row is None else _stored(row)

    async def by_request(self, platform: str, request_key: str) -> StoredQuestion | None:
        """The asking a platform delivered with this key before, if any."""
        stmt = select(*_COLUMNS).where(
            QuestionRow.platform == platform, QuestionRow.request_key == request_key
        )
        row = (await self._session.execute(stmt)).one_or_none()
        return None if row is None else _stored(row)

    async def cached(
        self,
        arxiv_id: str,
        version: int,
        question: str,
        language: str,
        model: str,
        *,
        since: datetime | None = None,
    ) -> StoredQuestion | None:
        """The latest answer to the same first question about this paper version, in this
        language and by this model (and asked at `since` or later, when given); failures and
        follow-ups never count."""
        stmt = (
            select(*_COLUMNS)
            .where(
                QuestionRow.arxiv_id == arxiv_id,
                QuestionRow.version == version,
                QuestionRow.question_key == question_key(question),
                QuestionRow.language == language,
                QuestionRow.model == model,
                QuestionRow.status == QuestionStatus.ANSWERED,
                QuestionRow.follows.is_(None),
                *([QuestionRow.created_at >= since] if since is not None else []),
            )
            .order_by(QuestionRow.id.desc())
            .limit(1)
        )
        row = (await self._session.execute(stmt)).one_or_none()
        return None if row is None else _stored(row)

    async def history(self, question_id: int, limit: int = 3) -> list[StoredQuestion]:
        """The conversation up to and including this question, oldest first: at most `limit`
        records, following `follows` back from `question_id`."""
        chain: list[StoredQuestion] = []
        next_id: int | None = question_id
        while next_id is not None and len(chain) < limit:
            record = await self.get(next_id)
            if record is None:
                break
            chain.append(record)
            next_id = record.follows
        return chain[::-1]

    async def at(
        self, platform: str, chat_ids: Iterable[str], message_id: str
    ) -> StoredQuestion | None:
        """The question whose posted answer is this message (a reply to it is a follow-up)."""
        stmt = (
            select(*_COLUMNS)
            .where(
                QuestionRow.platform == platform,
                QuestionRow.chat_id.in_(list(chat_ids)),
                QuestionRow.message_id == message_id,
            )
            .order_by(QuestionRow.id.desc())
            .limit(1)
        )
        row = (await self._session.execute(stmt)).one_or_none()
        return None if row is None else _stored(row)

    async def set_message(self, question_id: int, message_id: str) -> None:
        """Remember the message that carried the answer."""
        stmt = (
            update(QuestionRow).where(QuestionRow.id == question_id).values(message_id=message_id)
        )
        await self._session.execute(stmt)

    async def tokens_used_on(self, day: date) -> int:
        """Tokens the questions asked on a UTC day cost (answers from the store cost none)."""
        start = datetime.combine(day, time.min, tzinfo=UTC)
        stmt = select(
            func.coalesce(func.sum(QuestionRow.prompt_tokens + QuestionRow.completion_tokens), 0)
        ).where(QuestionRow.created_at >= start, QuestionRow.created_at < start + timedelta(1))
        return int((await self._session.execute(stmt)).scalar_one())


_COLUMNS = tuple(c for c in QuestionRow.__table__.c if c.name != "question_key")


def _stored(row: Any) -> StoredQuestion:
    archive = row.arxiv_id == ARCHIVE_ID
    return StoredQuestion(
        id=row.id,
        platform=row.platform,
        chat_id=row.chat_id,
        user_id=row.user_id,
        arxiv_id=row.arxiv_id,
        version=row.version,
        question=row.question,
        language=row.language,
        follows=row.follows,
        request_key=row.request_key,
        status=QuestionStatus(row.status),
        answer=dict(row.answer or {}),
        passages=() if archive else tuple(row.passages),
        model=row.model,
        prompt_tokens=row.prompt_tokens,
        completion_tokens=row.completion_tokens,
        message_id=row.message_id,
        created_at=row.created_at,
        archive_passages=(
            tuple((str(paper), int(index)) for paper, index in row.passages) if archive else ()
        ),
    )
