"""👍/👎 on a paper's message, tapped in the real clients against the fakes: Slack's signed
`block_actions` through Bolt's HTTP path, Telegram's `callback_query` through long polling.
Where both platforms must behave alike, one test runs on each."""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Protocol

import pytest

from bot.core import ChatCore
from bot.platform import vote_buttons
from bot.slack.votes import VOTE_ACTIONS
from storage.repositories import VoteRepository
from tests.bot import slackapp
from tests.bot.telegramapp import running_bot
from tests.daydata import ECO
from tests.fakes.arxiv_server import FakeArxiv
from tests.fakes.openai_server import FakeOpenAI
from tests.fakes.slack_server import FakeSlack, Post
from tests.fakes.telegram_buttons import callback_data_of
from tests.fakes.telegram_server import FakeTelegram
from tests.polling import until
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
        return tuple(
            e["value"]
            for b in blocks
            if b["type"] == "actions"
            for e in b["elements"]
            if e["action_id"] in VOTE_ACTIONS.values()  # not the Ask button beside them
        )

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
