"""One fetch of a day's feed, read by every report that shares its categories.

The default report and each chat's report of a day ask for the same feed within minutes; the
composition root owns one cache and hands it to whoever fetches and whoever ends a run.
"""

from __future__ import annotations

import contextlib
import dataclasses
import time
from collections.abc import Callable, Iterator

from domain.models import FeedDay
from pipeline.feed import FeedClient, categories_key

# Several chats sharing categories read one fetch of the feed if they run within this window.
FEED_CACHE_SECONDS = 15 * 60


class FeedCache:
    def __init__(
        self,
        client: FeedClient,
        *,
        keep_seconds: float = FEED_CACHE_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._client = client
        self._keep_seconds = keep_seconds
        self._clock = clock
        self._days: dict[str, tuple[float, FeedDay]] = {}
        self._holds = 0

    async def fetch(self, categories: list[str]) -> FeedDay:
        """The kept day of these categories if it is recent enough, else a fresh fetch."""
        key = categories_key(categories)
        now = self._clock()
        kept = self._days.get(key)
        if kept is not None and now - kept[0] < self._keep_seconds:
            return dataclasses.replace(kept[1], categories=list(categories))
        day = await self._client.fetch_day(categories)
        self._days[key] = (now, day)
        return day

    def keep(self, day: FeedDay) -> None:
        """Keep `day` instead of the fetch it was made from (say, with its gaps filled), as old as
        that fetch; nothing is kept if the fetch was forgotten meanwhile."""
        key = categories_key(day.categories)
        if (kept := self._days.get(key)) is not None:
            self._days[key] = (kept[0], day)

    def forget(self) -> None:
        """Drop the kept days: the next fetch reads the feed afresh.

        Inside `sharing` this waits for the last holder, so one platform finishing does not
        make another, still delivering the same day, fetch the feed again.
        """
        if self._holds == 0:
            self._days.clear()

    @contextlib.contextmanager
    def sharing(self) -> Iterator[None]:
        """Keep the fetched days while several deliveries of one day run side by side, and
        forget them once the last one ends."""
        self._holds += 1
        try:
            yield
        finally:
            self._holds -= 1
            self.forget()
