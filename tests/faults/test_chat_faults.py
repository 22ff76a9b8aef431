"""Slack or Telegram failing: the other platform gets its thread, the failing chat is named in
the run's result, and the next run completes the same thread without posting anything twice.
A 429 that says how long to wait is waited out and the message posted once."""

from __future__ import annotations

import re

import pytest

from arxiv_digest.wiring import DayRun
from tests.fakes.base import Response
from tests.faults.world import (
    CHANNEL,
    FAULTS,
    GROUP,
    World,
    closed_port_url,
    fault_response,
    fully_analysed,
    posted,
)

SLACK_POST = "/api/chat.postMessage"
TELEGRAM_SEND = "/sendMessage"
NOT_JSON = Response(200, b"<html><body>Bad gateway</body></html>", {"Content-Type": "text/html"})
SLACK_REASONS = {
    "timeout": "Slack did not answer chat.postMessage in time",
    "refused": "Slack could not be reached",
    "dropped": "Slack could not be reached",
    "server_error": "Slack API failed",
    "malformed": "Slack API failed",
    "endless": "Slack did not answer chat.postMessage in time",
}
TELEGRAM_REASONS = {
    "timeout": "Timed out|took longer than",
    "refused": "connect",
    "dropped": "disconnected",
    "server_error": "Internal Server Error",
    "malformed": "Invalid server response",
    "endless": "Telegram's answer took longer than",
}


def telegram_fault(kind: str) -> Response:
    if kind == "rate_limited":
        return Response.json(
            {
                "ok": False,
                "error_code": 429,
                "description": "Too Many Requests: retry after 1",
                "parameters": {"retry_after": 1},
            },
            429,
        )
    if kind == "server_error":
        return Response.json(
            {"ok": False, "error_code": 500, "description": "Internal Server Error"}, 500
        )
    return fault_response(kind, NOT_JSON)


def failure_of(day: DayRun, platform: str) -> str:
    """What the run says went wrong on `platform`: its error, or its failed chat's."""
    (run,) = [p for p in day.platforms if p.name == platform]
    if run.error is not None:
        return run.error
    failed = [r for r in run.runs if not r.ok]
    assert failed, f"{platform} did not fail"
    return f"{failed[0].chat_id}: {failed[0].error}"


@pytest.mark.parametrize("kind", [k for k in FAULTS if k != "rate_limited"])
async def test_a_slack_fault_leaves_telegram_whole_and_the_next_run_completes_slack(
    world: World, kind: str
) -> None:
    overrides: dict[str, object] = {}
    if kind == "refused":
        overrides["slack_api_url"] = closed_port_url("/api/")
    else:
        world.slack.fail_always(fault_response(kind, NOT_JSON), path=SLACK_POST)

    day = await world.run(**overrides)

    assert not day.ok
    assert posted(day) == {"Slack": 0, "Telegram": 3}
    failure = failure_of(day, "Slack")
    assert failure.startswith(f"{CHANNEL}: ") and SLACK_REASONS[kind] in failure, failure
    assert world.slack.all_posts == []
    assert fully_analysed(day.outcome.report)

    world.slack.heal()
    again = await world.run()
    assert again.ok and posted(again) == {"Slack": 3, "Telegram": 0}
    world.assert_each_paper_once()
    world.assert_one_thread_each()


@pytest.mark.parametrize("kind", [k for k in FAULTS if k != "rate_limited"])
async def test_a_telegram_fault_leaves_slack_whole_and_the_next_run_completes_telegram(
    world: World, kind: str
) -> None:
    overrides: dict[str, object] = {}
    if kind == "refused":
        overrides["telegram_api_url"] = closed_port_url("/bot")
    else:
        world.telegram.fail_always(telegram_fault(kind), path=TELEGRAM_SEND)

    day = await world.run(**overrides)

    assert not day.ok
    assert posted(day) == {"Slack": 3, "Telegram": 0}
    failure = failure_of(day, "Telegram")
    assert re.search(TELEGRAM_REASONS[kind], failure, re.IGNORECASE), failure
    if kind != "refused":  # refused: the bot never started, so no chat was tried
        assert failure.startswith(f"{GROUP}: ")
    assert world.telegram.all_sent == []

    world.telegram.heal()
    again = await world.run()
    assert again.ok and posted(again) == {"Slack": 0, "Telegram": 3}
    world.assert_each_paper_once()
    world.assert_one_thread_each()


async def test_a_slack_429_is_waited_out_and_the_message_posted_once(world: World) -> None:
    world.slack.fail_next(fault_response("rate_limited", NOT_JSON), path=SLACK_POST)

    day = await world.run()

    assert day.ok and posted(day) == {"Slack": 3, "Telegram": 3}
    assert len(world.slack.requests_to(SLACK_POST)) == 3 + 1  # the 429'd one, asked again
    world.assert_each_paper_once()
    world.assert_one_thread_each()


async def test_a_telegram_429_is_waited_out_and_the_message_sent_once(world: World) -> None:
    world.telegram.fail_next(telegram_fault("rate_limited"), path=TELEGRAM_SEND)

    day = await world.run()

    assert day.ok and posted(day) == {"Slack": 3, "Telegram": 3}
    sends = [r for r in world.telegram.requests if r.path.endswith(TELEGRAM_SEND)]
    assert len(sends) == 3 + 1
    world.assert_each_paper_once()
    world.assert_one_thread_each()
