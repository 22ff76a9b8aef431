"""Who gets the next PDF download or LLM slot: someone waiting in a chat before the daily batch,
and among people, whoever asked first.

A plain `asyncio.Semaphore` serves waiters in the order they reached it, and fifty `/summarize`
requests reach it in whatever order their database reads and downloads happened to finish. Here
each request carries the place it took on arrival (`arrival_ticket`). A slot goes to the waiting
request with the earliest place; a request that finds a slot free still lets an earlier one that
is on its way here go first, for at most `ORDER_GRACE_SECONDS`, so replies come back in the order
people asked and nobody waits long behind a slow download.

Slots granted in order are not enough where several calls run at once and take about as long
each (the LLM): those granted together finish a few milliseconds apart in any order. With
`answers_in_order` a request that finishes before an earlier one granted here waits, after giving
its slot back, until that one is answered, again for at most `ORDER_GRACE_SECONDS`.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import time
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from types import TracebackType

ORDER_GRACE_SECONDS = 1.0

_PERSON, _BATCH = 0, 1
# (_PERSON, n) for the n-th request someone is waiting for; unset for the daily run's batch.
_TICKET: ContextVar[tuple[int, int] | None] = ContextVar("arrival_ticket", default=None)
_ARRIVALS = itertools.count()
# People's requests not yet answered, by place in line, with the event loop serving each.
_ON_THE_WAY: dict[int, asyncio.AbstractEventLoop] = {}
_ALL_SLOTS: weakref.WeakSet[PrioritySlots] = weakref.WeakSet()


@contextmanager
def arrival_ticket() -> Iterator[None]:
    """Marks the work done inside the block as one person's request, in order of arrival.

    Inside another such block the outer ticket stands: the place was taken on arrival.
    """
    if _TICKET.get() is not None:
        yield
        return
    place = next(_ARRIVALS)
    token = _TICKET.set((_PERSON, place))
    _ON_THE_WAY[place] = asyncio.get_running_loop()
    try:
        yield
    finally:
        _ON_THE_WAY.pop(place, None)
        _TICKET.reset(token)
        for slots in list(_ALL_SLOTS):
            slots._answered(place)


class _Waiter:
    __slots__ = ("deadline", "future", "order", "ticket")

    def __init__(self, ticket: tuple[int, int], order: int, future: asyncio.Future[None]) -> None:
        self.ticket, self.order, self.future = ticket, order, future
        self.deadline = time.monotonic() + ORDER_GRACE_SECONDS

    def __lt__(self, other: _Waiter) -> bool:
        return (self.ticket, self.order) < (other.ticket, other.order)


class _Leaver:
    __slots__ = ("future", "place")

    def __init__(self, place: int, future: asyncio.Future[None]) -> None:
        self.place, self.future = place, future


class PrioritySlots:
    """`async with slots:` like a semaphore of `size`, granting slots by place in line.

    `answers_in_order`: a person's request leaving the block also waits for earlier people who
    had a slot here to be answered (the slot itself is given back at once).
    """

    def __init__(self, size: int, *, answers_in_order: bool = False) -> None:
        if size < 1:
            raise ValueError("at least one slot")
        self._free = size
        self._waiting: list[_Waiter] = []
        self._order = itertools.count()  # batch work: first come, first served
        self._through: set[int] = set()  # people's places that have had a slot here
        self._in_order = answers_in_order
        self._leaving: list[_Leaver] = []
        # Earlier people someone leaving stopped waiting for: nobody leaving waits for them again.
        self._passed: set[int] = set()
        _ALL_SLOTS.add(self)

    async def __aenter__(self) -> None:
        ticket = _TICKET.get() or (_BATCH, 0)
        loop = asyncio.get_running_loop()
        waiter = _Waiter(ticket, next(self._order), loop.create_future())
        heapq.heappush(self._waiting, waiter)
        self._dispatch()
        if not waiter.future.done():
            loop.call_later(ORDER_GRACE_SECONDS, self._dispatch)
        try:
            await waiter.future
        except asyncio.CancelledError:
            if waiter.future.done() and not waiter.future.cancelled():
                self._release()  # granted just as it was cancelled: pass the slot on
            else:
                self._waiting.remove(waiter)
                heapq.heapify(self._waiting)
                self._dispatch()
            raise

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._release()
        ticket = _TICKET.get()
        if self._in_order and kind is None and ticket is not None and ticket[0] == _PERSON:
            await self._leave_in_turn(ticket[1])

    def _release(self) -> None:
        self._free += 1
        self._dispatch()

    def _answered(self, place: int) -> None:
        self._through.discard(place)
        self._passed.discard(place)
        self._dispatch()
        self._let_leave()

    async def _leave_in_turn(self, place: int) -> None:
        """Back to the caller once earlier people who had a slot here are answered, or after
        the grace: then those it waited for lose their turn here to everyone behind."""
        loop = asyncio.get_running_loop()
        leaver = _Leaver(place, loop.create_future())
        if not self._ahead_of(leaver):
            return
        self._leaving.append(leaver)
        timer = loop.call_later(ORDER_GRACE_SECONDS, self._give_up, leaver)
        try:
            await leaver.future
        finally:
            timer.cancel()
            self._leaving.remove(leaver)

    def _ahead_of(self, leaver: _Leaver) -> list[int]:
        loop = leaver.future.get_loop()
        return [
            p
            for p in self._through
            if p < leaver.place and p not in self._passed and _ON_THE_WAY.get(p) is loop
        ]

    def _give_up(self, leaver: _Leaver) -> None:
        if not leaver.future.done():
            self._passed.update(self._ahead_of(leaver))
            leaver.future.set_result(None)
        self._let_leave()

    def _let_leave(self) -> None:
        for leaver in self._leaving:
            future = leaver.future
            if future.done() or future.get_loop().is_closed():  # gone meanwhile
                continue
            if not self._ahead_of(leaver):
                future.set_result(None)

    def _dispatch(self) -> None:
        """Give free slots to the first in line, unless an earlier person is still on the way."""
        while self._free > 0 and self._waiting:
            first = self._waiting[0]
            if first.future.done() or first.future.get_loop().is_closed():  # gone meanwhile
                heapq.heappop(self._waiting)
                continue
            if self._earlier_on_the_way(first) and time.monotonic() < first.deadline:
                return
            heapq.heappop(self._waiting)
            self._free -= 1
            if first.ticket[0] == _PERSON:
                self._through.add(first.ticket[1])
            first.future.set_result(None)

    def _earlier_on_the_way(self, waiter: _Waiter) -> bool:
        kind, place = waiter.ticket
        if kind != _PERSON:
            return False
        loop = waiter.future.get_loop()
        return any(
            p < place and p not in self._through and on is loop
            for p, on in list(_ON_THE_WAY.items())
        )
