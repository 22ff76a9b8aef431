"""Searching the archive: full text and vectors fused, exact names first, filters on both."""

from __future__ import annotations

from dataclasses import replace

import pytest

from domain.models import Paper, PaperAnalysis
from domain.statuses import AnalysisSource, AnalysisStatus
from pipeline.archive.search import ArchiveSearch
from pipeline.archive.vectors import ArchiveVectors
from pipeline.gist import first_sentence
from pipeline.relevance.store import VectorStore
from storage.db import Database
from storage.repositories import AnalysisRepository, PaperRepository
from storage.search import SearchFilters, all_terms
from tests.realdays import real_days


@pytest.fixture
def papers() -> list[Paper]:
    first, second = real_days(2)
    return first[:250] + second[:250]


async def _archive(database: Database, papers: list[Paper], *, vectors: bool) -> ArchiveSearch:
    async with database.session() as session:
        await PaperRepository(session).upsert(papers)
        await session.commit()
    if not vectors:
        return ArchiveSearch(database)
    store = VectorStore(database)
    await store.ensure(papers)
    return ArchiveSearch(database, ArchiveVectors(database, store))


def _distinct_words(paper: Paper, papers: list[Paper]) -> str:
    """Three abstract words few other abstracts use, none from the title."""
    counts: dict[str, int] = {}
    for other in papers:
        for word in set(all_terms(other.abstract)):
            counts[word] = counts.get(word, 0) + 1
    title = set(all_terms(paper.title))
    words = [w for w in dict.fromkeys(all_terms(paper.abstract)) if len(w) > 4 and w not in title]
    return " ".join(sorted(words, key=lambda w: counts[w])[:3])


@pytest.mark.parametrize("vectors", [False, True], ids=["full text", "fused"])
async def test_a_half_remembered_paper_comes_first(
    database: Database, papers: list[Paper], vectors: bool
) -> None:
    archive = await _archive(database, papers, vectors=vectors)
    for paper in papers[::50]:
        found = await archive.search(_distinct_words(paper, papers))
        assert paper.arxiv_id in [f.paper.arxiv_id for f in found[:3]]
        assert len(found) <= 10


async def test_an_exact_id_or_title_comes_first(database: Database, papers: list[Paper]) -> None:
    archive = await _archive(database, papers, vectors=True)
    paper = papers[17]
    by_id = await archive.search(f"arXiv:{paper.arxiv_id}v1")
    by_title = await archive.search(f"  {paper.title.upper()} ")
    assert by_id[0].paper.arxiv_id == paper.arxiv_id
    assert by_title[0].paper.arxiv_id == paper.arxiv_id
    assert by_id[0].first_seen == paper.announced_on


async def test_filters_keep_vector_hits_out_too(database: Database, papers: list[Paper]) -> None:
    archive = await _archive(database, papers, vectors=True)
    category = papers[0].categories[0]
    found = await archive.search("language model agents", SearchFilters(category=category))
    assert found and all(category in f.paper.categories for f in found)
    day = papers[-1].announced_on
    found = await archive.search("language model agents", SearchFilters(since=day))
    assert found and all(f.first_seen == day for f in found)


async def test_papers_embedded_after_the_first_search_are_found_by_the_next(
    database: Database, papers: list[Paper]
) -> None:
    store = VectorStore(database)
    archive = await _archive(database, papers[:100], vectors=False)
    vectors = ArchiveVectors(database, store, refresh_seconds=0)
    await store.ensure(papers[:100])
    late = papers[300]
    assert late.arxiv_id not in await vectors.nearest(late.title, 5)
    async with database.session() as session:
        await PaperRepository(session).upsert([late])
        await session.commit()
    await store.ensure([late])
    assert (await vectors.nearest(late.title, 5))[0] == late.arxiv_id
    found = await archive.search(late.title)  # full text alone sees it at once, by trigger
    assert found[0].paper.arxiv_id == late.arxiv_id


async def test_the_gist_is_the_analysis_first_sentence_else_the_abstracts(
    database: Database, papers: list[Paper]
) -> None:
    analysed = replace(papers[0], title="Quokka navigation")
    plain = replace(papers[1], title="Quokka perception")
    archive = await _archive(database, [analysed, plain], vectors=False)
    async with database.session() as session:
        await AnalysisRepository(session).save(
            analysed.arxiv_id, 1, "m", "en", "1",
            status=AnalysisStatus.OK, source=AnalysisSource.FULL_TEXT,
            analysis=PaperAnalysis(
                summary="Quokkas find their way. More.", motivation="m",
                contributions=["c"], method="m", experiments="e",
            ),
        )  # fmt: skip
        await session.commit()
    gists = {f.paper.arxiv_id: f.gist for f in await archive.search("quokka")}
    assert gists[analysed.arxiv_id] == "Quokkas find their way."
    assert gists[plain.arxiv_id] == first_sentence(plain.abstract)  # no analysis stored


async def test_only_the_newest_papers_vectors_are_held(
    database: Database, papers: list[Paper]
) -> None:
    store = VectorStore(database)
    await _archive(database, papers[:60], vectors=False)
    await store.ensure(papers[:30])  # stored first: the oldest vectors
    await store.ensure(papers[30:60])
    vectors = ArchiveVectors(database, store, refresh_seconds=0, held=30)
    old, new = papers[3], papers[40]
    assert (await vectors.nearest(new.title, 3))[0] == new.arxiv_id
    assert old.arxiv_id not in await vectors.nearest(old.title, 30)
