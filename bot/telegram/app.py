"""Bot commands: `/summarize 2602.00780` (or `/summarize@BotName …` in a group) becomes a call to
the chat core, whose reply is posted in the same chat (and topic) as an answer to the command.
A tap on a paper's 👍/👎 button is a callback query, a 👍/👎 reaction a message_reaction update
(`bot.telegram.votes`).

Telegram says who administers a chat, so `is_admin` comes from the caller's member status there;
the core also accepts anyone in BOT_ADMINS.
"""

from __future__ import annotations

import logging
from functools import partial

from telegram import BotCommand, Chat, Message, Update, User
from telegram.constants import ChatMemberStatus, ChatType
from telegram.error import Forbidden
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    MessageReactionHandler,
    filters,
)

from bot.commands import DigestDm, parse_command
from bot.core import ChatCore
from bot.platform import Caller, CommandEvent, FileReply, Reply, TextReply
from bot.telegram.files import send_privately
from bot.telegram.poster import BotNotStarted, DeadlineRequest, TelegramPoster, make_rate_limiter
from bot.telegram.questions import on_reply, typing
from bot.telegram.settings import TelegramSettings
from bot.telegram.votes import on_reaction, on_vote
from domain.errors import DigestError
from domain.messages import ENGLISH, LANGUAGES, text

log = logging.getLogger(__name__)

# What Telegram lists in its command menu; `/start` (the Start button) shows the help as well.
COMMAND_NAMES = (
    "summarize",
    "ask",
    "search",
    "saved",
    "export",
    "keywords",
    "report",
    "digest",
    "why",
    "interests",
    "help",
)
ALIASES = {"start": "help", "help": "help"}
# Only these may change a chat's settings, so only for these is the member status looked up.
ADMIN_COMMANDS = frozenset({"keywords", "digest"})

LONG_POLL_SECONDS = 10  # getUpdates' timeout when polling (PTB's default, passed explicitly)


def build_telegram_app(core: ChatCore, settings: TelegramSettings) -> Application:
    """The PTB application, its bot rate-limited; `run_telegram` starts and stops it."""
    app = (
        ApplicationBuilder()
        .token(settings.bot_token)
        .base_url(settings.api_url)
        .job_queue(None)
        .rate_limiter(make_rate_limiter(settings))
        .concurrent_updates(True)  # a slow /summarize does not hold up the others
        # Every call bounded as a whole (an answer that trickles in never ends otherwise);
        # many at once, as answers to commands go out concurrently.
        .request(DeadlineRequest(settings.timeout_seconds, connection_pool_size=64))
        # A long poll is held open by Telegram for up to LONG_POLL_SECONDS by design.
        .get_updates_request(DeadlineRequest(settings.timeout_seconds + LONG_POLL_SECONDS))
        .build()
    )
    poster = TelegramPoster.from_settings(app.bot, settings)
    for command in [*COMMAND_NAMES, "start"]:
        app.add_handler(
            CommandHandler(
                command,
                partial(answer, core, poster, ALIASES.get(command, command)),
                filters=filters.UpdateType.MESSAGE,  # an edited command does not run again
            )
        )
    app.add_handler(CallbackQueryHandler(partial(on_vote, core)))  # the 👍/👎 buttons
    app.add_handler(MessageReactionHandler(partial(on_reaction, core)))  # 👍/👎 reactions
    # A text reply to the bot's message is a question about its paper (not an edit of one).
    questions = filters.REPLY & filters.TEXT & ~filters.COMMAND & filters.UpdateType.MESSAGE
    app.add_handler(MessageHandler(questions, partial(on_reply, core, poster)))
    app.add_error_handler(_log_error)
    return app


def menu(language: str) -> tuple[BotCommand, ...]:
    """The command menu's entries, described in `language`."""
    return tuple(BotCommand(name, text(f"chat.menu.{name}", language)) for name in COMMAND_NAMES)


async def register_commands(app: Application) -> None:
    """The command menu Telegram shows when one types "/": English for everyone, and in each
    other language of the catalogue for users whose Telegram is set to it."""
    await app.bot.set_my_commands(menu(ENGLISH))
    for language in LANGUAGES:
        if language != ENGLISH:
            await app.bot.set_my_commands(menu(language), language_code=language)


async def answer(
    core: ChatCore,
    poster: TelegramPoster,
    command: str,
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
) -> None:
    message, chat, user = update.effective_message, update.effective_chat, update.effective_user
    if message is None or chat is None or user is None:
        return
    typed = f"{command} {_arguments(message)}".strip()
    log.info("Telegram /%s in chat %s from user %s", command, chat.id, user.id)
    is_private = chat.type == ChatType.PRIVATE
    topic = message.message_thread_id if message.is_topic_message else None

    async def reply_with(reply: Reply) -> str:
        return await poster.post_reply(
            str(chat.id), reply, reply_to=message.message_id, topic=topic
        )

    caller: Caller | None = None
    try:
        caller = Caller(
            platform="telegram",
            chat_id=str(chat.id),
            user_id=str(user.id),
            is_admin=is_private
            or (command in ADMIN_COMMANDS and await _is_admin(chat, user, message)),
            is_private=is_private,
        )
        if not is_private and _turns_dm_on(typed):
            language = await core.language_of(caller)
            if not await _can_write_to(poster, user, language):
                started = text("chat.telegram.start_first", language, bot=context.bot.username)
                await reply_with(TextReply((started,), is_error=True))
                return
        # A user's mistake comes back as a reply, never as an exception.
        if command == "ask":  # reading a paper and asking the model take a while
            async with typing(context.bot, chat.id, topic):
                reply = await core.on_event(CommandEvent(caller, typed))
        else:
            reply = await core.on_event(CommandEvent(caller, typed))
        if isinstance(reply, FileReply):  # to the asker's private chat; a line here
            reply = await send_privately(context.bot, user.id, reply)
        await core.posted(caller, await reply_with(reply), reply)
    except Exception:
        log.exception("answering %r in Telegram chat %s failed", typed, chat.id)
        try:
            await reply_with(TextReply((await core.failure(caller),), is_error=True))
        except Exception:
            log.exception("could not even say so")


def _arguments(message: Message) -> str:
    """What follows "/command" or "/command@BotName", as typed (commas, line breaks and all)."""
    written = message.text or ""
    entity = next((e for e in message.entities if e.type == "bot_command" and e.offset == 0), None)
    if entity is None:
        return written.partition(" ")[2].strip()
    # Entity offsets count UTF-16 units; a command is ASCII, so they equal string indices here.
    return written[entity.length :].strip()


async def _is_admin(chat: Chat, user: User, message: Message) -> bool:
    """An administrator or the owner of the chat; an anonymous admin writes as the chat itself."""
    if message.sender_chat is not None and message.sender_chat.id == chat.id:
        return True
    member = await chat.get_member(user.id)
    return member.status in (ChatMemberStatus.ADMINISTRATOR, ChatMemberStatus.OWNER)


def _turns_dm_on(typed: str) -> bool:
    try:
        command = parse_command(typed)
    except DigestError:
        return False
    return isinstance(command, DigestDm) and command.on


async def _can_write_to(poster: TelegramPoster, user: User, language: str) -> bool:
    """Telegram lets a bot write to a user only once they have started it: try, briefly."""
    try:
        await poster.send(str(user.id), text("chat.telegram.dm_confirmation", language))
    except (BotNotStarted, Forbidden):
        return False
    return True


async def _log_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    log.error("Telegram update failed", exc_info=context.error)
