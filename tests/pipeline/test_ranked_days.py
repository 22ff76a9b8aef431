"""A day in the reader's order: keyword order without votes, the chat's or the person's taste
with them, the cap, and suggestions. Quality is asserted on real abstracts (the corpus days)."""

from __future__ import annotations

import random
from datetime import date

import numpy as np
import pytest
from sklearn.metrics import roc_auc_score

from domain.models import Paper, TasteOwner
from pipeline.dayrank import DayOrder, order_day
from pipeline.options import DigestOptions
from pipeline.relevance.service import Relevance
from pipeline.relevance.store import VectorStore
from pipeline.selection import PaperSelector
from storage.db import Database
from storage.repositories import PaperRepository, VectorRepository, VoteRepository
from storage.votes import DOWN, UP
from tests.realdays import real_days
from tests.samples import sample_paper

CHAT = TasteOwner.chat("slack", "C1")


def _options(**overrides: object) -> DigestOptions:
    return DigestOptions(categories=["cs.AI"], keywords=["learning"], **overrides)  # type: ignore[arg-type]


def _is_robotics(paper: Paper) -> bool:
    return "cs.RO" in paper.categories


def voting_and_held_out() -> tuple[list[Paper], list[Paper]]:
    """Three days to vote on (27 cs.RO papers among 600), and a later day with 8 (of 189)."""
    days = real_days(5)
    return [p for day in days[:3] for p in day], days[3]


async def _store(db: Database, papers: list[Paper]) -> None:
    days: dict[object, list[Paper]] = {}
    for paper in papers:
        days.setdefault(paper.announced_on, []).append(paper)
    async with db.session() as session:
        for day, announced in days.items():
            assert isinstance(day, date)
            await PaperRepository(session).record_announcements(day, announced)


async def _robotics_votes(
    db: Database, papers: list[Paper], chat: str = "C1", user: str = "U1"
) -> None:
    """Ten 👍 on cs.RO papers and ten 👎 on others, as one member of `chat`."""
    rng = random.Random(14)
    ups = rng.sample([p for p in papers if _is_robotics(p)], 10)
    downs = rng.sample([p for p in papers if not _is_robotics(p)], 10)
    async with db.session() as session:
        votes = VoteRepository(session)
        for paper, value in [(p, UP) for p in ups] + [(p, DOWN) for p in downs]:
            await votes.record("slack", chat, user, paper.arxiv_id, value)


def _keys(papers: list[Paper], keywords: list[str]) -> list[list[str]]:
    selector = PaperSelector([keywords])
    return [selector.select(p) for p in papers]


def _auc(order: list[Paper]) -> float:
    labels = [_is_robotics(p) for p in order]
    return float(roc_auc_score(labels, -np.arange(len(order))))


async def test_without_votes_the_most_keywords_come_first_then_the_feed_order(
    database: Database,
) -> None:
    papers = [sample_paper(arxiv_id=f"2602.0000{n}") for n in range(5)]
    keys = [["a"], ["a", "b"], [], ["a"], ["a", "b", "c"]]
    relevance = Relevance(database, VectorStore(database))

    for ranker in (None, relevance):
        day = await order_day(database, ranker, _options(max_papers=3), papers, keys)

        assert [p.arxiv_id for p, _ in day.full] == ["2602.00004", "2602.00001", "2602.00000"]
        assert [p.arxiv_id for p, _ in day.capped] == ["2602.00003"]
        assert day.suggested == []


async def test_no_cap_keeps_every_matched_paper(database: Database) -> None:
    papers = [sample_paper(arxiv_id=f"2602.0000{n}") for n in range(4)]
    day = await order_day(database, None, _options(max_papers=0), papers, [["a"]] * 4)
    assert len(day.full) == 4 and day.capped == []


async def test_a_chats_robotics_votes_bring_held_out_language_papers_first(
    database: Database,
) -> None:
    voting_day, day = voting_and_held_out()
    await _store(database, voting_day)
    await _robotics_votes(database, voting_day)
    relevance = Relevance(database, VectorStore(database))
    await relevance.store.vectors(voting_day)  # the day run stores every paper's vector
    keys = _keys(day, ["model"])
    options = _options(max_papers=0, taste_owner=CHAT, suggestions=0)

    ranked = await order_day(database, relevance, options, day, keys)
    unranked = await order_day(database, relevance, _options(max_papers=0), day, keys)

    order = [paper for paper, _ in ranked.full]
    assert sorted(p.arxiv_id for p in order) == sorted(
        p.arxiv_id for p, k in zip(day, keys, strict=True) if k
    )
    assert _auc(order) >= 0.8
    assert _auc(order) > _auc([paper for paper, _ in unranked.full]) + 0.2
    # The same member's votes are their own taste too (their DM digest), not another chat's.
    mine = await order_day(
        database,
        relevance,
        _options(max_papers=0, taste_owner=TasteOwner.person("slack", "U1")),
        day,
        keys,
    )
    assert _auc([paper for paper, _ in mine.full]) >= 0.8
    other = await order_day(
        database,
        relevance,
        _options(max_papers=0, taste_owner=TasteOwner.chat("slack", "C2")),
        day,
        keys,
    )
    assert [p.arxiv_id for p, _ in other.full] == [p.arxiv_id for p, _ in unranked.full]


async def test_papers_no_keyword_matched_are_suggested_with_the_liked_paper_they_are_near(
    database: Database,
) -> None:
    voting_day, day = voting_and_held_out()
    await _store(database, voting_day)
    await _robotics_votes(database, voting_day)
    relevance = Relevance(database, VectorStore(database))
    await relevance.store.vectors(voting_day)
    keys = _keys(day, ["translation"])
    liked_titles = {p.title for p in voting_day if _is_robotics(p)}

    found: DayOrder = await order_day(
        database, relevance, _options(taste_owner=CHAT, suggestions=3), day, keys
    )

    assert 1 <= len(found.suggested) <= 3
    matched = {p.arxiv_id for p, _ in found.full}
    for paper, reason in found.suggested:
        assert paper.arxiv_id not in matched
        assert reason.startswith("Suggested: close to “") and "this chat liked" in reason
        assert any(title[:40] in reason for title in liked_titles)
    assert sum(_is_robotics(p) for p, _ in found.suggested) >= len(found.suggested) - 1
    person = await order_day(
        database,
        relevance,
        _options(taste_owner=TasteOwner.person("slack", "U1"), suggestions=1, language="zh"),
        day,
        keys,
    )
    assert len(person.suggested) == 1 and person.suggested[0][1].startswith("推荐：与你赞过的")
    cold = await order_day(
        database, relevance, _options(taste_owner=TasteOwner.chat("slack", "C2")), day, keys
    )
    assert cold.suggested == []  # no votes: nothing to suggest from


async def test_a_vote_retrains_only_its_owners_models(database: Database) -> None:
    voting_day, _ = voting_and_held_out()
    await _store(database, voting_day)
    await _robotics_votes(database, voting_day, chat="C1", user="U1")
    await _robotics_votes(database, voting_day, chat="C2", user="U2")
    relevance = Relevance(database, VectorStore(database))
    c1, c2 = TasteOwner.chat("slack", "C1"), TasteOwner.chat("slack", "C2")
    before = {owner: await relevance.taste(owner) for owner in (c1, c2)}
    assert await relevance.taste(c1) is before[c1]  # nothing changed: not rebuilt

    newest = next(p for p in voting_day if p.arxiv_id not in before[c1].liked)
    async with database.session() as session:
        await VoteRepository(session).record("slack", "C1", "U3", newest.arxiv_id, UP)
    await relevance.retrain(c1)

    after = await relevance.taste(c1)
    assert after is not before[c1] and newest.arxiv_id in after.liked
    assert after.model is not None and after.model.votes == 21
    assert await relevance.taste(c2) is before[c2]


async def test_a_chats_members_votes_add_up_and_a_tie_teaches_nothing(database: Database) -> None:
    voting_day, _ = voting_and_held_out()
    await _store(database, voting_day)
    first, second = voting_day[0].arxiv_id, voting_day[1].arxiv_id
    async with database.session() as session:
        votes = VoteRepository(session)
        await votes.record("slack", "C1", "U1", first, UP)
        await votes.record("slack", "C1", "U2", first, DOWN)
        await votes.record("slack", "C1", "U1", second, UP)
    taste = await Relevance(database, VectorStore(database)).taste(CHAT)
    assert taste.liked == [second] and taste.disliked == []


async def test_tfidf_weights_are_fitted_once_and_shared_by_every_process(
    database: Database,
) -> None:
    papers = real_days(1)[0][:50]
    first = await VectorStore(database).vectors(papers)
    second = await VectorStore(database).vectors(papers[::-1])  # another process, read back

    assert np.allclose(first.toarray(), second[::-1].toarray(), atol=1e-6)
    unseen = await VectorStore(database).vectors([*papers[:1], real_days(1)[0][60]])
    assert np.allclose(unseen[0].toarray(), first[0].toarray(), atol=1e-6)
    async with database.session() as session:
        assert await VectorRepository(session).state("tfidf") is not None


@pytest.mark.parametrize("votes", [0, 5])
async def test_tokens_per_paper_estimate_is_the_runs_average(votes: int) -> None:
    from pipeline.outcomes import TYPICAL_COMPLETION_TOKENS, RunStats

    stats = RunStats(
        prompt_tokens=9_000 * votes, completion_tokens=1_000 * votes, llm_requests=votes
    )
    expected = 10_000 if votes else 12_000 + TYPICAL_COMPLETION_TOKENS
    assert stats.tokens_per_paper(12_000) == expected
