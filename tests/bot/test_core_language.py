"""The chat's answers come in the chat's language; a DM answers in that of the user's last
group chat, else in English."""

from __future__ import annotations

from bot.core import ChatCore, ack_text
from bot.platform import Caller
from storage.repositories import ChatRepository
from tests.chat import ADMIN, MEMBER, error, lines, ok

IN_DM = Caller("slack", "D1", MEMBER.user_id, is_private=True)
STRANGER_IN_DM = Caller("slack", "D2", "U9", is_private=True)


async def a_chinese_chat(core: ChatCore) -> None:
    async with core.db.session() as session:
        await ChatRepository(session).save("slack", MEMBER.chat_id, language="zh")


async def test_a_zh_chat_gets_its_answers_and_refusals_in_chinese(core: ChatCore) -> None:
    await a_chinese_chat(core)

    assert error(await core.handle(MEMBER, "frobnicate")) == "未知命令“frobnicate”。试试 “help”。"
    assert ok(await core.handle(MEMBER, "keywords add diffusion")) == (
        "你在这里的关键词：已添加 diffusion。"
    )
    assert error(await core.handle(MEMBER, "keywords add --channel VLA")) == (
        "只有本群管理员可以修改本群的关键词。"
    )
    assert lines(await core.handle(MEMBER, "help"))[0] == "命令："
    assert "不是 arXiv 编号或链接" in error(await core.handle(MEMBER, "summarize nonsense"))


async def test_a_zh_chat_is_refused_a_burst_in_chinese(core: ChatCore) -> None:
    limited = ChatCore(
        db=core.db,
        digest=core.digest,
        feeds=core.feeds,
        line=core.digest.line,
        keyword_changes_per_user_per_minute=1,
    )
    await a_chinese_chat(limited)

    ok(await limited.handle(MEMBER, "keywords add diffusion"))
    refused = error(await limited.handle(MEMBER, "keywords add VLA"))

    assert refused.startswith("关键词修改太频繁：每分钟最多 1 次")


async def test_a_dm_answers_in_the_language_of_the_users_last_chat(core: ChatCore) -> None:
    await a_chinese_chat(core)
    ok(await core.handle(MEMBER, "keywords list"))

    assert error(await core.handle(IN_DM, "frobnicate")) == "未知命令“frobnicate”。试试 “help”。"
    assert await core.ack(IN_DM, "keywords list") == "正在查找关键词…"


async def test_a_dm_follows_the_chat_last_used(core: ChatCore) -> None:
    await a_chinese_chat(core)
    ok(await core.handle(MEMBER, "keywords list"))
    ok(await core.handle(Caller("slack", "C2", MEMBER.user_id), "keywords list"))  # an en chat

    assert (
        error(await core.handle(IN_DM, "frobnicate")) == "Unknown command 'frobnicate'. Try 'help'."
    )


async def test_a_dm_without_an_earlier_chat_answers_in_english(core: ChatCore) -> None:
    await a_chinese_chat(core)  # someone else's chat

    assert error(await core.handle(STRANGER_IN_DM, "frobnicate")) == (
        "Unknown command 'frobnicate'. Try 'help'."
    )
    assert ok(await core.handle(STRANGER_IN_DM, "digest dm on")).startswith("You will get")


async def test_the_settings_answer_in_the_new_language_once_changed(core: ChatCore) -> None:
    saved = lines(await core.handle(ADMIN, "digest settings language=zh"))
    back = lines(await core.handle(ADMIN, "digest settings language=default"))

    assert saved[0] == "设置已保存。" and back[0] == "Settings saved."


def test_the_acknowledgement_is_in_the_language_given() -> None:
    assert ack_text("summarize 2602.00780", "zh") == "正在处理 2602.00780…"
    assert ack_text("summarize 2602.00780") == "Working on 2602.00780…"
