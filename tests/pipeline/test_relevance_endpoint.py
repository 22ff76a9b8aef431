"""The endpoint embedder through the real `openai` client, against the fake `/v1/embeddings`."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import numpy as np
import pytest
from openai import AsyncOpenAI

from pipeline.relevance import EndpointEmbedder, learn_taste, rank_day
from tests.fakes.openai_embeddings import DIMENSIONS, fake_vector
from tests.fakes.openai_server import FakeOpenAI


@pytest.fixture
async def client(llm: FakeOpenAI) -> AsyncIterator[AsyncOpenAI]:
    openai = AsyncOpenAI(base_url=llm.base_url, api_key="test", max_retries=0, timeout=5)
    yield openai
    await openai.close()


async def test_vectors_come_back_in_input_order_one_request_a_batch(
    llm: FakeOpenAI, client: AsyncOpenAI
) -> None:
    texts = [f"paper number {n} about robots" for n in range(5)] + [""]
    embedder = EndpointEmbedder(client, "text-embedding-3-small", batch=2)

    vectors = await embedder.embed(texts)

    assert embedder.name == "endpoint:text-embedding-3-small"
    assert vectors.shape == (6, DIMENSIONS)
    assert np.allclose(vectors[3], fake_vector(texts[3]), atol=1e-6)
    assert np.allclose(np.linalg.norm(vectors[:5], axis=1), 1.0)  # the fake's blank is all 0
    sent = llm.embedding_requests
    assert [len(body["input"]) for body in sent] == [2, 2, 2]
    assert {body["model"] for body in sent} == {"text-embedding-3-small"}
    assert "" not in sent[2]["input"]  # OpenAI refuses empty strings
    assert sent[0]["encoding_format"] == "base64"  # the client's default, decoded by it


async def test_no_texts_make_no_request(llm: FakeOpenAI, client: AsyncOpenAI) -> None:
    vectors = await EndpointEmbedder(client, "m").embed([])

    assert vectors.shape[0] == 0
    assert llm.embedding_requests == []


async def test_a_taste_model_learns_over_endpoint_vectors(client: AsyncOpenAI) -> None:
    embedder = EndpointEmbedder(client, "m")
    liked = await embedder.embed(["robot grasping policy", "robot arm grasping cloth"])
    disliked = await embedder.embed(["translation of languages", "language model translation"])
    day = await embedder.embed(["machine translation of languages", "robot grasping of rope"])

    model = learn_taste(liked, disliked)

    assert rank_day(day, [0, 0], model).order == [1, 0]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"input": ["a"]}, "you must provide a model parameter"),
        ({"model": "m", "input": []}, "'$.input' is invalid"),
        ({"model": "m", "input": ["a", ""]}, "'$.input' is invalid"),
        ({"model": "m"}, "'$.input' is invalid"),
        ({"model": "m", "input": ["a"] * 2049}, "'$.input' is invalid"),
        ({"model": "m", "input": "a", "encoding_format": "int8"}, "encoding_format"),
    ],
)
async def test_the_fake_refuses_what_openai_refuses(
    llm: FakeOpenAI, body: dict, message: str
) -> None:
    async with httpx.AsyncClient() as http:
        answer = await http.post(f"{llm.base_url}/embeddings", json=body)

    assert answer.status_code == 400
    error = answer.json()["error"]
    assert error["type"] == "invalid_request_error" and message in error["message"]


async def test_the_fake_answers_in_floats_when_asked(llm: FakeOpenAI) -> None:
    async with httpx.AsyncClient() as http:
        plain = await http.post(
            f"{llm.base_url}/embeddings",
            json={"model": "m", "input": "one text", "encoding_format": "float", "dimensions": 8},
        )

    body = plain.json()
    assert body["object"] == "list" and body["model"] == "m"
    assert body["data"] == [
        {"object": "embedding", "index": 0, "embedding": fake_vector("one text", 8)}
    ]
    assert body["usage"]["prompt_tokens"] == body["usage"]["total_tokens"] > 0
