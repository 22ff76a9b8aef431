"""`interests`: what a person's votes taught their ranking; `interests reset` forgets the votes;
`interests add <arXiv id> …` seeds them with papers the person knows they want.

Seeded papers are 👍 votes like a tap's, given where the command was typed: a person's taste is
their votes in every chat, so theirs changes at once, and in a group the chat's too.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.commands import InterestsAdd
from bot.platform import Caller, Reply
from bot.replies import listed, said
from bot.vote_answers import retrain
from bot.why_answers import short
from domain.errors import DigestError
from domain.messages import text
from domain.models import TasteOwner
from pipeline.relevance.profile import profile
from storage.votes import UP, VoteRepository

if TYPE_CHECKING:
    from bot.core import ChatCore


async def show_interests(core: ChatCore, caller: Caller, language: str) -> Reply:
    person = TasteOwner.person(caller.platform, caller.user_id)
    found = await profile(core.db, core.digest.relevance, person)
    lines: list[str] = []
    if core.digest.relevance is None:
        lines.append(text("chat.interests.off", language))
    if not found.ups and not found.downs:
        return said(*lines, text("chat.interests.empty", language))
    lines.append(text("chat.interests.votes", language, ups=found.ups, downs=found.downs))
    if core.digest.relevance is not None and not found.papers:
        lines.append(text("chat.interests.nothing_learnt", language))
    if found.papers:
        lines.append(text("chat.interests.papers", language))
        lines += [f"• {short(title)} ({arxiv_id})" for arxiv_id, title in found.papers]
    if found.terms:
        lines.append(text("chat.interests.terms", language, terms=listed(found.terms)))
    return said(*lines)


async def reset_interests(core: ChatCore, caller: Caller, language: str) -> Reply:
    """Every vote the person gave on the platform, in every chat; the models they were in are
    rebuilt on their next use (their votes changed), this chat's and theirs at once."""
    async with core.db.session() as session:
        forgotten = await VoteRepository(session).forget_user(caller.platform, caller.user_id)
    if not forgotten:
        return said(text("chat.interests.reset_none", language))
    await retrain(core, caller)
    return said(text("chat.interests.reset", language, count=forgotten))


async def add_interests(
    core: ChatCore, caller: Caller, command: InterestsAdd, language: str
) -> Reply:
    """Each paper from the store, else arXiv (stored then), and 👍 by the asker here. A bad id
    or an unknown paper is named with its reason; the good ones are kept all the same."""
    added: list[str] = []
    refused: list[str] = []
    for typed in command.papers:
        try:
            paper = await core.digest.paper(typed)
        except DigestError as exc:
            refused.append(text("chat.interests.not_added", language, reason=exc.message(language)))
            continue
        if paper.arxiv_id not in added:
            added.append(paper.arxiv_id)
    if added:
        async with core.db.session() as session:
            votes = VoteRepository(session)
            for arxiv_id in added:
                await votes.record(caller.platform, caller.chat_id, caller.user_id, arxiv_id, UP)
        await retrain(core, caller)
    lines: list[str] = []
    if added:
        key = "chat.interests.added" if caller.is_private else "chat.interests.added_in_chat"
        lines.append(text(key, language, papers=listed(added)))
    return said(*lines, *refused)
