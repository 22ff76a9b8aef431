from __future__ import annotations

import pytest

from storage.db import Database
from storage.votes import DOWN, UP, VoteRepository


async def test_a_paper_nobody_voted_on_has_no_vote(database: Database) -> None:
    async with database.session() as session:
        assert await VoteRepository(session).get("slack", "C1", "U1", "2602.00780") is None


async def test_the_last_tap_wins_per_person_paper_and_chat(database: Database) -> None:
    async with database.session() as session:
        votes = VoteRepository(session)
        await votes.record("slack", "C1", "U1", "2602.00780", UP)
        await votes.record("slack", "C1", "U1", "2602.00780", UP)  # the same again: kept
        await votes.record("slack", "C1", "U2", "2602.00780", UP)
        await votes.record("slack", "C1", "U2", "2602.00780", DOWN)  # the other: changed
        await votes.record("slack", "C2", "U1", "2602.00780", DOWN)
        await votes.record("telegram", "C1", "U1", "2602.00780", DOWN)
    async with database.session() as session:
        votes = VoteRepository(session)
        assert await votes.get("slack", "C1", "U1", "2602.00780") == UP
        assert await votes.get("slack", "C1", "U2", "2602.00780") == DOWN
        assert await votes.get("slack", "C2", "U1", "2602.00780") == DOWN
        assert await votes.get("telegram", "C1", "U1", "2602.00780") == DOWN
        in_c1 = await votes.in_chat("slack", "C1")
    assert sorted((v.user_id, v.arxiv_id, v.value) for v in in_c1) == [
        ("U1", "2602.00780", UP),
        ("U2", "2602.00780", DOWN),
    ]
    assert all(v.updated_at.tzinfo is not None for v in in_c1)


async def test_a_vote_is_up_or_down_only(database: Database) -> None:
    async with database.session() as session:
        with pytest.raises(ValueError):
            await VoteRepository(session).record("slack", "C1", "U1", "2602.00780", 2)
    async with database.session() as session:
        assert await VoteRepository(session).in_chat("slack", "C1") == []


async def test_removing_takes_back_only_the_vote_that_is_still_there(database: Database) -> None:
    async with database.session() as session:
        votes = VoteRepository(session)
        await votes.record("slack", "C1", "U1", "2602.00780", UP)
        await votes.record("slack", "C1", "U2", "2602.00780", DOWN)
        assert await votes.remove("slack", "C1", "U1", "2602.00780", UP)
        assert not await votes.remove("slack", "C1", "U2", "2602.00780", UP)  # changed since
        assert not await votes.remove("slack", "C1", "U3", "2602.00780", UP)  # never voted
    async with database.session() as session:
        votes = VoteRepository(session)
        assert await votes.get("slack", "C1", "U1", "2602.00780") is None
        assert await votes.get("slack", "C1", "U2", "2602.00780") == DOWN
