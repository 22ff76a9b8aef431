"""What a command gets on Slack and on Telegram alike, each through its real app and fake."""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.bot import slackapp, telegramapp
from tests.fakes.arxiv_server import FakeArxiv
from tests.fakes.openai_server import FakeOpenAI
from tests.fakes.slack_server import FakeSlack
from tests.polling import until
from tests.processes import GROUP

Ask = Callable[[str, bool], Awaitable[str]]  # (what is typed after the slash, as an admin)


@dataclass
class App:
    platform: str
    ask: Ask  # the answer the asker sees, as text
    llm: FakeOpenAI


def _slack_ask(bot: slackapp.Bot) -> Ask:
    tokens = itertools.count()

    async def ask(typed: str, as_admin: bool) -> str:
        name, _, rest = typed.partition(" ")
        token = f"ask-{next(tokens)}"
        user = slackapp.ADMIN if as_admin else slackapp.ALICE
        await slackapp.slash(bot, f"/{name}", rest, token=token, user=user)
        (answer,) = await until(lambda: slackapp.private_answers(bot.slack, token))
        return str(answer["text"])

    return ask


def _telegram_ask(bot: telegramapp.Bot) -> Ask:
    async def ask(typed: str, as_admin: bool) -> str:
        user = telegramapp.ADMIN if as_admin else telegramapp.ALICE
        return (await telegramapp.ask(bot, GROUP, f"/{typed}", user=user)).plain

    return ask


@pytest.fixture(params=["slack", "telegram"])
async def app(
    request: pytest.FixtureRequest, arxiv: FakeArxiv, database_url: str, tmp_path: Path
) -> AsyncIterator[App]:
    if request.param == "slack":
        with FakeSlack() as slack, slackapp.GatedOpenAI() as llm:
            running = slackapp.running_slack_bot(arxiv, llm, slack, database_url, tmp_path)  # type: ignore[arg-type]
            async with running as bot:
                yield App("slack", _slack_ask(bot), llm)
        return
    with telegramapp.telegram_group() as telegram, FakeOpenAI() as llm:
        async with telegramapp.running_bot(telegram, arxiv, llm, database_url, tmp_path) as bot:
            yield App("telegram", _telegram_ask(bot), llm)


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("summarize ../../etc/passwd", "is not an arXiv id"),
        ("summarize", "Usage: summarize"),
        ("report yesterday", "is not a date"),
        ("keywords frobnicate VLA", "Unknown keywords subcommand"),
        ("digest settings language=fr", "Unknown language"),
    ],
)
async def test_bad_arguments_get_a_one_line_error_and_ask_nothing_of_the_llm(
    app: App, typed: str, message: str
) -> None:
    answer = await app.ask(typed, False)

    assert message in answer
    assert "\n" not in answer.strip()
    assert app.llm.requests == []


async def test_only_admins_change_the_chats_keywords(app: App) -> None:
    refused = await app.ask("keywords add --channel robotics", False)
    done = await app.ask("keywords add --channel robotics", True)

    assert "Only an admin" in refused
    assert "This chat's keywords: added robotics" in done
