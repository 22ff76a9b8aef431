"""arXiv's API failing while it fills in a feed item the feed left incomplete: the paper is
posted as the feed gave it, once; the run's stats name the API; the next run fills it in
without posting again. A 429 is retried within the run."""

from __future__ import annotations

import dataclasses

import pytest

from tests.daydata import DAY, serve_day
from tests.fakes.base import Response
from tests.faults.world import (
    FAST,
    FAULTS,
    OFF,
    WIDE,
    World,
    closed_port_url,
    fault_response,
    posted,
)

NOT_ATOM = Response(
    200, b"<html><body>Service unavailable</body></html>", {"Content-Type": "text/html"}
)
REASONS = {
    "timeout": "did not answer within",
    "refused": "could not be reached",
    "dropped": "could not be reached",
    "server_error": "HTTP 500",
    "malformed": "not Atom",
    "endless": "still arriving after",
}
AUTHORS = ["Grace Hopper", "Edsger Dijkstra"]


@pytest.fixture
def gappy(world: World) -> World:
    """The feed lists FAST without its authors; the API knows them."""
    serve_day(world.arxiv, DAY, [dataclasses.replace(FAST, authors=[]), WIDE, OFF])
    world.arxiv.papers[FAST.arxiv_id] = dataclasses.replace(FAST, authors=AUTHORS)
    return world


def fast_entry_authors(day: object) -> list[str]:
    entries = day.outcome.report.entries  # type: ignore[attr-defined]
    return next(e.paper.authors for e in entries if e.paper.arxiv_id == FAST.arxiv_id)


@pytest.mark.parametrize("kind", [k for k in FAULTS if k != "rate_limited"])
async def test_an_api_fault_posts_the_feed_item_as_it_is_and_the_next_run_fills_it_in(
    gappy: World, kind: str
) -> None:
    world = gappy
    overrides: dict[str, object] = {}
    if kind == "refused":
        overrides["arxiv_api_url"] = closed_port_url("/api/query")
    else:
        world.arxiv.fail_always(fault_response(kind, NOT_ATOM), path="/api/")

    day = await world.run(**overrides)

    assert day.ok and posted(day) == {"Slack": 3, "Telegram": 3}
    world.assert_each_paper_once()
    assert fast_entry_authors(day) == []
    named = [f for f in day.outcome.stats.failures if "arXiv's API" in f]
    assert named and REASONS[kind] in named[0], day.outcome.stats.failures

    world.arxiv.heal()
    again = await world.run()
    assert again.ok and posted(again) == {"Slack": 0, "Telegram": 0}
    world.assert_each_paper_once()
    assert fast_entry_authors(again) == AUTHORS


async def test_a_429_from_the_api_is_retried_within_the_run(gappy: World) -> None:
    world = gappy
    world.arxiv.fail_next(fault_response("rate_limited", NOT_ATOM), path="/api/")

    day = await world.run()

    assert len(world.arxiv.requests_to("/api/")) >= 2
    assert fast_entry_authors(day) == AUTHORS
    assert day.ok and day.outcome.stats.failures == []
    world.assert_each_paper_once()
