"""What the Slack and the Telegram poster do alike, each through its real client and fake."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass

import pytest

from arxiv_digest.settings import Settings
from bot.platform import ThreadHead, ThreadPoster
from bot.slack.client import make_client
from bot.slack.poster import SlackPoster
from bot.telegram.poster import TelegramPoster, make_bot
from domain.messages import text
from tests.daydata import paper
from tests.fakes.slack_server import FakeSlack
from tests.fakes.telegram_server import FakeTelegram
from tests.samples import thread_entry, thread_report

CHANNEL = "C0DIGEST"
GROUP = -100200300
PAPERS = [paper(f"2602.0{n:04d}", f"Paper number {n} on VLA models", "On VLA.") for n in (1, 2)]


@dataclass
class Chat:
    """A poster, the chat it posts in, and every message of that chat as its users see it."""

    poster: ThreadPoster
    chat_id: str
    shown: Callable[[], list[str]]


@pytest.fixture(params=["slack", "telegram"])
async def chat(request: pytest.FixtureRequest) -> AsyncIterator[Chat]:
    if request.param == "slack":
        with FakeSlack() as slack:
            settings = Settings(  # type: ignore[call-arg]
                _env_file=None,
                slack_bot_token=slack.token,
                slack_api_url=slack.api_url,
                slack_messages_per_second=0,
            ).slack()
            poster = SlackPoster.from_settings(make_client(settings), settings)
            yield Chat(poster, CHANNEL, lambda: [f"{p.text} {p.blocks}" for p in slack.all_posts])
        return
    with FakeTelegram() as telegram:
        telegram.add_chat(GROUP, "supergroup")
        settings = Settings(  # type: ignore[call-arg]
            _env_file=None, telegram_bot_token=telegram.token, telegram_api_url=telegram.base_url
        ).telegram()
        async with make_bot(settings) as bot:
            poster = TelegramPoster(bot, messages_per_second=0)
            yield Chat(poster, str(GROUP), lambda: [m.plain for m in telegram.sent(GROUP)])


async def test_papers_follow_the_language_of_their_threads_parent(chat: Chat) -> None:
    head = await chat.poster.post_parent(chat.chat_id, thread_report([], language="zh"))
    await chat.poster.post_paper(chat.chat_id, head, thread_entry(PAPERS[0]), ())
    unknown = ThreadHead(head.message_id)  # a parent whose language was never stored
    await chat.poster.post_paper(chat.chat_id, unknown, thread_entry(PAPERS[1]), ())

    _, zh_paper, en_paper = chat.shown()  # the default language is English
    zh_authors, en_authors = text("label.authors", "zh"), text("label.authors", "en")
    assert zh_authors in zh_paper and en_authors not in zh_paper
    assert en_authors in en_paper
