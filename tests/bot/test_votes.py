"""👍/👎 on a paper's message, tapped in the real clients against the fakes: Slack's signed
`block_actions` through Bolt's HTTP path, Telegram's `callback_query` through long polling.
Where both platforms must behave alike, one test runs on each."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any, Protocol

import pytest
from aiohttp import WSMsgType, web

from arxiv_digest.wiring import digest_options, make_chat_core, open_digest
from bot.core import ChatCore
from bot.platform import vote_buttons
from bot.slack.app import build_slack_app
from bot.slack.client import make_client
from bot.slack.runner import run_slack
from bot.slack.votes import VOTE_ACTIONS, vote_block
from storage.repositories import VoteRepository
from tests.bot import slackapp
from tests.bot.telegramapp import free_port, running_bot
from tests.daydata import ECO, make_settings
from tests.fakes.arxiv_server import FakeArxiv
from tests.fakes.openai_server import FakeOpenAI
from tests.fakes.slack_blocks import SlackError, validate_blocks
from tests.fakes.slack_server import FakeSlack, Post
from tests.fakes.telegram_buttons import MarkupError, callback_data_of, checked_keyboard
from tests.fakes.telegram_server import FakeTelegram
from tests.polling import WAIT_SECONDS, until
from tests.processes import GROUP

TG_ALICE = 42
BUTTONS = tuple(b.data for b in vote_buttons(ECO.arxiv_id))
NOT_A_VOTE = "That button is not a vote on a paper; nothing was recorded."


class VoteWorld(Protocol):
    """One chat on one platform, through its real client and fake."""

    core: ChatCore
    platform: str
    chat_id: str  # as votes are stored
    user_id: str

    async def summarize(self) -> str:
        """`/summarize ECO` in the chat; the id of the paper's message once it is there."""
        ...

    def buttons(self, message_id: str) -> tuple[str, ...]: ...

    async def tap(self, message_id: str, data: str) -> str:
        """The user taps a button carrying `data`; what only they are shown in answer."""
        ...

    def seen_by_all(self) -> int:
        """How many messages everyone in the chat can see."""
        ...


class SlackVotes:
    def __init__(self, bot: slackapp.Bot) -> None:
        self.bot, self.core, self.platform = bot, bot.core, "slack"
        self.chat_id, self.user_id = slackapp.CHANNEL, slackapp.ALICE
        self._tokens = itertools.count(1)

    async def summarize(self) -> str:
        await slackapp.slash(self.bot, "/summarize", ECO.arxiv_id, token="summarize")
        (post,) = await until(lambda: self.bot.slack.messages(self.chat_id))
        return post.ts

    def _post(self, ts: str) -> Post:
        return next(p for p in self.bot.slack.all_posts if p.ts == ts)

    def buttons(self, message_id: str) -> tuple[str, ...]:
        blocks = self._post(message_id).blocks or []
        return tuple(e["value"] for b in blocks if b["type"] == "actions" for e in b["elements"])

    async def tap(self, message_id: str, data: str) -> str:
        token = f"tap{next(self._tokens)}"
        action_id = VOTE_ACTIONS[-1 if ":down:" in data else 1]
        payload = slackapp.block_actions(
            self.bot.slack, message_id, action_id, data, response_token=token
        )
        status, body = await slackapp.post_signed(self.bot.url, slackapp.interaction(payload))
        assert (status, body) == (200, "")  # acknowledged with nothing: the message stays
        (answer,) = await until(lambda: slackapp.private_answers(self.bot.slack, token))
        assert answer["replace_original"] is False
        return str(answer["text"])

    def seen_by_all(self) -> int:
        return len(self.bot.slack.all_posts)


class TelegramVotes:
    def __init__(self, telegram: FakeTelegram, core: ChatCore) -> None:
        self.telegram, self.core, self.platform = telegram, core, "telegram"
        self.chat_id, self.user_id = str(GROUP), str(TG_ALICE)

    async def summarize(self) -> str:
        self.telegram.add_command(GROUP, TG_ALICE, f"/summarize {ECO.arxiv_id}")
        (answer,) = await until(lambda: self.telegram.sent(GROUP))
        return str(answer.message_id)

    def buttons(self, message_id: str) -> tuple[str, ...]:
        sent = next(m for m in self.telegram.sent(GROUP) if m.message_id == int(message_id))
        return tuple(callback_data_of(sent.reply_markup))

    async def tap(self, message_id: str, data: str) -> str:
        update = self.telegram.add_callback_query(GROUP, TG_ALICE, int(message_id), data)
        query_id = update["callback_query"]["id"]
        (answer,) = await until(
            lambda: [a for a in self.telegram.callback_answers if a.query_id == query_id]
        )
        assert not answer.show_alert  # a toast, gone by itself
        return str(answer.text)

    def seen_by_all(self) -> int:
        return len(self.telegram.all_sent)


@pytest.fixture(params=["slack", "telegram"])
async def world(
    request: pytest.FixtureRequest,
    arxiv: FakeArxiv,
    database_url: str,
    tmp_path: Path,
) -> AsyncIterator[VoteWorld]:
    if request.param == "slack":
        with slackapp.GatedOpenAI() as llm, FakeSlack() as slack:
            async with slackapp.running_slack_bot(arxiv, llm, slack, database_url, tmp_path) as bot:
                yield SlackVotes(bot)
        return
    with FakeOpenAI() as llm, FakeTelegram() as telegram:
        telegram.add_chat(GROUP, "supergroup")
        async with running_bot(telegram, arxiv, llm, database_url, tmp_path) as bot:
            yield TelegramVotes(telegram, bot.core)


async def vote_of(world: VoteWorld) -> int | None:
    async with world.core.db.session() as session:
        return await VoteRepository(session).get(
            world.platform, world.chat_id, world.user_id, ECO.arxiv_id
        )


async def test_a_tap_records_the_vote_privately_and_the_other_button_changes_it(
    world: VoteWorld,
) -> None:
    paper = await world.summarize()
    assert world.buttons(paper) == BUTTONS
    seen = world.seen_by_all()

    up = await world.tap(paper, BUTTONS[0])
    assert up == f"👍 Noted: {ECO.arxiv_id} is relevant to you. Only you see this."
    assert await vote_of(world) == 1
    await world.tap(paper, BUTTONS[0])  # the same again: kept
    assert await vote_of(world) == 1
    down = await world.tap(paper, BUTTONS[1])

    assert down.startswith("👎") and await vote_of(world) == -1
    assert world.seen_by_all() == seen  # nothing was posted for anyone else to see


async def test_a_button_from_before_a_restart_still_votes_without_any_lookup(
    world: VoteWorld,
) -> None:
    answer = await world.tap("99", BUTTONS[1])  # a message this process never posted

    assert answer.startswith("👎") and await vote_of(world) == -1


@pytest.mark.parametrize("data", ["garbage", "vote:up:not-a-paper", "vote:sideways:2602.00780"])
async def test_a_button_that_is_not_a_vote_gets_one_line_and_nothing_is_stored(
    world: VoteWorld, data: str
) -> None:
    paper = await world.summarize()

    answer = await world.tap(paper, data)

    assert NOT_A_VOTE in answer and "\n" not in answer
    async with world.core.db.session() as session:
        assert await VoteRepository(session).in_chat(world.platform, world.chat_id) == []


# ---- Slack only ------------------------------------------------------------------------------


async def test_a_forged_slack_interaction_gets_401_and_nothing_is_stored(
    arxiv: FakeArxiv, slack: FakeSlack, database_url: str, tmp_path: Path
) -> None:
    with slackapp.GatedOpenAI() as llm:
        async with slackapp.running_slack_bot(arxiv, llm, slack, database_url, tmp_path) as bot:
            payload = slackapp.block_actions(
                slack, "1700000000.000001", "vote_up", BUTTONS[0], response_token="forged"
            )
            body = slackapp.interaction(payload)

            status, _ = await slackapp.post_signed(bot.url, body, secret="not-the-secret")

            assert status == 401
            async with bot.core.db.session() as session:
                assert await VoteRepository(session).in_chat("slack", slackapp.CHANNEL) == []
            assert slack.responses_to("forged") == []


async def test_a_vote_in_a_slack_dm_is_kept_for_that_dm(
    arxiv: FakeArxiv, slack: FakeSlack, database_url: str, tmp_path: Path
) -> None:
    with slackapp.GatedOpenAI() as llm:
        async with slackapp.running_slack_bot(arxiv, llm, slack, database_url, tmp_path) as bot:
            dm = "D0ALICE"
            payload = slackapp.block_actions(
                slack, "1.2", "vote_down", BUTTONS[1], response_token="dm", channel=dm
            )
            status, _ = await slackapp.post_signed(bot.url, slackapp.interaction(payload))
            (answer,) = await until(lambda: slackapp.private_answers(slack, "dm"))
            async with bot.core.db.session() as session:
                votes = await VoteRepository(session).in_chat("slack", dm)

    assert status == 200 and answer["text"].startswith("👎")
    assert [(v.user_id, v.value) for v in votes] == [(slackapp.ALICE, -1)]
    assert slack.all_posts == [] and slack.ephemerals == []


async def test_socket_mode_takes_a_tap_from_its_envelope(
    arxiv: FakeArxiv, database_url: str, tmp_path: Path
) -> None:
    acks: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
    with slackapp.SocketModeSlack() as slack, FakeOpenAI() as llm:
        tap = slackapp.block_actions(slack, "1.2", "vote_up", BUTTONS[0], response_token="socket")

        async def link(request: web.Request) -> web.WebSocketResponse:
            socket = web.WebSocketResponse()
            await socket.prepare(request)
            await socket.send_json({"type": "hello", "num_connections": 1})
            envelope = {"envelope_id": "tap-1", "type": "interactive", "payload": tap}
            await socket.send_json({**envelope, "accepts_response_payload": False})
            async for message in socket:
                if message.type == WSMsgType.TEXT:
                    acks.put_nowait(json.loads(message.data))
            return socket

        server = web.Application()
        server.router.add_get("/link", link)
        runner = web.AppRunner(server, shutdown_timeout=1)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", 0).start()
        slack.wss_url = f"ws://127.0.0.1:{runner.addresses[0][1]}/link"
        settings = make_settings(
            arxiv,
            llm,
            database_url,
            tmp_path,
            slack_bot_token=slack.token,
            slack_app_token=slack.app_token,
            slack_api_url=slack.api_url,
        )
        try:
            async with open_digest(settings, digest_options(settings)) as digest:
                core = make_chat_core(settings, digest)
                app = build_slack_app(core, make_client(settings.slack()), settings.slack())
                bot = asyncio.create_task(run_slack(app, settings.slack()))
                try:
                    ack = await asyncio.wait_for(acks.get(), WAIT_SECONDS)
                    (answer,) = await until(lambda: slackapp.private_answers(slack, "socket"))
                    async with core.db.session() as session:
                        vote = await VoteRepository(session).get(
                            "slack", slackapp.CHANNEL, slackapp.ALICE, ECO.arxiv_id
                        )
                finally:
                    bot.cancel()
                    with contextlib.suppress(asyncio.CancelledError):
                        await bot
        finally:
            await runner.cleanup()

    assert ack == {"envelope_id": "tap-1"}
    assert answer["text"].startswith("👍") and vote == 1
    assert slack.all_posts == []


# ---- Telegram only ---------------------------------------------------------------------------


async def test_telegram_is_asked_for_callback_queries_when_polling(
    arxiv: FakeArxiv, database_url: str, tmp_path: Path
) -> None:
    with FakeOpenAI() as llm, FakeTelegram() as telegram:
        async with running_bot(telegram, arxiv, llm, database_url, tmp_path) as bot:
            assert bot.where == "long polling"
            assert telegram.allowed_updates == ["message", "callback_query"]


async def test_telegram_is_asked_for_callback_queries_by_its_webhook(
    arxiv: FakeArxiv, database_url: str, tmp_path: Path
) -> None:
    with FakeOpenAI() as llm, FakeTelegram() as telegram:
        async with running_bot(
            telegram,
            arxiv,
            llm,
            database_url,
            tmp_path,
            telegram_webhook_url="https://bot.example.org/telegram/hook",
            telegram_webhook_secret="s3cret-Token_for-the-webhook",
            telegram_webhook_port=free_port(),
        ):
            assert telegram.allowed_updates == ["message", "callback_query"]


async def test_a_vote_in_a_forum_topic_and_in_private_is_recorded_for_that_chat(
    arxiv: FakeArxiv, database_url: str, tmp_path: Path
) -> None:
    forum = -100400500
    with FakeOpenAI() as llm, FakeTelegram() as telegram:
        telegram.add_chat(forum, "supergroup", is_forum=True)
        async with running_bot(telegram, arxiv, llm, database_url, tmp_path) as bot:
            telegram.add_command(
                forum, TG_ALICE, f"/summarize {ECO.arxiv_id}", message_thread_id=77
            )
            telegram.add_command(TG_ALICE, TG_ALICE, f"/summarize {ECO.arxiv_id}")
            in_topic, in_private = await until(
                lambda: (
                    telegram.sent(forum) + telegram.sent(TG_ALICE)
                    if telegram.sent(forum) and telegram.sent(TG_ALICE)
                    else []
                )
            )
            telegram.add_callback_query(forum, TG_ALICE, in_topic.message_id, BUTTONS[0])
            telegram.add_callback_query(TG_ALICE, TG_ALICE, in_private.message_id, BUTTONS[1])
            await until(lambda: len(telegram.callback_answers) == 2)
            async with bot.core.db.session() as session:
                votes = VoteRepository(session)
                in_forum = await votes.in_chat("telegram", str(forum))
                privately = await votes.in_chat("telegram", str(TG_ALICE))

    assert in_topic.message_thread_id == 77
    assert callback_data_of(in_topic.reply_markup) == list(BUTTONS)
    assert [v.value for v in in_forum] == [1] and [v.value for v in privately] == [-1]


async def test_the_fakes_refuse_buttons_the_real_apis_refuse() -> None:
    too_long = "vote:up:" + "9" * 57  # 65 bytes
    with pytest.raises(MarkupError, match="BUTTON_DATA_INVALID"):
        checked_keyboard({"inline_keyboard": [[{"text": "👍", "callback_data": too_long}]]})
    button = vote_block(ECO.arxiv_id)["elements"][0]
    for change, error in [
        ({"action_id": "a" * 256}, "action_id"),
        ({"value": "v" * 2001}, "value"),
        ({"text": {"type": "plain_text", "text": "t" * 76}}, "text"),
        ({"text": {"type": "mrkdwn", "text": "*up*"}}, "plain_text"),
    ]:
        block = {"type": "actions", "elements": [{**button, **change}]}
        with pytest.raises(SlackError) as refused:
            validate_blocks([block])
        assert refused.value.error == "invalid_blocks" and error in str(refused.value.detail)
    validate_blocks([vote_block(ECO.arxiv_id)])
