"""Who gets the next PDF download or LLM slot: someone waiting in a chat before the daily batch,
and among people, whoever asked first.

A plain `asyncio.Semaphore` serves waiters in the order they reached it, and fifty `/summarize`
requests reach it in whatever order their database reads and downloads happened to finish. Here
each request carries the place it took on arrival in an `ArrivalLine` (`line.ticket()`). A slot
goes to the waiting request with the earliest place; a request that finds a slot free still lets
an earlier one that is on its way here go first, for at most the line's grace
(`ORDER_GRACE_SECONDS`), so replies come back in the order people asked and nobody waits long
behind a slow download.

Slots granted in order are not enough where several calls run at once and take about as long
each (the LLM): those granted together finish a few milliseconds apart in any order. With
`answers_in_order` a request that finishes before an earlier one granted here waits, after giving
its slot back, until that one is answered, again for at most the grace.

The composition root makes one line per process (per event loop) and every `PrioritySlots` that
must honour people's order is made from it (`line.slots(...)`).
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from types import TracebackType

ORDER_GRACE_SECONDS = 1.0

_PERSON, _BATCH = 0, 1


class ArrivalLine:
    """The order people asked in, shared by every `PrioritySlots` made from it.

    `grace_seconds`: how long a free slot, or an answer ready early, waits for an earlier person.
    """

    def __init__(self, grace_seconds: float = ORDER_GRACE_SECONDS) -> None:
        self.grace_seconds = grace_seconds
        # The place in line of the person the current task works for; unset for the batch.
        # A context variable because asyncio carries it into every task a request starts (one
        # per line, and a line per process: contexts keep every variable they ever held).
        self._place: ContextVar[int | None] = ContextVar("arrival_place", default=None)
        self._arrivals = itertools.count()
        self._on_the_way: set[int] = set()  # people's places not yet answered
        self._slots: list[PrioritySlots] = []

    @contextmanager
    def ticket(self) -> Iterator[None]:
        """Marks the work done inside the block as one person's request, in order of arrival.

        Inside another such block the outer ticket stands: the place was taken on arrival.
        """
        if self._place.get() is not None:
            yield
            return
        place = next(self._arrivals)
        token = self._place.set(place)
        self._on_the_way.add(place)
        try:
            yield
        finally:
            self._on_the_way.discard(place)
            self._place.reset(token)
            for slots in self._slots:
                slots._answered(place)

    def slots(self, size: int, *, answers_in_order: bool = False) -> PrioritySlots:
        """`size` slots granted by place in this line (see `PrioritySlots`)."""
        slots = PrioritySlots(self, size, answers_in_order=answers_in_order)
        self._slots.append(slots)
        return slots

    def _ticket(self) -> tuple[int, int]:
        place = self._place.get()
        return (_BATCH, 0) if place is None else (_PERSON, place)

    def _still_on_the_way(self, place: int) -> bool:
        return place in self._on_the_way

    def _on_the_way_before(self, place: int) -> list[int]:
        return [p for p in self._on_the_way if p < place]


class _Waiter:
    __slots__ = ("deadline", "future", "order", "ticket")

    def __init__(
        self, ticket: tuple[int, int], order: int, future: asyncio.Future[None], grace: float
    ) -> None:
        self.ticket, self.order, self.future = ticket, order, future
        self.deadline = time.monotonic() + grace

    def __lt__(self, other: _Waiter) -> bool:
        return (self.ticket, self.order) < (other.ticket, other.order)


class _Leaver:
    __slots__ = ("future", "place")

    def __init__(self, place: int, future: asyncio.Future[None]) -> None:
        self.place, self.future = place, future


class PrioritySlots:
    """`async with slots:` like a semaphore of `size`, granting slots by place in `line`.

    Made by `ArrivalLine.slots`, which tells it when a person is answered.
    `answers_in_order`: a person's request leaving the block also waits for earlier people who
    had a slot here to be answered (the slot itself is given back at once).
    """

    def __init__(self, line: ArrivalLine, size: int, *, answers_in_order: bool = False) -> None:
        if size < 1:
            raise ValueError("at least one slot")
        self._line = line
        self._free = size
        self._waiting: list[_Waiter] = []
        self._order = itertools.count()  # batch work: first come, first served
        self._through: set[int] = set()  # people's places that have had a slot here
        self._in_order = answers_in_order
        self._leaving: list[_Leaver] = []
        # Earlier people someone leaving stopped waiting for: nobody leaving waits for them again.
        self._passed: set[int] = set()

    async def __aenter__(self) -> None:
        loop = asyncio.get_running_loop()
        grace = self._line.grace_seconds
        waiter = _Waiter(self._line._ticket(), next(self._order), loop.create_future(), grace)
        heapq.heappush(self._waiting, waiter)
        self._dispatch()
        if not waiter.future.done():
            loop.call_later(grace, self._dispatch)
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
        who, place = self._line._ticket()
        if self._in_order and kind is None and who == _PERSON:
            await self._leave_in_turn(place)

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
        timer = loop.call_later(self._line.grace_seconds, self._give_up, leaver)
        try:
            await leaver.future
        finally:
            timer.cancel()
            self._leaving.remove(leaver)

    def _ahead_of(self, leaver: _Leaver) -> list[int]:
        return [
            p
            for p in self._through
            if p < leaver.place and p not in self._passed and self._line._still_on_the_way(p)
        ]

    def _give_up(self, leaver: _Leaver) -> None:
        if not leaver.future.done():
            self._passed.update(self._ahead_of(leaver))
            leaver.future.set_result(None)
        self._let_leave()

    def _let_leave(self) -> None:
        for leaver in self._leaving:
            if not leaver.future.done() and not self._ahead_of(leaver):
                leaver.future.set_result(None)

    def _dispatch(self) -> None:
        """Give free slots to the first in line, unless an earlier person is still on the way."""
        while self._free > 0 and self._waiting:
            first = self._waiting[0]
            if first.future.done():  # cancelled meanwhile
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
        return any(p not in self._through for p in self._line._on_the_way_before(place))
