"""The daily delivery on one platform: each chat's own report in its thread, then the DM digests.

Chats are served one after another, so the feed is fetched once for those that share
categories and the platform's rate limits see one chat at a time. A chat that fails (arXiv
down, the platform refusing a post) is logged and left for the next run; the others go on.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine, Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

from bot.core import ChatCore
from bot.delivery import DeliveryOutcome, deliver_day
from bot.platform import ThreadPoster
from bot.stopping import StopSignal
from bot.subscriptions import chat_mentions, chat_options, daily_chats, dm_options
from pipeline.daybuild import DayBuild
from storage.repositories import ChatRepository

log = logging.getLogger(__name__)


@dataclass(slots=True)
class ChatRun:
    """What the daily run did for one chat, or one user's DM digest."""

    chat_id: str  # for a DM digest, the user's id
    kind: Literal["chat", "dm"]
    delivery: DeliveryOutcome | None = None  # None when it failed or had nothing to match
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


async def run_daily(
    core: ChatCore,
    poster: ThreadPoster,
    chat_ids: Iterable[str],
    requested: date | None = None,
    stop: StopSignal | None = None,
) -> list[ChatRun]:
    """Deliver the day to every chat of the poster's platform and to every DM subscriber.

    `chat_ids` are the configured chats (SLACK_CHANNELS, …); `digest here` and `digest off`
    add to and take from them. A DM digest comes only on days with papers.
    """
    platform = poster.platform
    runs = []
    # Shared within this run (and with a default run around it); a retry later, say after a
    # stale feed, reads the feed again.
    with core.feeds.sharing():
        for chat_id in await daily_chats(core.db, platform, chat_ids):
            runs.append(await _deliver_chat(core, poster, chat_id, requested, stop))
        async with core.db.session() as session:
            users = await ChatRepository(session).dm_subscribers(platform)
        for user_id in users:
            runs.append(await _deliver_dm(core, poster, user_id, requested, stop))
    failed = [r.chat_id for r in runs if not r.ok]
    log.info("daily delivery on %s: %d runs, failed: %s", platform, len(runs), failed or "none")
    return runs


async def _deliver_chat(
    core: ChatCore,
    poster: ThreadPoster,
    chat_id: str,
    requested: date | None,
    stop: StopSignal | None,
) -> ChatRun:
    run = ChatRun(chat_id, "chat")
    try:
        options = await chat_options(core.db, core.digest.options, poster.platform, chat_id)
        async with await core.digest.start(requested, options) as build:
            entries = build.report.entries
            mentions = await chat_mentions(core.db, poster.platform, chat_id, entries)
            delivering = deliver_day(
                core.db,
                poster,
                chat_id,
                build,
                mentions,
                post_empty_days=core.post_empty_days,
                scope=options.scope,
                stop=stop,
            )
            run.delivery = await _alongside(delivering, build)
    except Exception as exc:  # one chat's failure must not keep the others waiting
        log.exception("daily digest for %s chat %s failed", poster.platform, chat_id)
        run.error = str(exc) or type(exc).__name__
    return run


async def _deliver_dm(
    core: ChatCore,
    poster: ThreadPoster,
    user_id: str,
    requested: date | None,
    stop: StopSignal | None,
) -> ChatRun:
    run = ChatRun(user_id, "dm")
    try:
        options = await dm_options(core.db, core.digest.options, poster.platform, user_id)
        if options is None:
            return run
        async with await core.digest.start(requested, options) as build:
            delivering = deliver_day(
                core.db,
                poster,
                user_id,
                build,
                {},
                post_empty_days=False,
                scope=options.scope,
                stop=stop,
            )
            run.delivery = await _alongside(delivering, build)
    except Exception as exc:
        log.exception("DM digest for %s user %s failed", poster.platform, user_id)
        run.error = str(exc) or type(exc).__name__
    return run


async def _alongside(
    delivering: Coroutine[Any, Any, DeliveryOutcome], build: DayBuild
) -> DeliveryOutcome:
    """Post the thread while the report is finished and stored: the chat's report is kept
    (for `report` look-ups) even when posting fails."""
    delivered, stored = await asyncio.gather(delivering, build.finish(), return_exceptions=True)
    for result in (delivered, stored):
        if isinstance(result, BaseException):
            raise result
    assert isinstance(delivered, DeliveryOutcome)
    return delivered
