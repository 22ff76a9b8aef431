"""The weekly digest's schedule: which week a run posts, the job firing on a clock the test
moves, a missed run caught up at start, and a restart in the middle of a run posting once."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from pydantic import ValidationError

from arxiv_digest.crontab import crontab_trigger
from arxiv_digest.settings import Settings
from arxiv_digest.weekly import WeeklyJob, make_weekly_trigger, previous_week
from arxiv_digest.wiring import digest_options, open_digest
from bot.weekly_card import week_key
from pipeline.archive.weekly import IsoWeek
from pipeline.digest import Digest
from storage.repositories import RunRepository
from tests.fakes.arxiv_server import FakeArxiv
from tests.fakes.slack_server import FakeSlack, Post
from tests.weeks import CHANNEL, WEEK, chat_settings, like, post_week, posters, week_papers

EASTERN = ZoneInfo("America/New_York")


class Clock:
    """The time the job reads the schedule at; the test moves it."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.mark.parametrize(
    ("day", "week"),
    [
        (date(2026, 3, 9), IsoWeek(2026, 10)),  # a Monday: the week just ended
        (date(2026, 3, 11), IsoWeek(2026, 10)),  # a Wednesday: the same week
        (date(2026, 3, 8), IsoWeek(2026, 9)),  # a Sunday: its own week has not ended
        (date(2026, 1, 1), IsoWeek(2025, 52)),  # across the year's end
        (date(2027, 1, 4), IsoWeek(2026, 53)),  # 2026 has 53 weeks
    ],
)
def test_a_run_posts_the_week_that_ended_before_its_day(day: date, week: IsoWeek) -> None:
    assert previous_week(day) == week


@pytest.mark.parametrize(
    ("expr", "fires"),
    [
        ("0 9 * * 1", [date(2026, 3, 9), date(2026, 3, 16)]),  # Mondays, as cron means
        ("0 9 * * 0", [date(2026, 3, 8), date(2026, 3, 15)]),  # Sundays
        ("0 9 * * 7", [date(2026, 3, 8), date(2026, 3, 15)]),  # Sundays too
        ("0 9 * * 5-7", [date(2026, 3, 6), date(2026, 3, 7), date(2026, 3, 8)]),
        ("0 9 * * mon", [date(2026, 3, 9), date(2026, 3, 16)]),
    ],
)
def test_weekdays_of_a_schedule_are_crontabs_not_apschedulers(expr: str, fires: list[date]) -> None:
    trigger = crontab_trigger(expr, EASTERN)
    after, found = datetime(2026, 3, 5, 12, tzinfo=EASTERN), []
    for _ in fires:
        fire = trigger.get_next_fire_time(None, after)
        assert fire is not None
        found.append(fire.date())
        after = fire + timedelta(minutes=1)
    assert found == fires


def test_an_empty_weekly_schedule_turns_it_off_and_a_bad_one_is_refused() -> None:
    assert make_weekly_trigger(Settings(_env_file=None, digest_weekly_schedule=" ")) is None
    assert make_weekly_trigger(Settings(_env_file=None)) is not None  # Monday 09:00 by default
    with pytest.raises(ValidationError, match="not a cron expression"):
        Settings(_env_file=None, digest_weekly_schedule="0 9 * *")


@pytest.fixture
def settings(arxiv: FakeArxiv, slack: FakeSlack, database_url: str, tmp_path: Path) -> Settings:
    return chat_settings(
        arxiv, database_url, tmp_path, slack, digest_timezone="America/New_York"
    )  # DIGEST_WEEKLY_SCHEDULE: its default, Monday 09:00


@pytest.fixture
async def digest(settings: Settings) -> AsyncIterator[Digest]:
    async with open_digest(settings, digest_options(settings)) as opened:
        async with posters(settings) as by_platform:
            papers = week_papers()
            await post_week(opened.db, by_platform["slack"], CHANNEL, papers)
            await like(opened.db, "slack", CHANNEL, papers[0], 2)
        yield opened


def job(settings: Settings, digest: Digest, clock: Clock) -> WeeklyJob:
    trigger = make_weekly_trigger(settings)
    assert trigger is not None
    return WeeklyJob(settings, digest, trigger, clock=clock)


def weekly(slack: FakeSlack, week: IsoWeek) -> list[Post]:
    return [
        post
        for post in slack.messages(CHANNEL)
        if (post.metadata or {}).get("event_payload", {}).get("key") == week_key(week)
    ]


async def statuses(digest: Digest) -> list[tuple[str, str | None]]:
    async with digest.db.session() as session:
        runs = await RunRepository(session).recent("weekly")
    return sorted((run.status, (run.summary or {}).get("week")) for run in runs)


async def test_the_job_fires_on_its_schedule_for_the_week_just_ended(
    settings: Settings, digest: Digest, slack: FakeSlack
) -> None:
    clock = Clock(datetime(2026, 3, 9, 8, 59, tzinfo=EASTERN))  # Monday, a minute early
    first = job(settings, digest, clock)
    await first.catch_up()  # last Monday's run (week 9) never ran: caught up now
    await first.wait()
    assert len(weekly(slack, IsoWeek(2026, 9))) == 1 and not weekly(slack, WEEK)

    clock.now = datetime(2026, 3, 9, 9, 0, 1, tzinfo=EASTERN)
    await first.on_schedule()  # what APScheduler calls at 09:00
    await first.wait()

    (message,) = weekly(slack, WEEK)
    assert "👍 2" in json.dumps(message.blocks, ensure_ascii=False)
    assert await statuses(digest) == [("done", "2026-W09"), ("done", "2026-W10")]

    clock.now = datetime(2026, 3, 10, 12, tzinfo=UTC)  # restarted the day after
    again = job(settings, digest, clock)
    await again.catch_up()
    await again.wait()
    assert len(weekly(slack, WEEK)) == 1 and len(await statuses(digest)) == 2


async def test_a_restart_in_the_middle_of_a_run_posts_the_week_once(
    settings: Settings, digest: Digest, slack: FakeSlack
) -> None:
    clock = Clock(datetime(2026, 3, 9, 9, 30, tzinfo=EASTERN))
    slack.lose_answers_to = {len(slack.all_posts) + 1}  # posted; the process never hears back
    crashed = job(settings, digest, clock)
    await crashed.catch_up()
    await crashed.wait()
    assert len(weekly(slack, WEEK)) == 1
    assert await statuses(digest) == [("failed", "2026-W10")]

    restarted = job(settings, digest, clock)
    await restarted.catch_up()
    await restarted.wait()

    assert len(weekly(slack, WEEK)) == 1  # found by its tag, recorded, not posted again
    assert await statuses(digest) == [("done", "2026-W10"), ("failed", "2026-W10")]
