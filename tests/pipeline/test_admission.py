"""LLM slots go to people before the daily batch, and among people in the order they asked;
answers come back in that order too."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest

from arxiv_digest.wiring import digest_options, open_digest
from pipeline.admission import ArrivalLine, PrioritySlots
from pipeline.ids import parse_arxiv_id
from pipeline.lookups import SharedLookups
from tests.daydata import make_settings, method_pdf, paper
from tests.fakes.arxiv_server import FakeArxiv
from tests.fakes.base import Response
from tests.fakes.openai_server import FakeOpenAI
from tests.pipeline.arxivapi import ids_asked, make_api


async def _take_turns(
    line: ArrivalLine, slots: PrioritySlots, names: list[tuple[str, bool]]
) -> list[str]:
    """Every named task waits for a slot (people with a ticket); returns the order served."""
    served: list[str] = []
    release = asyncio.Event()

    async def holder() -> None:
        async with slots:
            await release.wait()

    async def one(name: str, person: bool) -> None:
        if person:
            with line.ticket():
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
    line = ArrivalLine()
    order = await _take_turns(
        line,
        line.slots(1),
        [("batch 1", False), ("alice", True), ("batch 2", False), ("bob", True)],
    )

    assert order == ["alice", "bob", "batch 1", "batch 2"]


async def _race(line: ArrivalLine, slots: PrioritySlots, alice_on_the_way: float) -> list[str]:
    """Alice asks first but needs `alice_on_the_way` s to reach the slots; Bob is there at once."""
    served: list[str] = []

    async def person(name: str, before: float, started: asyncio.Event | None) -> None:
        with line.ticket():
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
    line = ArrivalLine()  # the grace as served: ORDER_GRACE_SECONDS
    assert await _race(line, line.slots(1), alice_on_the_way=0.1) == ["alice", "bob"]


async def test_nobody_waits_long_for_an_earlier_request_still_on_its_way() -> None:
    line = ArrivalLine(grace_seconds=0.05)

    assert await _race(line, line.slots(1), alice_on_the_way=1.0) == ["bob", "alice"]


async def test_a_waiter_cancelled_gives_up_its_place_and_the_slot_is_not_lost() -> None:
    slots = ArrivalLine().slots(1)
    async with slots:
        waiting = asyncio.create_task(slots.__aenter__())
        await asyncio.sleep(0)
        waiting.cancel()
        await asyncio.gather(waiting, return_exceptions=True)
    async with asyncio.timeout(5), slots:  # free again: nobody holds it
        pass


async def _leave(
    line: ArrivalLine, slots: PrioritySlots, answered: list[str], name: str, ready: asyncio.Event
) -> None:
    """A person whose work in the slot is done at once; the answer counts once the slot is left."""
    with line.ticket():
        async with slots:
            ready.set()
        answered.append(name)


async def test_an_answer_ready_first_waits_for_an_earlier_one_granted_with_it() -> None:
    line = ArrivalLine(grace_seconds=60.0)  # never the reason here
    slots = line.slots(2, answers_in_order=True)
    answered: list[str] = []
    alice_in, alice_done, bob_ready = asyncio.Event(), asyncio.Event(), asyncio.Event()

    async def alice() -> None:
        with line.ticket():
            async with slots:
                alice_in.set()
                await alice_done.wait()
        answered.append("alice")

    first = asyncio.create_task(alice())
    await alice_in.wait()
    second = asyncio.create_task(_leave(line, slots, answered, "bob", bob_ready))
    await bob_ready.wait()
    await asyncio.sleep(0)  # Bob has left the slot: not waiting, he would be answered already
    alice_done.set()
    await asyncio.gather(first, second)

    assert answered == ["alice", "bob"]


async def test_nobody_waits_long_to_leave_behind_an_earlier_request_still_running() -> None:
    line = ArrivalLine(grace_seconds=0.05)
    slots = line.slots(3, answers_in_order=True)
    answered: list[str] = []
    alice_in, alice_done = asyncio.Event(), asyncio.Event()

    async def alice() -> None:
        with line.ticket():
            async with slots:
                alice_in.set()
                await alice_done.wait()
        answered.append("alice")

    first = asyncio.create_task(alice())
    await alice_in.wait()
    await _leave(line, slots, answered, "bob", asyncio.Event())  # waits out the grace, then goes
    # Alice has had her grace: Carol, behind her too, does not wait for her again.
    line.grace_seconds = 60.0
    async with asyncio.timeout(30):
        await _leave(line, slots, answered, "carol", asyncio.Event())
    alice_done.set()
    await first

    assert answered == ["bob", "carol", "alice"]


async def test_the_batch_never_waits_for_people_to_be_answered() -> None:
    line = ArrivalLine(grace_seconds=60.0)
    slots = line.slots(2, answers_in_order=True)
    alice_in, alice_done = asyncio.Event(), asyncio.Event()

    async def alice() -> None:
        with line.ticket():
            async with slots:
                alice_in.set()
                await alice_done.wait()

    first = asyncio.create_task(alice())
    await alice_in.wait()
    async with asyncio.timeout(30):
        async with slots:  # the daily batch: no ticket
            pass
    assert not first.done()
    alice_done.set()
    await first


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
    llm: FakeOpenAI,
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
        entries = [result.entry for result in await asyncio.gather(*tasks)]

    assert all(e.analysis is not None for e in entries)
    asked = [
        next(p.title for p in papers if p.title in str(body["messages"]))
        for body in llm.completions
    ]
    assert asked == [p.title for p in papers]


class SlowAnswers(FakeOpenAI):
    """The analysis of a paper whose title is in `delays` takes that long to come back."""

    def __init__(self) -> None:
        super().__init__()
        self.delays: dict[str, float] = {}

    def _answer(self, payload: dict[str, object]) -> Response:
        response = super()._answer(payload)  # type: ignore[arg-type]
        asked = str(payload.get("messages"))
        response.delay = sum(delay for title, delay in self.delays.items() if title in asked)
        return response


async def test_summaries_are_answered_in_the_order_they_were_asked_for(
    arxiv: SlowPdfs, database_url: str, tmp_path: Path
) -> None:
    line = ArrivalLine(grace_seconds=60.0)  # never the reason here
    first, second = (paper(f"2602.0060{n}", f"Robot Study {n}", "We study robots.") for n in (1, 2))
    for p in (first, second):
        arxiv.add_paper(p, method_pdf(p.title))
    with SlowAnswers() as answers:
        answers.delays[first.title] = 0.3  # asked first, analysed together, answered last
        settings = make_settings(arxiv, answers, database_url, tmp_path, llm_concurrency=2)
        answered: list[str] = []

        async with open_digest(settings, digest_options(settings), line=line) as digest:

            async def ask(wanted: str) -> None:
                entry = (await digest.summarize(wanted)).entry
                assert entry.analysis is not None
                answered.append(wanted)

            asking = asyncio.create_task(ask(first.arxiv_id))
            await asyncio.sleep(0.02)  # arrival order is creation order
            await asyncio.gather(asking, ask(second.arxiv_id))
        slow, fast = (
            next(r for r in answers.requests_to("/v1/chat/completions") if p.title in str(r.body))
            for p in (first, second)
        )

    assert slow.answered_at is not None and slow.answered_at > fast.received_at  # both at once
    assert answered == [first.arxiv_id, second.arxiv_id]


async def test_the_first_look_up_goes_to_whoever_asked_first(arxiv: SlowPdfs) -> None:
    """The first request to arXiv goes at once and the rest wait out its spacing: Bob, who
    asked second but got to the look-up first, must not take it from Alice."""
    line = ArrivalLine(grace_seconds=60.0)  # never the reason here
    alice_p, bob_p = (paper(f"2602.0070{n}", f"Study {n}", "We study robots.") for n in (1, 2))
    for p in (alice_p, bob_p):
        arxiv.add_paper(p, method_pdf(p.title))
    lookups = SharedLookups(make_api(arxiv, delay_seconds=0.05, num_retries=0), line)
    alice_asked, alice_here = asyncio.Event(), asyncio.Event()

    async def alice() -> None:
        with line.ticket():
            alice_asked.set()
            await alice_here.wait()  # a slower database read, say
            await lookups.get_paper(parse_arxiv_id(alice_p.arxiv_id))

    async def bob() -> None:
        with line.ticket():
            await lookups.get_paper(parse_arxiv_id(bob_p.arxiv_id))

    first = asyncio.create_task(alice())
    await alice_asked.wait()
    second = asyncio.create_task(bob())
    await asyncio.sleep(0.1)  # Bob is at the look-up meanwhile, Alice still on her way
    alice_here.set()
    await asyncio.gather(first, second)

    asked = [ids_asked(r) for r in arxiv.requests_to("/api/")]
    assert asked[0] == [alice_p.arxiv_id]


async def test_a_line_knows_only_its_own_people() -> None:
    """Two lines share nothing: someone on the way in one never holds up a slot of the other."""
    theirs, ours = ArrivalLine(grace_seconds=60.0), ArrivalLine(grace_seconds=60.0)
    slots = ours.slots(1)
    with theirs.ticket():  # asked first, elsewhere, and still on the way
        async with asyncio.timeout(5):
            with ours.ticket():
                async with slots:
                    pass


async def test_a_ticket_inside_another_keeps_the_place_taken_on_arrival() -> None:
    """The chat core takes the place as a command arrives; the digest's own ticket inside it
    must not move that person behind someone who asked in between."""
    line = ArrivalLine()
    slots = line.slots(1)
    order: list[str] = []
    alice_asked, bob_done = asyncio.Event(), asyncio.Event()

    async def alice() -> None:
        with line.ticket():
            alice_asked.set()
            await bob_done.wait()  # Bob asks meanwhile
            with line.ticket():
                async with slots:
                    order.append("alice")

    async def bob() -> None:
        with line.ticket():
            bob_done.set()
            await asyncio.sleep(0)  # a slower database read
            async with slots:
                order.append("bob")

    first = asyncio.create_task(alice())
    await alice_asked.wait()
    await asyncio.gather(first, bob())

    assert order == ["alice", "bob"]
