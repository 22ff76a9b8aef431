"""One chat on either platform, seen the same way, so a behaviour both must have is one test.

A `ChatWorld` holds a real poster (the platform's own client, pointed at its fake), the chat it
posts in, and what that chat's users see: each message with the message whose thread it is in.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass

from slack_sdk.errors import SlackApiError
from telegram.error import NetworkError

from arxiv_digest.settings import Settings
from bot.platform import ThreadPoster
from bot.slack.client import make_client
from bot.slack.poster import SlackPoster
from bot.slack.votes import VOTE_ACTIONS
from bot.telegram.poster import TelegramPoster, make_bot
from tests.fakes.base import Request, Response
from tests.fakes.slack_server import FakeSlack
from tests.fakes.telegram_buttons import callback_data_of
from tests.fakes.telegram_server import FakeTelegram

CHANNEL = "C0DIGEST"  # a Slack channel
GROUP = -100200300  # a Telegram supergroup
PLATFORMS = ["slack", "telegram"]


class FlakySlack(FakeSlack):
    """Slack going down in the middle of a thread: from the `after`-th chat.postMessage on, the
    next `times` of them get a 500 (more than the client retries), then it answers again."""

    def __init__(self) -> None:
        super().__init__()
        self.after: int | None = None
        self.times = 0
        self._post_requests = 0

    def handle(self, request: Request) -> Response:
        if request.path.endswith("/chat.postMessage") and self.after is not None:
            self._post_requests += 1
            if self._post_requests > self.after and self.times > 0:
                self.times -= 1
                return Response(500, b"internal error", {"Content-Type": "text/plain"})
        return super().handle(request)


class FlakyTelegram(FakeTelegram):
    """Telegram going down in the middle of a thread: from the `after`-th sendMessage on, the
    next `times` of them get a 500, then it answers again."""

    def __init__(self) -> None:
        super().__init__()
        self.after: int | None = None
        self.times = 0
        self._sends = 0

    def handle(self, request: Request) -> Response:
        if request.path.endswith("/sendMessage") and self.after is not None:
            self._sends += 1
            if self._sends > self.after and self.times > 0:
                self.times -= 1
                return Response.json(
                    {"ok": False, "error_code": 500, "description": "Internal Server Error"}, 500
                )
        return super().handle(request)


@dataclass(frozen=True, slots=True)
class Shown:
    """A message as the chat's users see it."""

    message_id: str
    text: str
    in_thread_of: str | None  # the parent's id for a reply in a thread; None at the top
    buttons: tuple[str, ...] = ()  # what its buttons send back when tapped, in order


@dataclass
class ChatWorld:
    platform: str
    poster: ThreadPoster
    chat_id: str
    fake: FlakySlack | FlakyTelegram
    shown: Callable[[], list[Shown]]
    post_path: str  # the API method that posts a message
    attempts: int  # how often the platform's client tries a post that fails with a 500
    outage: type[Exception]  # what the poster raises when the platform stays down

    def top(self) -> list[Shown]:
        return [m for m in self.shown() if m.in_thread_of is None]

    def thread(self, parent_id: str) -> list[Shown]:
        return [m for m in self.shown() if m.in_thread_of == parent_id]

    def about(self, title: str) -> list[Shown]:
        return [m for m in self.shown() if title in m.text]

    def post_requests(self) -> int:
        """Every attempt to post a message, refused ones included."""
        return len([r for r in self.fake.requests if r.path.endswith(self.post_path)])

    def rate_limit_posts(self, n: int) -> None:
        """The next `n` posts get a 429 with Retry-After: 1, as each platform words it."""
        if isinstance(self.fake, FakeSlack):
            self.fake.rate_limit_next(n, retry_after=1, method="chat.postMessage")
        else:
            self.fake.rate_limit_next(n, retry_after=1)  # the fake limits only sendMessage

    def fail_after(self, posts: int) -> None:
        """After `posts` posts the platform is down for one post, beyond every retry."""
        self.fake.after, self.fake.times = posts, self.attempts


@asynccontextmanager
async def chat_world(platform: str) -> AsyncIterator[ChatWorld]:
    """A poster through the platform's real client, unpaced (the pacer has its own tests)."""
    if platform == "slack":
        with FlakySlack() as slack:
            settings = Settings(  # type: ignore[call-arg]
                _env_file=None,
                slack_bot_token=slack.token,
                slack_api_url=slack.api_url,
                slack_messages_per_second=0,
            ).slack()
            yield ChatWorld(
                platform,
                SlackPoster.from_settings(make_client(settings), settings),
                CHANNEL,
                slack,
                lambda: [
                    Shown(p.ts, f"{p.text} {p.blocks}", p.thread_ts, _slack_buttons(p.blocks))
                    for p in slack.all_posts
                    if p.channel == CHANNEL
                ],
                "/chat.postMessage",
                3,  # the first try and slack_sdk's two retries of a server error
                SlackApiError,
            )
        return
    with FlakyTelegram() as telegram:
        telegram.add_chat(GROUP, "supergroup")
        settings = Settings(  # type: ignore[call-arg]
            _env_file=None, telegram_bot_token=telegram.token, telegram_api_url=telegram.base_url
        ).telegram()
        async with make_bot(settings) as bot:
            yield ChatWorld(
                platform,
                TelegramPoster(bot, messages_per_second=0),
                str(GROUP),
                telegram,
                lambda: [
                    Shown(
                        str(m.message_id),
                        m.plain,
                        _id_or_none(m.reply_to),
                        tuple(callback_data_of(m.reply_markup)),
                    )
                    for m in telegram.sent(GROUP)
                ],
                "/sendMessage",
                1,  # python-telegram-bot does not retry a server error
                NetworkError,
            )


def _slack_buttons(blocks: list[dict] | None) -> tuple[str, ...]:
    """The vote buttons' values (Slack's Ask button beside them has tests of its own)."""
    return tuple(
        str(element.get("value"))
        for block in blocks or []
        if block.get("type") == "actions"
        for element in block.get("elements", [])
        if element.get("action_id") in VOTE_ACTIONS.values()
    )


def _id_or_none(message_id: int | None) -> str | None:
    return None if message_id is None else str(message_id)
