"""One paper, from the store when we have it, else read (PDF) and analysed (LLM).

The day's run and `summarize` share this path; each call returns what happened to the paper
(a `PaperResult`), and the caller adds it to its own counts.
"""

from __future__ import annotations

import asyncio

from domain.errors import LlmNotAllowed
from domain.messages import text
from domain.models import Paper
from domain.statuses import AnalysisSource, AnalysisStatus
from pipeline.analyse import PROMPT_VERSION, AnalysisResult, Analyzer
from pipeline.budget import TokenBudget
from pipeline.codelinks import find_code_links, merge_links
from pipeline.fitting import fit_to_budget
from pipeline.fulltext import FullTexts
from pipeline.options import DigestOptions
from pipeline.outcomes import AnalysisState, PaperResult
from pipeline.pdf import FullText
from pipeline.rebuild import fallback_note
from pipeline.report import PaperEntry
from storage.db import Database
from storage.repositories import AnalysisRepository, StoredAnalysis

# A paper whose analysis failed this often keeps its abstract and note; no more tokens spent.
MAX_ANALYSIS_ATTEMPTS = 3


class PaperWork:
    """One `analyzer` writes every language: each call's options say which."""

    def __init__(
        self,
        *,
        db: Database,
        texts: FullTexts,
        analyzer: Analyzer | None,
        budget: TokenBudget | None = None,
    ) -> None:
        self._db = db
        self._texts = texts
        self._analyzer = analyzer
        self._budget = budget
        # One paper is read and analysed by one caller at a time: two chats (or a chat and a
        # `summarize`) asking at once get the second answer from the store, not a second call.
        self._locks: dict[tuple[str, int, str], asyncio.Lock] = {}

    @property
    def model(self) -> str | None:
        """The analysing model; None when no LLM is configured."""
        return self._analyzer.model if self._analyzer is not None else None

    async def entry_for(
        self,
        paper: Paper,
        matched: list[str],
        options: DigestOptions,
        *,
        llm_allowed: bool = True,
    ) -> PaperResult:
        """Everything we say about one paper: code links, full text, analysis, and notes.

        One caller at a time works on a paper, so none is analysed twice at once; a stored
        full-text analysis is read without waiting, so everyone asking for the day's paper at
        once is not served one by one. Without `llm_allowed`, a paper with no stored analysis
        raises `LlmNotAllowed` instead.
        """
        stored = await self._stored_analysis(paper, options.language)
        if result := _cached_result(paper, matched, *stored):
            return result
        key = (paper.arxiv_id, paper.version, options.language)
        lock = self._locks.setdefault(key, asyncio.Lock())
        try:
            async with lock:
                return await self._work_out(paper, matched, options, llm_allowed)
        finally:
            if not lock.locked() and self._locks.get(key) is lock:
                del self._locks[key]

    async def _work_out(
        self, paper: Paper, matched: list[str], options: DigestOptions, llm_allowed: bool
    ) -> PaperResult:
        # Read again: whoever held the paper before may have just stored its analysis.
        stored, links = await self._stored_analysis(paper, options.language)
        if result := _cached_result(paper, matched, stored, links):
            return result
        language = options.language
        entry = PaperEntry(paper=paper, matched_keywords=matched)
        full, missing = await self._texts.read(paper)
        failures: tuple[str, ...] = ()
        if missing is not None:  # the run's summary names the paper and the reason
            analysed = self._analyzer is not None
            entry.notes.append(fallback_note(missing, language, analysed=analysed))
            failures = (
                text("failure.pdf", language, paper=paper.versioned_id, note=entry.notes[-1]),
            )
        front = full.front_text if full else ""
        entry.code_links = find_code_links(paper.abstract, paper.comments or "", front)
        if self._analyzer is None:
            entry.notes.append(text("note.no_llm", language))
            return PaperResult(entry, AnalysisState.NO_LLM, failures=failures)
        # An abstract-only analysis is redone once the full text can be had (a later run).
        if stored is not None and stored.analysis is not None:
            if stored.source is AnalysisSource.FULL_TEXT or full is None:
                entry.analysis, entry.source = stored.analysis, stored.source
                return PaperResult(entry, AnalysisState.CACHED, failures=failures)
        elif stored is not None and stored.attempts >= MAX_ANALYSIS_ATTEMPTS:
            entry.notes.append(stored.error or text("note.analysis_failed", language))
            return PaperResult(entry, AnalysisState.FAILED, failures=failures)
        if not llm_allowed:
            raise LlmNotAllowed(paper.versioned_id)
        if self._budget is not None and await self._budget.exhausted(self._db):
            entry.notes.append(text("note.over_budget", language))
            return PaperResult(entry, AnalysisState.OVER_BUDGET, failures=failures)
        return await self._analyse(entry, full, options, failures)

    async def _analyse(
        self,
        entry: PaperEntry,
        full: FullText | None,
        options: DigestOptions,
        failures: tuple[str, ...],
    ) -> PaperResult:
        """Ask the LLM, store its answer (unless the endpoint, not the paper, failed)."""
        assert self._analyzer is not None
        paper = entry.paper
        body = fit_to_budget(full, options.input_token_budget) if full else None
        answer = await self._analyzer.analyse(paper, body, options.language)
        if self._budget is not None:
            self._budget.spend(answer.prompt_tokens + answer.completion_tokens)
        if not answer.endpoint_fault:  # the endpoint failing is not the paper's fault
            await self._save_analysis(paper, options.language, answer)
        state = AnalysisState.ANALYSED
        if answer.analysis is None:
            state = AnalysisState.FAILED
            failures = (*failures, f"{paper.versioned_id}: {answer.error}")
            entry.notes.append(answer.error or text("note.analysis_failed", options.language))
        else:
            entry.analysis, entry.source = answer.analysis, answer.source
        return PaperResult(
            entry,
            state,
            llm_asked=True,
            prompt_tokens=answer.prompt_tokens,
            completion_tokens=answer.completion_tokens,
            failures=failures,
        )

    async def _save_analysis(self, paper: Paper, language: str, answer: AnalysisResult) -> None:
        assert self._analyzer is not None
        async with self._db.session() as session:
            await AnalysisRepository(session).save(
                paper.arxiv_id,
                paper.version,
                self._analyzer.model,
                language,
                PROMPT_VERSION,
                status=AnalysisStatus.OK if answer.analysis else AnalysisStatus.FAILED,
                source=answer.source,
                analysis=answer.analysis,
                error=answer.error,
                prompt_tokens=answer.prompt_tokens,
                completion_tokens=answer.completion_tokens,
            )
            await session.commit()

    async def _stored_analysis(
        self, paper: Paper, language: str
    ) -> tuple[StoredAnalysis | None, list[str] | None]:
        """The stored analysis, and the code links of the stored text (None if it was not read):
        a full-text analysis needs nothing more, so a cached paper's text is never loaded."""
        if self._analyzer is None:
            return None, None
        async with self._db.session() as session:
            return await AnalysisRepository(session).get_with_code_links(
                paper.arxiv_id, paper.version, self._analyzer.model, language, PROMPT_VERSION
            )


def _cached_result(
    paper: Paper, matched: list[str], stored: StoredAnalysis | None, links: list[str] | None
) -> PaperResult | None:
    """The result of a stored full-text analysis: all it needs is at hand, the paper's text is
    not loaded. None when the paper needs more work."""
    if stored is None or stored.analysis is None or links is None:
        return None
    if stored.source is not AnalysisSource.FULL_TEXT:
        return None
    entry = PaperEntry(paper=paper, matched_keywords=matched, source=AnalysisSource.FULL_TEXT)
    entry.code_links = merge_links(find_code_links(paper.abstract, paper.comments or ""), links)
    entry.analysis = stored.analysis
    return PaperResult(entry, AnalysisState.CACHED)
