"""The day's thread starts while papers are still being analysed: the parent goes out once the
feed is matched, each paper as soon as its analysis lands (in the report's order), and the
parent is edited at the end to show the finished report, on Slack and on Telegram."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from arxiv_digest.settings import Settings
from arxiv_digest.wiring import DayRun, digest_options, open_digest, run_everything
from storage.db import Database
from storage.repositories import DeliveryRepository
from tests.daydata import DAY, make_settings, method_pdf, paper, serve_day
from tests.fakes.arxiv_server import FakeArxiv
from tests.fakes.base import Request, Response
from tests.fakes.openai_server import FakeOpenAI
from tests.fakes.slack_server import FakeSlack
from tests.fakes.telegram_server import FakeTelegram
from tests.polling import WAIT_SECONDS, until

CHANNEL = "C0DIGEST"
GROUP = -100200300
PAPERS = [
    paper(f"2602.0{n:04d}", f"Paper number {n} on VLA models", "We study VLA models.")
    for n in range(1, 5)
]
IDS = [p.arxiv_id for p in PAPERS]
ANALYSING = "analysing"


class HeldOpenAI(FakeOpenAI):
    """An LLM that keeps the answers about some papers until the test lets them go."""

    def __init__(self) -> None:
        super().__init__()
        self.held: set[str] = set()
        self.released = threading.Event()

    def handle(self, request: Request) -> Response:
        if any(title in request.body.decode() for title in self.held):
            self.released.wait(WAIT_SECONDS)
        return super().handle(request)


@pytest.fixture
def llm() -> Iterator[HeldOpenAI]:
    with HeldOpenAI() as fake:
        try:
            yield fake  # type: ignore[misc]
        finally:
            fake.released.set()


@dataclass
class Platform:
    """One platform's fake, seen the same way: the parent's text and the papers posted under it."""

    name: str
    settings: dict[str, object]
    parents: Callable[[], list[str]]
    papers: Callable[[], list[str]]  # arXiv ids in the order they were posted
    chat_id: str


def _ids_in(texts: list[str]) -> list[str]:
    return [next(i for i in IDS if i in text) for text in texts if any(i in text for i in IDS)]


@pytest.fixture(params=["slack", "telegram"])
def platform(request: pytest.FixtureRequest) -> Iterator[Platform]:
    if request.param == "slack":
        with FakeSlack() as slack:
            slack.channels = {CHANNEL}

            def slack_parents() -> list[str]:
                return [f"{p.text} {p.blocks}" for p in slack.messages(CHANNEL)]

            def slack_papers() -> list[str]:
                replies = [p for p in slack.all_posts if p.channel == CHANNEL and p.thread_ts]
                return _ids_in([f"{p.text} {p.blocks}" for p in replies])

            yield Platform(
                "slack",
                {
                    "slack_bot_token": slack.token,
                    "slack_api_url": slack.api_url,
                    "slack_channels": [CHANNEL],
                    "slack_messages_per_second": 0,
                },
                slack_parents,
                slack_papers,
                CHANNEL,
            )
    else:
        with FakeTelegram() as telegram:
            telegram.add_chat(GROUP)

            def telegram_parents() -> list[str]:
                return [m.plain for m in telegram.sent(GROUP) if m.reply_to is None]

            def telegram_papers() -> list[str]:
                return _ids_in([m.plain for m in telegram.sent(GROUP) if m.reply_to is not None])

            yield Platform(
                "telegram",
                {
                    "telegram_bot_token": telegram.token,
                    "telegram_api_url": telegram.base_url,
                    "telegram_chats": [str(GROUP)],
                    "telegram_messages_per_second": 0,
                },
                telegram_parents,
                telegram_papers,
                str(GROUP),
            )


def settings_for(
    arxiv: FakeArxiv,
    llm: HeldOpenAI,
    platform: Platform,
    database_url: str,
    tmp_path: Path,
) -> Settings:
    serve_day(arxiv, DAY, PAPERS)
    for p in PAPERS:
        arxiv.pdfs[p.versioned_id] = method_pdf(p.title)
    return make_settings(
        arxiv, llm, database_url, tmp_path, digest_keywords=["VLA"], **platform.settings
    )


async def parent_status(db: Database, platform: Platform) -> str | None:
    """What the ledger says the thread's parent shows."""
    async with db.session() as session:
        thread = await DeliveryRepository(session).get_or_create_thread(
            platform.name, platform.chat_id, DAY, "default"
        )
    return thread.parent_status


async def test_papers_are_posted_as_they_land_and_the_parent_says_when_the_day_is_done(
    arxiv: FakeArxiv,
    llm: HeldOpenAI,
    platform: Platform,
    database: Database,
    database_url: str,
    tmp_path: Path,
) -> None:
    settings = settings_for(arxiv, llm, platform, database_url, tmp_path)
    llm.held = {PAPERS[2].title}  # the third paper's analysis is slow
    report = tmp_path / "reports" / f"{DAY.isoformat()}.md"

    async with open_digest(settings, digest_options(settings)) as digest:
        run = asyncio.create_task(run_everything(settings, digest))
        try:
            await until(lambda: len(platform.papers()) == 2)
            # The papers before the slow one are in the thread; those after it wait their turn.
            assert platform.papers() == IDS[:2]
            (parent,) = platform.parents()
            assert ANALYSING in parent.lower()
            assert not report.exists()  # the Markdown is written once the day is done
        finally:
            llm.released.set()
        day: DayRun = await asyncio.wait_for(run, WAIT_SECONDS)

    assert platform.papers() == IDS
    (parent,) = platform.parents()  # edited in place, not posted again
    assert ANALYSING not in parent.lower()
    assert await parent_status(database, platform) == "complete"
    assert day.ok and day.outcome.report.status == "complete"
    assert all(p.title in report.read_text() for p in PAPERS)


async def test_a_rerun_of_the_finished_day_posts_and_edits_nothing(
    arxiv: FakeArxiv,
    llm: HeldOpenAI,
    platform: Platform,
    database: Database,
    database_url: str,
    tmp_path: Path,
) -> None:
    settings = settings_for(arxiv, llm, platform, database_url, tmp_path)
    async with open_digest(settings, digest_options(settings)) as digest:
        await run_everything(settings, digest)
    first = (platform.parents(), platform.papers())

    async with open_digest(settings, digest_options(settings)) as digest:
        again = await run_everything(settings, digest)

    assert (platform.parents(), platform.papers()) == first
    (runs,) = [p.runs for p in again.platforms]
    (chat,) = runs
    assert chat.delivery is not None
    assert chat.delivery.posted == [] and not chat.delivery.parent_updated


async def test_a_partial_day_says_so_and_the_rerun_that_completes_it_edits_the_parent(
    arxiv: FakeArxiv,
    llm: HeldOpenAI,
    platform: Platform,
    database: Database,
    database_url: str,
    tmp_path: Path,
) -> None:
    """The PDF server drops the third paper's download: it still lands (from its abstract, with
    a note), the thread goes on, and the parent ends "partial"; a rerun with the PDF back edits
    the paper and the parent in place."""
    settings = settings_for(arxiv, llm, platform, database_url, tmp_path)
    arxiv.pdfs.pop(PAPERS[2].versioned_id)
    async with open_digest(settings, digest_options(settings)) as digest:
        first = await run_everything(settings, digest)

    assert platform.papers() == IDS
    (parent,) = platform.parents()
    assert "partial" in parent.lower() and ANALYSING not in parent.lower()
    assert first.outcome.report.status == "partial"
    assert await parent_status(database, platform) == "partial"

    arxiv.pdfs[PAPERS[2].versioned_id] = method_pdf(PAPERS[2].title)
    async with open_digest(settings, digest_options(settings)) as digest:
        again = await run_everything(settings, digest)

    assert platform.papers() == IDS  # nothing posted twice
    (parent,) = platform.parents()
    assert "partial" not in parent.lower()
    assert await parent_status(database, platform) == "complete"
    ((chat,),) = [p.runs for p in again.platforms]
    assert chat.delivery is not None and chat.delivery.updated == [IDS[2]]
