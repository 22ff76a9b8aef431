from __future__ import annotations

from storage.db import Database
from storage.vectors import VectorRepository


async def test_a_vector_is_stored_once_per_paper_and_embedder(database: Database) -> None:
    async with database.session() as session:
        vectors = VectorRepository(session)
        await vectors.put_many("tfidf", {"2602.00001": b"one", "2602.00002": b"two"})
        await vectors.put_many("tfidf", {"2602.00001": b"other"})  # kept as first stored
        await vectors.put_many("endpoint:m", {"2602.00001": b"dense"})
    async with database.session() as session:
        vectors = VectorRepository(session)
        assert await vectors.get_many("tfidf", ["2602.00001", "2602.00003"]) == {
            "2602.00001": b"one"
        }
        assert await vectors.get_many("endpoint:m", ["2602.00001", "2602.00002"]) == {
            "2602.00001": b"dense"
        }
        assert list(await vectors.latest("tfidf", 1)) == ["2602.00002"]


async def test_the_first_fitted_state_wins(database: Database) -> None:
    async with database.session() as session:
        vectors = VectorRepository(session)
        assert await vectors.state("tfidf") is None
        assert await vectors.keep_state("tfidf", b"first") == b"first"
    async with database.session() as session:
        assert await VectorRepository(session).keep_state("tfidf", b"second") == b"first"


async def test_an_answers_message_names_its_paper_in_its_chat_only(database: Database) -> None:
    from storage.answers import AnswerRepository

    async with database.session() as session:
        answers = AnswerRepository(session)
        await answers.record("slack", "C1", "1700000000.000100", "2602.00780")
        await answers.record("slack", "C1", "1700000000.000100", "2602.00780")  # again: kept
    async with database.session() as session:
        answers = AnswerRepository(session)
        assert await answers.paper_at("slack", ["C1"], "1700000000.000100") == "2602.00780"
        assert await answers.paper_at("slack", ["C2"], "1700000000.000100") is None
        assert await answers.paper_at("telegram", ["C1"], "1700000000.000100") is None
