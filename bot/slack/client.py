"""The one Slack Web API client: token and base URL from the settings, retries switched on.

Slack answers bursts with 429 and a `Retry-After`; the rate-limit handler waits that long and
tries again, so callers see either a posted message or an error after the retries ran out.
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING

import aiohttp
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
    AsyncServerErrorRetryHandler,
)
from slack_sdk.web.async_client import AsyncWebClient

if TYPE_CHECKING:
    from arxiv_digest.settings import Settings

# The handlers share one attempt counter per request: a request gives up after this many
# retries in all, counting only the kinds of failure a handler accepts.
RATE_LIMIT_RETRIES = 5  # 429s: Slack says how long to wait, so waiting is always right
SERVER_ERROR_RETRIES = 2  # 500/503 with backoff: a longer outage should fail the run
CONNECTION_RETRIES = 2


class SlackConfigError(ValueError):
    """Slack settings that cannot work together; the message says which to set."""


def make_client(settings: Settings, session: aiohttp.ClientSession | None = None) -> AsyncWebClient:
    """Without a `session`, slack_sdk opens a new connection for every call (fine for one)."""
    if settings.slack_bot_token is None:
        raise SlackConfigError("SLACK_BOT_TOKEN is not set")
    return AsyncWebClient(
        token=settings.slack_bot_token.get_secret_value(),
        base_url=settings.slack_api_url,
        session=session,
        # aiohttp's total: the whole answer, each try (the SDK takes whole seconds)
        timeout=math.ceil(settings.chat_timeout_seconds),
        retry_handlers=[
            AsyncRateLimitErrorRetryHandler(max_retry_count=RATE_LIMIT_RETRIES),
            AsyncServerErrorRetryHandler(max_retry_count=SERVER_ERROR_RETRIES),
            AsyncConnectionErrorRetryHandler(max_retry_count=CONNECTION_RETRIES),
        ],
    )


@contextlib.asynccontextmanager
async def slack_client(settings: Settings) -> AsyncIterator[AsyncWebClient]:
    """A client whose calls share one pool of kept-alive connections, closed on leaving: a
    bot answering many commands, or posting a thread, need not connect anew for each call."""
    if settings.slack_bot_token is None:
        raise SlackConfigError("SLACK_BOT_TOKEN is not set")
    # A shared session's own timeout is the one that applies: the same total per try.
    timeout = aiohttp.ClientTimeout(total=settings.chat_timeout_seconds)
    async with aiohttp.ClientSession(timeout=timeout) as session:
        yield make_client(settings, session)
