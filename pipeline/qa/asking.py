"""A question about a paper, from asking to stored answer: the same asking delivered twice is
answered once, the same first question is answered from the store, and otherwise the paper's
best passages go to the model within the input budget and the daily token cap.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any, Protocol
from weakref import WeakValueDictionary

from domain.errors import CommandError, LlmNotAllowed
from domain.messages import text
from domain.models import Citation, Paper, PaperAnalysis, Passage
from domain.statuses import QuestionStatus
from pipeline.analyse import PROMPT_VERSION
from pipeline.budget import TokenBudget
from pipeline.qa.answering import Answerer, Drafted
from pipeline.qa.answers import MAX_QUESTION_CHARS, PaperAnswer, Question
from pipeline.qa.prompt import MAX_TURNS, Turn, build_prompt
from pipeline.qa.retrieval import Retriever
from storage.db import Database
from storage.questions import question_key
from storage.repositories import (
    AnalysisRepository,
    NewQuestion,
    QuestionRepository,
    StoredQuestion,
)

DEFAULT_INPUT_TOKEN_BUDGET = 6000


def check_question(question: str) -> None:
    """Refuses, with a line a user can read, a question that is empty or too long to ask."""
    length = len(question.strip())
    if not length:
        raise CommandError("questions.empty")
    if length > MAX_QUESTION_CHARS:
        raise CommandError("questions.too_long", length=length, limit=MAX_QUESTION_CHARS)


class PassageSource(Protocol):
    async def passages(self, paper: Paper) -> tuple[list[Passage] | None, str | None]: ...


class PaperQuestions:
    """Answers questions about papers; `answerer` None: no LLM is configured."""

    def __init__(
        self,
        *,
        db: Database,
        texts: PassageSource,
        answerer: Answerer | None,
        retriever: Retriever,
        budget: TokenBudget | None = None,
        input_token_budget: int = DEFAULT_INPUT_TOKEN_BUDGET,
    ) -> None:
        self._db = db
        self._texts = texts
        self._answerer = answerer
        self._retriever = retriever
        self._budget = budget
        self._input_token_budget = input_token_budget
        # One first asking of a question per paper and language at a time: whoever asks the
        # same at the same moment waits and is answered from the store.
        self._locks: WeakValueDictionary[tuple[str, str, str, str], asyncio.Lock] = (
            WeakValueDictionary()
        )

    async def followed(self, question_id: int) -> StoredQuestion | None:
        async with self._db.session() as session:
            return await QuestionRepository(session).get(question_id)

    async def answer(
        self, paper: Paper, question: Question, *, llm_allowed: bool = True
    ) -> PaperAnswer:
        """The answer to `question` about `paper` (for a follow-up, the followed question's)."""
        if question.follows is not None:
            return await self._answer(paper, question, llm_allowed)
        key = (paper.versioned_id, question.language, question_key(question.text), self.model)
        lock = self._locks.get(key)
        if lock is None:
            lock = self._locks[key] = asyncio.Lock()
        async with lock:
            return await self._answer(paper, question, llm_allowed)

    async def _answer(self, paper: Paper, question: Question, llm_allowed: bool) -> PaperAnswer:
        asker = question.asker
        async with self._db.session() as session:
            questions = QuestionRepository(session)
            if question.request_key is not None:
                first = await questions.by_request(asker.platform, question.request_key)
                if first is not None:
                    return _answer_of(first, paper, duplicate=True)
            history = (
                await questions.history(question.follows, MAX_TURNS) if question.follows else []
            )
            cached = None
            if question.follows is None and self._answerer is not None:
                cached = await questions.cached(
                    paper.arxiv_id, paper.version, question.text, question.language, self.model
                )
        if cached is not None:
            return await self._store(paper, question, cached.status, cached.answer, cached.passages)
        if self._answerer is None:
            return await self._refuse(paper, question, "questions.no_llm")
        if not llm_allowed:
            raise LlmNotAllowed(paper.versioned_id)
        if self._budget is not None and await self._budget.exhausted(self._db):
            return await self._refuse(paper, question, "questions.over_budget")
        return await self._ask_model(paper, question, history)

    @property
    def model(self) -> str:
        return self._answerer.model if self._answerer is not None else ""

    async def _ask_model(
        self, paper: Paper, question: Question, history: Sequence[StoredQuestion]
    ) -> PaperAnswer:
        assert self._answerer is not None
        passages, _missing = await self._texts.passages(paper)
        full_text = bool(passages)
        passages = passages or []
        turns = [
            Turn(q.question, str(q.answer.get("text", ""))) for q in history if q.answer.get("text")
        ]
        # A follow-up ("and on LIBERO?") leans on the question before it for its subject.
        query = " ".join([*(t.question for t in turns[-1:]), question.text])
        ranking = await self._retriever.rank(paper.versioned_id, passages, query)
        prompt = build_prompt(
            paper,
            question.text,
            question.language,
            passages=passages,
            ranking=ranking,
            analysis=await self._analysis(paper, question.language),
            history=turns,
            budget=self._input_token_budget,
        )
        drafted = await self._answerer.answer(prompt, passages, question.language)
        if self._budget is not None:
            self._budget.spend(drafted.prompt_tokens + drafted.completion_tokens)
        status = QuestionStatus.FAILED if drafted.error else QuestionStatus.ANSWERED
        return await self._store(
            paper,
            question,
            status,
            _answer_json(drafted, full_text),
            prompt.sent,
            tokens=(drafted.prompt_tokens, drafted.completion_tokens),
            from_store=False,
        )

    async def _analysis(self, paper: Paper, language: str) -> PaperAnalysis | None:
        """The stored analysis in the question's language, else in any language we hold."""
        async with self._db.session() as session:
            analyses = AnalysisRepository(session)
            for wanted in dict.fromkeys([language, "en", "zh"]):
                stored = await analyses.get(
                    paper.arxiv_id, paper.version, self.model, wanted, PROMPT_VERSION
                )
                if stored is not None and stored.analysis is not None:
                    return stored.analysis
        return None

    async def _refuse(self, paper: Paper, question: Question, key: str) -> PaperAnswer:
        error = text(key, question.language)
        return await self._store(
            paper, question, QuestionStatus.FAILED, {"error": error}, (), from_store=False
        )

    async def _store(
        self,
        paper: Paper,
        question: Question,
        status: QuestionStatus,
        answer: dict[str, Any],
        passages: Sequence[int],
        *,
        tokens: tuple[int, int] = (0, 0),
        from_store: bool = True,
    ) -> PaperAnswer:
        asker = question.asker
        new = NewQuestion(
            platform=asker.platform,
            chat_id=asker.chat_id,
            user_id=asker.user_id,
            arxiv_id=paper.arxiv_id,
            version=paper.version,
            question=question.text,
            language=question.language,
            status=status,
            answer=answer,
            passages=passages,
            model=self.model,
            prompt_tokens=tokens[0],
            completion_tokens=tokens[1],
            follows=question.follows,
            request_key=question.request_key,
        )
        async with self._db.session() as session:
            stored, duplicate = await QuestionRepository(session).add(new)
            await session.commit()
        return _answer_of(stored, paper, duplicate=duplicate, from_store=from_store)


def _answer_json(drafted: Drafted, full_text: bool) -> dict[str, Any]:
    if drafted.error is not None:
        return {"error": drafted.error}
    return {
        "text": drafted.text,
        "citations": [
            {"passage": c.passage, "section": c.section, "page": c.page} for c in drafted.citations
        ],
        "grounded": drafted.grounded,
        "full_text": full_text,
        "found": drafted.found,
    }


def _answer_of(
    stored: StoredQuestion, paper: Paper, *, duplicate: bool = False, from_store: bool = False
) -> PaperAnswer:
    answer = stored.answer
    citations = tuple(
        Citation(int(c["passage"]), str(c["section"]), int(c["page"]))
        for c in answer.get("citations", [])
    )
    return PaperAnswer(
        question_id=stored.id,
        paper=paper,
        question=stored.question,
        text=str(answer.get("text", "")),
        citations=citations,
        grounded=bool(answer.get("grounded", False)),
        full_text=bool(answer.get("full_text", True)),
        from_store=from_store or duplicate,
        duplicate=duplicate,
        error=answer.get("error"),
    )
