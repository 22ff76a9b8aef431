"""Asking about a paper where people talk about it, through the real Bolt and PTB apps against
the fakes: Telegram replies to the bot's messages, Slack's Ask button, question box and
mentions. Here, what is refused and what is left alone; `test_answers.py` has the answers."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Protocol

import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient
from telegram import Bot as TelegramBot
from telegram import ForumTopic

from bot.core import ChatCore
from bot.platform import ThreadHead
from bot.slack.asking import ASK_ACTION, Asking
from bot.slack.mrkdwn import SlackMessage, section
from bot.slack.poster import SlackPoster
from domain.messages import text
from pipeline.qa.answers import MAX_QUESTION_CHARS
from pipeline.report import PaperEntry
from storage.answers import AnswerRepository
from storage.papers import PaperRepository
from tests.bot import slackapp
from tests.bot.telegramapp import ALICE, Bot, ask, running_bot
from tests.daydata import ECO
from tests.fakes.arxiv_server import FakeArxiv
from tests.fakes.openai_server import FakeOpenAI
from tests.fakes.slack_server import FakeSlack, Post
from tests.fakes.telegram_server import FakeTelegram
from tests.polling import until
from tests.processes import GROUP


async def remembered(core: ChatCore, platform: str, chat_id: str, message_id: str) -> None:
    """Until the bot has noted which paper its answer showed (just after posting it): a
    question under it before then would be about no paper."""

    async def known() -> bool:
        async with core.db.session() as session:
            found = await AnswerRepository(session).paper_at(platform, [chat_id], message_id)
        return found is not None

    await until(known)


class AskWorld(Protocol):
    platform: str
    llm: FakeOpenAI

    async def paper_message(self) -> str:
        """A `summarize` answer showing ECO: a paper's message people can ask about."""
        ...

    async def ask_under(self, message_id: str, question: str) -> str:
        """Asks under that message as people do there; what the asker is told, in one text."""
        ...


class SlackAsking:
    platform = "slack"

    def __init__(self, bot: slackapp.Bot) -> None:
        self.bot, self.slack, self.llm = bot, bot.slack, bot.llm

    async def paper_message(self) -> str:
        await slackapp.slash(self.bot, "/summarize", ECO.arxiv_id, token="sum")
        (answer,) = await until(lambda: self.slack.messages(slackapp.CHANNEL))
        await remembered(self.bot.core, "slack", slackapp.CHANNEL, answer.ts)
        return answer.ts

    async def ask_under(self, message_id: str, question: str) -> str:
        """`@arxiv-digest <question>` in the message's thread; refusals are ephemeral."""
        seen = len(self.slack.ephemerals)
        delivered = await asyncio.to_thread(
            self.slack.mention, slackapp.CHANNEL, slackapp.ALICE, question, thread_ts=message_id
        )
        assert delivered.status == 200
        (told,) = await until(lambda: self.slack.ephemerals[seen:])
        assert (told.user, told.thread_ts) == (slackapp.ALICE, message_id)
        return f"{told.text} {told.blocks}"


class TelegramAsking:
    platform = "telegram"

    def __init__(self, tg: Bot) -> None:
        self.tg, self.telegram, self.llm = tg, tg.telegram, tg.llm

    async def paper_message(self) -> str:
        answer = await ask(self.tg, GROUP, f"/summarize {ECO.arxiv_id}", user=ALICE)
        await remembered(self.tg.core, "telegram", str(GROUP), str(answer.message_id))
        return str(answer.message_id)

    async def ask_under(self, message_id: str, question: str) -> str:
        """A text reply to the message; the bot answers it with a reply."""
        update = self.telegram.add_message(GROUP, ALICE, question, reply_to=int(message_id))
        asked = update["message"]["message_id"]
        (told,) = await until(lambda: [m for m in self.telegram.sent(GROUP) if m.reply_to == asked])
        return told.plain


@pytest.fixture(params=["slack", "telegram"])
async def world(
    request: pytest.FixtureRequest, arxiv: FakeArxiv, database_url: str, tmp_path: Path
) -> AsyncIterator[AskWorld]:
    if request.param == "slack":
        with slackapp.GatedOpenAI() as llm, FakeSlack() as slack:
            async with slackapp.running_slack_bot(arxiv, llm, slack, database_url, tmp_path) as bot:
                slack.app_url, slack.signing_secret = bot.url, slackapp.SECRET
                yield SlackAsking(bot)
        return
    with FakeOpenAI() as llm, FakeTelegram() as telegram:
        telegram.add_chat(GROUP, "supergroup")
        async with running_bot(telegram, arxiv, llm, database_url, tmp_path) as tg:
            yield TelegramAsking(tg)


def model_calls(world: AskWorld) -> int:
    return len(world.llm.requests_to("/v1/chat/completions"))


async def test_a_question_too_long_gets_one_line_and_costs_nothing(world: AskWorld) -> None:
    paper = await world.paper_message()
    before = model_calls(world)
    length = MAX_QUESTION_CHARS + 500  # a Telegram message holds 4,096: both can carry it

    told = await world.ask_under(paper, "why? " * (length // 5))

    assert text("questions.too_long", "en", length=length - 1, limit=MAX_QUESTION_CHARS) in told
    assert model_calls(world) == before


async def test_a_question_under_a_message_that_is_no_papers_gets_one_clear_line(
    world: AskWorld,
) -> None:
    await world.paper_message()
    if isinstance(world, TelegramAsking):
        not_a_paper = str((await ask(world.tg, GROUP, "/help", user=ALICE)).message_id)
    else:
        not_a_paper = "1700000000.999999"  # a thread whose root is no paper's

    told = await world.ask_under(not_a_paper, "what baseline do they beat?")

    assert text("asking.not_a_paper", "en") in told


async def test_telegram_leaves_replies_to_other_peoples_messages_alone(
    arxiv: FakeArxiv, llm: FakeOpenAI, database_url: str, tmp_path: Path
) -> None:
    with FakeTelegram() as telegram:
        telegram.add_chat(GROUP, "supergroup")
        async with running_bot(telegram, arxiv, llm, database_url, tmp_path) as tg:
            bobs = telegram.add_message(GROUP, 43, "EcoVLA looks good")["message"]["message_id"]
            telegram.add_message(GROUP, ALICE, "what baseline do they beat?", reply_to=bobs)
            help_answer = await ask(tg, GROUP, "/help", user=ALICE)
            # Then a reply to the bot's own message, which is answered: the first was not.
            asked = telegram.add_message(GROUP, ALICE, "and?", reply_to=help_answer.message_id)
            asked_id = asked["message"]["message_id"]
            await until(lambda: [m for m in telegram.sent(GROUP) if m.reply_to == asked_id])

            assert [m.reply_to for m in telegram.sent(GROUP)] == [
                help_answer.reply_to,
                asked_id,
            ]


async def test_a_plain_message_in_the_bots_topic_is_not_a_question(
    arxiv: FakeArxiv, llm: FakeOpenAI, database_url: str, tmp_path: Path
) -> None:
    """Telegram sends it as a reply to the topic's first message, which the bot created."""
    with FakeTelegram() as telegram:
        telegram.add_chat(GROUP, "supergroup", is_forum=True)
        async with running_bot(telegram, arxiv, llm, database_url, tmp_path) as tg:
            topic = (await tg_topic(tg, "2026-02-04")).message_thread_id
            chatter = telegram.add_message(GROUP, ALICE, "nice day", message_thread_id=topic)
            assert chatter["message"]["reply_to_message"]["message_id"] == topic
            answer = await ask(tg, GROUP, "/help", user=ALICE, message_thread_id=topic)

            assert [m.message_id for m in telegram.sent(GROUP)] == [answer.message_id]
            assert telegram.chat_actions == []


async def tg_topic(tg: Bot, name: str) -> ForumTopic:
    """A topic the bot opens, as for a day's thread."""
    async with TelegramBot(tg.telegram.token, base_url=tg.telegram.base_url) as bot:
        return await bot.create_forum_topic(GROUP, name)


# ---- Slack's question box


@pytest.fixture
async def slack_bot(
    arxiv: FakeArxiv, slack: FakeSlack, database_url: str, tmp_path: Path
) -> AsyncIterator[slackapp.Bot]:
    with slackapp.GatedOpenAI() as llm:
        async with slackapp.running_slack_bot(arxiv, llm, slack, database_url, tmp_path) as bot:
            slack.app_url, slack.signing_secret = bot.url, slackapp.SECRET
            yield bot


async def day_thread_paper(bot: slackapp.Bot) -> tuple[str, Post]:
    """ECO stored and posted in a day's thread, as the daily run does."""
    slack = bot.slack
    async with bot.core.db.session() as session:
        await PaperRepository(session).upsert([ECO])
    poster = SlackPoster(AsyncWebClient(token=slack.token, base_url=slack.api_url))
    parent = await poster.post(slackapp.CHANNEL, SlackMessage("The day", [section("The day")]))
    entry = PaperEntry(ECO, matched_keywords=["VLA"])
    ts = await poster.post_paper(slackapp.CHANNEL, ThreadHead(parent), entry, ())
    return parent, next(p for p in slack.all_posts if p.ts == ts)


async def test_ask_on_a_paper_in_a_days_thread_opens_a_question_box_for_that_thread(
    slack_bot: slackapp.Bot, slack: FakeSlack
) -> None:
    parent, paper = await day_thread_paper(slack_bot)

    delivered = await asyncio.to_thread(slack.tap, paper, ASK_ACTION, user=slackapp.ALICE)

    assert delivered.status == 200
    (opened,) = await until(lambda: list(slack.views.values()))
    asking = Asking.from_metadata(opened.view["private_metadata"])
    assert asking == Asking(ECO.arxiv_id, slackapp.CHANNEL, parent)
    element = opened.view["blocks"][0]["element"]
    assert element["max_length"] == MAX_QUESTION_CHARS
    assert ECO.title[:20] in opened.view["blocks"][0]["label"]["text"]
    assert slack.thread(slackapp.CHANNEL, parent) == [paper]  # nothing posted


async def test_an_expired_trigger_opens_nothing_and_says_to_tap_again(
    slack_bot: slackapp.Bot, slack: FakeSlack
) -> None:
    _, paper = await day_thread_paper(slack_bot)

    delivered = await asyncio.to_thread(
        slack.tap, paper, ASK_ACTION, user=slackapp.ALICE, trigger_age=3.5
    )

    assert delivered.status == 200
    (told,) = await until(lambda: slack.responses)
    assert text("asking.trigger_expired", "en") in slackapp.shown(told.body)
    assert told.body["response_type"] == "ephemeral"
    assert slack.views == {}


@pytest.mark.parametrize("forgery", ["wrong secret", "old timestamp"])
async def test_a_forged_interaction_gets_401_and_changes_nothing(
    slack_bot: slackapp.Bot, slack: FakeSlack, forgery: str
) -> None:
    _, paper = await day_thread_paper(slack_bot)
    posts = len(slack.all_posts)
    tap = {
        "type": "block_actions",
        "user": {"id": slackapp.ALICE},
        "trigger_id": slack.issue_trigger(slackapp.ALICE),
        "channel": {"id": slackapp.CHANNEL},
        "container": {"message_ts": paper.ts, "channel_id": slackapp.CHANNEL},
        "actions": [{"action_id": ASK_ACTION, "value": ECO.arxiv_id, "type": "button"}],
    }
    body = slackapp.interaction(tap)
    if forgery == "wrong secret":
        delivered = await asyncio.to_thread(
            slack.send, body, "application/x-www-form-urlencoded", secret="not-the-secret"
        )
    else:
        delivered = await asyncio.to_thread(
            slack.send, body, "application/x-www-form-urlencoded", timestamp=1_600_000_000
        )

    assert delivered.status == 401
    assert slack.views == {} and slack.responses == [] and len(slack.all_posts) == posts


async def test_a_trigger_opens_one_box_once_and_only_while_it_lives(slack: FakeSlack) -> None:
    client = AsyncWebClient(token=slack.token, base_url=slack.api_url)
    view = {
        "type": "modal",
        "title": {"type": "plain_text", "text": "Ask"},
        "blocks": [],
    }
    fresh = slack.issue_trigger(slackapp.ALICE)
    await client.views_open(trigger_id=fresh, view=view)

    for trigger, error in [
        (fresh, "exchanged_trigger_id"),
        (slack.issue_trigger(slackapp.ALICE, age=3.1), "expired_trigger_id"),
        ("12345.98765.abcd", "invalid_trigger_id"),
    ]:
        with pytest.raises(SlackApiError) as refused:
            await client.views_open(trigger_id=trigger, view=view)
        assert refused.value.response["error"] == error
    assert len(slack.views) == 1


async def test_a_mention_with_no_question_outside_any_thread_says_how_to_ask(
    slack_bot: slackapp.Bot, slack: FakeSlack
) -> None:
    """With a question it asks the archive (`test_archive_asking.py`)."""
    delivered = await asyncio.to_thread(slack.mention, slackapp.CHANNEL, slackapp.ALICE, "  ")

    assert delivered.status == 200
    (told,) = await until(lambda: slack.ephemerals)
    assert text("asking.how", "en") in (told.text or "")
    assert slack.all_posts == []


async def test_ask_without_a_question_in_telegram_says_how(
    arxiv: FakeArxiv, llm: FakeOpenAI, database_url: str, tmp_path: Path
) -> None:
    with FakeTelegram() as telegram:
        async with running_bot(telegram, arxiv, llm, database_url, tmp_path) as tg:
            answer = await ask(tg, ALICE, f"/ask {ECO.arxiv_id}")

    assert text("asking.usage", "en") in answer.plain


async def test_slash_ask_is_acknowledged_at_once_with_its_paper(slack_bot: slackapp.Bot) -> None:
    slack_bot.llm.gate.clear()  # the answer waits on the model; the acknowledgement does not
    try:
        acknowledged = await slackapp.slash(slack_bot, "/ask", f"{ECO.arxiv_id} why prune?")
    finally:
        slack_bot.llm.gate.set()

    assert acknowledged == text("chat.ack.ask", "en", paper=ECO.arxiv_id)
