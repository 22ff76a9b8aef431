"""One structured request to an OpenAI-compatible endpoint: JSON of a given shape back, or why not.

Analyses and answers to questions ask the same endpoint the same way, so what that takes lives
here once: a strict json_schema, and json_object for endpoints that answer that they support
none; `max_tokens`, and `max_completion_tokens` for models that ask for it; a bound on the whole
request; the raw reply read here so that its usage counts even when its content is unusable.
Each capability switch is learnt once, on the first 400 that asks for it, and kept.
"""

from __future__ import annotations

import asyncio
import logging
import re
from dataclasses import dataclass
from typing import Any, TypedDict

import openai
import pydantic
from openai import AsyncOpenAI

RESPONSE_FORMATS = ("auto", "json_schema", "json_object")

log = logging.getLogger(__name__)


class Usage(pydantic.BaseModel):
    prompt_tokens: int | None = None
    completion_tokens: int | None = None


@dataclass(slots=True)
class Reply:
    """One request's outcome: the content, or why there is none ("length", "context", ...)."""

    content: str | None
    failure: str | None
    usage: Usage | None = None

    @property
    def tokens(self) -> tuple[int, int]:
        """Prompt and completion tokens, 0 where the endpoint counted none."""
        if self.usage is None:
            return 0, 0
        return self.usage.prompt_tokens or 0, self.usage.completion_tokens or 0


class StructuredEndpoint:
    """One model at one endpoint. With `response_format="auto"` it asks for a strict
    json_schema and, the first time the endpoint answers that it does not support one,
    switches to json_object mode for good (the prompt must then spell out the shape and say
    "JSON")."""

    def __init__(
        self,
        client: AsyncOpenAI,
        *,
        model: str,
        response_format: str = "auto",
        request_deadline: float | None = None,
    ) -> None:
        if response_format not in RESPONSE_FORMATS:
            raise ValueError(f"response_format must be one of {RESPONSE_FORMATS}")
        self.client = client
        self.model = model
        # The client's timeout restarts with every chunk of the answer: an answer that trickles
        # in forever is only stopped by a bound on the whole request (the SDK's retries included).
        self.request_deadline = request_deadline
        self._may_fall_back = response_format == "auto"
        self._format = "json_object" if response_format == "json_object" else "json_schema"
        # max_tokens is widely understood; OpenAI's reasoning models want max_completion_tokens
        # and say so.
        self._wants_completion_tokens = False

    @property
    def response_format(self) -> str:
        """The format requests use now: "json_schema" or "json_object"."""
        return self._format

    async def ask(self, messages: list[Any], shape: type[pydantic.BaseModel], budget: int) -> Reply:
        """One completion of `messages` asking for `shape` within `budget` output tokens.

        A context overflow is a failure ("context"); other endpoint errors raise
        `openai.OpenAIError`, and a whole-request deadline passing raises `TimeoutError`.
        """
        for _ in range(3):  # at most two capability switches, each made once
            try:
                return await self._ask(messages, shape, budget)
            except openai.BadRequestError as exc:
                text = f"{exc.message} {exc.param or ''}".lower()
                if exc.code == "context_length_exceeded" or _CONTEXT_EXCEEDED.search(text):
                    return Reply(None, "context")
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

    async def _ask(
        self, messages: list[Any], shape: type[pydantic.BaseModel], budget: int
    ) -> Reply:
        # The raw response is read here, not by the SDK: its usage then counts even when the
        # content is invalid, and a malformed reply becomes a failure instead of an exception.
        async with asyncio.timeout(self.request_deadline):
            raw = await self._request(messages, shape, budget)
        try:
            completion = _Completion.model_validate_json(raw.http_response.content)
        except pydantic.ValidationError:
            return Reply(None, "unreadable")
        if not completion.choices:
            return Reply(None, "invalid", completion.usage)
        choice = completion.choices[0]
        if choice.finish_reason == "length":
            return Reply(None, "length", completion.usage)
        if choice.finish_reason == "content_filter":
            return Reply(None, "filtered", completion.usage)
        if choice.message.refusal:
            return Reply(None, "refused", completion.usage)
        return Reply(choice.message.content, None, completion.usage)

    async def _request(
        self, messages: list[Any], shape: type[pydantic.BaseModel], budget: int
    ) -> Any:
        """One chat completion, raw; `parse` is only used to send `shape` as a strict
        json_schema (named after the class)."""
        completions = self.client.chat.completions.with_raw_response
        if self._format == "json_schema":
            return await completions.parse(
                model=self.model, messages=messages, response_format=shape, **self._budget(budget)
            )
        return await completions.create(
            model=self.model,
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


class _Message(pydantic.BaseModel):
    content: str | None = None
    refusal: str | None = None


class _Choice(pydantic.BaseModel):
    message: _Message
    finish_reason: str | None = None


class _Completion(pydantic.BaseModel):
    """The parts of a chat completion read here; endpoints differ on the rest."""

    choices: list[_Choice] = []
    usage: Usage | None = None


_CONTEXT_EXCEEDED = re.compile(r"context (?:length|window|size)|maximum context")
_UNSUPPORTED = re.compile(r"unsupported|not supported")


def _rejects_max_tokens(text: str) -> bool:
    return "max_tokens" in text and _UNSUPPORTED.search(text) is not None


def _rejects_schema(text: str) -> bool:
    return "response_format" in text or "json_schema" in text


def json_candidates(content: str) -> list[str]:
    """Where the JSON object in a reply may be: the whole text, else its outermost braces (a
    code fence or a sentence around it)."""
    text = content.strip()
    candidates = [text]
    start, end = text.find("{"), text.rfind("}")
    if 0 <= start < end and (start, end) != (0, len(text) - 1):
        candidates.append(text[start : end + 1])
    return candidates
