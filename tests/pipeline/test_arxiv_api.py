from __future__ import annotations

import asyncio
import itertools
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from domain.errors import FeedUnavailable, InvalidArxivId, PaperNotFound
from pipeline.ids import ArxivId, parse_arxiv_id
from tests.fakes.arxiv_server import FakeArxiv
from tests.fakes.base import Request, Response
from tests.pipeline.arxivapi import ATOM, DELAY, USER_AGENT, api_paper, ids_asked, make_api

CORPUS = Path(__file__).resolve().parents[3] / "shared" / "corpus"


@pytest.fixture
def corpus() -> Path:
    if not CORPUS.is_dir():
        pytest.skip("the corpus of real arXiv files is not next to this checkout")
    return CORPUS


@pytest.fixture
def fake() -> Iterator[FakeArxiv]:
    with FakeArxiv() as server:
        yield server


async def test_finds_a_paper_with_every_field(fake: FakeArxiv) -> None:
    paper = api_paper(
        version=2,
        comments="12 pages, 4 figures",
        doi="10.1000/xyz123",
        journal_ref="Robotics Letters 3, 14 (2026)",
    )
    fake.add_paper(paper)

    found = await make_api(fake).get_paper(parse_arxiv_id("2602.00780"))

    assert found == paper
    assert (found.announce_type, found.announced_on) == (None, None)
    [request] = fake.requests
    assert request.path == "/api/query"
    assert ids_asked(request) == ["2602.00780"]
    assert {"start", "max_results", "sortBy", "sortOrder"} <= request.query.keys()
    assert request.headers["user-agent"] == USER_AGENT


async def test_maps_a_real_api_answer(corpus: Path, fake: FakeArxiv) -> None:
    body = (corpus / "api_2016_idlist_1111.2011v2.xml").read_bytes()
    fake.fail_next(Response(200, body, ATOM))

    paper = await make_api(fake).get_paper(parse_arxiv_id("1111.2011v2"))

    assert (paper.arxiv_id, paper.version) == ("1111.2011", 2)
    assert paper.title == (
        "Quantum Criticality for Extended Nodes on a Bethe Lattice in the Large Connectivity Limit"
    )
    assert paper.authors == ["James M. Murray", "Adrian Del Maestro", "Zlatko Tesanovic"]
    assert paper.abstract.startswith("Theoretical description of anisotropic systems, such as")
    assert paper.abstract.endswith("describing a single node.")
    assert "\n" not in paper.abstract
    assert paper.categories == ["cond-mat.str-el", "cond-mat.stat-mech"]
    assert paper.comments == "8 pages, 3 figures. Published version"
    assert paper.doi == "10.1103/PhysRevB.85.115117"
    assert paper.journal_ref == "Phys. Rev. B 85, 115117 (2012)"


async def test_the_primary_category_comes_first(corpus: Path, fake: FakeArxiv) -> None:
    # The 2026 answer lists cs.IT once as a category and once as primary: no duplicate.
    body = (corpus / "api_2026_idlist_0808.05394_1707.08567.xml").read_bytes()
    fake.fail_next(Response(200, body, ATOM))

    [paper] = await make_api(fake).get_papers(["1707.08567"])

    assert paper.versioned_id == "1707.08567v1"
    assert paper.categories == ["cs.IT"]
    assert len(paper.authors) == 34
    assert (
        paper.comments == "44 pages, editors for the proceedings: Yanling Chen and A. J. Han Vinck"
    )


async def test_a_specific_version_is_returned_as_asked(fake: FakeArxiv) -> None:
    fake.add_paper(api_paper(version=3, title="Third take"))
    fake.versions["2602.00780v2"] = api_paper(version=2, title="Second take")
    api = make_api(fake)

    second = await api.get_paper(parse_arxiv_id("2602.00780v2"))
    latest = await api.get_paper(parse_arxiv_id("2602.00780"))

    assert (second.version, second.title) == (2, "Second take")
    assert (latest.version, latest.title) == (3, "Third take")
    assert ids_asked(fake.requests[0]) == ["2602.00780v2"]


async def test_a_version_that_does_not_exist_is_not_found(fake: FakeArxiv) -> None:
    fake.add_paper(api_paper(version=1))

    with pytest.raises(PaperNotFound, match=re.escape("2602.00780v9")):
        await make_api(fake).get_paper(parse_arxiv_id("2602.00780v9"))


async def test_an_unknown_id_is_not_found(fake: FakeArxiv) -> None:
    with pytest.raises(PaperNotFound) as caught:
        await make_api(fake).get_paper(parse_arxiv_id("2602.99999"))

    assert caught.value.arxiv_id == "2602.99999"
    assert len(fake.requests) == 1  # an empty answer is an answer, not a failure to retry


async def test_an_id_arxiv_rejects_is_invalid(corpus: Path, fake: FakeArxiv) -> None:
    body = (corpus / "api_2026_error_bad_id_http400.xml").read_bytes()
    fake.fail_next(Response(400, body, ATOM), Response(400, body, ATOM))

    with pytest.raises(InvalidArxivId, match="'abc'"):
        await make_api(fake, num_retries=1).get_paper(ArxivId("abc"))


async def test_an_id_the_fake_rejects_is_invalid(fake: FakeArxiv) -> None:
    with pytest.raises(InvalidArxivId):
        await make_api(fake, num_retries=0).get_paper(ArxivId("no-digits"))

    assert ids_asked(fake.requests[0]) == ["no-digits"]


async def test_a_passing_503_is_retried(fake: FakeArxiv) -> None:
    fake.add_paper(api_paper())
    fake.fail_next(Response(503, b"busy"))

    paper = await make_api(fake).get_paper(parse_arxiv_id("2602.00780"))

    assert paper.arxiv_id == "2602.00780"
    assert len(fake.requests) == 2


async def test_a_lasting_503_is_unavailable(fake: FakeArxiv) -> None:
    fake.fail_next(*[Response(503, b"busy")] * 3)

    with pytest.raises(FeedUnavailable, match=re.escape("HTTP 503 for 2602.00780 after 3 tries")):
        await make_api(fake, num_retries=2).get_paper(parse_arxiv_id("2602.00780"))

    assert len(fake.requests) == 3


async def test_an_api_that_does_not_answer_in_time_is_unavailable(fake: FakeArxiv) -> None:
    fake.fail_next(Response(200, b"", delay=1.0))

    with pytest.raises(FeedUnavailable, match=re.escape("did not answer within 0.1 s")):
        await make_api(fake, timeout_seconds=0.1, num_retries=0).get_paper(
            parse_arxiv_id("2602.00780")
        )


async def test_an_unreachable_api_is_unavailable() -> None:
    with FakeArxiv() as gone:
        api = make_api(gone, num_retries=1)

    with pytest.raises(FeedUnavailable, match="could not be reached"):
        await api.get_paper(parse_arxiv_id("2602.00780"))


async def test_old_style_ids_are_looked_up(fake: FakeArxiv) -> None:
    fake.add_paper(api_paper("cs/9901001", 1, categories=["cs.AI"]))
    fake.add_paper(api_paper("solv-int/9901002", 2, categories=["nlin.SI"]))
    api = make_api(fake)

    paper = await api.get_paper(parse_arxiv_id("cs/9901001"))
    both = await api.get_papers(["cs/9901001", "solv-int/9901002v2"])

    assert (paper.arxiv_id, paper.version) == ("cs/9901001", 1)
    assert [p.versioned_id for p in both] == ["cs/9901001v1", "solv-int/9901002v2"]


async def test_a_batch_returns_the_papers_arxiv_knows(fake: FakeArxiv) -> None:
    for number in ("00001", "00003"):
        fake.add_paper(api_paper(f"2602.{number}", title=f"Paper {number}"))

    papers = await make_api(fake).get_papers(
        ["2602.00001", "2602.00002", "2602.00003", "2602.00001", "not an id"]
    )

    assert sorted(p.title for p in papers) == ["Paper 00001", "Paper 00003"]
    [request] = fake.requests
    assert ids_asked(request) == ["2602.00001", "2602.00002", "2602.00003"]


async def test_a_large_batch_is_split_into_requests_of_a_hundred(fake: FakeArxiv) -> None:
    ids = [f"2602.{n:05d}" for n in range(1, 151)]
    fake.add_paper(api_paper("2602.00007"))
    fake.add_paper(api_paper("2602.00142"))

    papers = await make_api(fake).get_papers(ids)

    assert sorted(p.arxiv_id for p in papers) == ["2602.00007", "2602.00142"]
    assert [len(ids_asked(r)) for r in fake.requests] == [100, 50]
    assert ids_asked(fake.requests[1])[0] == "2602.00101"


async def test_an_empty_batch_asks_nothing(fake: FakeArxiv) -> None:
    assert await make_api(fake).get_papers([]) == []
    assert fake.requests == []


class _SlowArxiv(FakeArxiv):
    """Takes a moment to answer, so that overlapping requests would show."""

    def handle(self, request: Request) -> Response:
        response = super().handle(request)
        response.delay = 0.03
        return response


async def test_requests_never_overlap_and_keep_their_distance() -> None:
    with _SlowArxiv() as fake:
        for n in range(1, 6):
            fake.add_paper(api_paper(f"2602.0000{n}"))
        first, second = make_api(fake), make_api(fake)  # the rule holds across instances too

        papers = await asyncio.gather(
            *(
                api.get_paper(parse_arxiv_id(f"2602.0000{n}"))
                for api, n in zip([first, second, first, second, first], range(1, 6), strict=True)
            )
        )

        assert [p.arxiv_id for p in papers] == [f"2602.0000{n}" for n in range(1, 6)]
        requests = sorted(fake.requests, key=lambda r: r.received_at)
        assert len(requests) == 5
        for before, after in itertools.pairwise(requests):
            assert before.answered_at is not None
            assert after.received_at - before.answered_at >= DELAY
