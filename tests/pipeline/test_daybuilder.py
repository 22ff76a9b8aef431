"""A day's feed is recorded with its gaps filled from the API, without changing what was fetched,
and a run hears of its papers' progress only when it asks."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from arxiv_digest.wiring import digest_options, open_digest
from pipeline.daybuilder import filled
from tests.daydata import CROSS, DAY, ECO, NETVLAD, make_settings, method_pdf, paper, serve_day
from tests.fakes.arxiv_server import FakeArxiv
from tests.fakes.openai_server import FakeOpenAI


def test_filling_gaps_makes_new_papers_and_leaves_the_fetched_ones_as_they_are() -> None:
    gappy = paper(ECO.arxiv_id, ECO.title, "", authors=[])
    unknown = paper("2602.00999", "", "An abstract.")
    fetched = [gappy, NETVLAD, unknown]

    papers = filled(fetched, [dataclasses.replace(ECO, title="The API's title"), NETVLAD])

    assert papers[0] is not gappy
    assert (papers[0].title, papers[0].abstract) == (ECO.title, ECO.abstract)  # kept its own
    assert papers[0].authors == ECO.authors
    assert (gappy.abstract, gappy.authors) == ("", [])  # the fetched paper is untouched
    assert papers[1] is NETVLAD and papers[2] is unknown  # complete, or not found: as fetched


async def test_a_chat_sharing_a_gappy_feed_does_not_look_its_papers_up_again(
    arxiv: FakeArxiv,
    llm: FakeOpenAI,
    database_url: str,
    tmp_path: Path,
) -> None:
    gappy = paper(ECO.arxiv_id, ECO.title, "", authors=[])
    serve_day(arxiv, DAY, [gappy])
    arxiv.add_paper(ECO, method_pdf(ECO.title))
    settings = make_settings(arxiv, llm, database_url, tmp_path)

    async with open_digest(settings, digest_options(settings)) as digest:
        await digest.run()
        chat = dataclasses.replace(digest.options, scope="slack:C1", write_markdown=False)
        own = await digest.run(None, chat)

    assert len(arxiv.requests_to("/rss/")) == 1
    assert len(arxiv.requests_to("/api/query")) == 1
    assert own.report.entries[0].paper.abstract == ECO.abstract


async def test_progress_is_reported_to_the_run_that_asks_for_it(
    arxiv: FakeArxiv,
    llm: FakeOpenAI,
    database_url: str,
    tmp_path: Path,
) -> None:
    serve_day(arxiv, DAY, [ECO, NETVLAD, CROSS])
    settings = make_settings(arxiv, llm, database_url, tmp_path)
    heard: list[tuple[str, int, int]] = []

    async with open_digest(settings, digest_options(settings)) as digest:
        await digest.run(on_progress=lambda *call: heard.append(call))
        chat = dataclasses.replace(digest.options, scope="slack:C1", write_markdown=False)
        await digest.run(None, chat)  # asks for none

    assert [(done, total) for _, done, total in heard] == [(0, 2), (1, 2), (2, 2)]
    assert heard[0][0] == "" and {label for label, *_ in heard[1:]} == {
        ECO.arxiv_id,
        CROSS.arxiv_id,
    }
