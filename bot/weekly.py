"""The weekly digest on one platform: each chat's one message for an ISO week, exactly once.

It goes to the chats the daily thread goes to (the configured ones, plus `digest here`, minus
`digest off`); DM subscribers get none. A chat's week is claimed in the ledger
(`weekly_digests`) before anything is posted, and recorded as sent, with its message id, once
the platform took it. A restart after a crash between the two finds the claim still pending:
Slack then looks back through the channel for the message tagged `week:2026-W49` and records
it if it went out; Telegram bots cannot read a chat's history, so there the week is posted
again, as a day's thread is. A week recorded as sent is never posted again.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal, Protocol

from bot.core import ChatCore
from bot.platform import PostFinder
from bot.stopping import StopSignal
from bot.subscriptions import daily_chats, summary_options
from bot.weekly_card import week_key
from domain.statuses import DeliveryStatus
from pipeline.archive.weekly import IsoWeek, WeekDigest, week_digest
from pipeline.relevance.store import VectorStore
from storage.weeks import WeekRepository

log = logging.getLogger(__name__)


class WeekPoster(Protocol):
    """Posting a chat's weekly message on one platform (each platform's `ThreadPoster` has it)."""

    platform: str

    async def post_weekly(self, chat_id: str, digest: WeekDigest, language: str) -> str:
        """Post the week (or the note of a week with nothing); returns the message id."""
        ...


Outcome = Literal["posted", "found", "sent_before", "nothing", "failed"]


@dataclass(slots=True)
class WeekRun:
    """What the weekly run did in one chat: `posted` now; `found` posted before a crash and
    recorded now; `sent_before`; `nothing` (an empty week where empty days are muted)."""

    chat_id: str
    outcome: Outcome
    message_id: str | None = None
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


async def run_weekly(
    core: ChatCore,
    poster: WeekPoster,
    chat_ids: Iterable[str],
    week: IsoWeek,
    stop: StopSignal | None = None,
) -> list[WeekRun]:
    """The week's message in every chat of the poster's platform; a chat that fails is logged
    and left for the next run, the others go on."""
    relevance = core.digest.relevance
    store = relevance.store if relevance is not None else None
    runs = []
    for chat_id in await daily_chats(core.db, poster.platform, chat_ids):
        try:
            language = (
                await summary_options(core.db, core.digest.options, poster.platform, chat_id)
            ).language
            runs.append(
                await deliver_week(
                    core,
                    poster,
                    chat_id,
                    week,
                    store=store,
                    language=language,
                    stop=stop or StopSignal(),
                )
            )
        except Exception as exc:  # one chat's failure must not keep the others waiting
            log.exception(
                "weekly digest %s for %s chat %s failed", week.key, poster.platform, chat_id
            )
            runs.append(WeekRun(chat_id, "failed", error=str(exc) or type(exc).__name__))
    failed = [run.chat_id for run in runs if not run.ok]
    log.info(
        "weekly digest %s on %s: %d chats, failed: %s",
        week.key,
        poster.platform,
        len(runs),
        failed or "none",
    )
    return runs


async def deliver_week(
    core: ChatCore,
    poster: WeekPoster,
    chat_id: str,
    week: IsoWeek,
    *,
    store: VectorStore | None,
    language: str,
    stop: StopSignal,
) -> WeekRun:
    """One chat's week: claimed, then posted (or found), then recorded as sent."""
    db, platform = core.db, poster.platform
    async with db.session() as session:
        claimed = await WeekRepository(session).claim(platform, chat_id, week.key)
    if claimed.status is DeliveryStatus.SENT:
        return WeekRun(chat_id, "sent_before", claimed.message_id)
    digest = await week_digest(db, store, platform, chat_id, week)
    if digest.empty and not core.post_empty_days:
        return WeekRun(chat_id, "nothing")
    async with stop.message():
        # Pending: posted just before a crash kept it from being recorded? Ask, where we can.
        found = None
        if isinstance(poster, PostFinder):
            found = await poster.find_posted(chat_id, None, week_key(week))
        message_id = found or await poster.post_weekly(chat_id, digest, language)
        async with db.session() as session:
            await WeekRepository(session).sent(platform, chat_id, week.key, message_id)
    return WeekRun(chat_id, "found" if found else "posted", message_id)
