from __future__ import annotations

from storage.chats import KEEP, ChatRepository
from storage.db import Database


async def test_a_chat_without_settings_has_none(database: Database) -> None:
    async with database.session() as session:
        assert await ChatRepository(session).get("slack", "C1") is None
        assert await ChatRepository(session).switched("slack") == {}


async def test_save_changes_only_the_settings_given(database: Database) -> None:
    async with database.session() as session:
        chats = ChatRepository(session)
        first = await chats.save("slack", "C1", categories=["cs.AI", "cs.RO"])
        second = await chats.save("slack", "C1", language="zh")
        third = await chats.save("slack", "C1", enabled=True, categories=KEEP)
    assert (first.enabled, first.categories, first.language) == (None, ("cs.AI", "cs.RO"), None)
    assert (second.categories, second.language) == (("cs.AI", "cs.RO"), "zh")
    assert (third.enabled, third.categories, third.language) == (True, ("cs.AI", "cs.RO"), "zh")
    async with database.session() as session:
        assert await ChatRepository(session).get("slack", "C1") == third


async def test_none_puts_a_setting_back_to_the_configured_default(database: Database) -> None:
    async with database.session() as session:
        chats = ChatRepository(session)
        await chats.save("slack", "C1", enabled=False, categories=["cs.AI"], language="zh")
        reset = await chats.save("slack", "C1", categories=None, language=None)
    assert (reset.enabled, reset.categories, reset.language) == (False, None, None)


async def test_switched_lists_chats_turned_on_or_off_per_platform(database: Database) -> None:
    async with database.session() as session:
        chats = ChatRepository(session)
        await chats.save("slack", "C1", enabled=True)
        await chats.save("slack", "C2", enabled=False)
        await chats.save("slack", "C3", language="zh")  # settings only: not switched
        await chats.save("telegram", "C1", enabled=False)
        assert await chats.switched("slack") == {"C1": True, "C2": False}
        assert await chats.switched("telegram") == {"C1": False}


async def test_dm_opt_in_is_per_platform_and_reports_changes(database: Database) -> None:
    async with database.session() as session:
        chats = ChatRepository(session)
        assert await chats.set_dm("slack", "U1", True) is True
        assert await chats.set_dm("slack", "U1", True) is False
        assert await chats.set_dm("slack", "U2", True) is True
        assert await chats.wants_dm("slack", "U1") and not await chats.wants_dm("telegram", "U1")
        assert await chats.set_dm("slack", "U2", False) is True
        assert await chats.set_dm("slack", "U2", False) is False
    async with database.session() as session:
        assert await ChatRepository(session).dm_subscribers("slack") == ["U1"]
        assert await ChatRepository(session).dm_subscribers("telegram") == []
