"""Questions answered where they were asked, through the real Bolt and PTB apps, the real
engine (`Digest.ask`) and the fake LLM: Telegram replies in a forum topic and their
follow-ups, Slack's question box and mentions, `/ask` and its daily cap."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.core import ChatCore
from bot.platform import ChatEvent, QuestionEvent, Reply
from bot.slack.asking import ASK_ACTION, FOLLOW_UP_ACTION, Asking
from domain.messages import text
from storage.models import QuestionRow
from tests.bot import slackapp
from tests.bot.telegramapp import ALICE, ask, running_bot
from tests.bot.test_asking import day_thread_paper, remembered, tg_topic
from tests.daydata import ECO
from tests.fakes.arxiv_server import FakeArxiv
from tests.fakes.openai_server import FakeOpenAI
from tests.fakes.slack_server import FakeSlack
from tests.fakes.telegram_server import FakeTelegram
from tests.polling import until
from tests.processes import GROUP

QUESTION = "What baseline do they beat on LIBERO?"


async def asked_at(core: ChatCore, message_id: str) -> QuestionRow:
    """The stored question whose answer is that message (recorded once it is posted)."""

    async def found() -> QuestionRow | None:
        async with core.db.session() as session:
            stmt = select(QuestionRow).where(QuestionRow.message_id == message_id)
            return (await session.execute(stmt)).scalar_one_or_none()

    row = await until(found)
    assert isinstance(row, QuestionRow)
    return row


def spy_on(core: ChatCore, monkeypatch: pytest.MonkeyPatch) -> list[QuestionEvent]:
    """The questions the core has finished with."""
    done: list[QuestionEvent] = []
    handle: Callable[[ChatEvent], Awaitable[Reply | None]] = core.on_event

    async def on_event(event: ChatEvent) -> Reply | None:
        try:
            return await handle(event)
        finally:
            if isinstance(event, QuestionEvent):
                done.append(event)

    monkeypatch.setattr(core, "on_event", on_event)
    return done


async def test_telegram_answers_a_reply_in_its_topic_and_a_reply_to_the_answer_follows_on(
    arxiv: FakeArxiv, llm: FakeOpenAI, database_url: str, tmp_path: Path
) -> None:
    with FakeTelegram() as telegram:
        telegram.add_chat(GROUP, "supergroup", is_forum=True)
        async with running_bot(telegram, arxiv, llm, database_url, tmp_path) as tg:
            topic = (await tg_topic(tg, "2026-02-04")).message_thread_id
            paper = await ask(tg, GROUP, f"/summarize {ECO.arxiv_id}", message_thread_id=topic)
            await remembered(tg.core, "telegram", str(GROUP), str(paper.message_id))
            first = telegram.add_message(
                GROUP, ALICE, QUESTION, reply_to=paper.message_id, message_thread_id=topic
            )["message"]["message_id"]
            (answer,) = await until(
                lambda: [m for m in telegram.sent(GROUP) if m.reply_to == first]
            )
            asked = await asked_at(tg.core, str(answer.message_id))

            later = telegram.add_message(
                GROUP, ALICE, "And on CALVIN?", reply_to=answer.message_id, message_thread_id=topic
            )["message"]["message_id"]
            (follow_up,) = await until(
                lambda: [m for m in telegram.sent(GROUP) if m.reply_to == later]
            )
            followed = await asked_at(tg.core, str(follow_up.message_id))

    assert answer.message_thread_id == follow_up.message_thread_id == topic
    assert QUESTION in answer.plain and ECO.title[:20] in answer.plain
    assert (asked.arxiv_id, asked.follows) == (ECO.arxiv_id, None)
    assert followed.follows == asked.id
    assert any(a.message_thread_id == topic for a in telegram.chat_actions)


@pytest.fixture
async def slack_bot(
    arxiv: FakeArxiv, slack: FakeSlack, database_url: str, tmp_path: Path
) -> AsyncIterator[slackapp.Bot]:
    with slackapp.GatedOpenAI() as llm:
        async with slackapp.running_slack_bot(arxiv, llm, slack, database_url, tmp_path) as bot:
            slack.app_url, slack.signing_secret = bot.url, slackapp.SECRET
            yield bot


async def test_slack_answers_a_question_box_once_in_the_papers_thread_and_offers_a_follow_up(
    slack_bot: slackapp.Bot, slack: FakeSlack, monkeypatch: pytest.MonkeyPatch
) -> None:
    done = spy_on(slack_bot.core, monkeypatch)
    parent, paper = await day_thread_paper(slack_bot)
    await asyncio.to_thread(slack.tap, paper, ASK_ACTION, user=slackapp.ALICE)
    (view,) = await until(lambda: list(slack.views))

    submitted = await asyncio.to_thread(slack.submit, view, QUESTION)
    (answer,) = await until(lambda: slack.thread(slackapp.CHANNEL, parent)[1:])
    again = await asyncio.to_thread(slack.submit, view, QUESTION)  # Slack delivering it twice
    await until(lambda: len(done) == 2)

    assert (submitted.status, submitted.body) == (again.status, again.body) == (200, "")
    assert slack.thread(slackapp.CHANNEL, parent) == [paper, answer]
    shown = f"{answer.text} {answer.blocks}"
    assert f"<@{slackapp.ALICE}>" in shown and QUESTION in shown and "EcoVLA" in shown
    asked = await asked_at(slack_bot.core, answer.ts)

    await asyncio.to_thread(slack.tap, answer, FOLLOW_UP_ACTION, user=slackapp.ALICE)
    await until(lambda: len(slack.views) == 2)
    follow_view = list(slack.views)[1]
    asking = Asking.from_metadata(slack.views[follow_view].view["private_metadata"])
    assert asking == Asking(ECO.arxiv_id, slackapp.CHANNEL, parent, asked.id)
    await asyncio.to_thread(slack.submit, follow_view, "And on CALVIN?")
    (follow_up,) = await until(lambda: slack.thread(slackapp.CHANNEL, parent)[2:])
    assert (await asked_at(slack_bot.core, follow_up.ts)).follows == asked.id


async def test_a_mention_in_a_summarize_answers_thread_is_answered_there(
    slack_bot: slackapp.Bot, slack: FakeSlack
) -> None:
    await slackapp.slash(slack_bot, "/summarize", ECO.arxiv_id, token="sum")
    (paper,) = await until(lambda: slack.messages(slackapp.CHANNEL))
    await remembered(slack_bot.core, "slack", slackapp.CHANNEL, paper.ts)

    await asyncio.to_thread(
        slack.mention, slackapp.CHANNEL, slackapp.ALICE, QUESTION, thread_ts=paper.ts
    )

    (answer, *_) = await until(lambda: slack.thread(slackapp.CHANNEL, paper.ts))
    assert QUESTION in f"{answer.text} {answer.blocks}"
    assert (await asked_at(slack_bot.core, answer.ts)).arxiv_id == ECO.arxiv_id


async def test_the_daily_cap_refuses_new_questions_but_not_answers_from_the_store(
    arxiv: FakeArxiv, llm: FakeOpenAI, database_url: str, tmp_path: Path
) -> None:
    with FakeTelegram() as telegram:
        async with running_bot(
            telegram, arxiv, llm, database_url, tmp_path, ask_per_user_per_day=1
        ) as tg:
            first = await ask(tg, ALICE, f"/ask {ECO.arxiv_id} {QUESTION}")
            refused = await ask(tg, ALICE, f"/ask {ECO.arxiv_id} How big is the model?")
            stored = await ask(tg, ALICE, f"/ask {ECO.arxiv_id} {QUESTION}")

    assert QUESTION in first.plain
    assert text("asking.cap", "en", cap=1) in refused.plain
    assert stored.plain.startswith(first.plain)  # the same answer, and a note that says so
    assert text("questions.from_store", "en") in stored.plain
