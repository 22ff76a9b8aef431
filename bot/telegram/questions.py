"""Questions about papers on Telegram: a text reply to the bot's own message (a paper in the
day's thread or its topic, a DM digest, a `/summarize` answer, or an earlier answer) is a
question, answered as a reply to it in the same topic; "typing…" shows while it is worked on.

Replies to anyone else's messages are the chat's own conversation and are left alone; so is
a message in a forum topic that replies to nothing (Telegram presents it as a reply to the
topic's first message).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator

from telegram import Bot, Message, Update
from telegram.constants import ChatAction, ChatType
from telegram.ext import ContextTypes

from bot.core import ChatCore
from bot.platform import Caller, QuestionEvent, TextReply
from bot.telegram.poster import TelegramPoster

log = logging.getLogger(__name__)

TYPING_EVERY = 4.0  # seconds: Telegram shows "typing…" for about 5 s after each call


@contextlib.asynccontextmanager
async def typing(
    bot: Bot, chat_id: int | str, topic: int | None, every: float = TYPING_EVERY
) -> AsyncIterator[None]:
    """ "typing…" in the chat (and topic) until the block ends, repeated every `every` seconds;
    a refused call is logged, never in the way of the answer."""

    done = asyncio.Event()

    async def keep_typing() -> None:
        while not done.is_set():
            try:
                await bot.send_chat_action(chat_id, ChatAction.TYPING, message_thread_id=topic)
            except Exception:
                log.warning("Telegram refused to show typing in %s", chat_id, exc_info=True)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(done.wait(), every)

    # Stopped by the event, not cancelled: a call under way ends before the answer goes out,
    # so no "typing…" arrives after it.
    task = asyncio.create_task(keep_typing())
    try:
        yield
    finally:
        done.set()
        await task


def is_question(message: Message, bot_id: int) -> bool:
    """A reply, in text, to one of the bot's own messages (not a topic's first message)."""
    replied = message.reply_to_message
    if replied is None or not message.text or replied.from_user is None:
        return False
    if message.is_topic_message and replied.message_id == message.message_thread_id:
        return False  # a plain message in a topic: Telegram names the topic's start
    return replied.from_user.id == bot_id


async def on_reply(
    core: ChatCore, poster: TelegramPoster, update: Update, context: ContextTypes.DEFAULT_TYPE
) -> None:
    message, chat, user = update.effective_message, update.effective_chat, update.effective_user
    if message is None or chat is None or user is None or message.reply_to_message is None:
        return
    if not is_question(message, context.bot.id):
        return
    topic = message.message_thread_id if message.is_topic_message else None
    caller = Caller(
        platform="telegram",
        chat_id=str(chat.id),
        user_id=str(user.id),
        is_private=chat.type == ChatType.PRIVATE,
    )
    event = QuestionEvent(
        caller,
        message.text or "",
        replied_to=str(message.reply_to_message.message_id),
        request_key=f"{chat.id}:{message.message_id}",
    )
    try:
        async with typing(context.bot, chat.id, topic):
            reply = await core.on_event(event)
            if reply is None:
                return  # delivered twice: answered once already
            posted = await poster.post_reply(
                str(chat.id), reply, reply_to=message.message_id, topic=topic
            )
        await core.posted(caller, posted, reply)
    except Exception:
        log.exception("answering a question in Telegram chat %s failed", chat.id)
        try:
            failed = TextReply((await core.failure(caller),), is_error=True)
            await poster.post_reply(str(chat.id), failed, reply_to=message.message_id, topic=topic)
        except Exception:
            log.exception("could not even say so")
