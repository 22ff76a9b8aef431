"""👍/👎 emoji reactions on a paper's message in the daily thread, sent by the real clients'
ways against the fakes: Slack's signed `reaction_added`/`reaction_removed` events through
Bolt's HTTP path, Telegram's `message_reaction` updates through long polling. A reaction gets
no answer, so each test waits until the core has taken every one it was sent."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import date
from pathlib import Path
from typing import Protocol

import pytest

from bot.core import ChatCore
from bot.platform import ChatEvent, ReactionEvent, Reply
from storage.repositories import AnswerRepository, DeliveryRepository, VoteRepository
from tests.bot import slackapp
from tests.bot.telegramapp import Bot, ask, running_bot
from tests.daydata import ECO
from tests.fakes.arxiv_server import FakeArxiv
from tests.fakes.openai_server import FakeOpenAI
from tests.fakes.slack_server import FakeSlack
from tests.fakes.telegram_server import FakeTelegram
from tests.polling import until
from tests.processes import GROUP

TG_ALICE = 42
SLACK_NAMES = {"👍": "+1", "👎": "-1", "❤️": "heart"}


class ReactionWorld(Protocol):
    core: ChatCore
    platform: str
    chat_id: str
    user_id: str
    paper_message: str  # ECO's message in today's thread, as the ledger has it
    taken: list[ReactionEvent]  # the reactions the core has finished with

    async def add(self, message_id: str, emoji: str) -> None: ...

    async def remove(self, message_id: str, emoji: str) -> None: ...

    async def summarize(self) -> str:
        """`/summarize` ECO in the chat; the answer's (first) message id."""
        ...


def spy_on(core: ChatCore, monkeypatch: pytest.MonkeyPatch) -> list[ReactionEvent]:
    """The reactions the core has handled, each once it is done with it."""
    taken: list[ReactionEvent] = []
    handle: Callable[[ChatEvent], Awaitable[Reply | None]] = core.on_event

    async def on_event(event: ChatEvent) -> Reply | None:
        try:
            return await handle(event)
        finally:
            if isinstance(event, ReactionEvent):
                taken.append(event)

    monkeypatch.setattr(core, "on_event", on_event)
    return taken


async def deliver(core: ChatCore, platform: str, chat_id: str, message_id: str) -> None:
    """As the daily run records ECO's message in the chat's thread of the day."""
    async with core.db.session() as session:
        ledger = DeliveryRepository(session)
        thread = await ledger.get_or_create_thread(platform, chat_id, date.today(), "s")
        await ledger.set_parent(thread.id, "1")
        await ledger.record_sent(thread.id, ECO.arxiv_id, 1, message_id)


async def remembered(core: ChatCore, platform: str, chat_id: str, message_id: str) -> None:
    """Until the bot has noted which paper its answer showed (just after posting it)."""

    async def known() -> bool:
        async with core.db.session() as session:
            found = await AnswerRepository(session).paper_at(platform, [chat_id], message_id)
        return found is not None

    await until(known)


class SlackReactions:
    def __init__(self, bot: slackapp.Bot, taken: list[ReactionEvent]) -> None:
        self.bot, self.core, self.taken, self.platform = bot, bot.core, taken, "slack"
        self.chat_id, self.user_id = slackapp.CHANNEL, slackapp.ALICE
        self.paper_message = "1700000000.000200"

    async def add(self, message_id: str, emoji: str) -> None:
        await self.send(message_id, SLACK_NAMES[emoji], removed=False)

    async def remove(self, message_id: str, emoji: str) -> None:
        await self.send(message_id, SLACK_NAMES[emoji], removed=True)

    async def summarize(self) -> str:
        await slackapp.slash(self.bot, "/summarize", ECO.arxiv_id, token="sum")
        (answer,) = await until(lambda: self.bot.slack.messages(self.chat_id))
        await remembered(self.core, "slack", self.chat_id, answer.ts)
        return answer.ts

    async def send(self, message_id: str, name: str, *, removed: bool) -> None:
        body = slackapp.reaction_event(self.bot.slack, message_id, name, removed=removed)
        status, _ = await slackapp.post_signed(self.bot.url, body, content_type="application/json")
        assert status == 200


class TelegramReactions:
    """Alice reacts as most people can: one reaction per message, a new one replaces it."""

    def __init__(self, tg: Bot, taken: list[ReactionEvent]) -> None:
        self.tg, self.telegram, self.core = tg, tg.telegram, tg.core
        self.taken, self.platform = taken, "telegram"
        self.chat_id, self.user_id = str(GROUP), str(TG_ALICE)
        self.paper_message = "501"
        self._shown: dict[str, list[str]] = {}

    async def add(self, message_id: str, emoji: str) -> None:
        self._change(message_id, [emoji])

    async def summarize(self) -> str:
        answer = await ask(self.tg, GROUP, f"/summarize {ECO.arxiv_id}", user=TG_ALICE)
        await remembered(self.core, "telegram", self.chat_id, str(answer.message_id))
        return str(answer.message_id)

    async def remove(self, message_id: str, emoji: str) -> None:
        self._change(message_id, [e for e in self._shown.get(message_id, []) if e != emoji])

    def _change(self, message_id: str, new: list[str]) -> None:
        old = self._shown.get(message_id, [])
        self.telegram.add_message_reaction(GROUP, TG_ALICE, int(message_id), old, new)
        self._shown[message_id] = new


@pytest.fixture(params=["slack", "telegram"])
async def world(
    request: pytest.FixtureRequest,
    arxiv: FakeArxiv,
    database_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> AsyncIterator[ReactionWorld]:
    if request.param == "slack":
        with slackapp.GatedOpenAI() as llm, FakeSlack() as slack:
            async with slackapp.running_slack_bot(arxiv, llm, slack, database_url, tmp_path) as bot:
                found: ReactionWorld = SlackReactions(bot, spy_on(bot.core, monkeypatch))
                await deliver(bot.core, "slack", found.chat_id, found.paper_message)
                yield found
        return
    with FakeOpenAI() as llm, FakeTelegram() as telegram:
        telegram.add_chat(GROUP, "supergroup")
        async with running_bot(telegram, arxiv, llm, database_url, tmp_path) as tg:
            found = TelegramReactions(tg, spy_on(tg.core, monkeypatch))
            await deliver(tg.core, "telegram", found.chat_id, found.paper_message)
            yield found


async def vote_of(world: ReactionWorld) -> int | None:
    async with world.core.db.session() as session:
        return await VoteRepository(session).get(
            world.platform, world.chat_id, world.user_id, ECO.arxiv_id
        )


async def taken(world: ReactionWorld, count: int) -> None:
    await until(lambda: len(world.taken) >= count)


async def test_a_thumbs_up_votes_a_thumbs_down_changes_it_and_removing_it_takes_it_back(
    world: ReactionWorld,
) -> None:
    paper = world.paper_message

    await world.add(paper, "👍")
    await taken(world, 1)
    assert await vote_of(world) == 1
    await world.add(paper, "👎")
    await taken(world, 2)
    assert await vote_of(world) == -1
    await world.remove(paper, "👎")
    await taken(world, 3)

    assert await vote_of(world) is None


async def test_a_reaction_on_an_unknown_message_or_another_emoji_stores_nothing(
    world: ReactionWorld,
) -> None:
    await world.add("777", "👍")  # a message the ledger does not know as a paper's
    await world.add(world.paper_message, "❤️")
    await taken(world, 2)

    async with world.core.db.session() as session:
        assert await VoteRepository(session).in_chat(world.platform, world.chat_id) == []


async def test_a_reaction_on_a_summarize_answer_votes_for_its_paper(world: ReactionWorld) -> None:
    answer = await world.summarize()

    await world.add(answer, "👍")
    await taken(world, 1)

    assert await vote_of(world) == 1


# ---- Slack only ------------------------------------------------------------------------------


async def test_slack_counts_any_skin_tone_and_removing_the_older_reaction_keeps_the_newer(
    arxiv: FakeArxiv,
    slack: FakeSlack,
    database_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """On Slack one person may show 👍 and 👎 at once: the vote is the last one added, and
    taking the other away leaves it."""
    with slackapp.GatedOpenAI() as llm:
        async with slackapp.running_slack_bot(arxiv, llm, slack, database_url, tmp_path) as bot:
            world = SlackReactions(bot, spy_on(bot.core, monkeypatch))
            await deliver(bot.core, "slack", world.chat_id, world.paper_message)
            paper = world.paper_message
            await world.send(paper, "thumbsup::skin-tone-2", removed=False)
            await taken(world, 1)
            up = await vote_of(world)
            await world.send(paper, "-1::skin-tone-5", removed=False)
            await taken(world, 2)
            await world.remove(paper, "👍")
            await taken(world, 3)
            kept = await vote_of(world)

    assert (up, kept) == (1, -1)


async def test_a_forged_slack_reaction_gets_401_and_nothing_is_stored(
    arxiv: FakeArxiv,
    slack: FakeSlack,
    database_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with slackapp.GatedOpenAI() as llm:
        async with slackapp.running_slack_bot(arxiv, llm, slack, database_url, tmp_path) as bot:
            taken_events = spy_on(bot.core, monkeypatch)
            await deliver(bot.core, "slack", slackapp.CHANNEL, "1700000000.000200")
            body = slackapp.reaction_event(slack, "1700000000.000200", "+1")

            status, _ = await slackapp.post_signed(
                bot.url, body, secret="not-the-secret", content_type="application/json"
            )

            assert status == 401
            assert taken_events == []
            async with bot.core.db.session() as session:
                assert await VoteRepository(session).in_chat("slack", slackapp.CHANNEL) == []
