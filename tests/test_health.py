"""`arxiv-digest health` and `GET /healthz`: the database, the last run, each bot's login."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from arxiv_digest.health import check_health
from arxiv_digest.settings import Settings
from arxiv_digest.wiring import digest_options, health_probe, make_chat_core, open_digest
from bot.slack.app import build_slack_app
from bot.slack.client import make_client
from bot.slack.runner import EVENTS_PATH, run_slack
from storage.db import Database
from storage.runs import RunRepository
from tests.daydata import make_settings
from tests.fakes.arxiv_server import FakeArxiv
from tests.fakes.slack_server import FakeSlack
from tests.fakes.telegram_server import FakeTelegram

WAIT_SECONDS = 30  # a bound for waits on the server, never an expectation of speed
UNREACHABLE_DB = (
    "postgresql+asyncpg://digest:pw-health-test@127.0.0.1:9/digest"  # port 9: nothing listens
)


@pytest.fixture
def slack() -> Iterator[FakeSlack]:
    with FakeSlack() as fake:
        yield fake  # type: ignore[misc]


@pytest.fixture
def telegram() -> Iterator[FakeTelegram]:
    with FakeTelegram() as fake:
        yield fake  # type: ignore[misc]


def settings_for(
    database_url: str, slack: FakeSlack, telegram: FakeTelegram, **overrides: object
) -> Settings:
    values: dict[str, object] = {
        "database_url": database_url,
        "slack_bot_token": slack.token,
        "slack_api_url": slack.api_url,
        "telegram_bot_token": telegram.token,
        "telegram_api_url": telegram.base_url,
    }
    return Settings(_env_file=None, **(values | overrides))  # type: ignore[arg-type]


def health_cli(args: list[str], settings: Settings, tmp_path: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "TELEGRAM_"))}
    env |= {
        "DATABASE_URL": settings.database_url,
        "SLACK_BOT_TOKEN": settings.slack_bot_token.get_secret_value(),  # type: ignore[union-attr]
        "SLACK_API_URL": settings.slack_api_url,
        "TELEGRAM_BOT_TOKEN": settings.telegram_bot_token.get_secret_value(),  # type: ignore[union-attr]
        "TELEGRAM_API_URL": settings.telegram_api_url,
    }
    return subprocess.run(
        [sys.executable, "-m", "arxiv_digest", "health", *args],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


async def test_healthy_with_both_bots_and_no_run_yet(
    database: Database, database_url: str, slack: FakeSlack, telegram: FakeTelegram
) -> None:
    report = await check_health(settings_for(database_url, slack, telegram))

    assert report.ok, report.lines()
    checks = {c.name: c for c in report.checks}
    assert list(checks) == ["database", "last_run", "slack", "telegram"]
    assert checks["last_run"].detail == "no run yet"
    assert checks["telegram"].detail == f"@{telegram.username}"
    assert report.lines()[-1] == "healthy"


async def test_a_failed_last_run_is_unhealthy_and_says_when(
    database: Database, database_url: str, slack: FakeSlack, telegram: FakeTelegram
) -> None:
    async with database.session() as session:
        runs = RunRepository(session)
        run_id = await runs.start("daily", datetime(2026, 2, 4, 7, tzinfo=UTC), "test")
        await runs.finish(run_id, "failed", {"error": "arXiv is down"})

    report = await check_health(settings_for(database_url, slack, telegram))

    assert not report.ok
    last = next(c for c in report.checks if c.name == "last_run")
    assert not last.ok and last.detail.startswith("failed at ")
    assert "(arXiv is down)" in last.detail


async def test_bots_are_left_out_when_not_configured(database: Database, database_url: str) -> None:
    report = await check_health(Settings(_env_file=None, database_url=database_url))  # type: ignore[call-arg]
    assert [c.name for c in report.checks] == ["database", "last_run"]


def test_health_command_exits_zero_and_prints_one_line_per_check(
    database: Database, database_url: str, slack: FakeSlack, telegram: FakeTelegram, tmp_path: Path
) -> None:
    result = health_cli([], settings_for(database_url, slack, telegram), tmp_path)

    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert [line.split(":")[0] for line in lines[:-1]] == [
        "database",
        "last_run",
        "slack",
        "telegram",
    ]
    assert all(": ok: " in line for line in lines[:-1]) and lines[-1] == "healthy"


def test_health_json_has_an_overall_flag_and_one_entry_per_check(
    database: Database, database_url: str, slack: FakeSlack, telegram: FakeTelegram, tmp_path: Path
) -> None:
    result = health_cli(["--json"], settings_for(database_url, slack, telegram), tmp_path)

    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["ok"] is True
    assert set(report["checks"]) == {"database", "last_run", "slack", "telegram"}
    for check in report["checks"].values():
        assert check["ok"] is True and isinstance(check["detail"], str)


def test_an_unreachable_database_exits_one_with_a_clear_line(
    slack: FakeSlack, telegram: FakeTelegram, tmp_path: Path
) -> None:
    result = health_cli([], settings_for(UNREACHABLE_DB, slack, telegram), tmp_path)

    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    failed = [line for line in result.stdout.splitlines() if "FAILED" in line]
    assert len(failed) == 1 and failed[0].startswith("database: FAILED: ")
    assert "pw-health-test" not in result.stdout + result.stderr
    assert result.stdout.splitlines()[-1] == "UNHEALTHY"


def test_a_rejected_slack_token_exits_one_naming_invalid_auth(
    database: Database, database_url: str, slack: FakeSlack, telegram: FakeTelegram, tmp_path: Path
) -> None:
    wrong = "xoxb-not-the-right-token"
    settings = settings_for(database_url, slack, telegram, slack_bot_token=wrong)
    result = health_cli([], settings, tmp_path)

    assert result.returncode == 1
    assert "slack: FAILED: auth.test: invalid_auth" in result.stdout.splitlines()
    assert wrong not in result.stdout + result.stderr


async def test_a_rejected_telegram_token_is_masked_in_the_report(
    database: Database, database_url: str, slack: FakeSlack, telegram: FakeTelegram
) -> None:
    wrong = "111111111:not-the-right-token"
    report = await check_health(
        settings_for(database_url, slack, telegram, telegram_bot_token=wrong)
    )

    failed = next(c for c in report.checks if c.name == "telegram")
    assert not failed.ok and failed.detail.startswith("getMe: ")
    assert wrong not in failed.detail


# ---- GET /healthz on Slack's HTTP mode --------------------------------------------------------


@dataclass
class HttpMode:
    base_url: str
    settings: Settings
    probed: Settings  # what `/healthz` checks; a test may swap it for a broken one


@pytest.fixture
async def http_mode(
    arxiv: FakeArxiv,
    slack: FakeSlack,
    telegram: FakeTelegram,
    database_url: str,
    tmp_path: Path,
) -> AsyncIterator[HttpMode]:
    settings = make_settings(
        arxiv,
        None,
        database_url,
        tmp_path,
        slack_bot_token=slack.token,
        slack_api_url=slack.api_url,
        slack_signing_secret="a-signing-secret",
        slack_http_port=0,
        telegram_bot_token=telegram.token,
        telegram_api_url=telegram.base_url,
    )
    async with open_digest(settings, digest_options(settings)) as digest:
        slack_settings = settings.slack()
        core = make_chat_core(settings, digest)
        app = build_slack_app(core, make_client(slack_settings), slack_settings)
        ready: asyncio.Future[str] = asyncio.get_running_loop().create_future()
        mode = HttpMode("", settings, settings)

        async def probe() -> tuple[bool, dict[str, Any]]:
            return await health_probe(mode.probed)

        server = asyncio.create_task(
            run_slack(
                app, slack_settings, host="127.0.0.1", on_ready=ready.set_result, health=probe
            )
        )
        try:
            mode.base_url = (await asyncio.wait_for(ready, WAIT_SECONDS)).removesuffix(EVENTS_PATH)
            yield mode
        finally:
            server.cancel()
            await asyncio.gather(server, return_exceptions=True)


async def get_json(url: str) -> tuple[int, dict[str, Any]]:
    async with aiohttp.ClientSession() as session, session.get(url) as response:
        return response.status, await response.json()


async def test_healthz_serves_the_health_report_with_200_when_healthy(http_mode: HttpMode) -> None:
    status, report = await get_json(f"{http_mode.base_url}/healthz")

    assert status == 200
    assert report["ok"] is True
    assert set(report["checks"]) == {"database", "last_run", "slack", "telegram"}
    assert report["checks"]["slack"]["ok"] is True


async def test_healthz_answers_503_when_a_check_fails(http_mode: HttpMode) -> None:
    http_mode.probed = http_mode.settings.model_copy(update={"database_url": UNREACHABLE_DB})
    status, report = await get_json(f"{http_mode.base_url}/healthz")

    assert status == 503
    assert report["ok"] is False
    assert report["checks"]["database"]["ok"] is False
    assert report["checks"]["slack"]["ok"] is True
