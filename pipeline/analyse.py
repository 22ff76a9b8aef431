"""The analysis step: a paper (full text or abstract) in, a validated, complete PaperAnalysis out.

LLM faults never escape as exceptions. A paper that cannot be analysed comes back with
`analysis=None` and a note a reader can understand, so one bad answer never stops a day's digest.
"""

from __future__ import annotations

import logging
import re
import time
from dataclasses import dataclass
from functools import partial
from typing import Any

import openai
import pydantic
from openai import AsyncOpenAI

from domain.messages import ENGLISH
from domain.models import Paper, PaperAnalysis
from domain.statuses import AnalysisSource
from pipeline.admission import ArrivalLine
from pipeline.modelnotes import NoteWriter, deadline_problem, failure_note, fault_problem, note
from pipeline.prompts import LANGUAGES, system_prompt, user_message
from pipeline.structured import StructuredEndpoint, Usage, json_candidates
from storage.redaction import NO_SECRETS, Redactor

PROMPT_VERSION = "1"  # bump when prompts change: part of the cache key
MAX_RETRIES = 2  # extra attempts after a cut-off or invalid answer
# After the endpoint itself fails (down, timing out, rate-limiting past the retries, answering
# garbage), papers get its note for this long without a request: a day's run with the endpoint
# down ends in seconds instead of waiting out every paper's timeouts, once per chat.
ENDPOINT_PAUSE_SECONDS = 60.0

log = logging.getLogger(__name__)


@dataclass(slots=True)
class AnalysisResult:
    analysis: PaperAnalysis | None  # None when the paper could not be analysed
    source: AnalysisSource  # FULL_TEXT or ABSTRACT
    prompt_tokens: int
    completion_tokens: int
    error: str | None = None  # a short note a reader can see, in the analysis's language
    model: str = ""
    # The endpoint failed, not the paper: nothing to hold against the paper, try again later.
    endpoint_fault: bool = False


@dataclass(slots=True)
class _Attempt:
    """One request's outcome: an analysis, or why there is none ("length", "invalid", ...)."""

    analysis: PaperAnalysis | None
    failure: str | None
    usage: Usage | None = None


class Analyzer:
    """Analyses papers with one model; at most `concurrency` requests are in flight at once.

    Requests go through a `StructuredEndpoint` (json_schema, else json_object; see there).
    """

    def __init__(
        self,
        client: AsyncOpenAI,
        *,
        line: ArrivalLine,
        model: str,
        language: str = "en",
        max_output_tokens: int = 2000,
        max_output_tokens_cap: int = 8000,
        concurrency: int = 4,
        response_format: str = "auto",
        request_deadline: float | None = None,
        pause_after_fault: float = 0.0,
        redact: Redactor = NO_SECRETS,
    ) -> None:
        if language not in LANGUAGES:
            raise ValueError(f"language must be one of {sorted(LANGUAGES)}, not {language!r}")
        if concurrency < 1:
            raise ValueError("concurrency must be at least 1")
        if max_output_tokens < 1:
            raise ValueError("max_output_tokens must be at least 1")
        self.endpoint = StructuredEndpoint(
            client, model=model, response_format=response_format, request_deadline=request_deadline
        )
        # Endpoints quote a refused key back ("Incorrect API key provided: sk-…"), and the note
        # is stored, reported and posted: it is masked before anything else sees it.
        self.redact = redact
        self._language = language
        self._max_output_tokens = max_output_tokens
        self._max_output_tokens_cap = max(max_output_tokens_cap, max_output_tokens)
        # People first, in order of arrival; answers given back in that order too. Questions
        # about papers share these slots: one endpoint, one bound on requests in flight.
        self.slots = line.slots(concurrency, answers_in_order=True)
        self._pause = pause_after_fault  # ENDPOINT_PAUSE_SECONDS in the service
        # When the endpoint last failed, and its note, to be written in each paused call's language.
        self._fault: tuple[float, NoteWriter] | None = None

    @property
    def model(self) -> str:
        return self.endpoint.model

    @property
    def response_format(self) -> str:
        """The format requests use now: "json_schema" or "json_object"."""
        return self.endpoint.response_format

    @property
    def language(self) -> str:
        """The language analyses are written in unless a call asks for another."""
        return self._language

    async def analyse(
        self, paper: Paper, body: str | None, language: str | None = None
    ) -> AnalysisResult:
        """`language` (default: the constructor's) is per call: one chat may want Chinese."""
        language = language or self._language
        if language not in LANGUAGES:
            raise ValueError(f"language must be one of {sorted(LANGUAGES)}, not {language!r}")
        body = body if body and body.strip() else None
        result = AnalysisResult(
            analysis=None,
            source=AnalysisSource.FULL_TEXT if body else AnalysisSource.ABSTRACT,
            prompt_tokens=0,
            completion_tokens=0,
            model=self.endpoint.model,
        )
        async with self.slots:
            if self._fault is not None and time.monotonic() - self._fault[0] < self._pause:
                result.error, result.endpoint_fault = self._fault[1](language), True
                return result
            writer: NoteWriter | None = None
            try:
                writer = await self._analyse(paper, body, system_prompt(language), result)
            except openai.OpenAIError as exc:
                writer = partial(
                    note, fault_problem(exc, self.endpoint.client.timeout, self.redact)
                )
                result.endpoint_fault = not isinstance(
                    exc, openai.BadRequestError | openai.UnprocessableEntityError
                )
                log.warning("analysis of %s failed: %s", paper.versioned_id, exc)
            except TimeoutError:
                writer = partial(note, deadline_problem(self.endpoint.request_deadline or 0.0))
                result.endpoint_fault = True
                log.warning("analysis of %s failed: %s", paper.versioned_id, writer(ENGLISH))
            if writer is not None:
                result.error = writer(language)
                if result.endpoint_fault:
                    self._fault = (time.monotonic(), writer)
        return result

    async def _analyse(
        self, paper: Paper, body: str | None, instructions: str, result: AnalysisResult
    ) -> NoteWriter | None:
        """Fills `result` in; returns the note to show when no attempt gave an analysis."""
        failures: list[str] = []
        budget = self._max_output_tokens
        for _ in range(1 + MAX_RETRIES):
            attempt = await self._attempt(paper, body, instructions, budget)
            if attempt.usage is not None:
                result.prompt_tokens += attempt.usage.prompt_tokens or 0
                result.completion_tokens += attempt.usage.completion_tokens or 0
            if attempt.analysis is not None:
                result.analysis = attempt.analysis
                return None
            assert attempt.failure is not None
            failures.append(attempt.failure)
            if attempt.failure in ("refused", "filtered", "unreadable") or (
                attempt.failure == "context" and body is None
            ):
                break
            if body is not None:
                body = shorten_at_paragraph(body)
            if attempt.failure != "context":
                budget = min(budget * 2, self._max_output_tokens_cap)
        result.endpoint_fault = failures[-1] == "unreadable"  # a proxy's page, say: not the paper
        log.warning("analysis of %s failed: %s", paper.versioned_id, ", ".join(failures))
        return partial(failure_note, tuple(failures))

    async def _attempt(
        self, paper: Paper, body: str | None, instructions: str, budget: int
    ) -> _Attempt:
        messages: list[Any] = [
            {"role": "system", "content": instructions},
            {"role": "user", "content": user_message(paper, body)},
        ]
        reply = await self.endpoint.ask(messages, PaperAnalysis, budget)
        if reply.failure is not None:
            return _Attempt(None, reply.failure, reply.usage)
        analysis = parse_answer(reply.content)
        cleaned = clean_analysis(analysis) if analysis is not None else None
        return _Attempt(cleaned, None if cleaned else "invalid", reply.usage)


def shorten_at_paragraph(text: str) -> str:
    """About the first half of `text`, cut at a paragraph break (else a line, else a word)."""
    half = len(text) // 2
    for separator in ("\n\n", "\n", " "):
        cut = text.rfind(separator, 0, half + 1)
        if cut > half // 2:
            return text[:cut].rstrip()
    return text[:half].rstrip()


# --- reading and cleaning the answer -------------------------------------------------------------


def parse_answer(content: str | None) -> PaperAnalysis | None:
    """The analysis in `content`, also when wrapped in a code fence or a sentence; else None."""
    if not content:
        return None
    for candidate in json_candidates(content):
        try:
            return PaperAnalysis.model_validate_json(candidate)
        except pydantic.ValidationError:
            continue
    return None


_PREAMBLES = [
    re.compile(
        r"^(?:sure|certainly|of course|absolutely|okay|ok|great)\s*[,.!:;]+\s*", re.IGNORECASE
    ),
    re.compile(
        r"^(?:here(?:\s+is|\s+are|['’]s)|below\s+(?:is|are))\b[^\n]*?[.:!](?:\s+|$)", re.IGNORECASE
    ),
    re.compile(r"^as an? (?:ai|(?:large )?language model)\b[^\n]*?[.:!](?:\s+|$)", re.IGNORECASE),
    re.compile(
        r"^i(?:['’]d| would|['’]m| am) (?:be )?(?:happy|glad) to\b[^\n]*?[.:!](?:\s+|$)",
        re.IGNORECASE,
    ),
    re.compile(r"^(?:好的|当然(?:可以)?|没问题)[，,！!。：:\s]*", re.IGNORECASE),
    re.compile(r"^(?:以下是|下面是)[^\n。！？：:]*[。！？：:]\s*", re.IGNORECASE),
    re.compile(
        r"^作为[^\n。！？：:]*?(?:AI|人工智能|语言模型|助手)[^\n。！？：:]*[。！？：:]\s*",
        re.IGNORECASE,
    ),
]
_CLOSING = re.compile(
    r"(?:^|(?<=[.!?。！？]))\s*"
    r"(?:I hope this helps|Let me know if|Feel free to"
    r"|希望(?:以上|这些|这)?[^\n。！？]*?(?:帮助|有用)"
    r"|如(?:果)?(?:您|你)?(?:还)?有(?:任何|其他)?(?:问题|疑问))"
    r"[^\n]*$",
    re.IGNORECASE,
)
_HEADING_LINE = re.compile(r"^#{1,6}\s+.*(?:\n|$)", re.MULTILINE)
_LIST_MARKER = re.compile(r"^(?:[-*•]|\d+[.)])\s+")


def strip_chatter(text: str) -> str:
    """`text` without a leading chatty sentence, a closing remark or markdown headings."""
    text = _HEADING_LINE.sub("", text).strip()
    stripped = False
    changed = True
    while changed and text:
        changed = False
        for pattern in _PREAMBLES:
            shorter = pattern.sub("", text, count=1)
            if shorter != text:
                text, changed, stripped = shorter.lstrip(), True, True
    text = _CLOSING.sub("", text).strip()
    if stripped and text[:1].isascii() and text[:1].islower():
        text = text[0].upper() + text[1:]
    return text


def clean_analysis(analysis: PaperAnalysis) -> PaperAnalysis | None:
    """The analysis with chatter stripped from every field; None if a field is left empty."""
    fields: dict[str, Any] = {}
    for name, value in analysis.model_dump().items():
        if isinstance(value, list):
            items = [strip_chatter(_LIST_MARKER.sub("", item.strip())) for item in value]
            value = [item for item in items if item]
        else:
            value = strip_chatter(value)
        if not value:
            return None
        fields[name] = value
    return PaperAnalysis(**fields)
