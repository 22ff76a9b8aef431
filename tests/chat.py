"""Talking to `ChatCore` as a chat's users do: who asks, and what a reply says."""

from __future__ import annotations

from bot.core import ChatCore
from bot.platform import Caller, Reply, TextReply
from storage.repositories import SubscriptionRepository

MEMBER = Caller("slack", "C1", "U1")
ADMIN = Caller("slack", "C1", "UADMIN")  # listed in BOT_ADMINS by the `core` fixture


def lines(reply: Reply) -> tuple[str, ...]:
    assert isinstance(reply, TextReply), reply
    return reply.lines


def error(reply: Reply) -> str:
    """The one line of an error reply."""
    assert isinstance(reply, TextReply) and reply.is_error, reply
    assert len(reply.lines) == 1
    return reply.lines[0]


def ok(reply: Reply) -> str:
    assert isinstance(reply, TextReply) and not reply.is_error, reply
    return "\n".join(reply.lines)


async def keywords_of(core: ChatCore, chat_id: str, user_id: str | None) -> list[str]:
    """The Slack keywords stored for a chat (`user_id` None) or for one user of it."""
    async with core.db.session() as session:
        found = await SubscriptionRepository(session).list_for("slack", chat_id, user_id)
    return [s.keyword for s in found]
