"""Single-paper look-ups on arXiv's API, shared: those asked while one is under way go together.

arXiv allows one API request every 3 seconds. Fifty `/summarize` of papers we do not have, one
request each, would take two and a half minutes before the last could even start; gathered, they
take one `id_list` request (up to 100 ids) while the first one is answered, and one more.

The first request goes alone, at once, and everyone else waits out arXiv's spacing: it must go to
whoever asked first, not to whichever request got here first (the database reads before differ by
tens of milliseconds), or that one would be answered seconds before people who asked before it.
"""

from __future__ import annotations

import asyncio

from domain.errors import FeedUnavailable, PaperNotFound
from domain.models import Paper
from pipeline.admission import ArrivalLine
from pipeline.arxiv_api import ArxivApi
from pipeline.ids import ArxivId


class SharedLookups:
    """`get_paper` as `ArxivApi.get_paper` answers it, batched with whoever else is waiting."""

    def __init__(self, api: ArxivApi, line: ArrivalLine) -> None:
        self._api = api
        # People join in the order they asked (an earlier one on its way here goes first, within
        # admission's grace); then first come, first served: batches keep that order.
        self._arriving = line.slots(1)
        self._turn = asyncio.Lock()
        self._waiting: list[tuple[ArxivId, asyncio.Future[Paper]]] = []

    async def get_paper(self, arxiv_id: ArxivId) -> Paper:
        future: asyncio.Future[Paper] = asyncio.get_running_loop().create_future()
        async with self._arriving:
            self._waiting.append((arxiv_id, future))
        async with self._turn:
            # Whoever comes while arXiv's spacing runs out joins this request.
            if not future.done() and (wait := self._api.seconds_to_next_turn()) > 0:
                await asyncio.sleep(wait)
            if not future.done():  # nobody took it along: this caller asks for everyone waiting
                batch, self._waiting = self._waiting, []
                try:
                    await self._look_up(batch)
                finally:  # cancelled halfway: the next in line asks for those still waiting
                    self._waiting[:0] = [(w, f) for w, f in batch if not f.done()]
        return await future

    async def _look_up(self, batch: list[tuple[ArxivId, asyncio.Future[Paper]]]) -> None:
        if len(batch) == 1:
            await self._one(*batch[0])
            return
        try:
            papers = await self._api.get_papers([str(wanted) for wanted, _ in batch])
        except FeedUnavailable:
            # arXiv refused the batch (one malformed id spoils an id_list) or is down: each
            # asks alone, so each gets its own answer ("no such id", "arXiv is down").
            for wanted, future in batch:
                await self._one(wanted, future)
            return
        for wanted, future in batch:
            found = [
                p
                for p in papers
                if p.arxiv_id == wanted.base and wanted.version in (None, p.version)
            ]
            if found:
                _settle(future, max(found, key=lambda p: p.version))
            else:
                _settle(future, PaperNotFound(str(wanted)))

    async def _one(self, wanted: ArxivId, future: asyncio.Future[Paper]) -> None:
        try:
            _settle(future, await self._api.get_paper(wanted))
        except Exception as exc:
            _settle(future, exc)


def _settle(future: asyncio.Future[Paper], outcome: Paper | Exception) -> None:
    if future.done():  # its caller was cancelled meanwhile
        return
    if isinstance(outcome, Exception):
        future.set_exception(outcome)
    else:
        future.set_result(outcome)
