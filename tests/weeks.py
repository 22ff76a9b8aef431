"""A chat's week for the weekly digest's tests: real papers of the corpus posted as two daily
threads through a real poster (so the ledger and the fake hold the replies the digest links
to), then 👍 votes and questions in the chat."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

from arxiv_digest.settings import Settings
from bot.delivery import deliver_day
from bot.platform import ThreadPoster
from bot.slack.client import make_client
from bot.slack.poster import SlackPoster
from bot.telegram.poster import TelegramPoster, make_bot
from domain.models import Paper
from domain.statuses import QuestionStatus, ReportStatus
from pipeline.archive.weekly import IsoWeek
from pipeline.report import DailyReport, PaperEntry
from storage.db import Database
from storage.models import QuestionRow
from storage.repositories import PaperRepository, VoteRepository
from tests.daydata import make_settings
from tests.fakes.arxiv_server import FakeArxiv
from tests.fakes.slack_server import FakeSlack
from tests.fakes.telegram_server import FakeTelegram
from tests.realdays import real_days

WEEK = IsoWeek(2026, 10)  # Monday 2 March to Sunday 8 March 2026
CHANNEL = "C0TEAM"
GROUP = -100200300  # a supergroup: its messages have t.me/c links


def week_papers(count: int = 12) -> list[Paper]:
    """Real papers of one announcement day of the corpus."""
    return real_days(1)[0][:count]


def chat_settings(
    arxiv: FakeArxiv,
    database_url: str,
    tmp_path: Path,
    slack: FakeSlack | None = None,
    telegram: FakeTelegram | None = None,
    **overrides: object,
) -> Settings:
    chats: dict[str, object] = {}
    if slack is not None:
        chats |= {
            "slack_bot_token": slack.token,
            "slack_api_url": slack.api_url,
            "slack_channels": [CHANNEL],
            "slack_messages_per_second": 0,
        }
    if telegram is not None:
        chats |= {
            "telegram_bot_token": telegram.token,
            "telegram_api_url": telegram.base_url,
            "telegram_chats": [str(GROUP)],
            "telegram_messages_per_second": 0,
        }
    return make_settings(arxiv, None, database_url, tmp_path, **chats, **overrides)


@asynccontextmanager
async def posters(settings: Settings) -> AsyncIterator[dict[str, ThreadPoster]]:
    """The real posters of the configured platforms, by platform name."""
    found: dict[str, ThreadPoster] = {}
    if settings.slack_configured:
        found["slack"] = SlackPoster(make_client(settings.slack()), messages_per_second=0)
    if not settings.telegram_configured:
        yield found
        return
    async with make_bot(settings.telegram()) as bot:
        found["telegram"] = TelegramPoster(bot, messages_per_second=0)
        yield found


def day_report(day: date, papers: list[Paper]) -> DailyReport:
    return DailyReport(
        report_date=day,
        categories=["cs.AI"],
        keywords=["VLA"],
        status=ReportStatus.COMPLETE,
        entries=[PaperEntry(paper=p, matched_keywords=["VLA"]) for p in papers],
        announced_count=len(papers),
    )


async def post_week(db: Database, poster: ThreadPoster, chat_id: str, papers: list[Paper]) -> None:
    """The papers as two daily threads of WEEK in the chat: Monday's half and Wednesday's."""
    async with db.session() as session:
        await PaperRepository(session).upsert(papers)
    half = len(papers) // 2
    await deliver_day(db, poster, chat_id, day_report(WEEK.first, papers[:half]), {})
    await deliver_day(db, poster, chat_id, day_report(WEEK.first + timedelta(2), papers[half:]), {})


async def like(db: Database, platform: str, chat_id: str, paper: Paper, people: int) -> None:
    async with db.session() as session:
        for n in range(people):
            await VoteRepository(session).record(platform, chat_id, f"{n + 1}", paper.arxiv_id, 1)


async def ask(
    db: Database, platform: str, chat_id: str, paper: Paper, times: int, day: int = 3
) -> None:
    """`times` questions about the paper in the chat, on the `day`-th day of WEEK (0: Monday)."""
    when = datetime.combine(WEEK.first + timedelta(day), time(12), UTC)
    async with db.session() as session:
        for n in range(times):
            session.add(
                QuestionRow(
                    platform=platform, chat_id=chat_id, user_id=f"{n + 1}",
                    arxiv_id=paper.arxiv_id, version=paper.version, question=f"q{n}",
                    question_key=f"{paper.arxiv_id}:{n}", language="en",
                    status=QuestionStatus.ANSWERED, passages=[], model="m", prompt_tokens=0,
                    completion_tokens=0, created_at=when,
                )
            )  # fmt: skip
