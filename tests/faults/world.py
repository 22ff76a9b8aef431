"""A day's run against every fake at once, with one dependency made to fail.

Each test in this package breaks one external boundary in one way, runs the day as
`arxiv-digest digest` and the schedule do (`run_everything`), then heals the fault and runs
again: the first run must end, deliver what it can and say what failed; the second must fill
in what is missing, editing what it posted in place, without posting anything twice.
"""

from __future__ import annotations

import asyncio
import socket
from dataclasses import dataclass
from pathlib import Path

from arxiv_digest.settings import Settings
from arxiv_digest.wiring import DayRun, digest_options, open_digest, run_everything
from domain.models import Paper
from domain.statuses import AnalysisSource
from pipeline.report import DailyReport
from tests.daydata import DAY, make_settings, paper
from tests.fakes.arxiv_server import FakeArxiv
from tests.fakes.base import Response
from tests.fakes.openai_server import FakeOpenAI
from tests.fakes.slack_server import FakeSlack, Post
from tests.fakes.telegram_server import FakeTelegram, SentMessage

CHANNEL = "C0TEAM"
GROUP = -100200300
FAST = paper("2602.00001", "Fast VLA Policies", "We make VLA models fast.")
WIDE = paper("2602.00002", "Vision-Language-Action at Scale", "We scale VLA training.")
OFF = paper("2602.00003", "Graph Kernels Revisited", "We revisit graph kernels.")
MATCHING = [FAST, WIDE]
RUN_BOUND_SECONDS = 60  # a hang fails the test instead of stalling CI
ABSTRACT_ONLY = "abstract only"  # in every note saying a paper was not analysed from its text

# The faults every boundary is put through. "refused" is a closed port (no server), set up by
# each test, since it is not an answer; the others are answers of the fake.
FAULTS = ["timeout", "refused", "dropped", "rate_limited", "server_error", "malformed", "endless"]
TIMEOUT_SECONDS = 2.0  # every client's per-request timeout here: a loaded CI machine needs room
DEADLINE_SECONDS = 4.0  # every download's bound in all


def closed_port_url(path: str = "/") -> str:
    """A URL nobody listens on: the port was bound, then let go."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}{path}"


def fault_response(kind: str, malformed: Response, *, retry_after: int = 1) -> Response:
    """The fake's answer for a fault kind; `malformed` is the body that boundary cannot read."""
    if kind == "timeout":
        return Response(200, malformed.body, delay=TIMEOUT_SECONDS * 2.5)
    if kind == "dropped":
        return Response(drop=True)
    if kind == "rate_limited":
        return Response.json({"error": "slow down"}, 429, **{"Retry-After": str(retry_after)})
    if kind == "server_error":
        return Response(500, b"internal error", {"Content-Type": "text/plain"})
    if kind == "malformed":
        return malformed
    if kind == "endless":
        return Response(200, b"", {"Content-Type": "application/octet-stream"}, endless=True)
    raise ValueError(f"no fake answer for {kind!r}")


@dataclass
class World:
    """The fakes of every dependency, and the settings that point the real clients at them."""

    arxiv: FakeArxiv
    llm: FakeOpenAI
    slack: FakeSlack
    telegram: FakeTelegram
    database_url: str
    tmp_path: Path

    def settings(self, **overrides: object) -> Settings:
        values: dict[str, object] = {
            "http_timeout_seconds": TIMEOUT_SECONDS,
            "http_deadline_seconds": DEADLINE_SECONDS,
            "llm_timeout_seconds": TIMEOUT_SECONDS,
            "llm_max_retries": 1,
            "chat_timeout_seconds": TIMEOUT_SECONDS,
            "slack_bot_token": self.slack.token,
            "slack_api_url": self.slack.api_url,
            "slack_channels": [CHANNEL],
            "slack_messages_per_second": 0,
            "telegram_bot_token": self.telegram.token,
            "telegram_api_url": self.telegram.base_url,
            "telegram_chats": [str(GROUP)],
            "telegram_messages_per_second": 0,
        }
        values.update(overrides)
        return make_settings(self.arxiv, self.llm, self.database_url, self.tmp_path, **values)

    async def run(self, **overrides: object) -> DayRun:
        """The day as the schedule runs it, bounded so that a hang fails instead of stalling."""
        settings = self.settings(**overrides)
        async with open_digest(settings, digest_options(settings)) as digest:
            return await asyncio.wait_for(run_everything(settings, digest), RUN_BOUND_SECONDS)

    async def stored_report(self) -> DailyReport:
        settings = self.settings()
        async with open_digest(settings, digest_options(settings)) as digest:
            report = await digest.stored_report(DAY, "default")
        assert report is not None
        return report

    # ---- what each chat holds

    def slack_posts(self, about: Paper) -> list[Post]:
        key = f"paper:{about.arxiv_id}"
        return [
            p
            for p in self.slack.all_posts
            if p.channel == CHANNEL
            and ((p.metadata or {}).get("event_payload") or {}).get("key") == key
        ]

    def telegram_posts(self, about: Paper) -> list[SentMessage]:
        """The paper's replies in the day's thread (the parent lists every title too)."""
        return [
            m
            for m in self.telegram.sent(GROUP)
            if m.reply_to is not None and about.title in m.plain
        ]

    def assert_each_paper_once(self, *, abstract_only: set[str] = frozenset()) -> None:  # type: ignore[assignment]
        """Every matching paper is in both chats exactly once; those in `abstract_only` say so."""
        for wanted in MATCHING:
            slack, telegram = self.slack_posts(wanted), self.telegram_posts(wanted)
            assert len(slack) == 1, f"{wanted.arxiv_id} on Slack {len(slack)} times"
            assert len(telegram) == 1, f"{wanted.arxiv_id} on Telegram {len(telegram)} times"
            noted = wanted.arxiv_id in abstract_only
            assert (ABSTRACT_ONLY in f"{slack[0].text} {slack[0].blocks}".lower()) is noted
            assert (ABSTRACT_ONLY in telegram[0].plain.lower()) is noted
        assert not self.slack_posts(OFF) and not self.telegram_posts(OFF)

    def assert_edited_in_place(self, ids: set[str]) -> None:
        """The papers in `ids` keep their first message, edited to carry the analysis."""
        for wanted in MATCHING:
            (slack,), (telegram,) = self.slack_posts(wanted), self.telegram_posts(wanted)
            assert slack.edited is (wanted.arxiv_id in ids)
            assert telegram.edited is (wanted.arxiv_id in ids)

    def assert_one_thread_each(self) -> None:
        """One parent message in each chat: a rerun completes the day's thread, never a second."""
        parents = [p for p in self.slack.all_posts if p.channel == CHANNEL and p.thread_ts is None]
        assert len(parents) == 1
        assert len([m for m in self.telegram.sent(GROUP) if m.reply_to is None]) == 1


def posted(day: DayRun) -> dict[str, int]:
    return {platform.name: platform.posted for platform in day.platforms}


def updated(day: DayRun) -> dict[str, list[str]]:
    """The papers whose posted message each platform edited, in order."""
    return {
        platform.name: [
            arxiv_id
            for run in platform.runs
            if run.delivery is not None
            for arxiv_id in run.delivery.updated
        ]
        for platform in day.platforms
    }


def fully_analysed(report: DailyReport) -> bool:
    return all(
        e.analysis is not None and e.source is AnalysisSource.FULL_TEXT for e in report.entries
    )
