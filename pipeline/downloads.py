"""What every download from arXiv shares: a short Retry-After waited out, a body under a cap."""

from __future__ import annotations

import httpx

# A 429 or 503 that says to come back soon is waited out within the run, at most this often;
# a longer wait is left to the next run.
RATE_LIMIT_RETRIES = 2
MAX_RETRY_AFTER_SECONDS = 60.0


class TooLarge(Exception):
    """The body passed its cap while it streamed in; the caller says what it was."""


def retry_after(response: httpx.Response) -> float | None:
    """The seconds a 429 or 503 asks us to wait, if it asks for a short enough wait."""
    if response.status_code not in (429, 503):
        return None
    try:
        wait = float(response.headers.get("Retry-After", ""))
    except ValueError:
        return None
    return wait if 0 <= wait <= MAX_RETRY_AFTER_SECONDS else None


async def read_capped(response: httpx.Response, max_bytes: int) -> bytes:
    """The body, read as it streams in; TooLarge as soon as it passes `max_bytes`."""
    chunks: list[bytes] = []
    received = 0
    async for chunk in response.aiter_bytes():
        received += len(chunk)
        if received > max_bytes:
            raise TooLarge
        chunks.append(chunk)
    return b"".join(chunks)
