"""One paper's work says what happened to it: analysed now, from the store, or why not."""

from __future__ import annotations

from pathlib import Path

from arxiv_digest.wiring import digest_options, open_digest
from domain.statuses import AnalysisSource
from pipeline.outcomes import AnalysisState
from tests.daydata import ECO, NETVLAD, make_settings, method_pdf
from tests.fakes.arxiv_server import FakeArxiv
from tests.fakes.openai_server import FakeOpenAI


async def test_a_paper_analysed_now_says_so_with_its_tokens_and_next_time_comes_from_the_store(
    arxiv: FakeArxiv,
    llm: FakeOpenAI,
    database_url: str,
    tmp_path: Path,
) -> None:
    arxiv.pdfs[ECO.versioned_id] = method_pdf(ECO.title)
    settings = make_settings(arxiv, llm, database_url, tmp_path)

    async with open_digest(settings, digest_options(settings)) as digest:
        first = await digest.papers.entry_for(ECO, ["VLA"], digest.options)
        again = await digest.papers.entry_for(ECO, ["VLA"], digest.options)

    assert first.state is AnalysisState.ANALYSED and first.llm_asked
    assert first.prompt_tokens > 0 and first.completion_tokens > 0 and first.failures == ()
    assert first.entry.source is AnalysisSource.FULL_TEXT
    assert again.state is AnalysisState.CACHED and not again.llm_asked
    assert (again.prompt_tokens, again.completion_tokens) == (0, 0)
    assert again.entry.analysis == first.entry.analysis
    assert again.entry.matched_keywords == ["VLA"]
    assert len(llm.completions) == 1


async def test_without_an_llm_a_missing_pdf_is_named_among_the_failures(
    arxiv: FakeArxiv,
    database_url: str,
    tmp_path: Path,
) -> None:
    settings = make_settings(arxiv, None, database_url, tmp_path)  # NETVLAD has no PDF

    async with open_digest(settings, digest_options(settings)) as digest:
        result = await digest.papers.entry_for(NETVLAD, [], digest.options)

    assert result.state is AnalysisState.NO_LLM and not result.llm_asked
    (failure,) = result.failures
    assert failure.startswith(f"PDF of {NETVLAD.versioned_id}: Full text unavailable")
    assert result.entry.notes[0] in failure
    assert result.entry.notes[-1].startswith("No analysis: no LLM is configured")
