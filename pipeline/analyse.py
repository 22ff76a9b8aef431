"""The analysis step: a paper (full text or abstract) in, a validated, complete PaperAnalysis out.

LLM faults never escape as exceptions. A paper that cannot be analysed comes back with
`analysis=None` and a note a reader can understand, so one bad answer never stops a day's digest.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from dataclasses import dataclass
from functools import partial
from typing import Any, TypedDict

import openai
import pydantic
from openai import AsyncOpenAI

from domain.messages import ENGLISH
from domain.models import Paper, PaperAnalysis
from domain.statuses import AnalysisSource
from pipeline.admission import ArrivalLine
from pipeline.modelnotes import NoteWriter, deadline_problem, failure_note, fault_problem, note
from pipeline.prompts import LANGUAGES, system_prompt, user_message
from storage.redaction import NO_SECRETS, Redactor

PROMPT_VERSION = "1"  # bump when prompts change: part of the cache key
MAX_RETRIES = 2  # extra attempts after a cut-off or invalid answer
RESPONSE_FORMATS = ("auto", "json_schema", "json_object")
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
    usage: _Usage | None = None


class Analyzer:
    """Analyses papers with one model; at most `concurrency` requests are in flight at once.

    With `response_format="auto"` it asks for a strict json_schema and, the first time the endpoint
    answers that it does not support one, switches to json_object mode for good.
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
        if response_format not in RESPONSE_FORMATS:
            raise ValueError(f"response_format must be one of {RESPONSE_FORMATS}")
        if concurrency < 1:
            raise ValueError("concurrency must be at least 1")
        if max_output_tokens < 1:
            raise ValueError("max_output_tokens must be at least 1")
        self._client = client
        self._model = model
        # Endpoints quote a refused key back ("Incorrect API key provided: sk-…"), and the note
        # is stored, reported and posted: it is masked before anything else sees it.
        self._redact = redact
        self._language = language
        self._max_output_tokens = max_output_tokens
        self._max_output_tokens_cap = max(max_output_tokens_cap, max_output_tokens)
        # People first, in order of arrival; answers given back in that order too.
        self._semaphore = line.slots(concurrency, answers_in_order=True)
        # The client's timeout restarts with every chunk of the answer: an answer that trickles
        # in forever is only stopped by a bound on the whole request (the SDK's retries included).
        self._request_deadline = request_deadline
        self._pause = pause_after_fault  # ENDPOINT_PAUSE_SECONDS in the service
        # When the endpoint last failed, and its note, to be written in each paused call's language.
        self._fault: tuple[float, NoteWriter] | None = None
        self._may_fall_back = response_format == "auto"
        self._format = "json_object" if response_format == "json_object" else "json_schema"
        # max_tokens is widely understood; OpenAI's reasoning models want max_completion_tokens
        # and say so.
        self._wants_completion_tokens = False

    @property
    def model(self) -> str:
        return self._model

    @property
    def response_format(self) -> str:
        """The format requests use now: "json_schema" or "json_object"."""
        return self._format

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
            model=self._model,
        )
        async with self._semaphore:
            if self._fault is not None and time.monotonic() - self._fault[0] < self._pause:
                result.error, result.endpoint_fault = self._fault[1](language), True
                return result
            writer: NoteWriter | None = None
            try:
                writer = await self._analyse(paper, body, system_prompt(language), result)
            except openai.OpenAIError as exc:
                writer = partial(note, fault_problem(exc, self._client.timeout, self._redact))
                result.endpoint_fault = not isinstance(
                    exc, openai.BadRequestError | openai.UnprocessableEntityError
                )
                log.warning("analysis of %s failed: %s", paper.versioned_id, exc)
            except TimeoutError:
                writer = partial(note, deadline_problem(self._request_deadline or 0.0))
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
        for _ in range(3):  # at most two capability switches, each made once
            try:
                return await self._ask(messages, budget)
            except openai.BadRequestError as exc:
                text = f"{exc.message} {exc.param or ''}".lower()
                if exc.code == "context_length_exceeded" or _CONTEXT_EXCEEDED.search(text):
                    return _Attempt(None, "context")
                if not self._adapt(text):
                    raise
        raise AssertionError("endpoint capabilities switched more than twice")

    def _adapt(self, error: str) -> bool:
        """Switch to what a 400 says the endpoint wants; False if it asks for nothing we can do."""
        if not self._wants_completion_tokens and _rejects_max_tokens(error):
            log.info("endpoint wants max_completion_tokens; using it from now on")
            self._wants_completion_tokens = True
            return True
        if self._may_fall_back and self._format == "json_schema" and _rejects_schema(error):
            log.info("endpoint does not support json_schema; using json_object from now on")
            self._format = "json_object"
            return True
        return False

    async def _ask(self, messages: list[Any], budget: int) -> _Attempt:
        # The raw response is read here, not by the SDK: its usage then counts even when the
        # content is invalid, and a malformed reply becomes a failure instead of an exception.
        async with asyncio.timeout(self._request_deadline):
            raw = await self._request(messages, budget)
        try:
            completion = _Completion.model_validate_json(raw.http_response.content)
        except pydantic.ValidationError:
            return _Attempt(None, "unreadable")
        if not completion.choices:
            return _Attempt(None, "invalid", completion.usage)
        choice = completion.choices[0]
        if choice.finish_reason == "length":
            return _Attempt(None, "length", completion.usage)
        if choice.finish_reason == "content_filter":
            return _Attempt(None, "filtered", completion.usage)
        if choice.message.refusal:
            return _Attempt(None, "refused", completion.usage)
        analysis = parse_answer(choice.message.content)
        cleaned = clean_analysis(analysis) if analysis is not None else None
        return _Attempt(cleaned, None if cleaned else "invalid", completion.usage)

    async def _request(self, messages: list[Any], budget: int) -> Any:
        """One chat completion, raw; `parse` is only used to send PaperAnalysis as a strict
        json_schema."""
        completions = self._client.chat.completions.with_raw_response
        if self._format == "json_schema":
            return await completions.parse(
                model=self._model,
                messages=messages,
                response_format=PaperAnalysis,
                **self._budget(budget),
            )
        return await completions.create(
            model=self._model,
            messages=messages,
            response_format={"type": "json_object"},
            **self._budget(budget),
        )

    def _budget(self, budget: int) -> _Budget:
        if self._wants_completion_tokens:
            return {"max_completion_tokens": budget}
        return {"max_tokens": budget}


class _Budget(TypedDict, total=False):
    """The output budget, under the one name the endpoint accepts."""

    max_tokens: int
    max_completion_tokens: int


class _Usage(pydantic.BaseModel):
    prompt_tokens: int | None = None
    completion_tokens: int | None = None


class _Message(pydantic.BaseModel):
    content: str | None = None
    refusal: str | None = None


class _Choice(pydantic.BaseModel):
    message: _Message
    finish_reason: str | None = None


class _Completion(pydantic.BaseModel):
    """The parts of a chat completion this step reads; endpoints differ on the rest."""

    choices: list[_Choice] = []
    usage: _Usage | None = None


_CONTEXT_EXCEEDED = re.compile(r"context (?:length|window|size)|maximum context")
_UNSUPPORTED = re.compile(r"unsupported|not supported")


def _rejects_max_tokens(text: str) -> bool:
    return "max_tokens" in text and _UNSUPPORTED.search(text) is not None


def _rejects_schema(text: str) -> bool:
    return "response_format" in text or "json_schema" in text


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
    text = content.strip()
    candidates = [text]
    start, end = text.find("{"), text.rfind("}")
    if 0 <= start < end and (start, end) != (0, len(text) - 1):
        candidates.append(text[start : end + 1])
    for candidate in candidates:
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
