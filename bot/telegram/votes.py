"""The 👍/👎 inline keyboard of a paper's first Telegram message, and the taps that come back.

Each button's `callback_data` is the neutral `VoteButton.data` ("vote:up:2602.00780", well within
Telegram's 64 bytes), so a tap names its paper by itself: a button from before a restart still
works. A tap arrives as a `callback_query`, answered with a toast only the person sees; nothing
is posted in the chat. Buttons work alike in groups, forum topics and private chats.

A 👍/👎 emoji reaction on a paper's message counts the same: a `message_reaction` update, which
Telegram sends only when asked for it and, in a group, only to a bot that is an administrator.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    ReactionType,
    ReactionTypeEmoji,
    Update,
)
from telegram.constants import CallbackQueryLimit, ChatType
from telegram.ext import ContextTypes

from bot.core import ChatCore
from bot.platform import Caller, ReactionEvent, Reply, TextReply, vote_buttons, vote_from

log = logging.getLogger(__name__)

_REACTION_VOTES = {"👍": 1, "👎": -1}


def vote_keyboard(arxiv_id: str) -> InlineKeyboardMarkup:
    """One row: 👍 then 👎."""
    row = [InlineKeyboardButton(b.label, callback_data=b.data) for b in vote_buttons(arxiv_id)]
    return InlineKeyboardMarkup([row])


async def on_vote(core: ChatCore, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Record the tap through the core and answer the query with its one line as a toast.
    Any callback comes here, so data that is not a vote gets the core's one-line refusal."""
    query = update.callback_query
    if query is None:
        return
    message = query.message
    chat = message.chat if message is not None else None
    caller = Caller(
        platform="telegram",
        # A message the bot can no longer see still names its chat; an inline message has none.
        chat_id=str(chat.id if chat is not None else query.from_user.id),
        user_id=str(query.from_user.id),
        is_private=chat is None or chat.type == ChatType.PRIVATE,
    )
    try:
        toast = _toast(await core.on_event(vote_from(caller, query.data or "")))
    except Exception:
        log.exception("vote from Telegram user %s failed", caller.user_id)
        toast = await core.failure(caller)
    try:
        await query.answer(text=toast)
    except Exception:
        log.exception("could not answer Telegram user %s's vote", caller.user_id)


def _toast(reply: Reply) -> str:
    """A vote's answer is one line of text; a toast holds at most 200 characters."""
    lines = reply.lines if isinstance(reply, TextReply) else ()
    shown = " ".join(lines)
    if isinstance(reply, TextReply) and reply.is_error:
        shown = f"⚠️ {shown}"
    return shown[: CallbackQueryLimit.ANSWER_CALLBACK_QUERY_TEXT_LENGTH]


async def on_reaction(core: ChatCore, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A person's reactions on a message changed: a 👍/👎 that appears votes, one that goes
    takes its vote back (through the core, which ignores messages that are not a paper's).
    An anonymous admin reacts as the chat and names nobody: ignored."""
    changed = update.message_reaction
    if changed is None or changed.user is None:
        return
    chat = changed.chat
    caller = Caller(
        platform="telegram",
        chat_id=str(chat.id),
        user_id=str(changed.user.id),
        is_private=chat.type == ChatType.PRIVATE,
    )
    before, after = _vote_in(changed.old_reaction), _vote_in(changed.new_reaction)
    message_id = str(changed.message_id)
    try:
        if after is not None and after != before:
            await core.on_event(ReactionEvent(caller, message_id, after))
        elif after is None and before is not None:
            await core.on_event(ReactionEvent(caller, message_id, before, removed=True))
        else:  # no vote came or went: the core ignores it as it does any other emoji
            await core.on_event(ReactionEvent(caller, message_id, None))
    except Exception:
        log.exception("reaction from Telegram user %s failed", caller.user_id)


def _vote_in(reactions: Sequence[ReactionType]) -> int | None:
    """The vote a person's reactions on a message stand for: their last 👍 or 👎, if any."""
    votes = [
        _REACTION_VOTES[r.emoji]
        for r in reactions
        if isinstance(r, ReactionTypeEmoji) and r.emoji in _REACTION_VOTES
    ]
    return votes[-1] if votes else None
