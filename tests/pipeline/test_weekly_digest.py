"""A chat's week: the liked, the asked about and the themes, from what the chat received."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from domain.errors import CommandError
from domain.models import Paper
from domain.statuses import DeliveryStatus, QuestionStatus
from pipeline.archive.weekly import IsoWeek, week_digest
from pipeline.relevance.store import VectorStore
from storage.db import Database
from storage.models import QuestionRow
from storage.repositories import DeliveryRepository, PaperRepository, VoteRepository
from storage.weeks import WeekRepository
from tests.realdays import real_days

WEEK = IsoWeek(2026, 10)  # Monday 2 March to Sunday 8 March


@pytest.fixture
def papers() -> list[Paper]:
    return real_days(1)[0][:40]


async def _post(database: Database, chat: str, day: date, papers: list[Paper]) -> None:
    async with database.session() as session:
        await PaperRepository(session).upsert(papers)
        deliveries = DeliveryRepository(session)
        thread = await deliveries.get_or_create_thread("slack", chat, day, "chat:slack:" + chat)
        for n, paper in enumerate(papers):
            await deliveries.record_sent(thread.id, paper.arxiv_id, 1, f"{day.day}.{n}")
        await session.commit()


async def _ask(database: Database, chat: str, paper: Paper, when: datetime, times: int) -> None:
    async with database.session() as session:
        for n in range(times):
            session.add(
                QuestionRow(
                    platform="slack", chat_id=chat, user_id=f"U{n}", arxiv_id=paper.arxiv_id,
                    version=1, question=f"q{n}", question_key=f"k{n}", language="en",
                    status=QuestionStatus.ANSWERED, passages=[], model="m", prompt_tokens=0,
                    completion_tokens=0, created_at=when,
                )
            )  # fmt: skip
        await session.commit()


async def test_a_week_lists_the_most_liked_and_asked_and_its_themes(
    database: Database, papers: list[Paper]
) -> None:
    monday = WEEK.first
    await _post(database, "C1", monday, papers[:20])
    await _post(database, "C1", monday + timedelta(days=2), papers[20:40])
    await _post(database, "C1", monday - timedelta(days=1), [])  # the week before: not counted
    async with database.session() as session:
        votes = VoteRepository(session)
        for user in ("U1", "U2", "U3"):
            await votes.record("slack", "C1", user, papers[25].arxiv_id, 1)
        await votes.record("slack", "C1", "U1", papers[3].arxiv_id, 1)
        await votes.record("slack", "C1", "U2", papers[4].arxiv_id, -1)
        await votes.record("slack", "C2", "U1", papers[5].arxiv_id, 1)  # another chat
        await session.commit()
    at = datetime.combine(monday, datetime.min.time(), UTC)
    await _ask(database, "C1", papers[7], at + timedelta(days=3), 2)
    await _ask(database, "C1", papers[8], at + timedelta(days=1), 1)
    await _ask(database, "C1", papers[9], at - timedelta(hours=1), 5)  # the week before

    digest = await week_digest(database, VectorStore(database), "slack", "C1", WEEK)

    assert digest.posted == 40 and not digest.empty
    assert [(i.paper.arxiv_id, i.likes) for i in digest.liked] == [
        (papers[25].arxiv_id, 3),
        (papers[3].arxiv_id, 1),
    ]
    assert [(i.paper.arxiv_id, i.questions) for i in digest.asked] == [
        (papers[7].arxiv_id, 2),
        (papers[8].arxiv_id, 1),
    ]
    assert digest.liked[0].posted is not None
    assert digest.liked[0].posted.report_date == monday + timedelta(days=2)
    assert 2 <= len(digest.themes) <= 6
    named = [item.paper.arxiv_id for theme in digest.themes for item in theme.papers]
    assert set(named) <= {p.arxiv_id for p in papers}
    assert all(theme.name and len(theme.papers) <= 3 for theme in digest.themes)


async def test_a_week_without_papers_is_empty(database: Database) -> None:
    digest = await week_digest(database, VectorStore(database), "slack", "C1", WEEK)
    assert digest.empty and digest.liked == digest.asked == digest.themes == ()


async def test_each_week_is_claimed_once_per_chat(database: Database) -> None:
    async with database.session() as session:
        weeks = WeekRepository(session)
        first = await weeks.claim("slack", "C1", WEEK.key)
        again = await weeks.claim("slack", "C1", WEEK.key)
        await weeks.sent("slack", "C1", WEEK.key, "1700.1")
        after = await weeks.claim("slack", "C1", WEEK.key)
        other = await weeks.claim("telegram", "C1", WEEK.key)
        await session.commit()
    assert first.status is again.status is DeliveryStatus.PENDING
    assert (after.status, after.message_id) == (DeliveryStatus.SENT, "1700.1")
    assert other.status is DeliveryStatus.PENDING


@pytest.mark.parametrize(
    ("text", "week"),
    [
        ("2026-W10", IsoWeek(2026, 10)),
        ("2026w1", IsoWeek(2026, 1)),
        ("2026-W53", IsoWeek(2026, 53)),
    ],
)
def test_weeks_are_read_as_iso_weeks(text: str, week: IsoWeek) -> None:
    assert IsoWeek.parse(text) == week
    assert week.first.weekday() == 0 and (week.last - week.first).days == 6


@pytest.mark.parametrize("text", ["2026-W54", "2025-W53", "2026-W00", "last week", "2026-13"])
def test_a_week_that_does_not_exist_is_refused(text: str) -> None:
    with pytest.raises(CommandError) as caught:
        IsoWeek.parse(text)
    assert caught.value.key == "archive.bad_week"
