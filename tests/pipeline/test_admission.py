"""LLM slots go to people before the daily batch, and among people in the order they asked."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest

from arxiv_digest.wiring import digest_options, open_digest
from pipeline import admission
from pipeline.admission import PrioritySlots, arrival_ticket
from tests.fakes.arxiv_server import FakeArxiv
from tests.fakes.base import Response
from tests.fakes.openai_server import FakeOpenAI
from tests.pipeline.test_digest import llm, make_settings, method_pdf, paper  # noqa: F401


async def _take_turns(slots: PrioritySlots, names: list[tuple[str, bool]]) -> list[str]:
    """Every named task waits for a slot (people with a ticket); returns the order served."""
    served: list[str] = []
    release = asyncio.Event()

    async def holder() -> None:
        async with slots:
            await release.wait()

    async def one(name: str, person: bool) -> None:
        if person:
            with arrival_ticket():
                async with slots:
                    served.append(name)
        else:
            async with slots:
                served.append(name)

    first = asyncio.create_task(holder())
    await asyncio.sleep(0)
    tasks = []
    for name, person in names:
        tasks.append(asyncio.create_task(one(name, person)))
        await asyncio.sleep(0)  # each reaches the slots before the next starts
    release.set()
    await asyncio.gather(first, *tasks)
    return served


async def test_people_are_served_before_the_batch_and_in_order_of_arrival() -> None:
    order = await _take_turns(
        PrioritySlots(1),
        [("batch 1", False), ("alice", True), ("batch 2", False), ("bob", True)],
    )

    assert order == ["alice", "bob", "batch 1", "batch 2"]


async def _race(slots: PrioritySlots, alice_on_the_way: float) -> list[str]:
    """Alice asks first but needs `alice_on_the_way` s to reach the slots; Bob is there at once."""
    served: list[str] = []

    async def person(name: str, before: float, started: asyncio.Event | None) -> None:
        with arrival_ticket():
            if started is not None:
                started.set()
            await asyncio.sleep(before)
            async with slots:
                served.append(name)

    alice_asked = asyncio.Event()
    alice = asyncio.create_task(person("alice", alice_on_the_way, alice_asked))
    await alice_asked.wait()
    await asyncio.gather(alice, person("bob", 0, None))
    return served


async def test_a_free_slot_waits_briefly_for_someone_who_asked_earlier() -> None:
    assert await _race(PrioritySlots(1), alice_on_the_way=0.1) == ["alice", "bob"]


async def test_nobody_waits_long_for_an_earlier_request_still_on_its_way(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(admission, "ORDER_GRACE_SECONDS", 0.05)

    assert await _race(PrioritySlots(1), alice_on_the_way=1.0) == ["bob", "alice"]


async def test_a_waiter_cancelled_gives_up_its_place_and_the_slot_is_not_lost() -> None:
    slots = PrioritySlots(1)
    async with slots:
        waiting = asyncio.create_task(slots.__aenter__())
        await asyncio.sleep(0)
        waiting.cancel()
        await asyncio.gather(waiting, return_exceptions=True)
    async with asyncio.timeout(5), slots:  # free again: nobody holds it
        pass


class SlowPdfs(FakeArxiv):
    """Each paper's PDF takes its own time: later requests are ready sooner."""

    def __init__(self) -> None:
        super().__init__()
        self.delays: dict[str, float] = {}

    def _pdf(self, name: str) -> Response:
        response = super()._pdf(name)
        response.delay = self.delays.get(name.removesuffix(".pdf").split("v")[0], 0.0)
        return response


@pytest.fixture
def arxiv() -> Iterator[SlowPdfs]:
    with SlowPdfs() as fake:
        yield fake


async def test_summaries_reach_the_llm_in_the_order_they_were_asked_for(
    arxiv: SlowPdfs,
    llm: FakeOpenAI,  # noqa: F811
    database_url: str,
    tmp_path: Path,
) -> None:
    papers = [paper(f"2602.0050{n}", f"Robot Study {n}", "We study robots.") for n in range(5)]
    for n, p in enumerate(papers):
        arxiv.add_paper(p, method_pdf(p.title))
        arxiv.delays[p.arxiv_id] = 0.1 * (len(papers) - n) if n else 0.0  # later, sooner
    llm.latency = 1.0  # the first holds the only slot while the others get ready
    settings = make_settings(arxiv, llm, database_url, tmp_path, llm_concurrency=1)

    async with open_digest(settings, digest_options(settings)) as digest:
        tasks = []
        for p in papers:
            tasks.append(asyncio.create_task(digest.summarize(p.arxiv_id)))
            await asyncio.sleep(0.02)  # arrival order is creation order
        entries = await asyncio.gather(*tasks)

    assert all(e.analysis is not None for e in entries)
    asked = [
        next(p.title for p in papers if p.title in str(body["messages"]))
        for body in llm.completions
    ]
    assert asked == [p.title for p in papers]
