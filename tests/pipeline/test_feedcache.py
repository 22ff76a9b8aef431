"""One fetch of a day's feed serves every report sharing its categories, for a while or for a
delivery's whole run, and no longer."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator

import httpx
import pytest

from pipeline.feed import FeedClient
from pipeline.feedcache import FeedCache
from tests.daydata import CATEGORIES, DAY, ECO, serve_day
from tests.fakes.arxiv_server import FakeArxiv

KEEP_SECONDS = 60.0


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
async def feeds(arxiv: FakeArxiv, clock: Clock) -> AsyncIterator[FeedCache]:
    serve_day(arxiv, DAY, [ECO])
    async with httpx.AsyncClient() as http:
        yield FeedCache(FeedClient(http, arxiv.rss_url), keep_seconds=KEEP_SECONDS, clock=clock)


def fetches(arxiv: FakeArxiv) -> int:
    return len(arxiv.requests_to("/rss/"))


async def test_one_fetch_serves_the_same_categories_in_any_order_for_a_while(
    feeds: FeedCache,
    arxiv: FakeArxiv,
    clock: Clock,
) -> None:
    first = await feeds.fetch(["cs.AI", "cs.RO"])
    clock.now += KEEP_SECONDS - 1
    second = await feeds.fetch(["cs.RO", "cs.AI"])

    assert fetches(arxiv) == 1
    assert second.categories == ["cs.RO", "cs.AI"]  # as this caller asked
    assert second.papers == first.papers and second.announced_on == DAY

    clock.now += 1
    await feeds.fetch(["cs.AI", "cs.RO"])
    assert fetches(arxiv) == 2


async def test_forgetting_waits_for_the_last_delivery_sharing_the_feed(
    feeds: FeedCache,
    arxiv: FakeArxiv,
) -> None:
    categories = CATEGORIES.split("+")
    with feeds.sharing():
        await feeds.fetch(categories)
        with feeds.sharing():
            await feeds.fetch(categories)
        feeds.forget()  # one platform done, the other still delivering
        await feeds.fetch(categories)
        assert fetches(arxiv) == 1
    await feeds.fetch(categories)  # the last holder left: forgotten
    assert fetches(arxiv) == 2

    feeds.forget()  # outside any sharing: at once
    await feeds.fetch(categories)
    assert fetches(arxiv) == 3


async def test_a_kept_day_replaces_its_fetch_only_while_that_fetch_is_kept(
    feeds: FeedCache,
    arxiv: FakeArxiv,
    clock: Clock,
) -> None:
    categories = CATEGORIES.split("+")
    fetched = await feeds.fetch(categories)
    filled = dataclasses.replace(fetched, papers=[dataclasses.replace(ECO, title="Filled")])
    clock.now += KEEP_SECONDS / 2

    feeds.keep(filled)

    assert [p.title for p in (await feeds.fetch(categories)).papers] == ["Filled"]
    clock.now += KEEP_SECONDS / 2  # as old as the fetch it replaced
    assert [p.title for p in (await feeds.fetch(categories)).papers] == [ECO.title]
    assert fetches(arxiv) == 2

    feeds.forget()
    feeds.keep(filled)  # nothing to replace: not kept
    assert [p.title for p in (await feeds.fetch(categories)).papers] == [ECO.title]
    assert fetches(arxiv) == 3
