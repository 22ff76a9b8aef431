"""The answer to a 👍/👎 tap: record the person's vote on the paper in that chat, and say so to
them alone (the adapters show it ephemerally or as a toast, never in the channel)."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from bot.platform import Reply, VoteEvent
from bot.replies import refusal, said
from domain.errors import InvalidArxivId
from domain.messages import ENGLISH, text
from pipeline.ids import parse_arxiv_id
from storage.votes import DOWN, UP, VoteRepository

if TYPE_CHECKING:
    from bot.core import ChatCore

log = logging.getLogger(__name__)


async def record_vote(core: ChatCore, event: VoteEvent) -> Reply:
    """Tapping the same again keeps the vote, the other changes it; a button that is not a vote
    on a paper (forged, or not this bot's) gets a one-line refusal and nothing is stored."""
    caller = event.caller
    language = ENGLISH
    try:
        language = await core.language_of(caller)
        if event.value not in (UP, DOWN):
            return refusal(language, "chat.vote.invalid")
        try:
            paper = parse_arxiv_id(event.arxiv_id).base
        except InvalidArxivId:
            return refusal(language, "chat.vote.invalid")
        async with core.db.session() as session:
            await VoteRepository(session).record(
                caller.platform, caller.chat_id, caller.user_id, paper, event.value
            )
        key = "chat.vote.up" if event.value == UP else "chat.vote.down"
        return said(text(key, language, paper=paper))
    except Exception:
        log.exception("vote from %s:%s on %r failed", caller.platform, caller.user_id, event)
        return refusal(language, "chat.failed")
