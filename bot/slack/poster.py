"""Posting to Slack: a day's thread, a command's answer, a user's direct message.

Slack allows about one message a second per channel; `ChannelPacer` (bot/pacing.py) spaces the
posts out, and the client's retry handlers wait out any 429 that still comes back.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator, Mapping, Sequence

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncSlackResponse, AsyncWebClient

from bot.pacing import ChannelPacer
from bot.platform import Mention, PlatformError, Reply, ThreadHead, day_key, paper_key
from bot.slack.parent import render_parent
from bot.slack.permalinks import reply_permalinks
from bot.slack.render import SlackMessage, render_paper, render_reply
from bot.slack.settings import SlackSettings
from bot.slack.weekly import render_week, render_week_note
from bot.weekly_card import empty_note, posted_replies, week_card, week_key
from pipeline.archive.weekly import WeekDigest
from pipeline.report import DailyReport, PaperEntry
from storage.redaction import NO_SECRETS, Redactor

log = logging.getLogger(__name__)

# Member ids: "U…" (and "W…" on Enterprise Grid); channels are "C…", "G…", DMs "D…".
_USER_ID_PREFIXES = ("U", "W")
# Message metadata tags each day's parent and each paper, so a restart can find a message
# that went out just before a crash (reading it back needs the *:history scopes).
METADATA_EVENT = "arxiv_digest_post"
_LOOK_BACK = 200  # messages of a channel (or of a thread) searched for a tag


class SlackUnavailable(PlatformError):
    """Slack could not be reached, did not answer in time, or answered something unreadable."""


# What chat.update answers when this message cannot be edited any more; anything else (an
# outage, a revoked token) fails the chat's run and the next run tries the edit again.
_EDIT_REFUSALS = frozenset(
    {"message_not_found", "cant_update_message", "edit_window_closed", "msg_too_long"}
)


class SlackPoster:
    """`ThreadPoster` and `PostFinder` for Slack: `chat_id` is a channel id, or a user id for a
    direct message."""

    platform = "slack"

    def __init__(
        self,
        client: AsyncWebClient,
        *,
        messages_per_second: float = 1.0,
        redact: Redactor = NO_SECRETS,
    ) -> None:
        self._client = client
        self._redact = redact  # a server's error quoted in a message may name a secret
        self._pacer = ChannelPacer(messages_per_second)
        self._dm_channels: dict[str, str] = {}

    @classmethod
    def from_settings(cls, client: AsyncWebClient, settings: SlackSettings) -> SlackPoster:
        return cls(
            client, messages_per_second=settings.messages_per_second, redact=settings.redactor
        )

    async def post_parent(self, chat_id: str, report: DailyReport) -> ThreadHead:
        channel = await self._channel_for(chat_id)
        ts = await self.post(channel, render_parent(report), key=day_key(report))
        return ThreadHead(message_id=ts, language=report.language)

    async def post_paper(
        self, chat_id: str, head: ThreadHead, entry: PaperEntry, mentions: Sequence[Mention]
    ) -> str:
        """Every part of the paper goes into the thread; the first part's ts identifies it."""
        channel = await self._channel_for(chat_id)
        first, *rest = render_paper(entry, mentions, language=head.language)
        ts = await self.post(channel, first, thread_ts=head.message_id, key=paper_key(entry))
        if rest:
            await self._post_all(channel, rest, thread_ts=head.message_id)
        return ts

    async def update_paper(
        self,
        chat_id: str,
        head: ThreadHead,
        message_id: str,
        entry: PaperEntry,
        mentions: Sequence[Mention],
    ) -> bool:
        """`chat.update` of the paper's first message; further parts become new replies in the
        day's thread. A refusal (message gone, edit not allowed) is logged, never reposted; an
        outage raises, as posting does."""
        channel = await self._channel_for(chat_id)
        first, *rest = render_paper(entry, mentions, language=head.language)
        if not await self._edit(channel, message_id, first, key=paper_key(entry)):
            return False
        if rest:
            await self._post_all(channel, rest, thread_ts=head.message_id)
        return True

    async def update_parent(
        self,
        chat_id: str,
        head: ThreadHead,
        report: DailyReport,
        replies: Mapping[str, str] | None = None,
    ) -> bool:
        """`chat.update` of the day's parent message, as `update_paper`; each paper's title
        links to its reply's permalink."""
        channel = await self._channel_for(chat_id)
        links = await self._reply_links(channel, head.message_id, replies or {})
        message = render_parent(report, links)
        return await self._edit(channel, head.message_id, message, key=day_key(report))

    async def post_weekly(self, chat_id: str, digest: WeekDigest, language: str) -> str:
        """The chat's message for the week, tagged with its `week_key`; each title links to its
        reply in the day's thread (one `chat.getPermalink` per day's parent)."""
        channel = await self._channel_for(chat_id)
        if digest.empty:
            message = render_week_note(empty_note(digest.week, language))
        else:
            threads: dict[str, dict[str, str]] = {}
            for arxiv_id, posted in posted_replies(digest).items():
                if posted.parent_message_id and posted.message_id:
                    threads.setdefault(posted.parent_message_id, {})[arxiv_id] = posted.message_id
            links: dict[str, str] = {}
            for parent_ts, replies in threads.items():
                links |= await self._reply_links(channel, parent_ts, replies)
            message = render_week(week_card(digest, language, links))
        return await self.post(channel, message, key=week_key(digest.week))

    async def _reply_links(
        self, channel: str, parent_ts: str, replies: Mapping[str, str]
    ) -> dict[str, str]:
        """The replies' permalinks, from one `chat.getPermalink` of the parent; none (the
        titles link to arXiv) when Slack refuses it."""
        if not replies:
            return {}
        try:
            with _unavailable("chat.getPermalink"):
                response = await self._client.chat_getPermalink(
                    channel=channel, message_ts=parent_ts
                )
        except SlackApiError as exc:
            log.warning(
                "no permalink for %s in %s (%s): linking to arXiv",
                parent_ts,
                channel,
                exc.response.get("error"),
            )
            return {}
        permalink = response.get("permalink")
        if not isinstance(permalink, str):
            return {}
        return reply_permalinks(permalink, channel, parent_ts, replies)

    async def _edit(self, channel: str, ts: str, message: SlackMessage, *, key: str) -> bool:
        """One paced `chat.update`, keeping the message's tag; False when Slack refuses it."""
        await self._pacer.wait_turn(channel)
        try:
            with _unavailable("chat.update"):
                await self._client.chat_update(
                    channel=channel,
                    ts=ts,
                    text=self._redact(message.text),
                    blocks=self._redact.deep(message.blocks),
                    metadata={"event_type": METADATA_EVENT, "event_payload": {"key": key}},
                )
        except SlackApiError as exc:
            data = exc.response.data
            error = data.get("error") if isinstance(data, dict) else None
            if error not in _EDIT_REFUSALS:  # down (no JSON at all), or not about the message
                raise
            log.warning(
                "Slack refused to update %s (%s) in %s (%s): left as it was",
                key,
                ts,
                channel,
                error,
            )
            return False
        return True

    async def find_posted(self, chat_id: str, head: ThreadHead | None, key: str) -> str | None:
        """Looks back through the channel (or the thread) for our message tagged `key`.

        Without the history scopes Slack refuses (`missing_scope`): we cannot tell, and the
        caller posts again rather than risk skipping the message.
        """
        channel = await self._channel_for(chat_id)
        try:
            with _unavailable("conversations.replies" if head else "conversations.history"):
                response = await self._look_back(channel, head)
        except SlackApiError as exc:
            log.warning(
                "cannot look back in %s (%s): posting again", channel, exc.response.get("error")
            )
            return None
        for message in response.get("messages") or []:
            metadata = message.get("metadata") or {}
            payload = metadata.get("event_payload") or {}
            if metadata.get("event_type") == METADATA_EVENT and payload.get("key") == key:
                return str(message["ts"])
        return None

    async def _look_back(self, channel: str, head: ThreadHead | None) -> AsyncSlackResponse:
        if head is None:
            return await self._client.conversations_history(
                channel=channel, limit=_LOOK_BACK, include_all_metadata=True
            )
        return await self._client.conversations_replies(
            channel=channel, ts=head.message_id, limit=_LOOK_BACK, include_all_metadata=True
        )

    async def post_reply(self, chat_id: str, reply: Reply) -> str:
        """The first message goes to the channel itself, any further ones into its thread.

        A report or a long analysis then takes one line of the channel, like the daily thread.
        """
        channel = await self._channel_for(chat_id)
        first, *rest = render_reply(reply)
        ts = await self.post(channel, first)
        if rest:
            await self._post_all(channel, rest, thread_ts=ts)
        return ts

    async def post(
        self,
        channel: str,
        message: SlackMessage,
        *,
        thread_ts: str | None = None,
        key: str | None = None,
    ) -> str:
        """One `chat.postMessage`, paced, tagged with `key` if given; returns the message's ts."""
        await self._pacer.wait_turn(channel)
        metadata = {"event_type": METADATA_EVENT, "event_payload": {"key": key}} if key else None
        with _unavailable("chat.postMessage"):
            response = await self._client.chat_postMessage(
                channel=channel,
                text=self._redact(message.text),  # the notification; shown without blocks
                blocks=self._redact.deep(message.blocks),
                thread_ts=thread_ts,  # None: in the channel itself
                unfurl_links=False,
                unfurl_media=False,
                metadata=metadata,
            )
        ts = response.get("ts")
        if not isinstance(ts, str) or not ts:
            raise SlackUnavailable(
                f"Slack's chat.postMessage answer carries no message ts (status "
                f"{response.status_code}): {str(response.data)[:120]}"
            )
        return ts

    async def _post_all(
        self, channel: str, messages: Sequence[SlackMessage], *, thread_ts: str
    ) -> str:
        first_ts = ""
        for message in messages:
            ts = await self.post(channel, message, thread_ts=thread_ts)
            first_ts = first_ts or ts
        return first_ts

    async def _channel_for(self, chat_id: str) -> str:
        """A user id becomes the id of the bot's DM with that user (opened once, then cached).

        Replies in a DM thread need the DM's own channel id, not the user id.
        """
        if not chat_id.startswith(_USER_ID_PREFIXES):
            return chat_id
        channel = self._dm_channels.get(chat_id)
        if channel is None:
            with _unavailable("conversations.open"):
                response = await self._client.conversations_open(users=chat_id)
            channel = str(response["channel"]["id"])
            self._dm_channels[chat_id] = channel
        return channel


@contextlib.contextmanager
def _unavailable(method: str) -> Iterator[None]:
    """Network faults and timeouts become one error that says it was Slack, and which call."""
    try:
        yield
    except TimeoutError as exc:
        raise SlackUnavailable(f"Slack did not answer {method} in time") from exc
    except aiohttp.ClientError as exc:
        raise SlackUnavailable(f"Slack could not be reached ({_describe(exc)})") from exc


def _describe(exc: Exception) -> str:
    detail = " ".join(str(exc).split())
    return f"{type(exc).__name__}: {detail}" if detail else type(exc).__name__
