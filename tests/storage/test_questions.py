from __future__ import annotations

import asyncio
import dataclasses
from datetime import UTC, datetime, timedelta

from domain.statuses import QuestionStatus
from storage.db import Database
from storage.questions import NewQuestion, QuestionRepository, question_key

ANSWER = {"text": "61.2% (§4, p. 6)", "citations": [], "grounded": True, "full_text": True}
ASKED = NewQuestion(
    platform="telegram",
    chat_id="-100",
    user_id="U1",
    arxiv_id="2602.00780",
    version=1,
    question="How big is the calibration set?",
    language="en",
    status=QuestionStatus.ANSWERED,
    answer=ANSWER,
    passages=[4, 9],
    model="m",
    prompt_tokens=900,
    completion_tokens=100,
)


def test_the_key_ignores_case_spacing_and_the_end_punctuation() -> None:
    key = question_key("How big is the calibration set?")
    assert question_key("  how BIG is\tthe calibration   set ?!") == key
    assert question_key("How big is the calibration set") == key
    assert question_key("How big is the calibration set？") == key
    assert question_key("How big is the test set?") != key
    assert question_key("How big, is the calibration set?") != key  # inner punctuation counts


async def test_an_asking_is_stored_with_its_answer_and_passages(database: Database) -> None:
    async with database.session() as session:
        stored, duplicate = await QuestionRepository(session).add(ASKED)
        await session.commit()
    async with database.session() as session:
        again = await QuestionRepository(session).get(stored.id)
    assert not duplicate and again == stored
    assert again.status is QuestionStatus.ANSWERED and again.answer == ANSWER
    assert again.passages == (4, 9) and again.created_at.tzinfo is not None


async def test_a_request_key_delivered_twice_keeps_the_first_asking(database: Database) -> None:
    first_asking = dataclasses.replace(ASKED, request_key="view-1")
    second_asking = dataclasses.replace(first_asking, question="Something else?", answer={})

    async def add(new: NewQuestion) -> tuple[int, bool]:
        async with database.session() as session:
            stored, duplicate = await QuestionRepository(session).add(new)
            await session.commit()
            return stored.id, duplicate

    first = await add(first_asking)
    second = await add(second_asking)
    elsewhere = await add(dataclasses.replace(second_asking, platform="slack"))
    without_key = [await add(ASKED), await add(ASKED)]

    assert first == (1, False) and second == (1, True)
    assert elsewhere[1] is False and elsewhere[0] != 1  # keys are per platform
    assert [duplicate for _, duplicate in without_key] == [False, False]
    async with database.session() as session:
        kept = await QuestionRepository(session).by_request("telegram", "view-1")
    assert kept is not None and kept.question == ASKED.question


async def test_racing_deliveries_of_one_asking_store_one(database: Database) -> None:
    asking = dataclasses.replace(ASKED, request_key="msg-7")

    async def add() -> tuple[int, bool]:
        async with database.session() as session:
            stored, duplicate = await QuestionRepository(session).add(asking)
            await session.commit()
            return stored.id, duplicate

    results = await asyncio.gather(*(add() for _ in range(4)))

    assert len({question_id for question_id, _ in results}) == 1
    assert sorted(duplicate for _, duplicate in results) == [False, True, True, True]


async def test_the_cache_holds_answered_first_turns_of_the_same_paper_language_and_model(
    database: Database,
) -> None:
    async with database.session() as session:
        questions = QuestionRepository(session)
        first, _ = await questions.add(ASKED)
        await questions.add(dataclasses.replace(ASKED, follows=first.id, question="And then?"))
        await questions.add(
            dataclasses.replace(ASKED, question="Why?", status=QuestionStatus.FAILED)
        )
        await session.commit()
    async with database.session() as session:
        questions = QuestionRepository(session)
        hit = await questions.cached("2602.00780", 1, "how big is the calibration set", "en", "m")
        assert hit is not None and hit.id == first.id
        assert await questions.cached("2602.00780", 2, ASKED.question, "en", "m") is None
        assert await questions.cached("2602.00780", 1, ASKED.question, "zh", "m") is None
        assert await questions.cached("2602.00780", 1, ASKED.question, "en", "other") is None
        assert await questions.cached("2602.00780", 1, "And then?", "en", "m") is None
        assert await questions.cached("2602.00780", 1, "Why?", "en", "m") is None


async def test_history_follows_the_conversation_back_oldest_first(database: Database) -> None:
    async with database.session() as session:
        questions = QuestionRepository(session)
        ids: list[int] = []
        for number in range(5):
            follows = ids[-1] if ids else None
            asked = dataclasses.replace(ASKED, question=f"Q{number}", follows=follows)
            ids.append((await questions.add(asked))[0].id)
        await questions.add(dataclasses.replace(ASKED, question="elsewhere"))
        await session.commit()
    async with database.session() as session:
        questions = QuestionRepository(session)
        last_three = [q.question for q in await questions.history(ids[-1])]
        two = [q.question for q in await questions.history(ids[1], limit=5)]
    assert last_three == ["Q2", "Q3", "Q4"]
    assert two == ["Q0", "Q1"]


async def test_the_answer_message_leads_back_to_its_question(database: Database) -> None:
    async with database.session() as session:
        questions = QuestionRepository(session)
        stored, _ = await questions.add(ASKED)
        await questions.set_message(stored.id, "555")
        await session.commit()
    async with database.session() as session:
        questions = QuestionRepository(session)
        found = await questions.at("telegram", ["-100", "-100:7"], "555")
        assert found is not None and found.id == stored.id and found.message_id == "555"
        assert await questions.at("telegram", ["-200"], "555") is None
        assert await questions.at("slack", ["-100"], "555") is None
        assert await questions.at("telegram", ["-100"], "556") is None


async def test_tokens_are_counted_on_the_day_the_question_was_asked(database: Database) -> None:
    async with database.session() as session:
        questions = QuestionRepository(session)
        await questions.add(ASKED)
        await questions.add(dataclasses.replace(ASKED, prompt_tokens=0, completion_tokens=0))
        await session.commit()
    today = datetime.now(UTC).date()
    async with database.session() as session:
        questions = QuestionRepository(session)
        assert await questions.tokens_used_on(today) == 1000
        assert await questions.tokens_used_on(today - timedelta(days=1)) == 0
