"""Slash commands as Slack sends them: signed HTTP requests to the Bolt app served by `run_slack`,
answered through the real `AsyncWebClient` and response URLs of a fake Slack on 127.0.0.1."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import os
import re
import signal
import sys
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import aiohttp
import pytest

from arxiv_digest.settings import Settings
from bot.slack.app import build_slack_app
from bot.slack.client import make_client
from bot.slack.runner import run_slack
from bot.slack.settings import SlackConfigError
from domain.messages import text
from tests.bot.slackapp import (
    ADMIN,
    CHANNEL,
    SECRET,
    Bot,
    GatedOpenAI,
    SocketModeSlack,
    ack_text_of,
    payload,
    post_signed,
    private_answers,
    running_slack_bot,
    running_socket_mode_bot,
    shown,
    slash,
)
from tests.daydata import CROSS, DAY, ECO, method_pdf, serve_day
from tests.fakes.arxiv_server import FakeArxiv
from tests.fakes.base import Response
from tests.fakes.openai_server import FakeOpenAI
from tests.fakes.slack_server import FakeSlack
from tests.polling import PROCESS_WAIT_SECONDS, WAIT_SECONDS, until
from tests.processes import cli_env, run_cli, slack_env


@pytest.fixture
def llm() -> Iterator[GatedOpenAI]:
    with GatedOpenAI() as fake:
        try:
            yield fake  # type: ignore[misc]
        finally:
            fake.gate.set()


@pytest.fixture
async def bot(
    arxiv: FakeArxiv,
    llm: GatedOpenAI,
    slack: FakeSlack,
    database_url: str,
    tmp_path: Path,
) -> AsyncIterator[Bot]:
    async with running_slack_bot(arxiv, llm, slack, database_url, tmp_path) as running:
        yield running


# ---- requests that are not Slack's ---------------------------------------------------------


@pytest.mark.parametrize(
    "forgery",
    [
        {"secret": "not-the-signing-secret"},
        {"timestamp": int(time.time()) - 10 * 60},  # well signed, but replayed too late
    ],
    ids=["forged", "stale"],
)
async def test_a_forged_or_stale_signature_gets_401_and_nothing_runs(
    bot: Bot, forgery: dict[str, Any]
) -> None:
    body = payload(bot.slack, "/summarize", ECO.arxiv_id, response_token="forged")

    status, _ = await post_signed(bot.url, body, **forgery)

    assert status == 401
    await slash(bot, "/digest", "help", token="genuine")  # a genuine one is served after it
    await until(lambda: bot.slack.responses_to("genuine"))
    assert bot.slack.responses_to("forged") == []
    assert bot.llm.requests == [] and bot.slack.all_posts == []


async def test_a_request_without_a_signature_gets_401(bot: Bot) -> None:
    body = payload(bot.slack, "/digest", "", response_token="unsigned")
    async with aiohttp.ClientSession() as session, session.post(bot.url, data=body) as response:
        assert response.status == 401


# ---- papers and reports go to the channel --------------------------------------------------


async def test_summarize_acks_at_once_then_posts_the_paper_in_the_channel(bot: Bot) -> None:
    bot.llm.gate.clear()  # the analysis cannot finish until the test says so

    ack = await slash(bot, "/summarize", ECO.arxiv_id, token="sum")

    assert ack == f"Working on {ECO.arxiv_id}…"
    await until(lambda: bot.llm.requests_to("/v1/chat/completions"))  # the LLM is working...
    assert bot.slack.all_posts == []  # ...and nothing is posted before it answers
    bot.llm.gate.set()
    (post,) = await until(lambda: bot.slack.messages(CHANNEL))
    assert post.thread_ts is None  # in the channel: slash commands cannot be used in threads
    assert ECO.title in (post.text or "")
    assert post.blocks and ECO.title in json.dumps(post.blocks)
    assert post.unfurl_links is False and post.unfurl_media is False
    assert bot.slack.responses_to("sum") == []  # nothing private for this one


async def test_a_paper_summarized_before_is_posted_again_without_asking_the_llm(
    bot: Bot,
) -> None:
    await slash(bot, "/summarize", ECO.arxiv_id, token="first")
    await until(lambda: bot.slack.messages(CHANNEL))
    completions = len(bot.llm.completions)
    bot.llm.gate.clear()  # any new LLM call would now hang

    await slash(bot, "/summarize", f"https://arxiv.org/abs/{ECO.arxiv_id}", token="again")

    await until(lambda: len(bot.slack.messages(CHANNEL)) == 2)
    first, again = bot.slack.messages(CHANNEL)
    assert again.text == first.text and again.blocks == first.blocks
    assert len(bot.llm.completions) == completions == 1


async def test_report_posts_the_stored_day_in_the_channel(bot: Bot) -> None:
    serve_day(bot.arxiv, DAY, [ECO, CROSS])
    await bot.core.digest.run()

    ack = await slash(bot, "/report", DAY.isoformat(), token="report")

    assert ack == f"Looking up the report for {DAY.isoformat()}…"
    await until(lambda: bot.slack.messages(CHANNEL))
    everything = " ".join(f"{p.text} {json.dumps(p.blocks)}" for p in bot.slack.all_posts)
    assert DAY.isoformat() in everything and ECO.title in everything
    assert bot.slack.responses_to("report") == []


async def test_in_a_channel_the_bot_may_not_post_in_the_asker_gets_the_paper_privately(
    bot: Bot,
) -> None:
    bot.slack.channels = {CHANNEL}  # the bot was never invited to C0PRIVATE

    await slash(bot, "/summarize", ECO.arxiv_id, token="private", channel="C0PRIVATE")

    answers = await until(lambda: private_answers(bot.slack, "private"))
    assert ECO.title in shown(answers[0])
    assert bot.slack.all_posts == []


async def test_when_slack_cannot_take_the_answer_the_asker_is_told_privately(bot: Bot) -> None:
    await slash(bot, "/digest", "help", token="warm-up")  # the app has checked its token
    await until(lambda: bot.slack.responses_to("warm-up"))
    down = Response(500, b"internal error", {"Content-Type": "text/plain"})
    bot.slack.fail_next(down, down, down)  # the post and both of its retries

    await slash(bot, "/summarize", ECO.arxiv_id, token="down")

    (answer,) = await until(lambda: private_answers(bot.slack, "down"))
    assert answer["text"] == text("chat.failed")
    assert bot.slack.all_posts == []


# ---- personal answers go to the asker only -------------------------------------------------


async def test_keywords_add_answers_only_the_user_and_the_keyword_is_kept(bot: Bot) -> None:
    ack = await slash(bot, "/keywords", "add diffusion policy, VLA", token="add")

    assert ack == "Updating the keywords…"
    (answer,) = await until(lambda: private_answers(bot.slack, "add"))
    assert "added diffusion policy, VLA" in shown(answer)

    await slash(bot, "/keywords", "list", token="list")
    (listed,) = await until(lambda: private_answers(bot.slack, "list"))
    assert "diffusion policy" in shown(listed)
    assert bot.slack.all_posts == [] and bot.slack.ephemerals == []


@pytest.mark.parametrize("text", ["", "help"])
async def test_digest_alone_or_with_help_shows_the_commands(bot: Bot, text: str) -> None:
    await slash(bot, "/digest", text, token="help")

    (answer,) = await until(lambda: private_answers(bot.slack, "help"))
    for command in ("summarize", "keywords add", "report", "digest here"):
        assert command in answer["text"]


async def test_a_direct_message_with_the_bot_is_private(bot: Bot) -> None:
    await slash(
        bot,
        "/keywords",
        "add --channel robotics",
        token="dm",
        channel="D0ALICE",
        channel_name="directmessage",
        user=ADMIN,
    )

    (answer,) = await until(lambda: private_answers(bot.slack, "dm"))
    assert "direct message" in answer["text"]


# ---- configuration ---------------------------------------------------------------------------


async def test_slack_needs_socket_mode_or_a_signing_secret(slack: FakeSlack) -> None:
    neither = Settings(  # type: ignore[call-arg]
        _env_file=None, slack_bot_token=slack.token, slack_api_url=slack.api_url
    ).slack()
    with pytest.raises(SlackConfigError, match="SLACK_APP_TOKEN"):
        build_slack_app(None, make_client(neither), neither)  # type: ignore[arg-type]

    socket_mode = dataclasses.replace(neither, app_token="xapp-1")
    app = build_slack_app(None, make_client(socket_mode), socket_mode)  # type: ignore[arg-type]
    with pytest.raises(SlackConfigError, match="SLACK_SIGNING_SECRET"):
        await run_slack(app, neither)  # HTTP mode, where nothing would check signatures


async def test_socket_mode_answers_a_slash_command_over_the_websocket(
    arxiv: FakeArxiv,
    llm: GatedOpenAI,
    database_url: str,
    tmp_path: Path,
) -> None:
    with SocketModeSlack() as slack:
        command = dict(parse_qsl(payload(slack, "/digest", "help", response_token="socket")))
        envelope = {
            "envelope_id": "envelope-1",
            "type": "slash_commands",
            "accepts_response_payload": True,
            "payload": command,
        }
        async with running_socket_mode_bot(
            arxiv, llm, slack, database_url, tmp_path, envelope
        ) as bot:
            assert bot.where == "socket mode"
            ack = await asyncio.wait_for(bot.acks.get(), WAIT_SECONDS)
            assert ack == {"envelope_id": "envelope-1", "payload": {"text": "One moment…"}}
            (answer,) = await until(lambda: private_answers(slack, "socket"))
            assert "summarize" in answer["text"]


# ---- the command line ------------------------------------------------------------------------


def slack_cli_env(
    tmp_path: Path, arxiv: FakeArxiv, llm: FakeOpenAI, slack: FakeSlack, database_url: str
) -> dict[str, str]:
    chats = slack_env(slack) | {"SLACK_SIGNING_SECRET": SECRET}
    return cli_env(tmp_path, arxiv, llm, database_url, **chats)


async def test_digest_writes_the_report_then_posts_the_days_thread_to_slack(
    arxiv: FakeArxiv,
    llm: GatedOpenAI,
    slack: FakeSlack,
    database_url: str,
    tmp_path: Path,
) -> None:
    arxiv.feeds["cs.AI"] = (DAY, [ECO])
    arxiv.add_paper(ECO, method_pdf(ECO.title))
    env = slack_cli_env(tmp_path, arxiv, llm, slack, database_url)

    code, out, err = await run_cli(["digest"], env, tmp_path)

    assert code == 0, err
    assert f"Report: {tmp_path / 'reports' / '2026-02-04.md'}" in out
    assert f"Slack {CHANNEL}: new thread, 1 paper posted" in out
    (parent,) = slack.messages(CHANNEL)
    assert [ECO.title in (p.text or "") for p in slack.thread(CHANNEL, parent.ts)] == [True]

    code, out, err = await run_cli(["digest"], env, tmp_path)  # the same day again

    assert code == 0, err
    assert f"Slack {CHANNEL}: thread already posted, 0 papers posted, 1 already there" in out
    assert len(slack.all_posts) == 2


async def test_digest_keeps_the_report_when_slack_fails_and_exits_non_zero(
    arxiv: FakeArxiv,
    llm: GatedOpenAI,
    slack: FakeSlack,
    database_url: str,
    tmp_path: Path,
) -> None:
    arxiv.feeds["cs.AI"] = (DAY, [ECO])
    slack.channels = set()  # every channel is refused
    env = slack_cli_env(tmp_path, arxiv, llm, slack, database_url)

    code, out, err = await run_cli(["digest"], env, tmp_path)

    assert code == 1
    assert ECO.title in (tmp_path / "reports" / "2026-02-04.md").read_text()
    assert "Report: " in out
    failed = [line for line in err.splitlines() if line.startswith(f"Slack {CHANNEL}: failed: ")]
    assert len(failed) == 1 and "channel_not_found" in failed[0]


async def test_serve_answers_slash_commands_until_sigterm(
    arxiv: FakeArxiv,
    llm: GatedOpenAI,
    slack: FakeSlack,
    database_url: str,
    tmp_path: Path,
) -> None:
    env = slack_cli_env(tmp_path, arxiv, llm, slack, database_url) | {"SLACK_HTTP_PORT": "0"}
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "arxiv_digest",
        "serve",
        "-v",
        cwd=tmp_path,
        env=env,
        stderr=asyncio.subprocess.PIPE,
    )
    assert process.stderr is not None
    try:
        port = None
        logged = ""
        while port is None:
            line = (
                await asyncio.wait_for(process.stderr.readline(), PROCESS_WAIT_SECONDS)
            ).decode()
            assert line, "serve exited before listening"
            logged += line
            if found := re.search(r"Slack bot listening: http://[^:]+:(\d+)/slack/events", line):
                port = found[1]
        url = f"http://127.0.0.1:{port}/slack/events"
        body = payload(slack, "/digest", "help", response_token="served")

        status, ack = await post_signed(url, body)

        assert status == 200 and ack_text_of(ack) == "One moment…"
        (answer,) = await until(lambda: private_answers(slack, "served"))
        assert "summarize" in answer["text"]
        process.send_signal(signal.SIGTERM)
        logged += (await asyncio.wait_for(process.stderr.read(), WAIT_SECONDS)).decode()
        assert await process.wait() == 0, logged
        assert logged.rstrip().endswith("Stopped.")
        assert slack.token not in logged and SECRET not in logged  # -v logs, but no secrets
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        (
            {},
            "nothing to serve: set SLACK_BOT_TOKEN (docs/slack.md) "
            "or TELEGRAM_BOT_TOKEN (docs/telegram.md)",
        ),
        (
            {"SLACK_BOT_TOKEN": "xoxb-1"},
            "Slack needs SLACK_APP_TOKEN (Socket Mode) or SLACK_SIGNING_SECRET (HTTP mode)",
        ),
    ],
    ids=["no-token", "no-mode"],
)
async def test_serve_without_what_it_needs_says_what_to_set(
    tmp_path: Path, settings: dict[str, str], message: str
) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "TELEGRAM_"))}
    env |= {"DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'db.sqlite3'}", **settings}

    code, _, err = await run_cli(["serve"], env, tmp_path)

    assert code == 1
    assert err.strip().splitlines() == [f"error: {message}"]
