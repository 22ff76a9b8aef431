"""The weekly digest as a user runs it: `arxiv-digest weekly` by hand, and inside `serve` killed
in the middle of a post and started again, against the fakes on 127.0.0.1."""

from __future__ import annotations

import re
import signal
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from arxiv_digest.weekly import previous_week
from storage.db import Database
from tests.fakes.arxiv_server import FakeArxiv
from tests.fakes.base import Request, Response
from tests.fakes.openai_server import FakeOpenAI
from tests.fakes.slack_server import FakeSlack, Post
from tests.fakes.telegram_server import FakeTelegram, SentMessage
from tests.polling import WAIT_SECONDS
from tests.processes import CHANNEL, GROUP, cli_env, run_cli, slack_env, telegram_env
from tests.test_service import Service, service_env, until
from tests.weeks import WEEK, like, post_week, posters, week_papers
from tests.weeks import chat_settings as weekly_settings


def weekly_posts(slack: FakeSlack, key: str) -> list[Post]:
    return [
        post
        for post in slack.messages(CHANNEL)
        if (post.metadata or {}).get("event_payload", {}).get("key") == f"week:{key}"
    ]


def weekly_sent(telegram: FakeTelegram, key: str) -> list[SentMessage]:
    return [m for m in telegram.sent(GROUP) if key in m.plain and m.reply_to is None]


@pytest.fixture
def telegram() -> Iterator[FakeTelegram]:
    with FakeTelegram() as fake:
        fake.add_chat(GROUP, "supergroup")
        yield fake


async def test_weekly_posts_a_given_week_once_and_refuses_a_week_that_does_not_exist(
    arxiv: FakeArxiv,
    llm: FakeOpenAI,
    slack: FakeSlack,
    telegram: FakeTelegram,
    database_url: str,
    tmp_path: Path,
) -> None:
    database = await Database.open(database_url)
    try:
        settings = weekly_settings(arxiv, database_url, tmp_path, slack)
        async with posters(settings) as by_platform:
            papers = week_papers()
            await post_week(database, by_platform["slack"], CHANNEL, papers)
            await like(database, "slack", CHANNEL, papers[0], 4)
    finally:
        await database.close()
    env = cli_env(tmp_path, arxiv, llm, database_url, **slack_env(slack), **telegram_env(telegram))

    code, out, err = await run_cli(["weekly", "--week", WEEK.key], env, tmp_path)
    again, out_again, _ = await run_cli(["weekly", "--week", WEEK.key], env, tmp_path)
    bad, _, refused = await run_cli(["weekly", "--week", "2026-W54"], env, tmp_path)

    assert code == 0, err
    assert f"Slack {CHANNEL}: 2026-W10 posted" in out and f"Telegram {GROUP}: 2026-W10" in out
    (message,) = weekly_posts(slack, WEEK.key)
    assert message.text is not None and "12 papers" in message.text
    assert "👍 4" in str(message.blocks)
    assert len(weekly_sent(telegram, WEEK.key)) == 1  # nothing reached the group: a note
    assert again == 0 and out_again.count("already posted") == 2
    assert len(weekly_posts(slack, WEEK.key)) == 1 and len(weekly_sent(telegram, WEEK.key)) == 1
    assert bad == 1
    assert refused.strip() == "error: 2026-W54 is not a week (expected YYYY-Www, e.g. 2026-W49)"


async def test_weekly_without_a_week_posts_last_week(
    arxiv: FakeArxiv, llm: FakeOpenAI, slack: FakeSlack, database_url: str, tmp_path: Path
) -> None:
    env = cli_env(tmp_path, arxiv, llm, database_url, **slack_env(slack), DIGEST_TIMEZONE="UTC")
    last = previous_week(datetime.now(UTC).date())

    code, out, err = await run_cli(["weekly"], env, tmp_path)

    assert code == 0, err
    assert f"Slack {CHANNEL}: {last.key} posted" in out
    assert len(weekly_posts(slack, last.key)) == 1


class HeldSlack(FakeSlack):
    """Keeps the week's message, then holds its answer until `release`: a kill meanwhile lands
    after Slack has the message and before the service heard of it."""

    def __init__(self) -> None:
        super().__init__()
        self.held = threading.Event()
        self._released = threading.Event()

    def handle(self, request: Request) -> Response:
        response = super().handle(request)
        body = request.body.decode(errors="replace")
        if request.path.endswith("chat.postMessage") and ("week:" in body or "week%3A" in body):
            self.held.set()
            self._released.wait(WAIT_SECONDS)
        return response

    def release(self) -> None:
        self._released.set()


class HeldTelegram(FakeTelegram):
    """Holds the week's message before Telegram has it, until `release` (then refuses it): a
    kill meanwhile lands before the message exists. (One Telegram has but whose answer a kill
    lost is posted again: bots cannot read a chat's history.)"""

    def __init__(self) -> None:
        super().__init__()
        self.held = threading.Event()
        self._released = threading.Event()

    def handle(self, request: Request) -> Response:
        body = request.body.decode(errors="replace")
        if request.path.endswith("/sendMessage") and "Week+" in body and not self.released:
            self.held.set()
            self._released.wait(WAIT_SECONDS)
            return Response.json(
                {"ok": False, "error_code": 502, "description": "Bad Gateway"}, 502
            )
        return super().handle(request)

    @property
    def released(self) -> bool:
        return self._released.is_set()

    def release(self) -> None:
        self._released.set()


async def test_serve_killed_while_posting_the_week_posts_it_once_after_a_restart(
    arxiv: FakeArxiv, llm: FakeOpenAI, database_url: str, tmp_path: Path
) -> None:
    last = previous_week(datetime.now(UTC).date())
    with HeldSlack() as slack, HeldTelegram() as telegram:
        telegram.add_chat(GROUP, "supergroup")
        env = service_env(tmp_path, arxiv, llm, database_url, slack, telegram)
        env |= {"DIGEST_WEEKLY_SCHEDULE": "* * * * *"}  # every minute: caught up at start
        service = await Service(env, tmp_path).start()
        try:
            await until(lambda: slack.held.is_set() and telegram.held.is_set(), service)
            assert await service.stop(signal.SIGKILL) == -signal.SIGKILL
        finally:
            await service.kill()
            slack.release()
            telegram.release()
        assert len(weekly_posts(slack, last.key)) == 1 and not weekly_sent(telegram, last.key)

        restarted = await Service(env, tmp_path, "restarted").start()
        try:
            await until(lambda: "weekly run " + last.key + ": done" in restarted.log, restarted)
            await until(lambda: weekly_sent(telegram, last.key), restarted)
            # The day's catch-up run ends too: this test is about the week, and a stop in the
            # middle of a day's publishing is tests/test_service.py's business.
            await until(lambda: re.search(r"daily run for \S+: ", restarted.log), restarted)
            assert await restarted.stop() == 0, restarted.log
        finally:
            await restarted.kill()
        assert len(weekly_posts(slack, last.key)) == 1  # found by its tag after the restart
        assert len(weekly_sent(telegram, last.key)) == 1
        assert "'Slack C0TEAM': 'found'" in restarted.log
