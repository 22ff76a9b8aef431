"""`POST /v1/embeddings` for the fake OpenAI endpoint: OpenAI's wire format, deterministic vectors.

A vector is a hashed bag of the input's words (`DIMENSIONS` wide, unit length), so the same text
always gets the same vector and texts sharing words point the same way. That is enough to show
the plumbing; it says nothing about what a real embedding model would rank.

Rejected as OpenAI rejects them (400, `invalid_request_error`): a missing model, an input that
is missing, an empty list, or holds an empty string, or more than 2,048 items, and an unknown
`encoding_format`. Both encodings are served: `float` lists, and `base64` little-endian float32,
which the `openai` client asks for by default.
"""

from __future__ import annotations

import base64
import hashlib
import math
import re
import struct
from typing import Any

from tests.fakes.base import Response

DIMENSIONS = 64
MAX_INPUTS = 2048
_WORD = re.compile(r"\w+")
_INVALID_INPUT = (
    "'$.input' is invalid. Please check the API reference: "
    "https://platform.openai.com/docs/api-reference."
)


def _error(message: str, param: str | None = None) -> Response:
    body = {
        "error": {"message": message, "type": "invalid_request_error", "param": param, "code": None}
    }
    return Response.json(body, 400)


def fake_vector(text: str, dimensions: int = DIMENSIONS) -> list[float]:
    """The fake's vector for this text: each word adds ±1 to a slot its hash picks."""
    vector = [0.0] * dimensions
    for word in _WORD.findall(text.casefold()):
        digest = hashlib.blake2b(word.encode(), digest_size=8).digest()
        slot = int.from_bytes(digest[:4], "little") % dimensions
        vector[slot] += 1.0 if digest[4] & 1 else -1.0
    norm = math.sqrt(sum(v * v for v in vector)) or 1.0
    return [v / norm for v in vector]


def _inputs(payload: dict[str, Any]) -> list[str] | None:
    given = payload.get("input")
    items = [given] if isinstance(given, str) else given
    if not isinstance(items, list) or not items or len(items) > MAX_INPUTS:
        return None
    if not all(isinstance(item, str) and item for item in items):
        return None  # token arrays are not served here, and empty strings are refused
    return items


def embeddings_answer(payload: dict[str, Any]) -> Response:
    """The answer OpenAI would give to this embeddings request."""
    model = payload.get("model")
    if not model:
        return _error("you must provide a model parameter")
    items = _inputs(payload)
    if items is None:
        return _error(_INVALID_INPUT)
    encoding = payload.get("encoding_format", "float")
    if encoding not in ("float", "base64"):
        return _error(f"Invalid value for 'encoding_format': {encoding!r}.", "encoding_format")
    dimensions = int(payload.get("dimensions") or DIMENSIONS)
    data = []
    for index, text in enumerate(items):
        vector: list[float] | str = fake_vector(text, dimensions)
        if encoding == "base64":
            vector = base64.b64encode(struct.pack(f"<{dimensions}f", *vector)).decode()
        data.append({"object": "embedding", "index": index, "embedding": vector})
    tokens = sum(len(text) // 4 + 1 for text in items)
    return Response.json(
        {
            "object": "list",
            "data": data,
            "model": model,
            "usage": {"prompt_tokens": tokens, "total_tokens": tokens},
        }
    )
