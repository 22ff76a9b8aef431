"""The day's run, end to end: feed → match → read → analyse → report, each step stored once.

`Digest` puts the pieces together for its callers: `DayBuilder` (a day's feed, recorded and
matched), `PaperWork` (one paper from the store, else read and analysed) and `publish_report`
(the finished report kept). Every outbound client is injected by the composition root.
"""

from __future__ import annotations

from datetime import date

from domain.errors import CommandError
from domain.models import Paper
from pipeline.admission import ArrivalLine
from pipeline.analyse import PROMPT_VERSION, Analyzer
from pipeline.archive.search import ArchiveSearch
from pipeline.archive.vectors import ArchiveVectors
from pipeline.arxiv_api import ArxivApi
from pipeline.budget import TokenBudget
from pipeline.daybuild import DayBuild
from pipeline.daybuilder import DayBuilder, Progress
from pipeline.feedcache import FeedCache
from pipeline.fulltext import FullTexts
from pipeline.ids import parse_arxiv_id
from pipeline.lookups import SharedLookups
from pipeline.options import DigestOptions
from pipeline.outcomes import DigestOutcome, PaperResult
from pipeline.paperwork import PaperWork
from pipeline.pdf import PdfReader
from pipeline.qa.answering import Answerer
from pipeline.qa.answers import ArchiveAnswer, PaperAnswer, Question
from pipeline.qa.archive import ArchiveQuestions
from pipeline.qa.archive_sources import ArchiveSources
from pipeline.qa.asking import DEFAULT_INPUT_TOKEN_BUDGET, PaperQuestions, check_question
from pipeline.qa.retrieval import Retriever
from pipeline.rebuild import rebuild_report
from pipeline.relevance.service import Relevance
from pipeline.report import DailyReport
from storage.db import Database
from storage.repositories import PaperRepository


class Digest:
    """Holds the day's dependencies; `options` are the default report's (DIGEST_*), and each
    run may bring its own (a chat's scope, keywords, language)."""

    def __init__(
        self,
        *,
        db: Database,
        feeds: FeedCache,
        api: ArxivApi,
        reader: PdfReader,
        analyzer: Analyzer | None,
        options: DigestOptions,
        line: ArrivalLine,
        budget: TokenBudget | None = None,
        relevance: Relevance | None = None,
        qa_input_token_budget: int = DEFAULT_INPUT_TOKEN_BUDGET,
    ) -> None:
        self.db = db
        # The order people asked in, for the reader's and the analyzer's slots and the look-ups.
        self.line = line
        self.options = options
        self.feeds = feeds  # shared with whoever ends a run's sharing (the daily delivery)
        self.budget = budget
        self._lookups = SharedLookups(api, line)
        texts = FullTexts(db, reader)
        self.papers = PaperWork(db=db, texts=texts, analyzer=analyzer, budget=budget)
        answerer = (
            Answerer(analyzer.endpoint, analyzer.slots, redact=analyzer.redact)
            if analyzer is not None
            else None
        )
        embedder = relevance.store.embedder if relevance is not None else None
        self.questions = PaperQuestions(
            db=db,
            texts=texts,
            answerer=answerer,
            retriever=Retriever(embedder),
            budget=budget,
            input_token_budget=qa_input_token_budget,
        )
        # Every stored paper, searchable (one copy of the archive's vectors in memory).
        self.archive = ArchiveSearch(
            db, ArchiveVectors(db, relevance.store) if relevance is not None else None
        )
        self.archive_questions = ArchiveQuestions(
            db=db,
            # Its own few indexes: each question's papers differ, and would push out the
            # papers asked about one by one.
            sources=ArchiveSources(db, self.archive, Retriever(embedder, cached=2)),
            answerer=answerer,
            budget=budget,
            input_token_budget=qa_input_token_budget,
        )
        self.relevance = relevance  # None: days in keyword order
        self._days = DayBuilder(
            db=db, feeds=feeds, api=api, papers=self.papers, relevance=relevance
        )

    async def run(
        self,
        requested: date | None = None,
        options: DigestOptions | None = None,
        *,
        on_progress: Progress | None = None,
    ) -> DigestOutcome:
        """Build (or rebuild) a day's report; a rerun reuses every stored step."""
        async with await self.start(requested, options, on_progress=on_progress) as build:
            return await build.finish()

    async def start(
        self,
        requested: date | None = None,
        options: DigestOptions | None = None,
        *,
        on_progress: Progress | None = None,
    ) -> DayBuild:
        """Fetch and match the day (`options`: whose report, default the constructor's), and
        start reading and analysing its papers; `on_progress` hears of each one landing."""
        return await self._days.start(requested, options or self.options, on_progress=on_progress)

    async def summarize(
        self,
        text: str,
        options: DigestOptions | None = None,
        *,
        llm_allowed: bool = True,
    ) -> PaperResult:
        """The full analysis of any paper, from the store when we have it, else from arXiv.

        `options` only lend their language (and token budget) to the analysis; with
        `llm_allowed` False a paper without a stored analysis raises `LlmNotAllowed` instead.
        """
        with self.line.ticket():  # someone is waiting: served before the batch, in order
            paper = await self._paper(text)
            return await self.papers.entry_for(
                paper, [], options or self.options, llm_allowed=llm_allowed
            )

    async def ask(
        self, paper_text: str, question: Question, *, llm_allowed: bool = True
    ) -> PaperAnswer:
        """An answer to `question` about the paper `paper_text` names (an arXiv id or URL),
        read and looked up as `summarize` would; a follow-up is about the paper of the question
        it follows, whatever `paper_text` says. Raises a DigestError a user can read for an
        empty or too long question, and `LlmNotAllowed` (with `llm_allowed` False) when only
        the model could answer."""
        check_question(question.text)
        with self.line.ticket():  # someone is waiting: served before the batch, in order
            if question.follows is not None:
                followed = await self.questions.followed(question.follows)
                if followed is None:
                    raise CommandError("questions.unknown")
                paper_text = f"{followed.arxiv_id}v{followed.version}"
            paper = await self._paper(paper_text)
            return await self.questions.answer(paper, question, llm_allowed=llm_allowed)

    async def ask_archive(self, question: Question, *, llm_allowed: bool = True) -> ArchiveAnswer:
        """An answer to `question` across every stored paper (a follow-up: with the turns
        before it), or the catalogue's line that the archive holds nothing on it (no LLM asked).
        Raises as `ask` does."""
        check_question(question.text)
        with self.line.ticket():
            if question.follows is not None and not await self.questions.followed(question.follows):
                raise CommandError("questions.unknown")
            return await self.archive_questions.answer(question, llm_allowed=llm_allowed)

    async def follow_up(
        self, question: Question, *, llm_allowed: bool = True
    ) -> PaperAnswer | ArchiveAnswer:
        """A follow-up (`question.follows` set) answered as the question it follows was: about
        its paper, or across the archive."""
        assert question.follows is not None
        followed = await self.questions.followed(question.follows)
        if followed is None:
            raise CommandError("questions.unknown")
        if followed.about_archive:
            return await self.ask_archive(question, llm_allowed=llm_allowed)
        return await self.ask("", question, llm_allowed=llm_allowed)

    async def paper(self, text: str) -> Paper:
        """A paper's metadata (an arXiv id or URL in `text`): from the store, else looked up on
        arXiv and stored. Nothing is read or analysed. Raises a DigestError a user can read."""
        with self.line.ticket():
            return await self._paper(text)

    async def _paper(self, text: str) -> Paper:
        wanted = parse_arxiv_id(text)
        async with self.db.session() as session:
            stored = await PaperRepository(session).get(wanted.base)
        if stored is not None and wanted.version in (None, stored.version):
            return stored
        paper = await self._lookups.get_paper(wanted)
        async with self.db.session() as session:
            await PaperRepository(session).upsert([paper])
            await session.commit()
        return paper

    async def stored_report(
        self, day: date | None, scope: str, *, language: str | None = None
    ) -> DailyReport | None:
        """A stored day's report (the latest when `day` is None) as it was built, from the
        database alone: nothing is fetched, written or analysed. None if there is no such day."""
        return await rebuild_report(
            self.db,
            day,
            scope,
            model=self.papers.model,
            language=language or self.options.language,
            prompt_version=PROMPT_VERSION,
        )
