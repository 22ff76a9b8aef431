"""`search`, `saved` and `export` on Slack and on Telegram alike, each through its real app and
fake, on every test database."""

from __future__ import annotations

import itertools
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

import bibtexparser
import pytest
from sqlalchemy import text

from storage.db import Database
from storage.repositories import AnswerRepository, DeliveryRepository, PaperRepository
from storage.votes import DOWN, UP, VoteRepository
from tests.bot import slackapp, telegramapp
from tests.fakes.arxiv_server import FakeArxiv
from tests.fakes.openai_server import FakeOpenAI
from tests.fakes.slack_server import FakeSlack
from tests.fakes.telegram_server import FakeTelegram
from tests.polling import until
from tests.processes import GROUP
from tests.samples import sample_paper

DAY = date(2026, 2, 4)
PAPERS = [
    sample_paper(
        arxiv_id="2602.00101",
        title="Diffusion Policies for Tactile Grasping",
        abstract="We grasp with diffusion policies. Tactile sensing helps.",
        announced_on=date(2026, 2, 2),
    ),
    sample_paper(
        arxiv_id="2602.00102",
        title="KV-Cache Compression for Long Contexts",
        abstract="We compress the KV cache of transformers by quantisation. It is fast.",
        categories=["cs.LG"],
        authors=["Song Han"],
        announced_on=date(2026, 2, 3),
    ),
    sample_paper(
        arxiv_id="2602.00103",
        title="Diffusion Models for Machine Translation",
        abstract="Diffusion decoding for translation. It beats autoregressive decoding.",
        announced_on=date(2026, 2, 4),
    ),
]
OTHER = "U0BOB", "99"  # another member (Slack, Telegram)

Ask = Callable[[str], Awaitable[str]]


@dataclass
class App:
    platform: str
    ask: Ask  # what the asker sees where they asked, as text
    chat: str
    user: str
    slack: FakeSlack | None = None
    telegram: FakeTelegram | None = None

    def files(self) -> list[tuple[str, str, bytes]]:
        """(where it went, file name, bytes) of every file the bot sent."""
        if self.slack is not None:
            return [(f.channel or "", f.filename, f.content) for f in self.slack.shared_files]
        assert self.telegram is not None
        return [(str(d.chat_id), d.filename, d.content) for d in self.telegram.documents]

    def private_chat(self) -> str:
        """Where a file for the asker must go: the DM with the bot."""
        if self.slack is not None:
            return self.slack.dm_channel(self.user)
        return self.user


def _slack_ask(bot: slackapp.Bot) -> Ask:
    tokens = itertools.count()

    async def ask(typed: str) -> str:
        name, _, rest = typed.partition(" ")
        token = f"memory-{next(tokens)}"
        await slackapp.slash(bot, f"/{name}", rest, token=token)
        (answer,) = await until(lambda: slackapp.private_answers(bot.slack, token))
        return slackapp.shown(answer)

    return ask


def _telegram_ask(bot: telegramapp.Bot) -> Ask:
    async def ask(typed: str) -> str:
        return (await telegramapp.ask(bot, GROUP, f"/{typed}")).text  # HTML: links show

    return ask


@pytest.fixture(params=["slack", "telegram"])
async def app(
    request: pytest.FixtureRequest, arxiv: FakeArxiv, database_url: str, tmp_path: Path
) -> AsyncIterator[App]:
    if request.param == "slack":
        with FakeSlack() as slack, slackapp.GatedOpenAI() as llm:
            running = slackapp.running_slack_bot(arxiv, llm, slack, database_url, tmp_path)
            async with running as bot:
                yield App("slack", _slack_ask(bot), slackapp.CHANNEL, slackapp.ALICE, slack=slack)
        return
    with telegramapp.telegram_group() as telegram, FakeOpenAI() as llm:
        async with telegramapp.running_bot(telegram, arxiv, llm, database_url, tmp_path) as bot:
            chat, user = str(GROUP), str(telegramapp.ALICE)
            yield App("telegram", _telegram_ask(bot), chat, user, telegram=telegram)


async def _archive(app: App, database: Database) -> None:
    """The three papers; the asker 👍 the first and the second (later), Bob 👍 the third here
    and the asker 👎 it; the chat was shown the second in a thread and the third as an answer."""
    other = OTHER[0] if app.platform == "slack" else OTHER[1]
    async with database.session() as session:
        await PaperRepository(session).upsert(PAPERS)
        votes = VoteRepository(session)
        await votes.record(app.platform, "elsewhere", app.user, PAPERS[0].arxiv_id, UP)
        await session.commit()
        await votes.record(app.platform, app.chat, app.user, PAPERS[1].arxiv_id, UP)
        await votes.record(app.platform, app.chat, other, PAPERS[2].arxiv_id, UP)
        await votes.record(app.platform, app.chat, app.user, PAPERS[2].arxiv_id, DOWN)
        ledger = DeliveryRepository(session)
        thread = await ledger.get_or_create_thread(app.platform, app.chat, DAY, "chat")
        await ledger.record_sent(thread.id, PAPERS[1].arxiv_id, 1, "501")
        await AnswerRepository(session).record(app.platform, app.chat, "502", PAPERS[2].arxiv_id)


async def test_search_lists_the_best_matches_each_with_its_day_gist_and_likes_here(
    app: App, database: Database
) -> None:
    await _archive(app, database)

    found = await app.ask("search diffusion")
    exact = await app.ask("search KV-Cache Compression for Long Contexts")
    none = await app.ask("search photosynthesis")

    assert "The best 2 matches in the archive" in found
    assert "Diffusion Policies for Tactile Grasping" in found and "seen 2026-02-02" in found
    assert "https://arxiv.org/abs/2602.00103" in found and "👍 1" in found
    assert "Diffusion decoding for translation." in found  # the gist: the first sentence
    assert "KV-Cache" not in found
    assert "The best 1 matches" in exact and "2602.00102" in exact
    assert none.startswith("Nothing in the archive matches that.")


async def test_liked_and_chat_keep_the_askers_and_the_chats_papers(
    app: App, database: Database
) -> None:
    await _archive(app, database)

    liked = await app.ask("search diffusion liked")
    in_chat = await app.ask("search diffusion chat")
    all_liked = await app.ask("search liked")
    by_author = await app.ask('search author:"song han" cat:cs.LG')

    assert "2602.00101" in liked and "2602.00103" not in liked
    assert "2602.00103" in in_chat and "2602.00101" not in in_chat
    assert all_liked.index("2602.00102") < all_liked.index("2602.00101")  # newest 👍 first
    assert "2602.00102" in by_author and "2602.00101" not in by_author


async def test_saved_lists_the_askers_likes_newest_first(app: App, database: Database) -> None:
    empty = await app.ask("saved")
    await _archive(app, database)

    saved = await app.ask("saved")

    assert "You have saved no papers yet" in empty
    assert "newest first: 2 of 2" in saved
    assert saved.index("KV-Cache Compression") < saved.index("Diffusion Policies")
    assert "Machine Translation" not in saved  # a 👎, and Bob's 👍


async def test_export_sends_the_askers_likes_privately_as_bibtex_that_parses(
    app: App, database: Database
) -> None:
    nothing = await app.ask("export bibtex")
    await _archive(app, database)

    liked = await app.ask("export bibtex")
    posted = await app.ask("export bibtex chat since:2026-02-04")

    assert "Nothing to export: you saved no papers" in nothing
    assert "Sent you 2 papers as arxiv-digest-liked-" in liked and "private message" in liked
    assert "Sent you 1 papers as arxiv-digest-chat-" in posted
    (first, second) = await until(lambda: app.files() if len(app.files()) == 2 else None)
    for where, filename, _ in (first, second):
        assert where == app.private_chat() and filename.endswith(".bib")
    library = bibtexparser.parse_string(first[2].decode())
    assert library.failed_blocks == []
    assert [e.key for e in library.entries] == ["arxiv2602.00102", "arxiv2602.00101"]
    assert [e.key for e in bibtexparser.parse_string(second[2].decode()).entries] == [
        "arxiv2602.00103"
    ]
    if app.slack is not None:  # Slack's external upload, step by step
        steps = ["files.getUploadURLExternal", "upload", "files.completeUploadExternal"]
        assert app.slack.file_calls == steps * 2
        opened = app.slack.requests_to("/api/conversations.open")
        assert opened and all(r.query.get("users") == [app.user] for r in opened)


async def test_an_export_over_the_cap_holds_the_newest_and_says_so(
    app: App, database: Database
) -> None:
    papers = [
        replace(PAPERS[0], arxiv_id=f"2603.{n:05d}", title=f"Paper {n}") for n in range(5_000)
    ]
    async with database.session() as session:
        await PaperRepository(session).upsert(papers)
        votes = VoteRepository(session)
        for paper in papers:
            await votes.record(app.platform, app.chat, app.user, paper.arxiv_id, UP)

    answer = await app.ask("export bibtex liked")

    assert "Sent you 2000 papers" in answer
    assert "The file holds the newest 2000 of 5000 papers" in answer
    ((_, _, content),) = await until(app.files)
    library = bibtexparser.parse_string(content.decode())
    assert library.failed_blocks == [] and len(library.entries) == 2_000


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ('search "unbalanced NEAR(a* -b) OR', "Nothing in the archive matches that."),
        ("search since:2026-02-30 diffusion", "since:2026-02-30 is not a date"),
        ("search cat: diffusion", "cat: needs a value"),
        ("search liked chat since:2026-03-01 until:2026-01-01", "is after until:2026-01-01"),
        ("export zotero", "zotero is not a format I export"),
        ("export bibtex liked chat", "not both"),
        ("export bibtex since:2026-13-01", "since:2026-13-01 is not a date"),
    ],
)
async def test_bad_input_gets_one_clear_line(
    app: App, database: Database, typed: str, expected: str
) -> None:
    answer = await app.ask(typed)

    assert expected in answer
    assert "SELECT" not in answer and "search_index" not in answer


async def test_a_query_of_10000_characters_is_searched_by_its_first_words(
    app: App, database: Database
) -> None:
    await _archive(app, database)

    answer = await app.ask("search diffusion " + "tactile " * 1_250)

    assert "Diffusion Policies for Tactile Grasping" in answer
    assert "only its first words were searched" in answer


async def test_a_failing_search_engine_is_logged_and_answered_without_sql(
    app: App, database: Database, backend: str, caplog: pytest.LogCaptureFixture
) -> None:
    if backend != "sqlite":  # the worker's PostgreSQL database outlives the test: not there
        pytest.skip("breaks the schema, which only a test's own SQLite file may have")
    await _archive(app, database)
    async with database.session() as session:
        await session.execute(text("DROP TABLE search_index"))  # every search now fails

    with caplog.at_level(logging.ERROR):
        answer = await app.ask("search diffusion")

    assert "The search failed on our side" in answer
    assert "search_index" not in answer and "document" not in answer.lower()
    assert any("search 'diffusion'" in r.getMessage() and r.exc_info for r in caplog.records)
