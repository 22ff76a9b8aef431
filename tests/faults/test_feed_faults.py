"""arXiv's RSS feed failing: the day cannot be known, so nothing is posted and the run says why;
a short 429 is waited out; the next run, with the feed back, posts the day once."""

from __future__ import annotations

import pytest

from domain.errors import FeedUnavailable
from tests.fakes.base import Response
from tests.faults.world import (
    FAULTS,
    World,
    closed_port_url,
    fault_response,
    fully_analysed,
    posted,
)

NOT_A_FEED = Response(200, b'{"items": []}', {"Content-Type": "application/json"})
# What the run says for each fault: it names the feed and what went wrong.
REASONS = {
    "timeout": "did not answer in time",
    "refused": "could not be reached",
    "dropped": "could not be reached",
    "server_error": "HTTP 500",
    "malformed": "not RSS or Atom",
    "endless": "still arriving after",
}


@pytest.mark.parametrize("kind", [k for k in FAULTS if k != "rate_limited"])
async def test_a_feed_fault_fails_the_run_cleanly_and_the_next_run_posts_the_day_once(
    world: World, kind: str
) -> None:
    overrides: dict[str, object] = {}
    if kind == "refused":
        overrides["arxiv_rss_url"] = closed_port_url("/rss/")
    else:
        world.arxiv.fail_always(fault_response(kind, NOT_A_FEED), path="/rss/")

    with pytest.raises(FeedUnavailable, match=rf"arXiv's feed .*{REASONS[kind]}"):
        await world.run(**overrides)
    assert world.slack.all_posts == [] and world.telegram.all_sent == []
    assert world.llm.completions == [] and world.arxiv.requests_to("/pdf/") == []

    world.arxiv.heal()
    day = await world.run()
    assert day.ok
    assert posted(day) == {"Slack": 3, "Telegram": 3}  # the parent and two papers each
    world.assert_each_paper_once()
    assert fully_analysed(day.outcome.report)


async def test_a_short_429_from_the_feed_is_waited_out_within_the_run(world: World) -> None:
    world.arxiv.fail_next(fault_response("rate_limited", NOT_A_FEED), path="/rss/")

    day = await world.run()

    assert len(world.arxiv.requests_to("/rss/")) >= 2  # asked again after the 429
    assert day.ok and posted(day) == {"Slack": 3, "Telegram": 3}
    world.assert_each_paper_once()
    assert fully_analysed(day.outcome.report)
