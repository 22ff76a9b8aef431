"""`digest here|off|settings|dm`: where a chat's digest goes, its settings, a member's DM."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.commands import DigestSettings
from bot.platform import Caller, Reply
from bot.replies import refusal, said
from domain.messages import text
from storage.repositories import KEEP, ChatRepository

if TYPE_CHECKING:
    from bot.core import ChatCore


async def switch(core: ChatCore, caller: Caller, language: str, *, on: bool) -> Reply:
    if caller.is_private:
        return await set_dm(core, caller, language, on=on)
    if not core.is_admin(caller):
        return refusal(language, "chat.not_admin.where")
    async with core.db.session() as session:
        await ChatRepository(session).save(caller.platform, caller.chat_id, enabled=on)
    return said(text("chat.digest.on" if on else "chat.digest.off", language))


async def settings(core: ChatCore, caller: Caller, command: DigestSettings, language: str) -> Reply:
    """Shows the settings, after changing them when the command says so (admins only); a
    change is confirmed in the chat's language as it now is."""
    if command.changes and caller.is_private:
        return refusal(language, "chat.no_chat_here.settings")
    if command.changes and not core.is_admin(caller):
        return refusal(language, "chat.not_admin.settings")
    if command.changes:
        async with core.db.session() as session:
            await ChatRepository(session).save(
                caller.platform,
                caller.chat_id,
                categories=None if "categories" in command.reset else command.categories or KEEP,
                language=None if "language" in command.reset else command.language or KEEP,
            )
    async with core.db.session() as session:
        chats = ChatRepository(session)
        saved = await chats.get(caller.platform, caller.chat_id)
        dm = await chats.wants_dm(caller.platform, caller.user_id)
    options = await core.options_for(caller)
    if command.changes:  # a new language shows at once
        language = options.language
    enabled = saved.enabled if saved else None
    posted = "configured" if enabled is None else "on" if enabled else "off"
    default = text("chat.settings.default", language)
    own_categories = saved is not None and saved.categories is not None
    own_language = saved is not None and saved.language is not None
    return said(
        text("chat.settings.saved" if command.changes else "chat.settings.title", language),
        text("chat.settings.posted", language, state=text(f"chat.state.{posted}", language)),
        text("chat.settings.categories", language, categories=", ".join(options.categories))
        + ("" if own_categories else default),
        text("chat.settings.language", language, language=options.language)
        + ("" if own_language else default),
        text(
            "chat.settings.dm",
            language,
            state=text(f"chat.state.{'on' if dm else 'off'}", language),
        ),
    )


async def set_dm(core: ChatCore, caller: Caller, language: str, *, on: bool) -> Reply:
    async with core.db.session() as session:
        changed = await ChatRepository(session).set_dm(caller.platform, caller.user_id, on)
    if on:
        return said(text("chat.dm.on" if changed else "chat.dm.already_on", language))
    return said(text("chat.dm.off" if changed else "chat.dm.already_off", language))
