"""The one Slack Web API client: token and base URL from its settings, retries switched on.

Slack answers bursts with 429 and a `Retry-After`; the rate-limit handler waits that long and
tries again, so callers see either a posted message or an error after the retries ran out.
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import AsyncIterator

import aiohttp
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
    AsyncServerErrorRetryHandler,
)
from slack_sdk.web.async_client import AsyncWebClient

from bot.slack.settings import SlackConfigError, SlackSettings

__all__ = ["SlackConfigError", "make_client", "slack_client"]

# The handlers share one attempt counter per request: a request gives up after this many
# retries in all, counting only the kinds of failure a handler accepts.
RATE_LIMIT_RETRIES = 5  # 429s: Slack says how long to wait, so waiting is always right
SERVER_ERROR_RETRIES = 2  # 500/503 with backoff: a longer outage should fail the run
CONNECTION_RETRIES = 2


def make_client(
    settings: SlackSettings, session: aiohttp.ClientSession | None = None
) -> AsyncWebClient:
    """Without a `session`, slack_sdk opens a new connection for every call (fine for one)."""
    return AsyncWebClient(
        token=settings.bot_token,
        base_url=settings.api_url,
        session=session,
        # aiohttp's total: the whole answer, each try (the SDK takes whole seconds)
        timeout=math.ceil(settings.timeout_seconds),
        retry_handlers=[
            AsyncRateLimitErrorRetryHandler(max_retry_count=RATE_LIMIT_RETRIES),
            AsyncServerErrorRetryHandler(max_retry_count=SERVER_ERROR_RETRIES),
            AsyncConnectionErrorRetryHandler(max_retry_count=CONNECTION_RETRIES),
        ],
    )


@contextlib.asynccontextmanager
async def slack_client(settings: SlackSettings) -> AsyncIterator[AsyncWebClient]:
    """A client whose calls share one pool of kept-alive connections, closed on leaving: a
    bot answering many commands, or posting a thread, need not connect anew for each call."""
    # A shared session's own timeout is the one that applies: the same total per try.
    timeout = aiohttp.ClientTimeout(total=settings.timeout_seconds)
    async with aiohttp.ClientSession(timeout=timeout) as session:
        yield make_client(settings, session)
