"""Look-ups asked while one is under way share the next request to arXiv's API."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest

from domain.errors import PaperNotFound
from pipeline.admission import ArrivalLine
from pipeline.ids import parse_arxiv_id
from pipeline.lookups import SharedLookups
from tests.fakes.arxiv_server import FakeArxiv, atom_feed
from tests.fakes.base import Response
from tests.pipeline.arxivapi import ATOM, api_paper, ids_asked, make_api
from tests.polling import until


@pytest.fixture
def fake() -> Iterator[FakeArxiv]:
    with FakeArxiv() as server:
        for n in range(1, 21):
            server.add_paper(api_paper(f"2602.{n:05d}", version=1 + n % 3, title=f"Paper {n}"))
        yield server


def _lookups(fake: FakeArxiv, delay: float = 0.3) -> SharedLookups:
    return SharedLookups(make_api(fake, delay_seconds=delay, num_retries=0), ArrivalLine())


async def test_twenty_at_once_take_two_requests_and_each_gets_its_paper(fake: FakeArxiv) -> None:
    lookups = _lookups(fake)
    wanted = [parse_arxiv_id(f"2602.{n:05d}") for n in range(1, 21)]

    found = await asyncio.gather(*(lookups.get_paper(w) for w in wanted))

    assert [p.title for p in found] == [f"Paper {n}" for n in range(1, 21)]
    requests = fake.requests_to("/api/")  # the first alone (or with all), the others together
    assert len(requests) <= 2
    assert sorted(i for r in requests for i in ids_asked(r)) == [str(w) for w in wanted]


async def test_a_version_or_paper_arxiv_lacks_fails_alone(fake: FakeArxiv) -> None:
    lookups = _lookups(fake)
    asked = ["2602.00001", "2602.00002v999", "2602.99999", "2602.00004v2"]

    results = await asyncio.gather(
        *(lookups.get_paper(parse_arxiv_id(a)) for a in asked), return_exceptions=True
    )

    assert results[0].title == "Paper 1"  # type: ignore[union-attr]
    assert isinstance(results[1], PaperNotFound) and "2602.00002v999" in str(results[1])
    assert isinstance(results[2], PaperNotFound)
    assert (results[3].title, results[3].version) == ("Paper 4", 2)  # type: ignore[union-attr]


async def test_a_batch_arxiv_rejects_is_asked_again_one_by_one(fake: FakeArxiv) -> None:
    lookups = _lookups(fake, delay=0.05)
    # The first finds nothing (slowly); arXiv rejects the next batch as a whole.
    fake.fail_next(Response(200, atom_feed([]), ATOM, delay=0.5), Response(400, b"bad id_list"))
    blocker = asyncio.create_task(lookups.get_paper(parse_arxiv_id("2602.00001")))
    await _until_asked(fake, 1)  # under way: the next two wait and go together
    pair = asyncio.gather(
        lookups.get_paper(parse_arxiv_id("2602.00003")),
        lookups.get_paper(parse_arxiv_id("2602.00005")),
    )

    with pytest.raises(PaperNotFound):
        await blocker
    third, fifth = await pair

    assert (third.title, fifth.title) == ("Paper 3", "Paper 5")
    assert [len(ids_asked(r)) for r in fake.requests_to("/api/")] == [1, 2, 1, 1]


async def _until_asked(fake: FakeArxiv, requests: int) -> None:
    await until(lambda: len(fake.requests_to("/api/")) >= requests)


async def test_a_caller_cancelled_while_asking_leaves_the_others_answered(
    fake: FakeArxiv,
) -> None:
    lookups = _lookups(fake, delay=0.05)
    fake.fail_next(Response(200, atom_feed([]), ATOM, delay=1.0))  # the first takes a while
    first = asyncio.create_task(lookups.get_paper(parse_arxiv_id("2602.00001")))
    await _until_asked(fake, 1)
    others = [
        asyncio.create_task(lookups.get_paper(parse_arxiv_id(f"2602.0000{n}"))) for n in (2, 3)
    ]
    await asyncio.sleep(0.1)
    first.cancel()

    done = await asyncio.wait_for(asyncio.gather(*others), 10)

    assert [p.title for p in done] == ["Paper 2", "Paper 3"]
