"""A fake OpenAI-compatible endpoint: `POST /v1/chat/completions` and `/v1/embeddings`, answered
the way OpenAI does (embeddings: see `tests/fakes/openai_embeddings.py`).

Point the real client at it: `AsyncOpenAI(base_url=fake.base_url, api_key="test", ...)`.

By default every request gets a complete PaperAnalysis JSON built from the request itself, so a
test can tell which paper was analysed (a question about a paper gets an answer citing its
passages instead: see `tests/fakes/openai_qa.py`): the summary quotes the title found on the user message's
`Title: ...` line (the format of `pipeline.prompts.user_message`), and the fields are in Chinese
when the system prompt asks for Simplified Chinese. `canned_analysis(title, chinese=...)` returns
exactly that answer. Usage is counted as OpenAI would roughly: prompt_tokens = characters of all
messages // 4, completion_tokens = characters of the answer // 4.

Switches (plain attributes, change them at any time):
- `script(*steps)`: the next requests' behaviours, first in, first out. A step is one of
  `BEHAVIOURS` or a raw `Response` to serve as is. Once the script is empty, `default` applies
  ("ok" unless changed: set `fake.default = "server_error"` for an endpoint that is down).
- `supports_json_schema`: False makes a json_schema `response_format` a 400, as DeepSeek answers.
- `accepts_max_tokens`: False makes `max_tokens` a 400 asking for `max_completion_tokens`, as
  OpenAI's reasoning models answer.
- `latency`: seconds every answer from the handler takes (timeouts, concurrency, benchmarks).
- `retry_after`: seconds sent as `Retry-After` with "rate_limited" and "server_error" answers, so
  the client's backoff stays short; None sends no header (the client then backs off 0.5 s, 1 s, ...).
Capability 400s are answered before a step is taken from the script, so a scripted "length" still
applies to the request that follows a fallback. `fail_next(...)` (from FakeServer) serves raw
responses before any of this, without reaching the handler.

Recorded: `requests` (every request), `completions` (the JSON bodies sent to chat/completions),
`embedding_requests` (those sent to embeddings) and `max_in_flight`, the most requests the handler was serving at once.
"""

from __future__ import annotations

import itertools
import json
import re
import threading
import time
from collections import deque
from typing import Any

from tests.fakes.base import FakeServer, Request, Response
from tests.fakes.openai_embeddings import embeddings_answer
from tests.fakes.openai_qa import QA_BEHAVIOURS, is_qa_request, qa_answer

BEHAVIOURS = (
    "ok",  # a complete, valid analysis
    "length",  # half of the JSON, finish_reason "length", completion_tokens = the budget asked
    "invalid_json",  # a sentence followed by unterminated JSON
    "wrong_schema",  # valid JSON, but a field is missing and contributions is a string
    "empty_field",  # valid JSON with a blank "method"
    "chatty",  # valid JSON whose fields open with "Sure! Here is ..." style preambles
    "refusal",  # content null, refusal set
    "content_filter",  # content null, finish_reason "content_filter"
    "rate_limited",  # HTTP 429 with Retry-After
    "server_error",  # HTTP 500
    *QA_BEHAVIOURS,  # questions about a paper only (tests/fakes/openai_qa.py); "ok" for analyses
)

_TITLE = re.compile(r"^Title:\s*(.+)$", re.MULTILINE)


def canned_analysis(title: str, *, chinese: bool = False) -> dict[str, Any]:
    """The fake's "ok" answer for a paper with this title."""
    if chinese:
        return {
            "summary": f"本文《{title}》提出了一种新的稀疏注意力方法，并在多个基准上验证了其效果。",
            "motivation": "现有的 Transformer 在长文本上计算开销过大，难以扩展。",
            "contributions": [
                "提出了一种线性复杂度的注意力机制。",
                "给出了近似误差的理论分析。",
                "在三个长文本基准上取得了最好结果。",
            ],
            "method": "方法先将输入分块编码，再通过稀疏注意力聚合全局信息（见第 3 节）。",
            "experiments": "在 Long Range Arena 上平均准确率为 61.2%，比最强基线高 1.4 个百分点。",
        }
    return {
        "summary": f'The paper "{title}" proposes a sparse attention method and shows that it '
        "works on several benchmarks.",
        "motivation": "Standard Transformers are too expensive on long inputs to scale.",
        "contributions": [
            "An attention mechanism with linear complexity.",
            "A theoretical bound on its approximation error.",
            "State-of-the-art results on three long-context benchmarks.",
        ],
        "method": "Inputs are encoded in blocks, and sparse attention gathers global context "
        "(Section 3).",
        "experiments": "On Long Range Arena it reaches 61.2% average accuracy, 1.4 points above "
        "the strongest baseline.",
    }


def _chatty(fields: dict[str, Any], chinese: bool) -> dict[str, Any]:
    if chinese:
        return {
            **fields,
            "summary": "好的，以下是这篇论文的摘要：" + fields["summary"],
            "method": "作为一名AI助手，我将方法总结如下：" + fields["method"],
            "experiments": fields["experiments"] + "希望以上内容对您有所帮助！",
        }
    return {
        **fields,
        "summary": "Sure! Here is a summary of the paper: " + fields["summary"],
        "motivation": "Certainly. " + fields["motivation"],
        "contributions": ["Here are the main contributions:", *fields["contributions"]],
        "method": "As an AI language model, I have read the method section carefully. "
        + fields["method"],
        "experiments": fields["experiments"] + " I hope this helps!",
    }


def _error(message: str, kind: str, param: str | None = None, code: str | None = None) -> dict:
    return {"error": {"message": message, "type": kind, "param": param, "code": code}}


def _text_of(message: dict[str, Any]) -> str:
    content = message.get("content") or ""
    if isinstance(content, list):  # content parts
        return "".join(part.get("text", "") for part in content if isinstance(part, dict))
    return str(content)


class FakeOpenAI(FakeServer):
    def __init__(
        self,
        *,
        supports_json_schema: bool = True,
        accepts_max_tokens: bool = True,
        latency: float = 0.0,
        retry_after: float | None = 0.05,
        default: str = "ok",
    ) -> None:
        super().__init__()
        self.supports_json_schema = supports_json_schema
        self.accepts_max_tokens = accepts_max_tokens
        self.latency = latency
        self.retry_after = retry_after
        self.default = default
        self.in_flight = 0
        self.max_in_flight = 0
        self._script: deque[str | Response] = deque()
        self._ids = itertools.count(1)
        self._state_lock = threading.Lock()

    def __enter__(self) -> FakeOpenAI:
        self.start()
        return self

    @property
    def base_url(self) -> str:
        return f"{self.url}/v1"

    @property
    def completions(self) -> list[dict[str, Any]]:
        return [r.json() for r in self.requests_to("/v1/chat/completions")]  # type: ignore[misc]

    @property
    def embedding_requests(self) -> list[dict[str, Any]]:
        return [r.json() for r in self.requests_to("/v1/embeddings")]  # type: ignore[misc]

    def script(self, *steps: str | Response) -> None:
        unknown = [s for s in steps if isinstance(s, str) and s not in BEHAVIOURS]
        if unknown:
            raise ValueError(f"unknown behaviours {unknown}; known: {BEHAVIOURS}")
        with self._state_lock:
            self._script.extend(steps)

    def handle(self, request: Request) -> Response:
        if request.method == "POST" and request.path == "/v1/embeddings":
            return embeddings_answer(request.json())  # type: ignore[arg-type]
        if request.method != "POST" or request.path != "/v1/chat/completions":
            message = f"Unknown request URL: {request.method} {request.path}."
            return Response.json(_error(message, "invalid_request_error"), 404)
        with self._state_lock:
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            if self.latency:
                time.sleep(self.latency)
            return self._answer(request.json())  # type: ignore[arg-type]
        finally:
            with self._state_lock:
                self.in_flight -= 1

    def _next_step(self) -> str | Response:
        with self._state_lock:
            return self._script.popleft() if self._script else self.default

    def _answer(self, payload: dict[str, Any]) -> Response:
        messages = payload.get("messages") or []
        all_text = "\n".join(_text_of(m) for m in messages)
        kind = (payload.get("response_format") or {}).get("type")
        if kind == "json_schema" and not self.supports_json_schema:
            message = "This response_format type is unavailable now: response_format json_schema is not supported by this model."
            return Response.json(_error(message, "invalid_request_error", "response_format"), 400)
        if "max_tokens" in payload and not self.accepts_max_tokens:
            message = "Unsupported parameter: 'max_tokens' is not supported with this model. Use 'max_completion_tokens' instead."
            return Response.json(
                _error(message, "invalid_request_error", "max_tokens", "unsupported_parameter"),
                400,
            )
        if kind == "json_object" and "json" not in all_text.lower():
            message = "'messages' must contain the word 'json' in some form, to use 'response_format' of type 'json_object'."
            return Response.json(_error(message, "invalid_request_error", "messages"), 400)

        step = self._next_step()
        if isinstance(step, Response):
            return step
        retry = {"Retry-After": f"{self.retry_after:g}"} if self.retry_after is not None else {}
        if step == "rate_limited":
            message = "Rate limit reached for requests. Please try again later."
            return Response.json(
                _error(message, "requests", None, "rate_limit_exceeded"), 429, **retry
            )
        if step == "server_error":
            message = "The server had an error while processing your request. Sorry about that!"
            return Response.json(_error(message, "server_error"), 500, **retry)

        user = next((_text_of(m) for m in messages if m.get("role") == "user"), "")
        system = next((_text_of(m) for m in messages if m.get("role") == "system"), "")
        found = _TITLE.search(user)
        chinese = "simplified chinese" in system.lower()
        fields = canned_analysis(found.group(1).strip() if found else "Untitled", chinese=chinese)
        text = json.dumps(fields, ensure_ascii=False)
        qa = is_qa_request(payload, system)
        if qa:
            text = qa_answer(user, step, chinese=chinese)
        budget = payload.get("max_completion_tokens") or payload.get("max_tokens")
        content: str | None = text
        refusal: str | None = None
        finish = "stop"
        completion_tokens: int | None = None
        if step == "length":
            content, finish = text[: len(text) // 2], "length"
            completion_tokens = budget
        elif qa and step in ("wrong_schema", "empty_field", "chatty", *QA_BEHAVIOURS, "ok"):
            pass  # written by qa_answer
        elif step == "invalid_json":
            content = 'Here is the analysis of the paper: {"summary": "' + fields["summary"]
        elif step == "wrong_schema":
            wrong = {k: v for k, v in fields.items() if k != "experiments"}
            content = json.dumps({**wrong, "contributions": "; ".join(fields["contributions"])})
        elif step == "empty_field":
            content = json.dumps({**fields, "method": "   "}, ensure_ascii=False)
        elif step == "chatty":
            content = json.dumps(_chatty(fields, chinese), ensure_ascii=False)
        elif step == "refusal":
            content, refusal = None, "I'm sorry, but I can't help with that request."
        elif step == "content_filter":
            content, finish = None, "content_filter"
        prompt_tokens = len(all_text) // 4
        if completion_tokens is None:
            completion_tokens = max(1, len(content or refusal or "") // 4)
        return Response.json(
            {
                "id": f"chatcmpl-fake{next(self._ids)}",
                "object": "chat.completion",
                "created": int(time.time()),
                "model": payload.get("model", "fake-model"),
                "choices": [
                    {
                        "index": 0,
                        "message": {
                            "role": "assistant",
                            "content": content,
                            "refusal": refusal,
                            "annotations": [],
                        },
                        "logprobs": None,
                        "finish_reason": finish,
                    }
                ],
                "usage": {
                    "prompt_tokens": prompt_tokens,
                    "completion_tokens": completion_tokens,
                    "total_tokens": prompt_tokens + completion_tokens,
                },
                "service_tier": "default",
                "system_fingerprint": "fp_fake",
            }
        )
