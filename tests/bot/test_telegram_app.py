"""Bot commands as Telegram delivers them: updates fetched by the real PTB `Application` (long
polling, or POSTed to its webhook) from a fake Bot API on 127.0.0.1, answered through it."""

from __future__ import annotations

import asyncio
import re
import signal
import sys
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from arxiv_digest.settings import Settings
from bot.telegram.app import COMMAND_NAMES, build_telegram_app
from bot.telegram.runner import SECRET_HEADER, run_telegram
from bot.telegram.settings import TelegramConfigError
from domain.messages import text
from storage.repositories import ChatRepository
from tests.bot.telegramapp import Bot, free_port, running_bot
from tests.daydata import DAY, ECO, method_pdf, serve_day
from tests.fakes.arxiv_server import FakeArxiv
from tests.fakes.base import Request, Response
from tests.fakes.openai_server import FakeOpenAI
from tests.fakes.slack_server import FakeSlack
from tests.fakes.telegram_server import FakeTelegram, SentMessage
from tests.polling import PROCESS_WAIT_SECONDS, WAIT_SECONDS, until
from tests.processes import GROUP, cli_env, run_cli, slack_env, telegram_env

FORUM = -100400500
ALICE = 42  # a member
ADMIN = 7  # an administrator of GROUP
OWNER = 8  # its creator
WEBHOOK_SECRET = "s3cret-Token_for-the-webhook"


class FlakyTelegram(FakeTelegram):
    """Answers the next `failing_sends` sendMessage calls with a 500 (polling goes on)."""

    failing_sends = 0

    def handle(self, request: Request) -> Response:
        if request.path.endswith("/sendMessage") and self.failing_sends > 0:
            self.failing_sends -= 1
            return Response.json(
                {"ok": False, "error_code": 500, "description": "Internal Server Error"}, 500
            )
        return super().handle(request)


@pytest.fixture
def telegram() -> Iterator[FakeTelegram]:
    with FlakyTelegram() as fake:
        fake.add_chat(GROUP, "supergroup")
        fake.admins[GROUP] = {ADMIN}
        fake.owners[GROUP] = OWNER
        yield fake  # type: ignore[misc]


@pytest.fixture
async def bot(
    telegram: FakeTelegram,
    arxiv: FakeArxiv,
    llm: FakeOpenAI,
    database_url: str,
    tmp_path: Path,
) -> AsyncIterator[Bot]:
    async with running_bot(telegram, arxiv, llm, database_url, tmp_path) as running:
        yield running


async def ask(bot: Bot, chat_id: int, text: str, user: int = ALICE, **options: Any) -> SentMessage:
    """Sends a command as a user would; returns the bot's one answer to it."""
    update = bot.telegram.add_command(chat_id, user, text, **options)
    command_id = update["message"]["message_id"]
    (answer,) = await until(
        lambda: [m for m in bot.telegram.sent(chat_id) if m.reply_to == command_id]
    )
    return answer


def answers_to(telegram: FakeTelegram, chat_id: int, update: dict[str, Any]) -> list[SentMessage]:
    command_id = update["message"]["message_id"]
    return [m for m in telegram.sent(chat_id) if m.reply_to == command_id]


# ---- starting ------------------------------------------------------------------------------------


async def test_starting_registers_the_command_menu(bot: Bot) -> None:
    assert bot.where == "long polling"
    listed = [c["command"] for c in bot.telegram.commands["default"]]
    assert listed == list(COMMAND_NAMES)
    assert {"summarize", "keywords", "report", "digest", "help"} <= set(listed)
    in_chinese = bot.telegram.commands["default/zh"]
    assert [c["command"] for c in in_chinese] == listed
    assert in_chinese[-1]["description"] == text("chat.menu.help", "zh")
    assert bot.telegram.commands["default"][-1]["description"] == "What the bot can do"


@pytest.mark.parametrize("command", ["/start", "/help"])
async def test_start_and_help_in_private_list_the_commands(bot: Bot, command: str) -> None:
    answer = await ask(bot, ALICE, command)

    assert answer.chat_id == ALICE and answer.parse_mode == "HTML"
    assert answer.plain == text("chat.help")


# ---- papers and reports ------------------------------------------------------------------------


@pytest.mark.parametrize("command", ["/summarize", "/summarize@ArxivDigestBot"])
async def test_summarize_in_a_group_answers_the_command_with_the_paper(
    bot: Bot, command: str
) -> None:
    answer = await ask(bot, GROUP, f"{command} {ECO.arxiv_id}")

    assert ECO.title in answer.plain
    assert answer.link_preview_options == {"is_disabled": True}
    assert len(bot.llm.completions) == 1


async def test_a_command_for_another_bot_is_ignored(bot: Bot) -> None:
    other = bot.telegram.add_command(GROUP, ALICE, f"/summarize@OtherBot {ECO.arxiv_id}")
    await ask(bot, GROUP, "/help@ArxivDigestBot")  # answered, so the other was seen before it

    assert answers_to(bot.telegram, GROUP, other) == []
    assert len(bot.telegram.sent(GROUP)) == 1 and bot.llm.requests == []


async def test_report_answers_with_the_stored_day(bot: Bot) -> None:
    serve_day(bot.arxiv, DAY, [ECO])
    await bot.core.digest.run()

    answer = await ask(bot, GROUP, f"/report {DAY.isoformat()}")

    assert DAY.isoformat() in answer.plain and ECO.title in answer.plain


async def test_a_command_in_a_forum_topic_is_answered_in_that_topic(bot: Bot) -> None:
    answer = await ask(
        bot, FORUM, "/help", chat_type="supergroup", is_forum=True, message_thread_id=77
    )

    assert answer.message_thread_id == 77


async def test_when_telegram_refuses_the_answer_the_asker_is_told_it_failed(bot: Bot) -> None:
    assert isinstance(bot.telegram, FlakyTelegram)
    bot.telegram.failing_sends = 1

    answer = await ask(bot, GROUP, f"/summarize {ECO.arxiv_id}")

    assert answer.plain == f"⚠️ {text('chat.failed')}"


async def test_an_answer_telegram_never_finishes_is_given_up_and_the_asker_told(
    telegram: FakeTelegram,
    arxiv: FakeArxiv,
    llm: FakeOpenAI,
    database_url: str,
    tmp_path: Path,
) -> None:
    async with running_bot(
        telegram, arxiv, llm, database_url, tmp_path, chat_timeout_seconds=1
    ) as bot:
        never_ends = Response(200, b'{"ok": true, "result": ', endless=True)
        telegram.fail_next(never_ends, path="/sendMessage")

        answer = await ask(bot, GROUP, "/help")

    assert answer.plain == f"⚠️ {text('chat.failed')}"


@pytest.mark.parametrize("chat_id", [ALICE, GROUP], ids=["private", "group"])
@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("/summarize ../../etc/passwd", "is not an arXiv id"),
        ("/summarize", "Usage: summarize"),
        ("/report yesterday", "is not a date"),
        ("/keywords frobnicate VLA", "Unknown keywords subcommand"),
        ("/digest settings language=fr", "Unknown language"),
    ],
)
async def test_bad_arguments_get_a_one_line_error(
    bot: Bot, chat_id: int, text: str, message: str
) -> None:
    answer = await ask(bot, chat_id, text)

    assert message in answer.plain and answer.plain.startswith("⚠️")
    assert "\n" not in answer.plain.strip()
    assert bot.llm.requests == []


# ---- keywords and settings ---------------------------------------------------------------------


async def test_keywords_keep_commas_as_typed_and_are_listed(bot: Bot) -> None:
    added = await ask(bot, GROUP, "/keywords@ArxivDigestBot add diffusion policy, VLA")
    listed = await ask(bot, GROUP, "/keywords list")

    assert "added diffusion policy, VLA" in added.plain
    assert "diffusion policy" in listed.plain and "VLA" in listed.plain


@pytest.mark.parametrize(
    ("user", "allowed"),
    [(ALICE, False), (ADMIN, True), (OWNER, True)],
    ids=["member", "admin", "owner"],
)
async def test_only_the_chats_administrators_change_its_keywords(
    bot: Bot, user: int, allowed: bool
) -> None:
    answer = await ask(bot, GROUP, "/keywords add --channel robotics", user=user)

    if allowed:
        assert "This chat's keywords: added robotics" in answer.plain
    else:
        assert "Only an admin" in answer.plain


async def test_in_private_there_is_no_chat_to_set_keywords_for(bot: Bot) -> None:
    answer = await ask(bot, ALICE, "/keywords add --chat robotics")

    assert "direct message" in answer.plain


async def test_dm_digest_asked_in_a_group_before_starting_the_bot_says_how_to_start_it(
    bot: Bot,
) -> None:
    bot.telegram.blocked_users.add(ALICE)

    answer = await ask(bot, GROUP, "/digest dm on")

    assert answer.plain == "⚠️ Open a private chat with @ArxivDigestBot and press Start first."
    assert bot.telegram.sent(ALICE) == []
    async with bot.core.db.session() as session:
        assert not await ChatRepository(session).wants_dm("telegram", str(ALICE))

    bot.telegram.blocked_users.clear()  # Alice pressed Start
    answer = await ask(bot, GROUP, "/digest dm on")

    assert "daily digest of your own keywords" in answer.plain
    (confirmation,) = bot.telegram.sent(ALICE)
    assert confirmation.plain == text("chat.telegram.dm_confirmation")
    async with bot.core.db.session() as session:
        assert await ChatRepository(session).wants_dm("telegram", str(ALICE))


# ---- webhook mode --------------------------------------------------------------------------------


async def test_the_webhook_takes_updates_only_with_the_secret_token(
    telegram: FakeTelegram,
    arxiv: FakeArxiv,
    llm: FakeOpenAI,
    database_url: str,
    tmp_path: Path,
) -> None:
    public = "https://bot.example.org/telegram/hook"
    async with running_bot(
        telegram,
        arxiv,
        llm,
        database_url,
        tmp_path,
        telegram_webhook_url=public,
        telegram_webhook_secret=WEBHOOK_SECRET,
        telegram_webhook_port=free_port(),
    ) as bot:
        assert bot.where.endswith("/telegram/hook")
        assert telegram.webhook == {"url": public, "secret_token": WEBHOOK_SECRET}
        forged = telegram.add_command(ALICE, ALICE, "/help")
        genuine = telegram.add_command(ALICE, ALICE, "/help")

        async with aiohttp.ClientSession() as session:
            for headers in ({}, {SECRET_HEADER: "guessed"}):
                async with session.post(bot.where, json=forged, headers=headers) as response:
                    assert response.status == 403
            headers = {SECRET_HEADER: WEBHOOK_SECRET}
            async with session.post(bot.where, json=genuine, headers=headers) as response:
                assert response.status == 200

        (answer,) = await until(lambda: answers_to(telegram, ALICE, genuine))
        assert "summarize" in answer.plain
        assert answers_to(telegram, ALICE, forged) == []
        assert telegram.requests_to(f"/bot{telegram.token}/getUpdates") == []


async def test_a_webhook_without_a_secret_is_refused(telegram: FakeTelegram) -> None:
    settings = Settings(  # type: ignore[call-arg]
        _env_file=None,
        telegram_bot_token=telegram.token,
        telegram_api_url=telegram.base_url,
        telegram_webhook_url="https://bot.example.org/hook",
    )
    app = build_telegram_app(None, settings.telegram())  # type: ignore[arg-type]

    with pytest.raises(TelegramConfigError, match="TELEGRAM_WEBHOOK_SECRET"):
        await run_telegram(app, settings.telegram())
    assert telegram.requests == []


# ---- the command line ------------------------------------------------------------------------


@pytest.mark.parametrize("refusing", ["slack", "telegram"])
async def test_digest_posts_to_both_platforms_and_one_failing_does_not_stop_the_other(
    arxiv: FakeArxiv,
    llm: FakeOpenAI,
    telegram: FakeTelegram,
    slack: FakeSlack,
    database_url: str,
    tmp_path: Path,
    refusing: str,
) -> None:
    arxiv.feeds["cs.AI"] = (DAY, [ECO])
    arxiv.add_paper(ECO, method_pdf(ECO.title))
    if refusing == "slack":
        slack.channels = set()  # every channel is refused
    else:
        telegram.chats = set()  # every chat is refused
    env = cli_env(tmp_path, arxiv, llm, database_url, **slack_env(slack), **telegram_env(telegram))

    code, out, err = await run_cli(["digest", "-v"], env, tmp_path)

    assert code == 1  # something failed...
    assert ECO.title in (tmp_path / "reports" / "2026-02-04.md").read_text()
    if refusing == "slack":  # ...but the other platform has its whole thread
        assert "Slack C0TEAM: failed: " in err and slack.all_posts == []
        assert f"Telegram {GROUP}: new thread, 1 paper posted" in out
        parent, reply = telegram.sent(GROUP)
        assert ECO.title in reply.plain and reply.reply_to == parent.message_id
    else:
        assert f"Telegram {GROUP}: failed: " in err and "Chat not found" in err
        assert "Slack C0TEAM: new thread, 1 paper posted" in out
        assert telegram.all_sent == [] and len(slack.all_posts) == 2
    assert telegram.token not in out + err


async def test_digest_with_a_rejected_token_says_so_without_showing_it(
    arxiv: FakeArxiv,
    llm: FakeOpenAI,
    telegram: FakeTelegram,
    database_url: str,
    tmp_path: Path,
) -> None:
    arxiv.feeds["cs.AI"] = (DAY, [ECO])
    wrong = "987654321:not-the-real-token"
    env = cli_env(tmp_path, arxiv, llm, database_url, **telegram_env(telegram))
    env["TELEGRAM_BOT_TOKEN"] = wrong

    code, out, err = await run_cli(["digest", "-v"], env, tmp_path)

    assert code == 1
    assert "Telegram: failed: " in err and "rejected" in err
    assert wrong not in out + err and "***" in err


async def test_serve_answers_telegram_commands_until_sigterm_and_logs_no_token(
    arxiv: FakeArxiv,
    llm: FakeOpenAI,
    telegram: FakeTelegram,
    database_url: str,
    tmp_path: Path,
) -> None:
    env = cli_env(tmp_path, arxiv, llm, database_url, **telegram_env(telegram))
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
        logged = ""
        while not re.search(r"Telegram bot listening: long polling", logged):
            line = (
                await asyncio.wait_for(process.stderr.readline(), PROCESS_WAIT_SECONDS)
            ).decode()
            assert line, f"serve exited before listening: {logged}"
            logged += line
        update = telegram.add_command(ALICE, ALICE, "/help")

        (answer,) = await until(lambda: answers_to(telegram, ALICE, update))

        assert "summarize" in answer.plain
        process.send_signal(signal.SIGTERM)
        try:
            logged += (await asyncio.wait_for(process.stderr.read(), WAIT_SECONDS)).decode()
        except TimeoutError:
            raise AssertionError(f"serve did not stop on SIGTERM:\n{logged}") from None
        assert await process.wait() == 0, logged
        assert logged.rstrip().endswith("Stopped.")
        assert telegram.token not in logged
        assert telegram.token.split(":", 1)[1] not in logged
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
