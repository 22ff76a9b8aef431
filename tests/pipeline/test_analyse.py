"""The analysis step against a fake OpenAI endpoint, through the real AsyncOpenAI client."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest
from openai import AsyncOpenAI

from domain.models import Paper, PaperAnalysis
from pipeline.admission import ArrivalLine
from pipeline.analyse import Analyzer, strip_chatter
from pipeline.prompts import FULL_TEXT_START
from tests.fakes.base import Response
from tests.fakes.openai_server import FakeOpenAI, canned_analysis

BODY = "\n\n".join(
    f"{n} Section {n}\nThe method is described here in some detail, paragraph {n}." * 3
    for n in range(1, 9)
)


def make_paper(n: int = 1, title: str = "Sparse Attention for Long Documents") -> Paper:
    return Paper(
        arxiv_id=f"2602.0078{n}",
        version=1,
        title=title if n == 1 else f"{title} {n}",
        authors=["Ada Lovelace", "Alan Turing"],
        abstract="We make attention sparse and show it works on long documents.",
        categories=["cs.CL", "cs.LG"],
    )


def expected(paper: Paper, *, chinese: bool = False) -> PaperAnalysis:
    return PaperAnalysis(**canned_analysis(paper.title, chinese=chinese))


def user_text(request: dict[str, Any]) -> str:
    return next(m["content"] for m in request["messages"] if m["role"] == "user")


def system_text(request: dict[str, Any]) -> str:
    return next(m["content"] for m in request["messages"] if m["role"] == "system")


def budget(request: dict[str, Any]) -> int:
    return request.get("max_completion_tokens") or request["max_tokens"]


@pytest.fixture
def fake() -> Iterator[FakeOpenAI]:
    with FakeOpenAI() as server:
        yield server


@pytest.fixture
async def client(fake: FakeOpenAI) -> AsyncIterator[AsyncOpenAI]:
    client = AsyncOpenAI(base_url=fake.base_url, api_key="test", max_retries=2, timeout=5)
    yield client
    await client.close()


async def test_good_answer_is_validated_and_its_usage_recorded(fake, client):
    paper = make_paper()
    result = await Analyzer(client, line=ArrivalLine(), model="test-model").analyse(paper, BODY)

    assert result.analysis == expected(paper)
    assert (result.source, result.error, result.model) == ("full_text", None, "test-model")
    [request] = fake.completions
    assert request["model"] == "test-model"
    assert request["response_format"]["type"] == "json_schema"
    assert request["response_format"]["json_schema"]["strict"] is True
    assert request["response_format"]["json_schema"]["name"] == "PaperAnalysis"
    assert request["max_tokens"] == 2000
    prompt = user_text(request)
    for part in (paper.title, "Ada Lovelace, Alan Turing", "cs.CL, cs.LG", paper.abstract):
        assert part in prompt
    assert FULL_TEXT_START in prompt and "paragraph 8" in prompt
    all_text = system_text(request) + "\n" + prompt
    assert result.prompt_tokens == len(all_text) // 4
    assert result.completion_tokens > 0


async def test_abstract_only_when_there_is_no_body(fake, client):
    paper = make_paper()
    result = await Analyzer(client, line=ArrivalLine(), model="m").analyse(paper, None)

    assert result.source == "abstract"
    assert result.analysis == expected(paper)
    prompt = user_text(fake.completions[0])
    assert paper.abstract in prompt
    assert FULL_TEXT_START not in prompt


async def test_falls_back_to_json_object_once_when_json_schema_is_unsupported(fake, client):
    fake.supports_json_schema = False
    analyzer = Analyzer(client, line=ArrivalLine(), model="m")
    first, second = make_paper(1), make_paper(2)

    results = [await analyzer.analyse(first, BODY), await analyzer.analyse(second, BODY)]

    assert [r.analysis for r in results] == [expected(first), expected(second)]
    kinds = [r["response_format"]["type"] for r in fake.completions]
    assert kinds == ["json_schema", "json_object", "json_object"]
    assert "json" in system_text(fake.completions[1]).lower()
    assert analyzer.response_format == "json_object"


async def test_explicit_json_schema_does_not_fall_back(fake, client):
    fake.supports_json_schema = False
    analyzer = Analyzer(client, line=ArrivalLine(), model="m", response_format="json_schema")

    result = await analyzer.analyse(make_paper(), BODY)

    assert result.analysis is None
    assert "HTTP 400" in result.error and "json_schema is not supported" in result.error
    assert len(fake.completions) == 1


async def test_switches_to_max_completion_tokens_when_max_tokens_is_refused(fake, client):
    fake.accepts_max_tokens = False
    analyzer = Analyzer(client, line=ArrivalLine(), model="m")

    for n in (1, 2):
        assert (await analyzer.analyse(make_paper(n), BODY)).analysis == expected(make_paper(n))

    sent = [("max_tokens" in r, r.get("max_completion_tokens")) for r in fake.completions]
    assert sent == [(True, None), (False, 2000), (False, 2000)]


@pytest.mark.parametrize("response_format", ["json_schema", "json_object"])
async def test_cut_off_answer_is_retried_with_less_input_and_more_room(
    fake, client, response_format
):
    fake.script("length", "ok")
    paper = make_paper()

    result = await Analyzer(
        client, line=ArrivalLine(), model="m", response_format=response_format
    ).analyse(paper, BODY)

    assert result.analysis == expected(paper)
    first, second = fake.completions
    assert (budget(first), budget(second)) == (2000, 4000)
    assert len(user_text(second)) < len(user_text(first))
    sent_body = user_text(second).split(FULL_TEXT_START + "\n")[1].split("\n===")[0]
    assert BODY.startswith(sent_body + "\n\n")  # cut at a paragraph break
    assert len(sent_body) <= len(BODY) // 2
    assert result.completion_tokens > 2000  # the cut-off attempt counts, at its full budget


async def test_answer_cut_off_every_time_gives_no_analysis_and_a_note(fake, client):
    fake.default = "length"
    analyzer = Analyzer(
        client, line=ArrivalLine(), model="m", max_output_tokens=1000, max_output_tokens_cap=3000
    )

    result = await analyzer.analyse(make_paper(), BODY)

    assert result.analysis is None
    assert result.error == "The model's answer was cut off three times; showing the abstract only."
    assert [budget(r) for r in fake.completions] == [1000, 2000, 3000]
    assert result.completion_tokens == 6000


@pytest.mark.parametrize("response_format", ["json_schema", "json_object"])
@pytest.mark.parametrize("bad", ["invalid_json", "wrong_schema", "empty_field"])
async def test_invalid_answer_is_retried(fake, client, bad, response_format):
    fake.script(bad, "ok")
    paper = make_paper()

    result = await Analyzer(
        client, line=ArrivalLine(), model="m", response_format=response_format
    ).analyse(paper, BODY)

    assert result.analysis == expected(paper)
    first, second = fake.completions
    assert len(user_text(second)) < len(user_text(first))
    both = [system_text(r) + "\n" + user_text(r) for r in (first, second)]
    assert result.prompt_tokens == sum(len(text) // 4 for text in both)


async def test_invalid_every_time_gives_no_analysis(fake, client):
    fake.default = "invalid_json"

    result = await Analyzer(client, line=ArrivalLine(), model="m").analyse(make_paper(), BODY)

    assert result.analysis is None
    assert "not a valid analysis three times" in result.error
    assert len(fake.completions) == 3


@pytest.mark.parametrize("language", ["en", "zh"])
async def test_chatty_preamble_and_closing_remarks_are_stripped(fake, client, language):
    fake.script("chatty")
    paper = make_paper()

    result = await Analyzer(client, line=ArrivalLine(), model="m", language=language).analyse(
        paper, BODY
    )

    assert result.analysis == expected(paper, chinese=language == "zh")
    assert len(fake.completions) == 1


@pytest.mark.parametrize(
    ("text", "cleaned"),
    [
        ("Sure, the paper proposes X.", "The paper proposes X."),
        ("Certainly! Here's a summary of the paper: It proposes X.", "It proposes X."),
        ("Below is the analysis.\n\nIt proposes X.", "It proposes X."),
        ("## Method\nIt proposes X.", "It proposes X."),
        ("It proposes X. Let me know if you need more details!", "It proposes X."),
        ("好的！本文提出了 X 方法。", "本文提出了 X 方法。"),
        ("作为一个人工智能语言模型，我的总结如下：本文提出了 X。", "本文提出了 X。"),
        ("本文提出了 X。如有任何问题，请随时告诉我。", "本文提出了 X。"),
        # Left alone: ordinary openings and text without a final period.
        ("Here, the authors propose X", "Here, the authors propose X"),
        (
            "Certainly-equivariant networks are studied",
            "Certainly-equivariant networks are studied",
        ),
        ("  Okay-ish results on GLUE  ", "Okay-ish results on GLUE"),
    ],
)
def test_strip_chatter(text, cleaned):
    assert strip_chatter(text) == cleaned


async def test_rate_limit_is_retried_by_the_client(fake, client):
    fake.script("rate_limited", "ok")
    paper = make_paper()

    result = await Analyzer(client, line=ArrivalLine(), model="m").analyse(paper, BODY)

    assert result.analysis == expected(paper)
    assert len(fake.completions) == 2


async def test_rate_limited_after_every_retry_gives_a_note(fake, client):
    fake.default = "rate_limited"

    result = await Analyzer(client, line=ArrivalLine(), model="m").analyse(make_paper(), BODY)

    assert result.analysis is None
    assert "still rate-limiting requests (HTTP 429)" in result.error
    assert len(fake.completions) == 3  # the first try and the client's two retries


async def test_server_error_forever_gives_a_note_not_an_exception(fake, client):
    fake.default = "server_error"

    result = await Analyzer(client, line=ArrivalLine(), model="m").analyse(make_paper(), BODY)

    assert result.analysis is None
    assert result.error.startswith("The model endpoint failed (HTTP 500) after retries")
    assert len(fake.completions) == 3


async def test_timeout_gives_a_note_with_the_limit(fake):
    fake.latency = 1.0
    client = AsyncOpenAI(base_url=fake.base_url, api_key="test", max_retries=0, timeout=0.2)

    result = await Analyzer(client, line=ArrivalLine(), model="m").analyse(make_paper(), BODY)
    await client.close()

    assert result.analysis is None
    assert result.error.startswith(
        "The model endpoint did not answer in time (timeout after 0.2 s)"
    )


async def test_unreachable_endpoint_gives_a_note():
    with socket.socket() as s:  # a port nobody listens on once closed
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    client = AsyncOpenAI(base_url=f"http://127.0.0.1:{port}/v1", api_key="t", max_retries=0)

    result = await Analyzer(client, line=ArrivalLine(), model="m").analyse(make_paper(), BODY)
    await client.close()

    assert result.analysis is None
    assert "could not be reached" in result.error


async def test_rejected_request_and_malformed_reply_give_notes(fake, client):
    error = {"error": {"message": "Incorrect API key provided.", "type": "invalid_request_error"}}
    fake.script(Response.json(error, 401), Response(200, b"<html>Not an API</html>"))
    analyzer = Analyzer(client, line=ArrivalLine(), model="m")

    rejected = await analyzer.analyse(make_paper(1), BODY)
    malformed = await analyzer.analyse(make_paper(2), BODY)

    assert rejected.analysis is None and malformed.analysis is None
    assert "(HTTP 401: Incorrect API key provided.)" in rejected.error
    assert "not a chat completion" in malformed.error
    assert len(fake.completions) == 2  # neither is worth a retry


async def test_refusal_is_not_retried(fake, client):
    fake.script("refusal")

    result = await Analyzer(client, line=ArrivalLine(), model="m").analyse(make_paper(), BODY)

    assert result.analysis is None
    assert "declined" in result.error
    assert len(fake.completions) == 1


async def test_context_overflow_is_retried_with_less_input_and_the_same_budget(fake, client):
    message = "This model's maximum context length is 8192 tokens. Please reduce the length."
    error = {"error": {"message": message, "type": "invalid_request_error", "code": None}}
    fake.script(Response.json(error, 400), "ok")
    paper = make_paper()

    result = await Analyzer(client, line=ArrivalLine(), model="m").analyse(paper, BODY)

    assert result.analysis == expected(paper)
    first, second = fake.completions
    assert budget(first) == budget(second)
    assert len(user_text(second)) < len(user_text(first))


async def test_chinese_analysis(fake, client):
    paper = make_paper()

    result = await Analyzer(client, line=ArrivalLine(), model="m", language="zh").analyse(
        paper, BODY
    )

    assert "Simplified Chinese" in system_text(fake.completions[0])
    assert result.analysis == expected(paper, chinese=True)
    assert all("\u4e00" <= ch <= "\u9fff" for ch in result.analysis.summary[:2])


async def test_one_analyzer_writes_the_language_each_call_asks_for(fake, client):
    analyzer = Analyzer(client, line=ArrivalLine(), model="m", language="en")
    paper = make_paper()

    chinese = await analyzer.analyse(paper, BODY, "zh")
    english = await analyzer.analyse(paper, BODY)

    assert "Simplified Chinese" in system_text(fake.completions[0])
    assert "Simplified Chinese" not in system_text(fake.completions[1])
    assert chinese.analysis == expected(paper, chinese=True)
    assert english.analysis == expected(paper)


async def test_unknown_language_is_refused(client):
    with pytest.raises(ValueError, match="language"):
        Analyzer(client, line=ArrivalLine(), model="m", language="fr")
    with pytest.raises(ValueError, match="language"):
        await Analyzer(client, line=ArrivalLine(), model="m").analyse(make_paper(), BODY, "fr")


async def test_concurrency_is_bounded(fake, client):
    fake.latency = 0.1
    analyzer = Analyzer(client, line=ArrivalLine(), model="m", concurrency=2)
    papers = [make_paper(n) for n in range(1, 7)]

    results = await asyncio.gather(*(analyzer.analyse(p, BODY) for p in papers))

    assert [r.analysis for r in results] == [expected(p) for p in papers]
    assert fake.max_in_flight == 2


async def test_a_chinese_analysis_gets_its_fault_note_in_chinese(fake, client):
    fake.default = "length"
    analyzer = Analyzer(
        client, line=ArrivalLine(), model="m", max_output_tokens=1000, max_output_tokens_cap=3000
    )

    result = await analyzer.analyse(make_paper(), BODY, "zh")

    assert result.analysis is None
    assert result.error == "模型的回答被截断（3 次）；仅显示摘要。"


async def test_attempts_failing_in_different_ways_are_counted_in_the_note(fake, client):
    fake.script("length", "invalid_json", "length")
    analyzer = Analyzer(client, line=ArrivalLine(), model="m")

    english = await analyzer.analyse(make_paper(1), BODY)
    fake.script("length", "invalid_json", "length")
    chinese = await analyzer.analyse(make_paper(2), BODY, "zh")

    assert english.error == (
        "The model gave no complete, valid analysis in 3 attempts (cut off twice, invalid once); "
        "showing the abstract only."
    )
    assert (
        chinese.error
        == "模型在 3 次尝试中都没有给出完整有效的分析（截断 2 次，无效 1 次）；仅显示摘要。"
    )


async def test_a_paused_endpoints_note_is_written_in_each_calls_language(fake, client):
    fake.default = "server_error"
    analyzer = Analyzer(client, line=ArrivalLine(), model="m", pause_after_fault=60.0)

    english = await analyzer.analyse(make_paper(1), BODY)
    asked = len(fake.completions)
    chinese = await analyzer.analyse(make_paper(2), BODY, "zh")

    assert english.error.startswith("The model endpoint failed (HTTP 500) after retries")
    assert chinese.error == "重试后模型服务仍然出错（HTTP 500）；仅显示摘要。"
    assert chinese.endpoint_fault and len(fake.completions) == asked  # paused: not asked again
