"""`arxiv-digest serve` as a user runs it: both bots and the daily schedule in one process,
against fake arXiv, LLM, Slack and Telegram servers on 127.0.0.1.

Every process runs the schedule every minute: the run missed "just now" is caught up at start,
so each `serve` below runs the day as soon as it starts.
"""

from __future__ import annotations

import asyncio
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from pydantic import ValidationError

from arxiv_digest.schedule import latest_fire_time, make_trigger
from arxiv_digest.settings import Settings
from storage.db import Database
from storage.repositories import RunRepository
from tests import polling
from tests.daydata import DAY, NEXT_DAY, method_pdf, paper
from tests.fakes.arxiv_server import FakeArxiv
from tests.fakes.base import Request, Response
from tests.fakes.openai_server import FakeOpenAI
from tests.fakes.slack_server import FakeSlack, Post
from tests.fakes.telegram_server import FakeTelegram
from tests.polling import PROCESS_WAIT_SECONDS, WAIT_SECONDS
from tests.processes import GROUP, cli_env, slack_env, telegram_env

CHANNEL = "C0TEAM"

PAPERS = [
    paper(f"2602.0090{n}", f"Vision-Language-Action Policies, Part {n}", "We study robots.")
    for n in range(1, 5)
]
NEXT = paper("2602.01001", "Vision-Language-Action Models, Next Day", "We study more robots.")


class SlowSlack(FakeSlack):
    """Posting takes `delay` seconds: long enough to stop the service halfway through a thread."""

    delay = 0.0

    def handle(self, request: Request) -> Response:
        if request.path.endswith("chat.postMessage") and self.delay:
            time.sleep(self.delay)
        return super().handle(request)


class HeldTelegram(FakeTelegram):
    """Lets `passing` sendMessage calls through, then holds the next ones until `release`.

    A kill while one is held lands before Telegram has the message, so the restart must send it
    once. (A message Telegram has but whose answer a kill lost is sent again: bots cannot read a
    chat's history. README, "Exactly once".)
    """

    def __init__(self) -> None:
        super().__init__()
        self.passing: int | None = None
        self.held = 0
        self._released = threading.Event()

    def handle(self, request: Request) -> Response:
        if request.path.endswith("/sendMessage") and self.passing is not None:
            if self.passing > 0:
                self.passing -= 1
            else:
                self.held += 1
                self._released.wait(WAIT_SECONDS)
                return Response.json(
                    {"ok": False, "error_code": 502, "description": "Bad Gateway"}, 502
                )
        return super().handle(request)

    def release(self) -> None:
        self.passing = None
        self._released.set()


@pytest.fixture
def held_telegram() -> Iterator[HeldTelegram]:
    with HeldTelegram() as fake:
        fake.add_chat(GROUP, "supergroup")
        yield fake  # type: ignore[misc]


@pytest.fixture
def telegram() -> Iterator[FakeTelegram]:
    with FakeTelegram() as fake:
        fake.add_chat(GROUP, "supergroup")
        yield fake  # type: ignore[misc]


@pytest.fixture
def arxiv() -> Iterator[FakeArxiv]:
    with FakeArxiv() as fake:
        for p in [*PAPERS, NEXT]:
            fake.add_paper(p, method_pdf(p.title))
        fake.feeds["cs.AI"] = (DAY, PAPERS)
        yield fake  # type: ignore[misc]


@pytest.fixture
def slack() -> Iterator[SlowSlack]:
    with SlowSlack() as fake:
        yield fake  # type: ignore[misc]


def service_env(
    tmp_path: Path,
    arxiv: FakeArxiv,
    llm: FakeOpenAI,
    database_url: str,
    slack: FakeSlack,
    telegram: FakeTelegram | None = None,
) -> dict[str, str]:
    chats = slack_env(slack) | {"SLACK_SIGNING_SECRET": "s3cret", "SLACK_HTTP_PORT": "0"}
    if telegram is not None:
        chats |= telegram_env(telegram)
    return cli_env(tmp_path, arxiv, llm, database_url, **chats) | {
        "DIGEST_SCHEDULE": "* * * * *",
        "DIGEST_TIMEZONE": "UTC",
        "DIGEST_RETRY_MINUTES": "0.02",
        "DIGEST_KEYWORDS": "vision language action",
        "DIGEST_WEEKLY_SCHEDULE": "",  # the daily thread alone (tests/test_weekly_cli.py)
    }


class Service:
    """One `arxiv-digest serve -v` process; its log goes to a file, read by the test."""

    def __init__(self, env: dict[str, str], cwd: Path, name: str = "serve") -> None:
        self.env, self.cwd = env, cwd
        self.log_path = cwd / f"{name}.log"
        self.process: asyncio.subprocess.Process | None = None

    async def start(self) -> Service:
        with self.log_path.open("ab") as log:
            self.process = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "arxiv_digest",
                "serve",
                "-v",
                cwd=self.cwd,
                env=self.env,
                stdout=asyncio.subprocess.DEVNULL,
                stderr=log,
            )
        return self

    @property
    def log(self) -> str:
        return self.log_path.read_text()

    async def stop(self, signum: int = signal.SIGTERM) -> int:
        assert self.process is not None
        if self.process.returncode is None:
            self.process.send_signal(signum)
        return await asyncio.wait_for(self.process.wait(), WAIT_SECONDS)

    async def kill(self) -> None:
        if self.process is not None and self.process.returncode is None:
            self.process.kill()
            await self.process.wait()


async def until(condition: Callable[[], Any], *services: Service) -> Any:
    """Waits for the services' work to show; fails at once (with their logs) if one exits."""

    def exited() -> str | None:
        gone = [s for s in services if s.process is None or s.process.returncode is not None]
        return f"serve exited early:\n{gone[0].log}" if gone else None

    return await polling.until(
        condition,
        stop_if=exited,
        explain=lambda: "\n".join(s.log for s in services),
        bound=PROCESS_WAIT_SECONDS,
    )


def slack_thread(slack: FakeSlack, parent: Post) -> list[str]:
    """Titles of the papers posted under `parent`, in order."""
    titles = [p.title for p in [*PAPERS, NEXT]]
    posts = slack.thread(CHANNEL, parent.ts)
    return [t for post in posts for t in titles if t in (post.text or "")]


def slack_complete(slack: FakeSlack, count: int = len(PAPERS)) -> Post | None:
    parents = slack.messages(CHANNEL)
    if len(parents) == 1 and len(slack_thread(slack, parents[0])) >= count:
        return parents[0]
    return None


def telegram_thread(telegram: FakeTelegram) -> list[str]:
    sent = telegram.sent(GROUP)
    if not sent:
        return []
    parent = sent[0]
    titles = [p.title for p in PAPERS]
    replies = [m for m in sent[1:] if m.reply_to == parent.message_id]
    return [t for m in replies for t in titles if t in m.plain]


async def runs_of(database_url: str) -> list[Any]:
    database = await Database.open(database_url)
    try:
        async with database.session() as session:
            return await RunRepository(session).recent("daily")
    finally:
        await database.close()


async def test_serve_runs_the_day_on_both_platforms_and_stops_cleanly_on_sigterm(
    arxiv: FakeArxiv,
    llm: FakeOpenAI,
    slack: SlowSlack,
    telegram: FakeTelegram,
    database_url: str,
    tmp_path: Path,
) -> None:
    env = service_env(tmp_path, arxiv, llm, database_url, slack, telegram)
    service = await Service(env, tmp_path).start()
    try:
        parent = await until(lambda: slack_complete(slack), service)
        await until(lambda: len(telegram_thread(telegram)) == len(PAPERS), service)

        assert slack_thread(slack, parent) == [p.title for p in PAPERS]
        assert telegram_thread(telegram) == [p.title for p in PAPERS]
        await until(lambda: (tmp_path / "reports" / f"{DAY}.md").is_file(), service)
        await until(lambda: "daily run for" in service.log and ": done " in service.log, service)
        stopping = time.monotonic()
        assert await service.stop(signal.SIGTERM) == 0, service.log
        assert time.monotonic() - stopping < WAIT_SECONDS
        assert service.log.rstrip().endswith("Stopped.")
    finally:
        await service.kill()
    (run,) = await runs_of(database_url)
    assert run.status == "done" and run.finished_at is not None
    assert run.summary is not None
    assert run.summary["report_date"] == DAY.isoformat() and run.summary["matched"] == 4
    assert run.summary["posted"] == {"Slack": 5, "Telegram": 5}  # a parent and four papers


async def test_sigterm_mid_thread_exits_cleanly_and_the_next_start_completes_the_thread(
    arxiv: FakeArxiv,
    llm: FakeOpenAI,
    slack: SlowSlack,
    database_url: str,
    tmp_path: Path,
) -> None:
    slack.delay = 0.3
    env = service_env(tmp_path, arxiv, llm, database_url, slack)
    service = await Service(env, tmp_path).start()
    try:
        await until(lambda: slack.messages(CHANNEL) and len(slack.all_posts) >= 2, service)
        assert await service.stop(signal.SIGTERM) == 0, service.log
    finally:
        await service.kill()
    (parent,) = slack.messages(CHANNEL)
    assert len(slack_thread(slack, parent)) < len(PAPERS)  # stopped halfway

    slack.delay = 0
    restarted = await Service(env, tmp_path, "restarted").start()
    try:
        await until(lambda: slack_complete(slack), restarted)
        assert await restarted.stop() == 0, restarted.log
    finally:
        await restarted.kill()
    assert slack.messages(CHANNEL) == [parent]
    assert sorted(slack_thread(slack, parent)) == sorted(p.title for p in PAPERS)


async def test_after_kill_9_mid_thread_the_next_start_posts_every_paper_exactly_once(
    arxiv: FakeArxiv,
    llm: FakeOpenAI,
    slack: SlowSlack,
    held_telegram: HeldTelegram,
    database_url: str,
    tmp_path: Path,
) -> None:
    slack.delay = 0.3
    held_telegram.passing = 2  # the parent and one paper; the next is on its way at the kill
    env = service_env(tmp_path, arxiv, llm, database_url, slack, held_telegram)
    service = await Service(env, tmp_path).start()
    try:
        await until(lambda: len(slack.all_posts) >= 2 and held_telegram.held, service)
        assert await service.stop(signal.SIGKILL) == -signal.SIGKILL
    finally:
        await service.kill()
        held_telegram.release()
    (parent,) = slack.messages(CHANNEL)
    assert len(slack_thread(slack, parent)) < len(PAPERS)
    assert len(telegram_thread(held_telegram)) == 1  # both threads were cut halfway, side by side

    slack.delay = 0
    restarted = await Service(env, tmp_path, "restarted").start()
    try:
        await until(lambda: slack_complete(slack), restarted)
        await until(lambda: len(telegram_thread(held_telegram)) == len(PAPERS), restarted)
        await until(lambda: ": done " in restarted.log, restarted)
        assert await restarted.stop() == 0, restarted.log
    finally:
        await restarted.kill()
    assert slack.messages(CHANNEL) == [parent]
    assert sorted(slack_thread(slack, parent)) == sorted(p.title for p in PAPERS)
    assert sorted(telegram_thread(held_telegram)) == sorted(p.title for p in PAPERS)
    assert len(held_telegram.sent(GROUP)) == 1 + len(PAPERS)
    statuses = sorted(run.status for run in await runs_of(database_url))
    assert statuses == ["done", "failed"]  # the killed run, marked when the next one started


async def test_a_feed_still_on_a_posted_day_posts_nothing_until_it_changes(
    arxiv: FakeArxiv,
    llm: FakeOpenAI,
    slack: SlowSlack,
    database_url: str,
    tmp_path: Path,
) -> None:
    env = service_env(tmp_path, arxiv, llm, database_url, slack)
    # The day is posted by hand first, so the service's start-up run meets a feed still on it
    # (a service posting it itself would, within the same minute, see its run as done).
    digest = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "arxiv_digest", "digest", cwd=tmp_path, env=env
    )
    assert await asyncio.wait_for(digest.wait(), PROCESS_WAIT_SECONDS) == 0
    old_parent = slack_complete(slack)
    assert old_parent is not None
    posted = len(slack.all_posts)

    service = await Service(env, tmp_path).start()  # the feed still shows DAY
    try:
        await until(lambda: service.log.count("arXiv's feed still shows") >= 2, service)
        assert len(slack.all_posts) == posted

        arxiv.feeds["cs.AI"] = (NEXT_DAY, [NEXT])

        await until(lambda: len(slack.messages(CHANNEL)) == 2, service)
        new_parent = slack.messages(CHANNEL)[1]
        await until(lambda: slack_thread(slack, new_parent) == [NEXT.title], service)
        # The report is written once the thread is done: wait for it, not just the last post.
        await until(lambda: (tmp_path / "reports" / f"{NEXT_DAY}.md").is_file(), service)
        assert await service.stop() == 0, service.log
    finally:
        await service.kill()
    assert slack.messages(CHANNEL)[0] == old_parent
    assert slack_thread(slack, old_parent) == [p.title for p in PAPERS]  # not reposted
    assert len(slack.all_posts) == posted + 2


async def test_two_replicas_on_one_postgresql_database_post_the_day_once(
    arxiv: FakeArxiv,
    llm: FakeOpenAI,
    slack: SlowSlack,
    postgres_url: str,
    tmp_path: Path,
) -> None:
    slack.delay = 0.1  # the first replica still holds the lock when the second one starts
    env = service_env(tmp_path, arxiv, llm, postgres_url, slack)
    replicas = [Service(env, tmp_path, f"replica-{n}") for n in (1, 2)]
    try:
        await asyncio.gather(*(replica.start() for replica in replicas))
        await until(lambda: slack_complete(slack), *replicas)
        await until(lambda: any(": done " in r.log for r in replicas), *replicas)
        for replica in replicas:
            assert await replica.stop() == 0, replica.log
    finally:
        for replica in replicas:
            await replica.kill()
    (parent,) = slack.messages(CHANNEL)
    assert sorted(slack_thread(slack, parent)) == sorted(p.title for p in PAPERS)
    assert len(slack.all_posts) == 1 + len(PAPERS)
    runs = await runs_of(postgres_url)
    assert [run.status for run in runs].count("done") == 1


@pytest.mark.parametrize(
    ("setting", "value", "message"),
    [
        ("digest_schedule", "30 0 * *", "not a cron expression of 5 fields"),
        ("digest_schedule", "61 0 * * *", "not a cron expression of 5 fields"),
        ("digest_timezone", "Mars/Olympus_Mons", "unknown time zone"),
    ],
)
def test_a_bad_schedule_or_time_zone_is_refused_at_load(
    setting: str, value: str, message: str
) -> None:
    with pytest.raises(ValidationError, match=message):
        Settings(_env_file=None, **{setting: value})  # type: ignore[arg-type]


def test_the_missed_run_is_the_latest_scheduled_time_not_after_now() -> None:
    settings = Settings(_env_file=None)  # 30 0 * * * in America/New_York
    trigger = make_trigger(settings)
    eastern = ZoneInfo("America/New_York")

    before = datetime(2026, 2, 5, 0, 29, tzinfo=eastern)
    at = datetime(2026, 2, 5, 0, 30, tzinfo=eastern)

    assert latest_fire_time(trigger, before) == datetime(2026, 2, 4, 0, 30, tzinfo=eastern)
    assert latest_fire_time(trigger, at) == at
    assert latest_fire_time(trigger, at + timedelta(hours=23)) == at


def test_a_run_summary_says_what_failed_and_why() -> None:
    from arxiv_digest.schedule import _summary
    from arxiv_digest.wiring import DayRun, PlatformRun
    from bot.daily import ChatRun
    from domain.statuses import ReportStatus
    from pipeline.outcomes import DigestOutcome, RunStats
    from pipeline.report import DailyReport

    stats = RunStats(announced=3, matched=2, failures=["PDF of 2602.00901v1: unreadable"])
    report = DailyReport(DAY, ["cs.AI"], ["vla"], ReportStatus.PARTIAL)
    on_slack = PlatformRun("Slack", [ChatRun("C0TEAM", "chat", error="ratelimited after 3 tries")])
    on_telegram = PlatformRun("Telegram", error="Unauthorized")
    day = DayRun(DigestOutcome(report, stats, None), [on_slack, on_telegram])

    summary = _summary(day, attempts=1, started=time.monotonic())

    assert summary["failed_chats"] == ["Slack C0TEAM", "Telegram"]
    assert summary["errors"] == {
        "Slack C0TEAM": "ratelimited after 3 tries",
        "Telegram": "Unauthorized",
    }
    assert summary["failures"] == ["PDF of 2602.00901v1: unreadable"]
