from __future__ import annotations

from sqlalchemy import select

from storage.db import Database
from storage.models import NO_ID, SubscriptionRow
from storage.subscriptions import SubscriptionRepository


async def test_add_returns_only_new_keys_and_keeps_the_first_display_form(
    database: Database,
) -> None:
    async with database.session() as session:
        subs = SubscriptionRepository(session)
        first = await subs.add("slack", "C1", None, [("LLM", "llm"), ("Agents", "agents")])
        second = await subs.add(
            "slack", "C1", None, [("llms", "llm"), ("RAG", "rag"), ("rag!", "rag")]
        )
        listed = await subs.list_for("slack", "C1", None)
    assert first == ["llm", "agents"]
    assert second == ["rag"]
    assert [(s.keyword, s.keyword_key) for s in listed] == [
        ("LLM", "llm"),
        ("Agents", "agents"),
        ("RAG", "rag"),
    ]
    assert all(s.chat_id == "C1" and s.user_id is None for s in listed)


async def test_none_is_stored_as_a_sentinel_so_duplicates_are_still_caught(
    database: Database,
) -> None:
    async with database.session() as session:
        subs = SubscriptionRepository(session)
        assert await subs.add("telegram", None, "U7", [("LLM", "llm")]) == ["llm"]
        assert await subs.add("telegram", None, "U7", [("LLM", "llm")]) == []
        assert await subs.add("cli", None, None, [("LLM", "llm")]) == ["llm"]
        assert await subs.add("cli", None, None, [("LLM", "llm")]) == []
        stored = (
            await session.execute(
                select(SubscriptionRow.chat_id, SubscriptionRow.user_id).order_by(
                    SubscriptionRow.id
                )
            )
        ).all()
    assert stored == [(NO_ID, "U7"), (NO_ID, NO_ID)]


async def test_owners_are_kept_apart(database: Database) -> None:
    async with database.session() as session:
        subs = SubscriptionRepository(session)
        await subs.add("slack", "C1", None, [("LLM", "llm")])  # the chat's own
        await subs.add("slack", "C1", "U1", [("LLM", "llm")])  # a user in that chat
        await subs.add("slack", None, "U1", [("LLM", "llm")])  # the user everywhere
        await subs.add("telegram", "C1", None, [("LLM", "llm")])  # another platform
        chat = await subs.list_for("slack", "C1", None)
        user_in_chat = await subs.list_for("slack", "C1", "U1")
        user_global = await subs.list_for("slack", None, "U1")
        everyone = await subs.all()
    assert [(s.chat_id, s.user_id) for s in chat] == [("C1", None)]
    assert [(s.chat_id, s.user_id) for s in user_in_chat] == [("C1", "U1")]
    assert [(s.chat_id, s.user_id) for s in user_global] == [(None, "U1")]
    assert [(s.platform, s.chat_id, s.user_id) for s in everyone] == [
        ("slack", "C1", None),
        ("slack", "C1", "U1"),
        ("slack", None, "U1"),
        ("telegram", "C1", None),
    ]


async def test_remove_returns_what_was_subscribed_and_touches_no_other_owner(
    database: Database,
) -> None:
    async with database.session() as session:
        subs = SubscriptionRepository(session)
        await subs.add("slack", "C1", None, [("LLM", "llm"), ("RAG", "rag")])
        await subs.add("slack", "C1", "U1", [("LLM", "llm")])
        removed = await subs.remove("slack", "C1", None, ["rag", "nope", "llm", "rag"])
        again = await subs.remove("slack", "C1", None, ["llm"])
        left = await subs.all()
    assert removed == ["rag", "llm"]
    assert again == []
    assert [(s.user_id, s.keyword_key) for s in left] == [("U1", "llm")]


async def test_adding_nothing_adds_nothing(database: Database) -> None:
    async with database.session() as session:
        subs = SubscriptionRepository(session)
        assert await subs.add("cli", None, None, []) == []
        assert await subs.all() == []


async def test_a_chats_keywords_and_a_users_keywords_are_found_without_the_others(
    database: Database,
) -> None:
    async with database.session() as session:
        subs = SubscriptionRepository(session)
        await subs.add("slack", "C1", None, [("VLA", "vla")])  # the chat's own
        await subs.add("slack", "C1", "U1", [("RAG", "rag")])  # a member's, added there
        await subs.add("slack", "C2", "U1", [("LLM", "llm")])  # the same member elsewhere
        await subs.add("slack", None, "U1", [("Agents", "agents")])  # theirs everywhere
        await subs.add("telegram", "C1", "U1", [("GNN", "gnn")])  # another platform
        in_c1 = await subs.in_chat("slack", "C1")
        of_u1 = await subs.of_user("slack", "U1")
    assert [(s.keyword_key, s.user_id) for s in in_c1] == [("vla", None), ("rag", "U1")]
    assert [(s.keyword_key, s.chat_id) for s in of_u1] == [
        ("rag", "C1"),
        ("llm", "C2"),
        ("agents", None),
    ]
