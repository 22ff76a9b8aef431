"""The day's run end to end, through the real clients, against fake arXiv and LLM servers."""

from __future__ import annotations

import asyncio
import dataclasses
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import event, update

from arxiv_digest.settings import Settings
from arxiv_digest.wiring import digest_options, open_digest
from domain.errors import DigestError, InvalidArxivId, PaperNotFound
from domain.models import AnnounceType
from domain.statuses import AnalysisSource, ReportStatus
from pipeline.outcomes import DigestOutcome, RunStats
from storage.models import ExtractionRow
from storage.reports import ReportRepository
from tests.daydata import (
    CATEGORIES,
    CROSS,
    DAY,
    ECO,
    NETVLAD,
    NEXT_DAY,
    SURVEY,
    make_settings,
    method_pdf,
    paper,
    serve_day,
)
from tests.fakes.arxiv_server import FakeArxiv
from tests.fakes.openai_server import FakeOpenAI
from tests.pdfgen import make_encrypted_pdf


async def run_day(settings: Settings, requested: date | None = None) -> DigestOutcome:
    async with open_digest(settings, digest_options(settings)) as digest:
        return await digest.run(requested)


async def test_day_run_reports_matching_papers_with_full_text_analyses(
    arxiv: FakeArxiv, llm: FakeOpenAI, database_url: str, tmp_path: Path
) -> None:
    serve_day(arxiv, DAY, [ECO, NETVLAD, CROSS])
    arxiv.pdfs[ECO.versioned_id] = method_pdf(ECO.title, "https://github.com/OpenGVLab/EcoVLA")
    arxiv.pdfs[CROSS.versioned_id] = method_pdf(CROSS.title)

    outcome = await run_day(make_settings(arxiv, llm, database_url, tmp_path))

    report = outcome.report
    assert report.status is ReportStatus.COMPLETE
    assert report.report_date == DAY
    assert [e.paper.arxiv_id for e in report.entries] == [ECO.arxiv_id, CROSS.arxiv_id]
    eco, cross = report.entries
    assert eco.matched_keywords == ["vision language action"]
    assert cross.matched_keywords == ["VLA"]
    assert eco.source is AnalysisSource.FULL_TEXT and eco.analysis is not None
    assert ECO.title in eco.analysis.summary
    assert eco.code_links == ["https://github.com/OpenGVLab/EcoVLA"]
    assert cross.paper.announce_type is AnnounceType.CROSS
    # The LLM saw the method and the experiments, but not the references.
    prompt = next(c for c in llm.completions if ECO.title in str(c["messages"]))
    prompt_text = str(prompt["messages"])
    assert "predicts sparsity" in prompt_text and "LIBERO" in prompt_text
    assert "A. Author. A paper" not in prompt_text

    assert outcome.path == tmp_path / "reports" / "2026-02-04.md"
    markdown = outcome.path.read_text()
    assert "NetVLAD" not in markdown
    assert "<https://github.com/OpenGVLab/EcoVLA>" in markdown
    assert outcome.stats.analysed == 2 and outcome.stats.announced == 3


async def test_rerun_of_the_same_day_calls_nothing_again(
    arxiv: FakeArxiv, llm: FakeOpenAI, database_url: str, tmp_path: Path
) -> None:
    serve_day(arxiv, DAY, [ECO, CROSS])
    arxiv.pdfs[ECO.versioned_id] = method_pdf(ECO.title)
    arxiv.pdfs[CROSS.versioned_id] = method_pdf(CROSS.title)
    settings = make_settings(arxiv, llm, database_url, tmp_path)

    first = await run_day(settings)
    completions, pdf_requests = len(llm.completions), len(arxiv.requests_to("/pdf/"))
    second = await run_day(settings)

    assert len(llm.completions) == completions == 2
    assert len(arxiv.requests_to("/pdf/")) == pdf_requests
    assert second.stats.cached == 2 and second.stats.prompt_tokens == 0
    assert second.path is not None and first.path is not None
    assert second.path.read_text() == first.path.read_text()


async def test_pdf_failures_fall_back_to_the_abstract_and_a_later_run_fills_them_in(
    arxiv: FakeArxiv, llm: FakeOpenAI, database_url: str, tmp_path: Path
) -> None:
    serve_day(arxiv, DAY, [ECO, CROSS])
    arxiv.pdfs[ECO.versioned_id] = make_encrypted_pdf()  # permanent: never downloaded again
    settings = make_settings(arxiv, llm, database_url, tmp_path)  # CROSS: 404 for now

    first = await run_day(settings)

    assert first.report.status is ReportStatus.PARTIAL
    for entry in first.report.entries:
        assert entry.source is AnalysisSource.ABSTRACT
        assert entry.notes and entry.notes[0].startswith("Full text unavailable")
    assert "encrypted" in first.report.entries[0].notes[0]
    markdown = first.path.read_text() if first.path else ""
    assert "### Analysis (from the abstract only)" in markdown

    arxiv.pdfs[CROSS.versioned_id] = method_pdf(CROSS.title)
    second = await run_day(settings)

    eco, cross = second.report.entries
    assert cross.source is AnalysisSource.FULL_TEXT and not cross.notes
    assert eco.source is AnalysisSource.ABSTRACT  # the encrypted PDF is not fetched again
    eco_pdf = [r for r in arxiv.requests_to("/pdf/") if ECO.arxiv_id in r.path]
    assert len(eco_pdf) == 1
    assert second.stats.analysed == 1 and second.stats.cached == 1


async def test_a_paper_the_llm_cannot_analyse_keeps_its_abstract_and_a_visible_note(
    arxiv: FakeArxiv, llm: FakeOpenAI, database_url: str, tmp_path: Path
) -> None:
    serve_day(arxiv, DAY, [ECO])
    arxiv.pdfs[ECO.versioned_id] = method_pdf(ECO.title)
    llm.default = "length"

    outcome = await run_day(make_settings(arxiv, llm, database_url, tmp_path))

    entry = outcome.report.entries[0]
    assert entry.analysis is None
    assert entry.notes, "the reader must see why there is no analysis"
    assert outcome.report.status is ReportStatus.PARTIAL
    assert outcome.stats.failed == 1
    markdown = outcome.path.read_text() if outcome.path else ""
    assert ECO.abstract in markdown
    assert "#### Summary" not in markdown


async def test_replacements_of_reported_papers_get_one_line_on_later_days(
    arxiv: FakeArxiv, llm: FakeOpenAI, database_url: str, tmp_path: Path
) -> None:
    settings = make_settings(arxiv, llm, database_url, tmp_path)
    serve_day(arxiv, DAY, [ECO])
    await run_day(settings)

    eco_v2 = paper(
        ECO.arxiv_id, ECO.title, ECO.abstract, version=2, announce_type=AnnounceType.REPLACE
    )
    serve_day(arxiv, NEXT_DAY, [eco_v2, SURVEY])
    outcome = await run_day(settings)

    report = outcome.report
    assert [e.paper.arxiv_id for e in report.entries] == [SURVEY.arxiv_id]  # unseen: a candidate
    assert [(p.arxiv_id, p.version) for p in report.updated] == [(ECO.arxiv_id, 2)]
    markdown = outcome.path.read_text() if outcome.path else ""
    assert markdown.count(ECO.title) == 1
    assert "new version v2" in markdown


async def test_replacements_can_be_left_out_altogether(
    arxiv: FakeArxiv, llm: FakeOpenAI, database_url: str, tmp_path: Path
) -> None:
    settings = make_settings(arxiv, llm, database_url, tmp_path, digest_include_replacements=False)
    serve_day(arxiv, DAY, [SURVEY, CROSS])

    outcome = await run_day(settings)

    assert [e.paper.arxiv_id for e in outcome.report.entries] == [CROSS.arxiv_id]
    assert outcome.report.updated == []


async def test_a_day_without_announcements_is_reported_as_such(
    arxiv: FakeArxiv, llm: FakeOpenAI, database_url: str, tmp_path: Path
) -> None:
    serve_day(arxiv, DAY, [])

    outcome = await run_day(make_settings(arxiv, llm, database_url, tmp_path))

    assert outcome.report.status is ReportStatus.EMPTY
    assert outcome.report.entries == []
    assert "announced no papers" in (outcome.report.note or "")
    assert llm.completions == []
    assert outcome.path is not None and "announced no papers" in outcome.path.read_text()


async def test_a_stale_feed_is_recognised_and_nothing_is_reposted(
    arxiv: FakeArxiv, llm: FakeOpenAI, database_url: str, tmp_path: Path
) -> None:
    settings = make_settings(arxiv, llm, database_url, tmp_path)
    serve_day(arxiv, NEXT_DAY, [ECO])
    await run_day(settings)
    serve_day(arxiv, DAY, [CROSS])  # arXiv serving the previous batch again

    outcome = await run_day(settings)

    assert outcome.report.status is ReportStatus.STALE
    assert outcome.path is None
    assert not (tmp_path / "reports" / "2026-02-04.md").exists()
    async with (
        open_digest(settings, digest_options(settings)) as digest,
        digest.db.session() as session,
    ):
        assert await ReportRepository(session).dates("default") == [NEXT_DAY]


async def test_without_an_llm_the_report_has_metadata_and_abstracts(
    arxiv: FakeArxiv, database_url: str, tmp_path: Path
) -> None:
    serve_day(arxiv, DAY, [ECO])
    arxiv.pdfs[ECO.versioned_id] = method_pdf(ECO.title, "https://github.com/OpenGVLab/EcoVLA")

    outcome = await run_day(make_settings(arxiv, None, database_url, tmp_path))

    entry = outcome.report.entries[0]
    assert entry.analysis is None and entry.source is AnalysisSource.NONE
    assert entry.code_links == ["https://github.com/OpenGVLab/EcoVLA"]
    markdown = outcome.path.read_text() if outcome.path else ""
    assert "none (no LLM configured)" in markdown
    assert "No analysis: no LLM is configured" in markdown


async def test_chinese_digest_has_chinese_analyses_and_labels(
    arxiv: FakeArxiv, llm: FakeOpenAI, database_url: str, tmp_path: Path
) -> None:
    serve_day(arxiv, DAY, [ECO])
    arxiv.pdfs[ECO.versioned_id] = method_pdf(ECO.title)

    outcome = await run_day(make_settings(arxiv, llm, database_url, tmp_path, digest_language="zh"))

    analysis = outcome.report.entries[0].analysis
    assert analysis is not None
    assert any("\u4e00" <= ch <= "\u9fff" for ch in analysis.summary)
    markdown = outcome.path.read_text() if outcome.path else ""
    assert "分析（基于论文正文）" in markdown and "研究动机" in markdown


async def test_a_chinese_report_without_an_llm_has_its_labels_and_notes_in_chinese(
    arxiv: FakeArxiv, database_url: str, tmp_path: Path
) -> None:
    serve_day(arxiv, DAY, [ECO, CROSS])  # CROSS: no PDF
    arxiv.pdfs[ECO.versioned_id] = method_pdf(ECO.title)
    settings = make_settings(arxiv, None, database_url, tmp_path, digest_language="zh")

    outcome = await run_day(settings)

    markdown = outcome.path.read_text() if outcome.path else ""
    assert "- **分析模型**: 无（未配置 LLM）：仅含元数据和摘要" in markdown
    assert markdown.count("> 未分析：没有配置 LLM（请设置 LLM_MODEL") == 2
    assert "> 无法获取全文：" in markdown
    assert "No analysis" not in markdown and "Full text unavailable" not in markdown


async def test_a_chinese_day_without_announcements_says_so_in_chinese(
    arxiv: FakeArxiv, database_url: str, tmp_path: Path
) -> None:
    serve_day(arxiv, DAY, [])

    outcome = await run_day(
        make_settings(arxiv, None, database_url, tmp_path, digest_language="zh")
    )

    assert (
        outcome.report.note == f"arXiv 当天在 {CATEGORIES.replace('+', ', ')} 分类下没有公告论文。"
    )
    assert outcome.path is not None and f"> {outcome.report.note}" in outcome.path.read_text()


async def test_a_past_day_is_rebuilt_from_the_store_and_an_unknown_one_is_refused(
    arxiv: FakeArxiv, llm: FakeOpenAI, database_url: str, tmp_path: Path
) -> None:
    settings = make_settings(arxiv, llm, database_url, tmp_path)
    serve_day(arxiv, DAY, [ECO])
    await run_day(settings)
    serve_day(arxiv, NEXT_DAY, [CROSS])
    rss_requests = len(arxiv.requests_to("/rss/"))

    rebuilt = await run_day(settings, DAY)

    assert [e.paper.arxiv_id for e in rebuilt.report.entries] == [ECO.arxiv_id]
    assert len(arxiv.requests_to("/rss/")) == rss_requests  # from the store, not the feed
    with pytest.raises(DigestError, match="2026-01-01"):
        await run_day(settings, date(2026, 1, 1))


async def test_summarize_looks_a_paper_up_once_then_answers_from_the_store(
    arxiv: FakeArxiv, llm: FakeOpenAI, database_url: str, tmp_path: Path
) -> None:
    old_style = paper("cs/9901001", "Old Style Identifiers Still Work", "An abstract.")
    arxiv.add_paper(old_style, method_pdf(old_style.title))
    settings = make_settings(arxiv, llm, database_url, tmp_path)

    async with open_digest(settings, digest_options(settings)) as digest:
        first = (await digest.summarize("https://arxiv.org/abs/cs/9901001")).entry
        second = (await digest.summarize("cs/9901001")).entry
        with pytest.raises(PaperNotFound):
            await digest.summarize("2602.99999")
        with pytest.raises(InvalidArxivId):
            await digest.summarize("../../etc/passwd")

    assert first.analysis is not None and first.source is AnalysisSource.FULL_TEXT
    assert second.analysis == first.analysis
    assert len(arxiv.requests_to("/api/query")) == 2  # cs/9901001 once, 2602.99999 once
    assert len(llm.completions) == 1


async def test_a_run_with_its_own_options_keeps_its_report_in_the_database_only(
    arxiv: FakeArxiv, llm: FakeOpenAI, database_url: str, tmp_path: Path
) -> None:
    serve_day(arxiv, DAY, [ECO, NETVLAD, CROSS])
    settings = make_settings(arxiv, llm, database_url, tmp_path)

    async with open_digest(settings, digest_options(settings)) as digest:
        chat = dataclasses.replace(
            digest.options, keywords=["NetVLAD"], scope="slack:C1", write_markdown=False
        )
        own = await digest.run(None, chat)
        default = await digest.run()
        async with digest.db.session() as session:
            saved = await ReportRepository(session).get(DAY, "slack:C1")

    assert own.path is None
    assert [e.paper.arxiv_id for e in own.report.entries] == [NETVLAD.arxiv_id]
    assert saved is not None and saved.keywords == ("NetVLAD",)
    assert [p.arxiv_id for p in saved.papers] == [NETVLAD.arxiv_id]
    assert default.path is not None and "NetVLAD Descriptors" not in default.path.read_text()
    assert sorted(p.name for p in (tmp_path / "reports").iterdir()) == ["2026-02-04.md"]
    assert len(arxiv.requests_to("/rss/")) == 1  # both runs read one fetch of the feed


async def test_a_stored_day_is_rebuilt_as_it_was_built_without_fetching_or_analysing(
    arxiv: FakeArxiv, llm: FakeOpenAI, database_url: str, tmp_path: Path
) -> None:
    settings = make_settings(arxiv, llm, database_url, tmp_path)
    serve_day(arxiv, DAY, [ECO])
    await run_day(settings)
    eco_v2 = paper(
        ECO.arxiv_id, ECO.title, ECO.abstract, version=2, announce_type=AnnounceType.REPLACE
    )
    serve_day(arxiv, NEXT_DAY, [eco_v2, NETVLAD, CROSS])
    arxiv.pdfs[CROSS.versioned_id] = method_pdf(CROSS.title, "https://github.com/x/scaling")

    async with open_digest(settings, digest_options(settings)) as digest:
        built = (await digest.run()).report
        calls = len(arxiv.requests), len(llm.completions)
        by_date = await digest.stored_report(NEXT_DAY, "default")
        latest = await digest.stored_report(None, "default")
        first_day = await digest.stored_report(DAY, "default")
        unknown = await digest.stored_report(date(2026, 1, 1), "default")
        other_scope = await digest.stored_report(NEXT_DAY, "slack:C1")

    assert by_date == built
    assert latest == built
    assert [(p.arxiv_id, p.version) for p in built.updated] == [(ECO.arxiv_id, 2)]
    assert first_day is not None and [e.paper.arxiv_id for e in first_day.entries] == [ECO.arxiv_id]
    assert first_day.entries[0].notes and first_day.entries[0].notes[0].startswith("Full text")
    assert unknown is None and other_scope is None
    assert (len(arxiv.requests), len(llm.completions)) == calls


async def test_feed_items_with_missing_fields_are_filled_from_the_api(
    arxiv: FakeArxiv, llm: FakeOpenAI, database_url: str, tmp_path: Path
) -> None:
    gappy = paper(ECO.arxiv_id, ECO.title, "", authors=[])  # the feed left these out
    serve_day(arxiv, DAY, [gappy])
    arxiv.add_paper(ECO, method_pdf(ECO.title))

    outcome = await run_day(make_settings(arxiv, llm, database_url, tmp_path))

    assert len(arxiv.requests_to("/api/query")) == 1
    entry = outcome.report.entries[0]
    assert entry.paper.abstract == ECO.abstract
    assert entry.paper.authors == ECO.authors


async def test_one_paper_asked_for_twice_at_once_is_read_and_analysed_once(
    arxiv: FakeArxiv, llm: FakeOpenAI, database_url: str, tmp_path: Path
) -> None:
    arxiv.add_paper(ECO, method_pdf(ECO.title))
    llm.latency = 0.2  # the second request arrives while the first is being analysed
    settings = make_settings(arxiv, llm, database_url, tmp_path)

    async with open_digest(settings, digest_options(settings)) as digest:
        first, second = (
            result.entry
            for result in await asyncio.gather(
                digest.summarize(ECO.arxiv_id), digest.summarize(ECO.arxiv_id)
            )
        )

    assert first.analysis == second.analysis and first.analysis is not None
    assert len(llm.completions) == 1
    assert len(arxiv.requests_to("/pdf/")) == 1


async def test_a_stored_analysis_is_read_by_everyone_at_once_not_one_by_one(
    arxiv: FakeArxiv, llm: FakeOpenAI, database_url: str, tmp_path: Path
) -> None:
    """A paper is worked on by one caller at a time, but when the whole team asks for the day's
    paper at once, its stored analysis is read for all of them side by side."""
    arxiv.add_paper(ECO, method_pdf(ECO.title))
    settings = make_settings(arxiv, llm, database_url, tmp_path)

    async with open_digest(settings, digest_options(settings)) as digest:
        stored = (await digest.summarize(ECO.arxiv_id)).entry
        in_use, most = 0, 0

        def checked_out(*_: object) -> None:
            nonlocal in_use, most
            in_use += 1
            most = max(most, in_use)

        def checked_in(*_: object) -> None:
            nonlocal in_use
            in_use -= 1

        pool = digest.db.engine.sync_engine
        event.listen(pool, "checkout", checked_out)
        event.listen(pool, "checkin", checked_in)
        results = await asyncio.gather(
            *(digest.papers.entry_for(ECO, [], digest.options) for _ in range(8))
        )
        stats = RunStats()
        for result in results:
            stats.count(result)
        entries = [result.entry for result in results]

    assert [e.analysis for e in entries] == [stored.analysis] * 8
    assert stats.cached == 8 and len(llm.completions) == 1
    assert most > 1  # one at a time, behind the paper's lock, would be 1


async def test_a_cached_analysis_is_answered_without_reading_the_stored_text(
    arxiv: FakeArxiv, llm: FakeOpenAI, database_url: str, tmp_path: Path
) -> None:
    """The paper's text is only for the model: once analysed, a summarize gets the analysis and
    the code links (from the PDF's front matter and the abstract) from the store alone."""
    linked = paper(
        "2602.00790",
        "Linked VLA Paper",
        "Code at https://github.com/Example/Linked. We study VLA models.",
    )
    arxiv.add_paper(linked, method_pdf(linked.title, "https://github.com/OpenGVLab/EcoVLA"))
    settings = make_settings(arxiv, llm, database_url, tmp_path)

    async with open_digest(settings, digest_options(settings)) as digest:
        first = (await digest.summarize(linked.arxiv_id)).entry
        async with digest.db.session() as session:  # a text that could no longer be parsed
            await session.execute(
                update(ExtractionRow)
                .where(ExtractionRow.arxiv_id == linked.arxiv_id)
                .values(content={"not": "a full text"})
            )
            await session.commit()
        result = await digest.summarize(linked.arxiv_id)
        stats = RunStats()
        stats.count(result)
        again = result.entry

    assert first.code_links == [
        "https://github.com/Example/Linked",
        "https://github.com/OpenGVLab/EcoVLA",
    ]
    assert (again.analysis, again.source) == (first.analysis, AnalysisSource.FULL_TEXT)
    assert again.code_links == first.code_links and again.notes == []
    assert stats.cached == 1 and len(llm.completions) == 1
