"""A day's build hands papers over as they land, settles the report once all have, stores it once,
and leaves nothing running when its owner leaves early."""

from __future__ import annotations

import asyncio
from datetime import date

import pytest

from domain.statuses import AnalysisSource, ReportStatus
from pipeline.daybuild import DayBuild
from pipeline.report import DailyReport, PaperEntry
from tests.daydata import paper

PAPERS = [paper(f"2602.0{n:04d}", f"Paper {n}", "Abstract.") for n in range(1, 4)]


def skeleton() -> DailyReport:
    return DailyReport(
        report_date=date(2026, 2, 4),
        categories=["cs.AI"],
        keywords=["VLA"],
        status=ReportStatus.EMPTY,
        entries=[PaperEntry(p, ["VLA"]) for p in PAPERS],
    )


class Gates:
    """Each paper's work finishes when the test opens its gate."""

    def __init__(self) -> None:
        self.gates = {p.arxiv_id: asyncio.Event() for p in PAPERS}
        self.cancelled: list[str] = []

    async def work(self, entry: PaperEntry, source: AnalysisSource, notes: list[str]) -> PaperEntry:
        try:
            await self.gates[entry.paper.arxiv_id].wait()
        except asyncio.CancelledError:
            self.cancelled.append(entry.paper.arxiv_id)
            raise
        return PaperEntry(entry.paper, entry.matched_keywords, source=source, notes=notes)


async def test_papers_land_in_any_order_and_the_report_settles_once_all_have() -> None:
    gates = Gates()
    report = skeleton()
    sources = [AnalysisSource.FULL_TEXT, AnalysisSource.ABSTRACT, AnalysisSource.FULL_TEXT]
    work = [gates.work(e, s, []) for e, s in zip(report.entries, sources, strict=True)]
    published: list[DailyReport] = []

    async def publish(final: DailyReport) -> object:
        published.append(final)
        return final

    async with DayBuild(report, work, publish=publish) as build:  # type: ignore[arg-type]
        assert build.report.status is ReportStatus.ANALYSING
        last = asyncio.ensure_future(build.landed(PAPERS[2].arxiv_id))
        gates.gates[PAPERS[2].arxiv_id].set()
        assert (await last).source is AnalysisSource.FULL_TEXT  # the others are still out
        settling = asyncio.ensure_future(build.settled())
        await asyncio.sleep(0)
        assert not settling.done()
        for gate in gates.gates.values():
            gate.set()
        final = await settling
        assert [e.source for e in final.entries] == sources
        assert final.status is ReportStatus.PARTIAL  # one paper was analysed from its abstract
        await asyncio.gather(build.finish(), build.finish())
    assert published == [final]  # stored once, however many asked


async def test_without_an_llm_a_day_of_abstracts_is_complete() -> None:
    report = skeleton()
    work = [
        asyncio.sleep(0, PaperEntry(e.paper, e.matched_keywords, notes=["No LLM."]))
        for e in report.entries
    ]
    async with DayBuild(report, work, llm=False) as build:
        assert (await build.settled()).status is ReportStatus.COMPLETE


async def test_leaving_early_cancels_the_papers_still_being_analysed() -> None:
    gates = Gates()
    report = skeleton()
    work = [gates.work(e, AnalysisSource.FULL_TEXT, []) for e in report.entries]
    gates.gates[PAPERS[0].arxiv_id].set()

    with pytest.raises(RuntimeError, match="the chat failed"):
        async with DayBuild(report, work) as build:
            await build.landed(PAPERS[0].arxiv_id)
            raise RuntimeError("the chat failed")

    assert sorted(gates.cancelled) == [p.arxiv_id for p in PAPERS[1:]]


async def test_a_paper_whose_work_raised_raises_for_whoever_waits_on_it() -> None:
    report = skeleton()

    async def broken() -> PaperEntry:
        raise LookupError("the database went away")

    work = [asyncio.sleep(0, e) for e in report.entries[:2]] + [broken()]
    async with DayBuild(report, work) as build:  # type: ignore[arg-type]
        assert (await build.landed(PAPERS[0].arxiv_id)).paper == PAPERS[0]
        with pytest.raises(LookupError):
            await build.landed(PAPERS[2].arxiv_id)
        with pytest.raises(LookupError):
            await build.settled()


async def test_a_finished_report_is_handed_over_as_it_is() -> None:
    report = skeleton()
    report.status = ReportStatus.COMPLETE
    build = DayBuild.of(report)
    assert build.report.status is ReportStatus.COMPLETE
    assert await build.landed(PAPERS[1].arxiv_id) is report.entries[1]
    assert await build.settled() is report
    with pytest.raises(RuntimeError, match="not stored"):
        await build.finish()


async def test_work_for_later_runs_after_the_papers_and_its_failure_never_fails_the_day(
    caplog: pytest.LogCaptureFixture,
) -> None:
    gates = Gates()
    report = skeleton()
    work = [gates.work(e, AnalysisSource.FULL_TEXT, []) for e in report.entries]
    happened: list[str] = []

    async def publish(final: DailyReport) -> object:
        happened.append("published")
        return final

    async def later() -> None:
        happened.append(f"later, {len(gates.cancelled)} cancelled, all landed")
        raise RuntimeError("the vector store is down")

    async with DayBuild(report, work, aside=[later], publish=publish) as build:  # type: ignore[arg-type]
        for gate in gates.gates.values():
            gate.set()
        await build.finish()
    assert happened == ["later, 0 cancelled, all landed", "published"]
    assert "the vector store is down" in caplog.text
