"""Full-text search at the storage layer, on real abstracts, on both databases."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from domain.models import Paper, PaperAnalysis
from domain.statuses import AnalysisSource, AnalysisStatus
from storage.db import Database
from storage.repositories import AnalysisRepository, PaperRepository
from storage.search import SearchFilters, SearchRepository, all_terms, search_terms
from tests.realdays import real_days


@pytest.fixture
def papers() -> list[Paper]:
    """Two real days, 600 papers: enough that common words match many of them."""
    first, second = real_days(2)
    return first[:300] + second[:300]


async def _store(database: Database, papers: list[Paper]) -> None:
    async with database.session() as session:
        await PaperRepository(session).upsert(papers)
        await session.commit()


async def _find(database: Database, query: str, **filters: object) -> list[str]:
    async with database.session() as session:
        hits = await SearchRepository(session).find(
            search_terms(query),
            SearchFilters(**filters),  # type: ignore[arg-type]
        )
    return [hit.arxiv_id for hit in hits]


def _rare_words(paper: Paper, papers: list[Paper], count: int) -> list[str]:
    """Words of the paper's abstract that few other abstracts hold: what a reader recalls."""
    seen: dict[str, int] = {}
    for other in papers:
        for word in set(all_terms(other.abstract)):
            seen[word] = seen.get(word, 0) + 1
    words = [w for w in dict.fromkeys(all_terms(paper.abstract)) if len(w) > 4 and w.isalpha()]
    return sorted(words, key=lambda w: seen[w])[:count]


async def test_a_paper_is_found_by_words_of_its_abstract(
    database: Database, papers: list[Paper]
) -> None:
    await _store(database, papers)
    for paper in papers[::60]:
        words = _rare_words(paper, papers, 3)
        assert paper.arxiv_id in (await _find(database, " ".join(words)))[:3], words


async def test_a_title_word_counts_more_than_the_same_word_in_an_abstract(
    database: Database, papers: list[Paper]
) -> None:
    base = papers[0]
    in_title = replace(base, arxiv_id="2699.00001", title="Quokka planning", abstract="A study.")
    in_abstract = replace(
        base, arxiv_id="2699.00002", title="A study", abstract="Quokka planning, among others."
    )
    await _store(database, [*papers, in_abstract, in_title])
    assert (await _find(database, "quokka planning"))[:2] == ["2699.00001", "2699.00002"]


async def test_a_wrong_word_still_finds_the_paper_with_the_others(
    database: Database, papers: list[Paper]
) -> None:
    await _store(database, papers)
    paper = papers[123]
    words = _rare_words(paper, papers, 3)
    found = await _find(database, " ".join([*words, "zyxwvutsrq"]))
    assert paper.arxiv_id in found[:3]


async def test_papers_holding_all_but_one_word_follow_those_holding_all(
    database: Database, papers: list[Paper]
) -> None:
    base = papers[0]
    every = replace(base, arxiv_id="2699.00010", title="Quokka wombat numbat", abstract="x")
    two = replace(base, arxiv_id="2699.00011", title="Quokka wombat", abstract="x")
    one = replace(base, arxiv_id="2699.00012", title="Quokka", abstract="x")
    await _store(database, [*papers, one, two, every])
    assert await _find(database, "quokka wombat numbat") == ["2699.00010", "2699.00011"]
    assert await _find(database, "quokka wombat") == ["2699.00011", "2699.00010"]


async def test_an_analysis_is_searchable_once_stored_and_follows_its_changes(
    database: Database, papers: list[Paper]
) -> None:
    await _store(database, papers)
    paper = papers[5]
    assert await _find(database, "xenobotanical") == []
    analysis = PaperAnalysis(
        summary="A xenobotanical survey.",
        motivation="m",
        contributions=["a hydroponic quadruped"],
        method="m",
        experiments="e",
    )
    async with database.session() as session:
        analyses = AnalysisRepository(session)
        await analyses.save(
            paper.arxiv_id, 1, "model", "en", "1",
            status=AnalysisStatus.FAILED, source=AnalysisSource.ABSTRACT, error="timeout",
        )  # fmt: skip
        await session.commit()
    assert await _find(database, "xenobotanical") == []  # a failed attempt holds no text
    async with database.session() as session:
        await AnalysisRepository(session).save(
            paper.arxiv_id, 1, "model", "en", "1",
            status=AnalysisStatus.OK, source=AnalysisSource.FULL_TEXT, analysis=analysis,
        )  # fmt: skip
        await session.commit()
    assert await _find(database, "xenobotanical") == [paper.arxiv_id]
    assert await _find(database, "hydroponic quadruped") == [paper.arxiv_id]  # a contribution


async def test_a_changed_title_is_searched_as_it_is_now(
    database: Database, papers: list[Paper]
) -> None:
    await _store(database, papers)
    paper = papers[7]
    await _store(database, [replace(paper, version=2, title="Ornithopter swarms")])
    assert await _find(database, "ornithopter") == [paper.arxiv_id]
    async with database.session() as session:
        assert await SearchRepository(session).by_title("  ORNITHOPTER   swarms ") == (
            paper.arxiv_id
        )
        assert await SearchRepository(session).by_title(paper.title) is None


@pytest.mark.parametrize(
    "query",
    ['"', "*", "NEAR(a b)", "-", 'robot "grasp', "cat:", "a AND OR NOT", "title:x", "^", "'; --"],
)
async def test_search_syntax_is_plain_text(
    database: Database, papers: list[Paper], query: str
) -> None:
    await _store(database, papers[:50])
    await _find(database, query)  # no engine error, whatever it finds


async def test_a_ten_thousand_character_query_is_cut_to_its_first_words(
    database: Database, papers: list[Paper]
) -> None:
    await _store(database, papers)
    paper = papers[42]
    words = _rare_words(paper, papers, 3)
    assert paper.arxiv_id in (await _find(database, " ".join(words) + " ab" * 5000))[:3]


async def test_filters_narrow_by_date_category_author_and_ids(
    database: Database, papers: list[Paper]
) -> None:
    await _store(database, papers)
    days = sorted({p.announced_on for p in papers if p.announced_on})
    query = "learning model"
    for found in await _found_each(database, query, since=days[1]):
        assert _by_id(papers, found).announced_on == days[1]
    for found in await _found_each(database, query, until=days[0]):
        assert _by_id(papers, found).announced_on == days[0]
    assert await _find(database, query, since=days[1], until=days[0]) == []
    category = papers[3].categories[-1]
    for found in await _found_each(database, query, category=category):
        assert category in _by_id(papers, found).categories
    author = papers[3].authors[0]
    surname = author.split()[-1].upper()
    words = " ".join(_rare_words(papers[3], papers, 2))
    assert papers[3].arxiv_id in await _find(database, words, author=surname)
    assert papers[3].arxiv_id not in await _find(database, words, author="zzzz")
    among = {papers[1].arxiv_id, papers[2].arxiv_id}
    assert set(await _find(database, query, among=among)) <= among
    assert await _find(database, query, among=set()) == []


async def _found_each(database: Database, query: str, **filters: object) -> list[str]:
    found = await _find(database, query, **filters)
    assert found, f"nothing found for {query!r} with {filters}"
    return found


def _by_id(papers: list[Paper], arxiv_id: str) -> Paper:
    return next(p for p in papers if p.arxiv_id == arxiv_id)


def test_terms_are_plain_words_lower_cased_without_repeats() -> None:
    assert search_terms('"Robot*" NEAR(grasp, robot) -x cat: über_fast KV-cache') == [
        "robot", "near grasp", "x", "cat", "über fast", "kv cache",
    ]  # fmt: skip


async def test_the_date_filters_read_the_first_announcement(database: Database) -> None:
    paper = Paper("2699.00003", 1, "Kestrel", [], "An abstract.", ["cs.RO"])
    await _store(database, [replace(paper, announced_on=date(2026, 2, 2))])
    assert await _find(database, "kestrel", since=date(2026, 2, 1)) == ["2699.00003"]
