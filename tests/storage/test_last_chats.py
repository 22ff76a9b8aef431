from __future__ import annotations

from storage.db import Database
from storage.last_chats import LastChatRepository


async def test_a_user_without_a_group_chat_has_no_last_chat(database: Database) -> None:
    async with database.session() as session:
        assert await LastChatRepository(session).get("slack", "U1") is None


async def test_the_last_chat_recorded_wins_per_platform_and_user(database: Database) -> None:
    async with database.session() as session:
        chats = LastChatRepository(session)
        await chats.record("slack", "U1", "C1")
        await chats.record("slack", "U1", "C2")
        await chats.record("telegram", "U1", "-100")
        await chats.record("slack", "U2", "C3")
    async with database.session() as session:
        chats = LastChatRepository(session)
        assert await chats.get("slack", "U1") == "C2"
        assert await chats.get("telegram", "U1") == "-100"
        assert await chats.get("slack", "U2") == "C3"
