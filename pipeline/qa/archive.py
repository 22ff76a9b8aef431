"""A question across the archive, from asking to stored answer: the same asking delivered twice
is answered once, the same first question is answered from the store the same UTC day (the
archive grows daily: tomorrow's answer may cite more), a question no stored paper is on is
answered so without the model, and otherwise the found papers' best passages go to the model
within the input budget and the daily token cap.

Stored in the `questions` table as `storage.questions` describes (`ARCHIVE_ID`).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, time
from typing import Any
from weakref import WeakValueDictionary

from domain.errors import LlmNotAllowed
from domain.messages import text
from domain.statuses import QuestionStatus
from pipeline.budget import TokenBudget, utc_today
from pipeline.gist import clip_words
from pipeline.qa.answering import Answerer, Drafted, Labels
from pipeline.qa.answers import ArchiveAnswer, ArchiveCitation, Question
from pipeline.qa.archive_prompt import ArchivePassage, build_archive_prompt
from pipeline.qa.archive_sources import ArchiveSources, Gathered
from pipeline.qa.prompt import MAX_TURNS, Turn
from storage.db import Database
from storage.questions import ARCHIVE_ID, ARCHIVE_VERSION, question_key
from storage.repositories import NewQuestion, PaperRepository, QuestionRepository, StoredQuestion

TITLE_LIMIT = 60  # a cited paper's title, as a chat line shows it


def citation_of(item: ArchivePassage) -> ArchiveCitation:
    """A quoted passage's paper, section and page; the paper alone for its abstract or analysis."""
    title = clip_words(" ".join(item.paper.title.split()), TITLE_LIMIT)
    if not item.quoted:
        return ArchiveCitation(item.paper.arxiv_id, title)
    return ArchiveCitation(item.paper.arxiv_id, title, item.passage.section, item.passage.page)


def _labels(passages: Sequence[ArchivePassage]) -> Labels:
    """ "… 61.2% [2602.00780 §4.2, p. 6] [2601.01234]." """
    return Labels(
        label=lambda index, _passage: citation_of(passages[index]).label(),
        group=lambda labels: " ".join(f"[{label}]" for label in labels),
        not_said="questions.archive.not_said",
    )


class ArchiveQuestions:
    """Answers questions across the archive; `answerer` None: no LLM is configured."""

    def __init__(
        self,
        *,
        db: Database,
        sources: ArchiveSources,
        answerer: Answerer | None,
        budget: TokenBudget | None,
        input_token_budget: int,
        today: Callable[[], date] = utc_today,
    ) -> None:
        self._db = db
        self._sources = sources
        self._answerer = answerer
        self._budget = budget
        self._input_token_budget = input_token_budget
        self._today = today
        # One first asking of a question per language and day at a time: whoever asks the same
        # at the same moment waits and is answered from the store.
        self._locks: WeakValueDictionary[tuple[str, str, str, date], asyncio.Lock] = (
            WeakValueDictionary()
        )

    @property
    def model(self) -> str:
        return self._answerer.model if self._answerer is not None else ""

    async def answer(self, question: Question, *, llm_allowed: bool = True) -> ArchiveAnswer:
        if question.follows is not None:
            return await self._answer(question, llm_allowed)
        key = (question.language, question_key(question.text), self.model, self._today())
        lock = self._locks.get(key)
        if lock is None:
            lock = self._locks[key] = asyncio.Lock()
        async with lock:
            return await self._answer(question, llm_allowed)

    async def _answer(self, question: Question, llm_allowed: bool) -> ArchiveAnswer:
        async with self._db.session() as session:
            questions = QuestionRepository(session)
            if question.request_key is not None:
                first = await questions.by_request(question.asker.platform, question.request_key)
                if first is not None:
                    return await self._answer_of(first, duplicate=True)
            follows = question.follows
            history = await questions.history(follows, MAX_TURNS) if follows else []
            cached = None
            if follows is None and self._answerer is not None:
                cached = await questions.cached(
                    ARCHIVE_ID,
                    ARCHIVE_VERSION,
                    question.text,
                    question.language,
                    self.model,
                    since=datetime.combine(self._today(), time.min, tzinfo=UTC),
                )
        if cached is not None:
            return await self._store(question, cached.answer, cached.archive_passages)
        turns = [Turn(q.question, str(q.answer["text"])) for q in history if q.answer.get("text")]
        # A follow-up ("and on LIBERO?") leans on the question before it for its subject.
        query = " ".join([*(t.question for t in turns[-1:]), question.text])
        gathered = await self._sources.gather(query)
        if not gathered.passages:
            return await self._store(question, _nothing_found(question.language), (), stored=False)
        if self._answerer is None:
            return await self._refuse(question, "questions.no_llm")
        if not llm_allowed:
            raise LlmNotAllowed("archive")
        if self._budget is not None and await self._budget.exhausted(self._db):
            return await self._refuse(question, "questions.over_budget")
        return await self._ask_model(question, turns, gathered)

    async def _ask_model(
        self, question: Question, turns: list[Turn], gathered: Gathered
    ) -> ArchiveAnswer:
        assert self._answerer is not None
        passages = gathered.passages
        prompt = build_archive_prompt(
            question.text,
            question.language,
            passages=passages,
            ranking=gathered.ranking,
            history=turns,
            budget=self._input_token_budget,
        )
        drafted = await self._answerer.answer(
            prompt, [p.passage for p in passages], question.language, _labels(passages)
        )
        if self._budget is not None:
            self._budget.spend(drafted.prompt_tokens + drafted.completion_tokens)
        sent = [passages[i] for i in prompt.sent]
        return await self._store(
            question,
            _answer_json(drafted, passages, sent),
            [(p.paper.arxiv_id, p.index) for p in sent],
            tokens=(drafted.prompt_tokens, drafted.completion_tokens),
            stored=False,
        )

    async def _refuse(self, question: Question, key: str) -> ArchiveAnswer:
        return await self._store(
            question, {"error": text(key, question.language)}, (), stored=False
        )

    async def _store(
        self,
        question: Question,
        answer: dict[str, Any],
        passages: Sequence[tuple[str, int]],
        *,
        tokens: tuple[int, int] = (0, 0),
        stored: bool = True,  # the answer comes from the store
    ) -> ArchiveAnswer:
        asker = question.asker
        new = NewQuestion(
            platform=asker.platform,
            chat_id=asker.chat_id,
            user_id=asker.user_id,
            arxiv_id=ARCHIVE_ID,
            version=ARCHIVE_VERSION,
            question=question.text,
            language=question.language,
            status=QuestionStatus.FAILED if "error" in answer else QuestionStatus.ANSWERED,
            answer=answer,
            passages=(),
            model=self.model,
            prompt_tokens=tokens[0],
            completion_tokens=tokens[1],
            follows=question.follows,
            request_key=question.request_key,
            archive_passages=passages,
        )
        async with self._db.session() as session:
            record, duplicate = await QuestionRepository(session).add(new)
            await session.commit()
        return await self._answer_of(record, duplicate=duplicate, from_store=stored)

    async def _answer_of(
        self, record: StoredQuestion, *, duplicate: bool = False, from_store: bool = False
    ) -> ArchiveAnswer:
        answer = record.answer
        ids = [str(i) for i in answer.get("papers", [])]
        async with self._db.session() as session:
            papers = await PaperRepository(session).get_many(ids)
        citations = tuple(
            ArchiveCitation(str(c["arxiv_id"]), str(c["title"]), str(c["section"]), c["page"])
            for c in answer.get("citations", [])
        )
        return ArchiveAnswer(
            question_id=record.id,
            question=record.question,
            text=str(answer.get("text", "")),
            citations=citations,
            papers=tuple(papers[i] for i in ids if i in papers),
            grounded=bool(answer.get("grounded", False)),
            from_store=from_store or duplicate,
            duplicate=duplicate,
            error=answer.get("error"),
            nothing_found=bool(answer.get("nothing_found", False)),
        )


def _nothing_found(language: str) -> dict[str, Any]:
    return {
        "text": text("questions.archive.nothing_found", language),
        "citations": [],
        "papers": [],
        "grounded": False,
        "found": False,
        "nothing_found": True,
    }


def _answer_json(
    drafted: Drafted, passages: Sequence[ArchivePassage], sent: Sequence[ArchivePassage]
) -> dict[str, Any]:
    if drafted.error is not None:
        return {"error": drafted.error}
    # The abstract and the analysis of one paper are one citation: the paper.
    cited = {c.label(): c for c in (citation_of(passages[c.passage]) for c in drafted.citations)}
    return {
        "text": drafted.text,
        "citations": [
            {"arxiv_id": c.arxiv_id, "title": c.title, "section": c.section, "page": c.page}
            for c in cited.values()
        ],
        "papers": list(dict.fromkeys(p.paper.arxiv_id for p in sent)),
        "grounded": drafted.grounded,
        "found": drafted.found,
        "nothing_found": False,
    }
