"""A day's report while its papers are still being read and analysed.

The matched papers are known seconds after the feed is read; their analyses take minutes. A
chat thread can open with the list and post each paper as soon as its analysis lands, in the
report's order, instead of waiting for the slowest paper of the day.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from types import TracebackType
from typing import Any

from domain.statuses import AnalysisSource, ReportStatus
from pipeline.outcomes import DigestOutcome
from pipeline.report import DailyReport, PaperEntry

log = logging.getLogger(__name__)

Publish = Callable[[DailyReport], Awaitable[DigestOutcome]]


class DayBuild:
    """`report` is the day as matched: its entries carry no analysis yet while the status is
    `ANALYSING`. `landed` gives one paper's finished entry, `settled` the finished report and
    `finish` stores it (and writes the Markdown) once.

    Use as `async with`: leaving early cancels the papers still being read or analysed (what
    they finished is stored; the next run picks up the rest).
    """

    def __init__(
        self,
        report: DailyReport,
        work: Sequence[Coroutine[Any, Any, PaperEntry]] = (),
        *,
        aside: Sequence[Callable[[], Awaitable[object]]] = (),
        publish: Publish | None = None,
        llm: bool = True,
        tokens_per_paper: Callable[[], int] | None = None,
    ) -> None:
        if work and len(work) != len(report.entries):
            raise ValueError("one piece of work per matched paper")
        self.report = dataclasses.replace(report, status=ReportStatus.ANALYSING) if work else report
        self._llm = llm
        self._tokens_per_paper = tokens_per_paper  # read once settled: the run's average
        self._publish = publish
        # Started in the report's order, so the first papers are the first to land.
        self._work = (
            {
                entry.paper.arxiv_id: asyncio.ensure_future(job)
                for entry, job in zip(report.entries, work, strict=True)
            }
            if work
            else {}
        )
        # Work for later (the day's vectors), done once every paper has landed, before the
        # report is stored: not in the way of the analyses, nor adding to their peak memory.
        # Its failure is logged and never fails the day.
        self._aside = list(aside)
        self._finished = {e.paper.arxiv_id: e for e in report.entries} if not work else {}
        self._settled: DailyReport | None = None if work else report
        self._outcome: asyncio.Future[DigestOutcome] | None = None

    @classmethod
    def of(cls, report: DailyReport, publish: Publish | None = None) -> DayBuild:
        """A build with nothing left to do: the report is final as it is (`publish` stores it,
        if it is to be stored)."""
        return cls(report, publish=publish)

    async def landed(self, arxiv_id: str) -> PaperEntry:
        """The paper's entry once read and analysed (at once when it already is)."""
        job = self._work.get(arxiv_id)
        if job is not None:
            return await asyncio.shield(job)  # one waiter leaving must not cancel the paper
        return self._finished[arxiv_id]

    async def settled(self) -> DailyReport:
        """The finished report: every paper landed, and the status says whether all were
        analysed in full."""
        if self._settled is None:
            entries = [await self.landed(e.paper.arxiv_id) for e in self.report.entries]
            fully = all(e.source is not AnalysisSource.ABSTRACT and not e.notes for e in entries)
            status = ReportStatus.COMPLETE if fully or not self._llm else ReportStatus.PARTIAL
            saved = 0
            if self.report.capped and self._tokens_per_paper is not None:
                saved = len(self.report.capped) * self._tokens_per_paper()
            self._settled = dataclasses.replace(
                self.report, entries=entries, status=status, tokens_saved=saved
            )
        return self._settled

    async def finish(self) -> DigestOutcome:
        """Store the finished report (once, however many callers ask) and say what the run did."""
        if self._outcome is None:
            self._outcome = asyncio.ensure_future(self._finish())
        return await asyncio.shield(self._outcome)

    async def _finish(self) -> DigestOutcome:
        if self._publish is None:
            raise RuntimeError("this report is not stored by its build")
        settled = await self.settled()
        for job in self._aside:
            try:
                await job()
            except Exception as exc:
                log.warning("work after the day's papers failed: %s", exc)
        return await self._publish(settled)

    async def __aenter__(self) -> DayBuild:
        return self

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        pending: list[asyncio.Future[Any]] = [j for j in self._work.values() if not j.done()]
        if self._outcome is not None and not self._outcome.done():
            pending.append(self._outcome)
        for job in pending:
            job.cancel()
        # Collected, so a paper that failed while nobody waited is not reported as unretrieved.
        await asyncio.gather(*self._work.values(), return_exceptions=True)
        if self._outcome is not None:
            await asyncio.gather(self._outcome, return_exceptions=True)
