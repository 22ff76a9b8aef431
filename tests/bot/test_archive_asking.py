"""Asking across the archive where people talk, through the real Bolt and PTB apps, the real
engine (`Digest.ask_archive`, `Digest.follow_up`) and the fake LLM, over an archive of real
papers: a real announcement day's papers (their abstracts) and the corpus's Transformer paper,
its PDF read. `/ask <question>` names no paper; a Telegram reply to the answer, or Slack's
follow-up button under it, continues across the archive."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import pytest

from bot.core import ChatCore
from bot.slack.asking import FOLLOW_UP_ACTION, Asking
from domain.messages import text
from domain.models import Paper
from pipeline.pdf import extract
from pipeline.qa.prompt import EARLIER_START, QUESTION_START
from storage.models import QuestionRow
from tests.bot import slackapp
from tests.bot.telegramapp import ALICE, Bot, ask, running_bot
from tests.bot.test_answers import asked_at, spy_on
from tests.fakes.arxiv_server import FakeArxiv
from tests.fakes.openai_server import FakeOpenAI
from tests.fakes.slack_server import FakeSlack, Post
from tests.fakes.telegram_server import FakeTelegram
from tests.pipeline.test_qa import TRANSFORMER_PDF
from tests.pipeline.test_qa_archive import ENCODER, SOURDOUGH, stock
from tests.polling import until
from tests.processes import GROUP
from tests.realdays import real_days

TRANSFORMER = "1706.03762"
FOLLOW_UP = "How many identical layers does that encoder stack hold?"
ANOTHER = "What did we see on multi-head attention and positional encodings?"


@pytest.fixture(scope="module")
def archive() -> tuple[list[Paper], tuple[Paper, bytes]]:
    """A real day's papers, and the Transformer paper with its PDF."""
    if not TRANSFORMER_PDF.is_file():
        pytest.skip("needs the corpus (../shared/corpus)")
    (day,) = real_days(1)
    pdf = TRANSFORMER_PDF.read_bytes()
    abstract = next(p.text for p in extract(pdf).passages if p.section == "Abstract")
    paper = Paper(
        arxiv_id=TRANSFORMER,
        version=5,
        title="Attention Is All You Need",
        authors=["Ashish Vaswani"],
        abstract=" ".join(abstract.split()),
        categories=["cs.CL"],
    )
    return day[:150], (paper, pdf)


@dataclass(frozen=True)
class Shown:
    """An answer as the chat shows it."""

    message_id: str
    markup: str  # as sent: Telegram's HTML, Slack's text and blocks
    plain: str  # what a reader sees (Slack: the same)


class ArchiveWorld(Protocol):
    platform: str
    llm: FakeOpenAI
    core: ChatCore

    async def ask(self, question: str) -> Shown:
        """`/ask <question>`, no paper named; the answer posted for the chat."""
        ...

    async def follow_up(self, answer: Shown, question: str, *, twice: bool = False) -> Shown:
        """Continues that answer as people do there (`twice`: the platform delivers the
        asking a second time); the one answer posted."""
        ...


def _slack_shown(post: Post) -> Shown:
    shown = f"{post.text} {json.dumps(post.blocks, ensure_ascii=False)}"
    return Shown(post.ts, shown, shown)


class SlackArchive:
    platform = "slack"

    def __init__(self, bot: slackapp.Bot, monkeypatch: pytest.MonkeyPatch) -> None:
        self.bot, self.slack, self.llm, self.core = bot, bot.slack, bot.llm, bot.core
        self.done = spy_on(bot.core, monkeypatch)

    async def ask(self, question: str) -> Shown:
        seen = len(self.slack.messages(slackapp.CHANNEL))
        await slackapp.slash(self.bot, "/ask", question, token=f"ask{seen}")
        (answer,) = await until(lambda: self.slack.messages(slackapp.CHANNEL)[seen:])
        await asked_at(self.core, answer.ts)  # remembered: its button and thread follow it
        return _slack_shown(answer)

    async def follow_up(self, answer: Shown, question: str, *, twice: bool = False) -> Shown:
        """Its Ask a follow-up button, then the question box; the answer in its thread."""
        post = next(p for p in self.slack.all_posts if p.ts == answer.message_id)
        views = len(self.slack.views)
        await asyncio.to_thread(self.slack.tap, post, FOLLOW_UP_ACTION, user=slackapp.ALICE)
        await until(lambda: len(self.slack.views) > views)
        view = list(self.slack.views)[-1]
        asking = Asking.from_metadata(self.slack.views[view].view["private_metadata"])
        assert asking is not None and asking.paper == "" and asking.follows is not None
        await asyncio.to_thread(self.slack.submit, view, question)
        (reply,) = await until(lambda: self.slack.thread(slackapp.CHANNEL, post.ts))
        if twice:
            done = len(self.done)
            await asyncio.to_thread(self.slack.submit, view, question)
            await until(lambda: len(self.done) > done)
            assert self.slack.thread(slackapp.CHANNEL, post.ts) == [reply]
        return _slack_shown(reply)


class TelegramArchive:
    platform = "telegram"

    def __init__(self, tg: Bot, monkeypatch: pytest.MonkeyPatch) -> None:
        self.tg, self.telegram, self.llm, self.core = tg, tg.telegram, tg.llm, tg.core
        self.done = spy_on(tg.core, monkeypatch)

    async def ask(self, question: str) -> Shown:
        answer = await ask(self.tg, GROUP, f"/ask {question}", user=ALICE)
        return Shown(str(answer.message_id), answer.text, answer.plain)

    async def follow_up(self, answer: Shown, question: str, *, twice: bool = False) -> Shown:
        """A text reply to the answer; the bot replies to it."""
        await asked_at(self.core, answer.message_id)  # remembered: a reply to it follows it
        update = self.telegram.add_message(GROUP, ALICE, question, reply_to=int(answer.message_id))
        asked = update["message"]["message_id"]

        def replies() -> list:
            return [m for m in self.telegram.sent(GROUP) if m.reply_to == asked]

        (reply,) = await until(replies)
        if twice:
            done = len(self.done)
            self.telegram.add_update({"message": update["message"]})  # delivered again
            await until(lambda: len(self.done) > done)
            assert replies() == [reply]
        return Shown(str(reply.message_id), reply.text, reply.plain)


@pytest.fixture(params=["slack", "telegram"])
async def world(
    request: pytest.FixtureRequest,
    arxiv: FakeArxiv,
    database_url: str,
    tmp_path: Path,
    archive: tuple[list[Paper], tuple[Paper, bytes]],
    monkeypatch: pytest.MonkeyPatch,
) -> AsyncIterator[ArchiveWorld]:
    papers, transformer = archive
    if request.param == "slack":
        with slackapp.GatedOpenAI() as llm, FakeSlack() as slack:
            async with slackapp.running_slack_bot(arxiv, llm, slack, database_url, tmp_path) as bot:
                slack.app_url, slack.signing_secret = bot.url, slackapp.SECRET
                await stock(bot.core.digest, papers, transformer)
                yield SlackArchive(bot, monkeypatch)
        return
    with FakeOpenAI() as llm, FakeTelegram() as telegram:
        telegram.add_chat(GROUP, "supergroup")
        async with running_bot(telegram, arxiv, llm, database_url, tmp_path) as tg:
            await stock(tg.core.digest, papers, transformer)
            yield TelegramArchive(tg, monkeypatch)


def questions_asked(llm: FakeOpenAI) -> list[str]:
    """The user message of every question the model was asked."""
    users = []
    for payload in llm.completions:
        user = next(m["content"] for m in payload["messages"] if m["role"] == "user")
        if QUESTION_START in user:
            users.append(user)
    return users


async def test_ask_without_a_paper_answers_across_the_archive_citing_arxiv_ids_linked(
    world: ArchiveWorld,
) -> None:
    shown = await world.ask(ENCODER)

    assert text("asking.archive.title", "en") in shown.plain and ENCODER in shown.plain
    assert f"https://arxiv.org/abs/{TRANSFORMER}" in shown.markup  # the source, linked
    assert f"[{TRANSFORMER} §" in shown.plain  # the inline label, with section and page
    assert "Attention Is All You Need" in shown.plain
    assert text("questions.archive.ungrounded", "en") not in shown.plain
    row = await asked_at(world.core, shown.message_id)
    assert (row.arxiv_id, row.follows) == ("", None)
    assert len(questions_asked(world.llm)) == 1


async def test_a_question_the_archive_holds_nothing_on_says_so_without_the_model(
    world: ArchiveWorld,
) -> None:
    shown = await world.ask(SOURDOUGH)

    assert text("questions.archive.nothing_found", "en") in shown.plain
    assert text("asking.archive.sources", "en") not in shown.plain
    assert world.llm.completions == []


async def test_a_follow_up_of_an_archive_answer_asks_the_archive_again_with_its_history_once(
    world: ArchiveWorld,
) -> None:
    first = await world.ask(ENCODER)

    second = await world.follow_up(first, FOLLOW_UP, twice=True)

    asked: QuestionRow = await asked_at(world.core, first.message_id)
    followed = await asked_at(world.core, second.message_id)
    assert (followed.arxiv_id, followed.follows) == ("", asked.id)
    assert text("asking.archive.title", "en") in second.plain and FOLLOW_UP in second.plain
    assert f"https://arxiv.org/abs/{TRANSFORMER}" in second.markup
    earlier, later = questions_asked(world.llm)  # the second delivery asked nothing
    assert EARLIER_START not in earlier
    assert EARLIER_START in later and ENCODER in later.split(QUESTION_START)[0]


async def test_the_daily_cap_counts_archive_answers_but_not_nothing_found(
    arxiv: FakeArxiv,
    llm: FakeOpenAI,
    database_url: str,
    tmp_path: Path,
    archive: tuple[list[Paper], tuple[Paper, bytes]],
) -> None:
    papers, transformer = archive
    with FakeTelegram() as telegram:
        async with running_bot(
            telegram, arxiv, llm, database_url, tmp_path, ask_per_user_per_day=1
        ) as tg:
            await stock(tg.core.digest, papers, transformer)
            nothing = [await ask(tg, ALICE, f"/ask {SOURDOUGH}") for _ in range(2)]
            answered = await ask(tg, ALICE, f"/ask {ENCODER}")
            refused = await ask(tg, ALICE, f"/ask {ANOTHER}")
            stored = await ask(tg, ALICE, f"/ask {ENCODER}")

    assert all(text("questions.archive.nothing_found", "en") in m.plain for m in nothing)
    assert f"[{TRANSFORMER}" in answered.plain
    assert text("asking.cap", "en", cap=1) in refused.plain
    assert stored.plain.startswith(answered.plain)  # the same answer, and a note that says so
    assert text("questions.archive.from_store", "en") in stored.plain
    assert len(questions_asked(llm)) == 1


async def test_a_slack_mention_outside_any_thread_asks_the_archive_and_one_in_its_thread_follows(
    arxiv: FakeArxiv,
    slack: FakeSlack,
    database_url: str,
    tmp_path: Path,
    archive: tuple[list[Paper], tuple[Paper, bytes]],
) -> None:
    papers, transformer = archive
    with slackapp.GatedOpenAI() as llm:
        async with slackapp.running_slack_bot(arxiv, llm, slack, database_url, tmp_path) as bot:
            slack.app_url, slack.signing_secret = bot.url, slackapp.SECRET
            await stock(bot.core.digest, papers, transformer)
            mentioned = await asyncio.to_thread(
                slack.mention, slackapp.CHANNEL, slackapp.ALICE, ENCODER
            )
            thread = str(mentioned.payload["event"]["ts"])
            (answer,) = await until(lambda: slack.thread(slackapp.CHANNEL, thread))
            asked = await asked_at(bot.core, answer.ts)
            await asyncio.to_thread(
                slack.mention, slackapp.CHANNEL, slackapp.ALICE, FOLLOW_UP, thread_ts=thread
            )
            (later,) = await until(lambda: slack.thread(slackapp.CHANNEL, thread)[1:])
            followed = await asked_at(bot.core, later.ts)

    shown = f"{answer.text} {answer.blocks}"
    assert f"<@{slackapp.ALICE}>" in shown and f"<https://arxiv.org/abs/{TRANSFORMER}|" in shown
    assert (asked.arxiv_id, followed.arxiv_id, followed.follows) == ("", "", asked.id)
    assert slack.ephemerals == []
