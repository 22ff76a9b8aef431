"""Posting to Telegram: a day's thread, a command's answer, a user's private digest.

A day is a parent message with one reply per paper; in a forum supergroup where the bot may
manage topics, the day gets its own topic and everything goes into it. Telegram allows about one
message a second per chat, 20 a minute per group and 30 a second in all: `ChannelPacer` spaces
the posts in each chat, PTB's `AIORateLimiter` keeps the group and overall limits and waits out
any 429 (`RetryAfter`) before trying again.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence

from telegram import Bot, InlineKeyboardMarkup, LinkPreviewOptions, ReplyParameters
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, TelegramError

from bot.pacing import ChannelPacer
from bot.platform import Mention, PaperReply, Reply, ThreadHead, day_key
from bot.telegram.client import (
    MESSAGES_PER_SECOND_OVERALL,
    DeadlineRequest,
    make_bot,
    make_rate_limiter,
)
from bot.telegram.links import message_links
from bot.telegram.parent import render_parent
from bot.telegram.render import render_paper, render_reply
from bot.telegram.settings import TelegramConfigError, TelegramSettings
from bot.telegram.votes import vote_keyboard
from bot.telegram.weekly import render_week, render_week_note
from bot.weekly_card import empty_note, posted_replies, week_card
from domain import messages as catalogue
from pipeline.archive.weekly import WeekDigest
from pipeline.report import DailyReport, PaperEntry
from storage.redaction import NO_SECRETS, Redactor

log = logging.getLogger(__name__)

NO_PREVIEWS = LinkPreviewOptions(is_disabled=True)
Markup = InlineKeyboardMarkup | None  # a paper's first message carries its vote buttons

__all__ = [
    "MESSAGES_PER_SECOND_OVERALL",
    "BotNotStarted",
    "DeadlineRequest",
    "TelegramConfigError",
    "TelegramPoster",
    "make_bot",
    "make_rate_limiter",
]


class BotNotStarted(TelegramError):
    """Telegram refuses to let a bot write first to a user who never opened a chat with it."""

    def __init__(self, user_id: str, bot_username: str | None) -> None:
        bot = f"@{bot_username}" if bot_username else "the bot"
        super().__init__(
            f"user {user_id} has not started the bot: they must open a private chat with "
            f"{bot} and press Start"
        )
        self.user_id = user_id


def topic_name(report: DailyReport) -> str:
    return f"{catalogue.text('label.title', report.language)} {report.report_date.isoformat()}"


class TelegramPoster:
    """`ThreadPoster` for Telegram: `chat_id` is a chat id; a user's id is their private chat.

    Bots cannot read a chat's history, so it is no `PostFinder`: a message whose
    acknowledgement was lost is posted again rather than risk skipping it.
    """

    platform = "telegram"

    def __init__(
        self, bot: Bot, *, messages_per_second: float = 1.0, redact: Redactor = NO_SECRETS
    ) -> None:
        self._bot = bot
        self._redact = redact  # a server's error quoted in a message may name a secret
        self._pacer = ChannelPacer(messages_per_second)
        self._forums: dict[str, bool] = {}
        self._names: dict[tuple[str, str], str] = {}
        # Each chat's latest parent message and its text, so an edit that would change
        # nothing is not sent (Telegram refuses it).
        self._parents: dict[str, tuple[str, str]] = {}

    @classmethod
    def from_settings(cls, bot: Bot, settings: TelegramSettings) -> TelegramPoster:
        return cls(bot, messages_per_second=settings.messages_per_second, redact=settings.redactor)

    async def post_parent(self, chat_id: str, report: DailyReport) -> ThreadHead:
        topic = await self._new_topic(chat_id, report)
        text = render_parent(report)
        message_id = await self.send(chat_id, text, topic=topic)
        self._parents[chat_id] = (str(message_id), text)
        return ThreadHead(
            message_id=str(message_id),
            topic_id=str(topic) if topic is not None else None,
            language=report.language,
        )

    async def post_paper(
        self, chat_id: str, head: ThreadHead, entry: PaperEntry, mentions: Sequence[Mention]
    ) -> str:
        """Every message of the paper replies to the parent; the first one's id identifies it."""
        names = await self._names_of(chat_id, mentions)
        messages = render_paper(entry, mentions, head.language, names=names)
        topic = int(head.topic_id) if head.topic_id else None
        first = ""
        for text in messages:
            message_id = await self.send(
                chat_id,
                text,
                reply_to=int(head.message_id),
                topic=topic,
                strict=True,
                markup=None if first else vote_keyboard(entry.paper.arxiv_id),
            )
            first = first or str(message_id)
        return first

    async def update_paper(
        self,
        chat_id: str,
        head: ThreadHead,
        message_id: str,
        entry: PaperEntry,
        mentions: Sequence[Mention],
    ) -> bool:
        """`editMessageText` of the paper's first message; further parts reply to it. A refusal
        (message gone, too old, not modified) is logged, never reposted."""
        names = await self._names_of(chat_id, mentions)
        first, *rest = render_paper(entry, mentions, head.language, names=names)
        paper = entry.paper.arxiv_id
        keyboard = vote_keyboard(paper)  # an edit without it would take the buttons off
        if not await self._edit(chat_id, message_id, first, what=paper, markup=keyboard):
            return False
        topic = int(head.topic_id) if head.topic_id else None
        for text in rest:
            await self.send(chat_id, text, reply_to=int(message_id), topic=topic)
        return True

    async def update_parent(
        self,
        chat_id: str,
        head: ThreadHead,
        report: DailyReport,
        replies: Mapping[str, str] | None = None,
    ) -> bool:
        """`editMessageText` of the day's parent message, as `update_paper`; each paper's title
        links to its reply where the chat has message links (a supergroup), else to arXiv."""
        links = message_links(chat_id, head.topic_id, replies or {})
        text = render_parent(report, links)
        if self._parents.get(chat_id) == (head.message_id, text):
            return True  # it shows this already (no links to add here): no edit to refuse
        if not await self._edit(chat_id, head.message_id, text, what=day_key(report)):
            return False
        self._parents[chat_id] = (head.message_id, text)
        return True

    async def post_weekly(self, chat_id: str, digest: WeekDigest, language: str) -> str:
        """The chat's message for the week, in the chat itself (not in a day's topic); each
        title links to its reply where the chat has message links, else to arXiv."""
        if digest.empty:
            note = render_week_note(empty_note(digest.week, language))
            return str(await self.send(chat_id, note))
        topics: dict[str | None, dict[str, str]] = {}
        for arxiv_id, posted in posted_replies(digest).items():
            topics.setdefault(posted.topic_id, {})[arxiv_id] = posted.message_id or ""
        links: dict[str, str] = {}
        for topic, replies in topics.items():
            links |= message_links(chat_id, topic, replies)
        return str(await self.send(chat_id, render_week(week_card(digest, language, links))))

    async def _edit(
        self, chat_id: str, message_id: str, text: str, *, what: str, markup: Markup = None
    ) -> bool:
        """One paced `editMessageText`; False when Telegram refuses it."""
        await self._pacer.wait_turn(chat_id)
        try:
            await self._bot.edit_message_text(
                self._redact(text),
                chat_id=chat_id,
                message_id=int(message_id),
                parse_mode=ParseMode.HTML,
                link_preview_options=NO_PREVIEWS,
                reply_markup=markup,
            )
        except BadRequest as exc:
            log.warning(
                "Telegram refused to edit %s's message %s in %s (%s): left as it was",
                what,
                message_id,
                chat_id,
                exc.message,
            )
            return False
        return True

    async def post_reply(
        self,
        chat_id: str,
        reply: Reply,
        *,
        reply_to: int | None = None,
        topic: int | None = None,
    ) -> str:
        """A command's answer, replying to `reply_to` (the command) in its topic, if any; a
        paper's first message carries the vote buttons."""
        first = ""
        for text in render_reply(reply):
            keyboard = None
            if not first and isinstance(reply, PaperReply):
                keyboard = vote_keyboard(reply.entry.paper.arxiv_id)
            message_id = await self.send(
                chat_id, text, reply_to=reply_to, topic=topic, markup=keyboard
            )
            first = first or str(message_id)
        return first

    async def send(
        self,
        chat_id: str,
        text: str,
        *,
        reply_to: int | None = None,
        topic: int | None = None,
        strict: bool = False,
        markup: Markup = None,
    ) -> int:
        """One `sendMessage` in HTML, paced, without link previews; returns the message id.

        `strict`: fail if the replied-to message is gone (a thread must stay one thread); a
        command's answer goes out anyway.
        """
        await self._pacer.wait_turn(chat_id)
        reply = (
            ReplyParameters(message_id=reply_to, allow_sending_without_reply=not strict)
            if reply_to is not None
            else None
        )
        try:
            message = await self._bot.send_message(
                chat_id=chat_id,
                text=self._redact(text),
                parse_mode=ParseMode.HTML,
                link_preview_options=NO_PREVIEWS,
                reply_parameters=reply,
                message_thread_id=topic,
                reply_markup=markup,
            )
        except Forbidden as exc:
            if _is_user(chat_id) and "initiate" in exc.message:
                raise BotNotStarted(chat_id, self._username()) from exc
            raise
        except (KeyError, TypeError, ValueError) as exc:  # a result that is not a Message
            raise TelegramError(
                f"Telegram's sendMessage answer is not a message ({type(exc).__name__}: {exc})"
            ) from exc
        return message.message_id

    async def _new_topic(self, chat_id: str, report: DailyReport) -> int | None:
        """The day's own topic in a forum where the bot may create one; None elsewhere."""
        if not await self._is_forum(chat_id):
            return None
        try:
            topic = await self._bot.create_forum_topic(chat_id, topic_name(report))
        except BadRequest as exc:  # no "Manage topics" right, or no longer a forum
            log.warning("no topic in Telegram chat %s (%s): posting in the chat", chat_id, exc)
            return None
        return topic.message_thread_id

    async def _is_forum(self, chat_id: str) -> bool:
        if _is_user(chat_id):
            return False
        known = self._forums.get(chat_id)
        if known is None:
            chat = await self._bot.get_chat(chat_id)
            known = self._forums[chat_id] = bool(chat.is_forum)
        return known

    async def _names_of(self, chat_id: str, mentions: Sequence[Mention]) -> Mapping[str, str]:
        """Members' names for their mentions (looked up once); an id whose lookup fails shows
        as it is."""
        names = {}
        for mention in mentions:
            key = (chat_id, mention.user_id)
            if key not in self._names:
                try:
                    member = await self._bot.get_chat_member(chat_id, int(mention.user_id))
                    self._names[key] = member.user.full_name
                except (TelegramError, ValueError):
                    log.warning("no name for Telegram user %s in %s", mention.user_id, chat_id)
                    continue
            names[mention.user_id] = self._names[key]
        return names

    def _username(self) -> str | None:
        try:
            return self._bot.username
        except RuntimeError:  # not initialized: getMe never ran
            return None


def _is_user(chat_id: str) -> bool:
    """Private chats have the user's own (positive) id; groups and channels are negative."""
    return chat_id.isdigit()
