"""The answer to a 👍/👎 tap: record the person's vote on the paper in that chat, and say so to
them alone (the adapters show it ephemerally or as a toast, never in the channel). A 👍/👎
emoji reaction on a paper's message counts the same, silently."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from bot.platform import Caller, PaperReply, ReactionEvent, Reply, VoteEvent
from bot.replies import refusal, said
from domain.errors import InvalidArxivId
from domain.messages import ENGLISH, text
from domain.models import TasteOwner
from pipeline.ids import parse_arxiv_id
from storage.answers import AnswerRepository
from storage.deliveries import DeliveryRepository
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
        await retrain(core, caller)
        key = "chat.vote.up" if event.value == UP else "chat.vote.down"
        return said(text(key, language, paper=paper))
    except Exception:
        log.exception("vote from %s:%s on %r failed", caller.platform, caller.user_id, event)
        return refusal(language, "chat.failed")


async def record_reaction(core: ChatCore, event: ReactionEvent) -> None:
    """Adding 👍/👎 on a paper's message votes as the button does; removing it takes the vote
    back only while it is still the one that reaction gave (a later 👎, by button or reaction,
    stays). Any other emoji or message, one the ledger does not know as a paper's (a command's
    answer, a message from before the ledger), is ignored: reactions are not commands, so
    nothing is answered and nothing fails aloud."""
    caller = event.caller
    if event.value not in (UP, DOWN):
        return
    # The ledger keeps a DM digest under the person's id; Slack names the DM's own channel.
    chats = (caller.chat_id, caller.user_id) if caller.is_private else (caller.chat_id,)
    try:
        async with core.db.session() as session:
            paper = await DeliveryRepository(session).paper_at(
                caller.platform, chats, event.message_id
            ) or await AnswerRepository(session).paper_at(caller.platform, chats, event.message_id)
            if paper is None:
                log.debug("reaction on %s:%s, not a paper's message", caller.platform, chats)
                return
            votes = VoteRepository(session)
            where = (caller.platform, caller.chat_id, caller.user_id, paper, event.value)
            if event.removed:
                await votes.remove(*where)
            else:
                await votes.record(*where)
    except Exception:
        log.exception("reaction from %s:%s on %r failed", caller.platform, caller.user_id, event)
        return
    await retrain(core, caller)


async def remember_answer(core: ChatCore, caller: Caller, message_id: str, reply: Reply) -> None:
    """Which paper a posted answer (a `summarize`) shows, so a 👍/👎 reaction on it votes for
    that paper as on its message in a daily thread. A failure is logged: the answer is out."""
    if not isinstance(reply, PaperReply) or not message_id:
        return
    try:
        async with core.db.session() as session:
            await AnswerRepository(session).record(
                caller.platform, caller.chat_id, message_id, reply.entry.paper.arxiv_id
            )
    except Exception:
        log.exception("could not remember the paper of answer %s", message_id)


async def retrain(core: ChatCore, caller: Caller) -> None:
    """The models a vote changes, rebuilt now rather than at the next ranking: the chat's (its
    members' votes) and the voter's own (their votes in every chat). Only theirs. A failure
    here is logged: the vote is stored and its answer stands."""
    relevance = core.digest.relevance
    if relevance is None:
        return
    try:
        await relevance.retrain(
            TasteOwner.chat(caller.platform, caller.chat_id),
            TasteOwner.person(caller.platform, caller.user_id),
        )
    except Exception:
        log.exception("retraining after a vote from %s:%s failed", caller.platform, caller.user_id)
