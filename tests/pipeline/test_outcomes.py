"""A run's counts are the sum of what each paper's result says happened to it."""

from __future__ import annotations

from pipeline.outcomes import AnalysisState, PaperResult, RunStats
from pipeline.report import PaperEntry
from tests.daydata import CROSS, ECO, NETVLAD


def test_each_paper_result_is_counted_once_under_its_state() -> None:
    stats = RunStats(announced=5, matched=4, failures=["incomplete feed items left as they are"])
    results = [
        PaperResult(
            PaperEntry(ECO, ["VLA"]),
            AnalysisState.ANALYSED,
            llm_asked=True,
            prompt_tokens=100,
            completion_tokens=20,
        ),
        PaperResult(PaperEntry(NETVLAD, []), AnalysisState.CACHED),
        PaperResult(
            PaperEntry(CROSS, ["VLA"]),
            AnalysisState.FAILED,
            llm_asked=True,
            prompt_tokens=50,
            failures=("PDF of 2602.00782v1: gone", "2602.00782v1: invalid answer"),
        ),
        PaperResult(PaperEntry(ECO, []), AnalysisState.OVER_BUDGET),
        PaperResult(PaperEntry(ECO, []), AnalysisState.NO_LLM),
    ]

    for result in results:
        stats.count(result)

    assert (stats.announced, stats.matched) == (5, 4)
    assert (stats.analysed, stats.cached, stats.failed, stats.over_budget) == (1, 1, 1, 1)
    assert stats.llm_requests == 2
    assert (stats.prompt_tokens, stats.completion_tokens) == (150, 20)
    assert stats.failures == [
        "incomplete feed items left as they are",
        "PDF of 2602.00782v1: gone",
        "2602.00782v1: invalid answer",
    ]
