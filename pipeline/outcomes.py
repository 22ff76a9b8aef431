"""What a run did: one paper's result as returned, and the day's counts added up from them."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

from pipeline.report import DailyReport, PaperEntry

TYPICAL_COMPLETION_TOKENS = (
    1_000  # a five-section analysis; LLM_MAX_OUTPUT_TOKENS bounds it at 2,000
)


class AnalysisState(StrEnum):
    """Where a paper's analysis came from this time, or why it has none."""

    ANALYSED = "analysed"  # the LLM wrote it now
    CACHED = "cached"  # a stored analysis was used
    FAILED = "failed"  # the LLM failed now, or too often before
    OVER_BUDGET = "over_budget"  # the daily token cap was reached
    NO_LLM = "no_llm"  # no LLM is configured


@dataclass(frozen=True, slots=True)
class PaperResult:
    """One paper's entry and what it took: the day adds these up, `summarize` reads one."""

    entry: PaperEntry
    state: AnalysisState
    llm_asked: bool = False  # the paper was sent to the LLM (however many attempts it took)
    prompt_tokens: int = 0
    completion_tokens: int = 0
    failures: tuple[str, ...] = ()  # each names the paper and the step that failed, and why


@dataclass(slots=True)
class RunStats:
    """What one run did, for the log line and the command line's closing summary."""

    announced: int = 0
    matched: int = 0
    analysed: int = 0
    cached: int = 0
    failed: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    llm_requests: int = 0  # papers sent to the LLM (each may take several attempts)
    over_budget: int = 0  # papers left unanalysed because the daily token cap was reached
    capped: int = 0  # matched papers ranked below DIGEST_MAX_PAPERS: listed, not analysed
    suggested: int = 0  # papers no keyword matched, added for the reader's taste
    tokens_saved: int = 0  # an estimate of what the capped papers would have cost
    wall_seconds: float = 0.0
    failures: list[str] = field(default_factory=list)

    def tokens_per_paper(self, budget: int) -> int:
        """Tokens one paper's analysis took in this run, on average; with nothing analysed in
        this run, the prompt's budget and a typical answer (full texts fill the budget)."""
        if self.llm_requests:
            return round((self.prompt_tokens + self.completion_tokens) / self.llm_requests)
        return budget + TYPICAL_COMPLETION_TOKENS

    def count(self, result: PaperResult) -> None:
        """Add one paper's result to the run's totals."""
        match result.state:
            case AnalysisState.ANALYSED:
                self.analysed += 1
            case AnalysisState.CACHED:
                self.cached += 1
            case AnalysisState.FAILED:
                self.failed += 1
            case AnalysisState.OVER_BUDGET:
                self.over_budget += 1
        self.llm_requests += int(result.llm_asked)
        self.prompt_tokens += result.prompt_tokens
        self.completion_tokens += result.completion_tokens
        self.failures.extend(result.failures)


@dataclass(slots=True)
class DigestOutcome:
    report: DailyReport
    stats: RunStats
    path: Path | None  # where the Markdown went; None for a stale feed or a database-only scope
