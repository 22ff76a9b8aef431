"""The LLM endpoint failing: each paper is still posted, once, with its abstract and a note; the
run's stats name the paper and the endpoint's fault; the next run, with the endpoint back,
analyses them and edits their posted messages in place, posting nothing again. A short 429 is
waited out within the run."""

from __future__ import annotations

import re

import pytest

from tests.fakes.base import Response
from tests.faults.world import (
    FAULTS,
    MATCHING,
    World,
    closed_port_url,
    fault_response,
    fully_analysed,
    posted,
    updated,
)

NOT_JSON = Response(200, b"<html>Bad gateway</html>", {"Content-Type": "application/json"})
REASONS = {
    # Each try times out; the last may be cut by the bound on the whole request instead.
    "timeout": "did not answer in time|still arriving after",
    "refused": "could not be reached",
    "dropped": "could not be reached",
    "server_error": "HTTP 500",
    "malformed": "not a chat completion",
    "endless": "still arriving after",
}
IDS = {p.arxiv_id for p in MATCHING}
COMPLETIONS = "/v1/chat/completions"


@pytest.mark.parametrize("kind", [k for k in FAULTS if k != "rate_limited"])
async def test_an_llm_fault_posts_the_abstract_once_and_the_next_run_analyses(
    world: World, kind: str
) -> None:
    overrides: dict[str, object] = {}
    if kind == "refused":
        overrides["openai_base_url"] = closed_port_url("/v1")
    else:
        world.llm.fail_always(fault_response(kind, NOT_JSON), path=COMPLETIONS)

    day = await world.run(**overrides)

    assert day.ok and posted(day) == {"Slack": 3, "Telegram": 3}
    world.assert_each_paper_once(abstract_only=IDS)
    # Each paper is asked about once (its tries included), not again for each chat's report.
    assert len(world.llm.requests_to(COMPLETIONS)) <= len(MATCHING) * 2
    failures = day.outcome.stats.failures
    for each in MATCHING:
        named = [f for f in failures if f.startswith(f"{each.versioned_id}: The model endpoint")]
        assert named and re.search(REASONS[kind], named[0]), failures

    world.llm.heal()
    again = await world.run()
    assert again.ok and posted(again) == {"Slack": 0, "Telegram": 0}  # nothing twice
    world.assert_each_paper_once()  # the same messages, now with the analysis
    world.assert_edited_in_place(IDS)
    order = [e.paper.arxiv_id for e in again.outcome.report.entries]  # most keywords first
    assert set(order) == IDS
    assert updated(again) == {"Slack": order, "Telegram": order}
    assert fully_analysed(again.outcome.report)
    assert fully_analysed(await world.stored_report())


async def test_a_short_429_from_the_llm_is_waited_out_within_the_run(world: World) -> None:
    world.llm.fail_next(fault_response("rate_limited", NOT_JSON), path=COMPLETIONS)

    day = await world.run()

    assert len(world.llm.completions) == len(MATCHING) + 1  # one asked twice
    assert day.ok and day.outcome.stats.failures == []
    world.assert_each_paper_once()
    assert fully_analysed(day.outcome.report)
