"""`keywords add|remove|list`: a member's or the chat's keywords, and their matches."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.commands import KeywordsAdd, KeywordsRemove
from bot.platform import Caller, Reply
from bot.replies import listed, refusal, said
from bot.subscriptions import check_keyword_room, count_matches, latest_day
from domain.messages import text
from pipeline.selection import is_negative, keyword_key
from storage.repositories import SubscriptionRepository

if TYPE_CHECKING:
    from bot.core import ChatCore


async def change_keywords(
    core: ChatCore, caller: Caller, command: KeywordsAdd | KeywordsRemove, language: str
) -> Reply:
    if command.for_chat and caller.is_private:
        return refusal(language, "chat.no_chat_here.keywords")
    if command.for_chat and not core.is_admin(caller):
        return refusal(language, "chat.not_admin.keywords")
    user = None if command.for_chat else caller.user_id
    whose = "chat" if command.for_chat else "member"
    shown = {k.key: k.display for k in command.keywords}
    adding = isinstance(command, KeywordsAdd)
    if adding:
        await check_keyword_room(
            core.db, caller.platform, caller.chat_id, user, list(shown), core.keywords_cap
        )
    async with core.db.session() as session:
        subscriptions = SubscriptionRepository(session)
        if adding:
            pairs = [(k.display, k.key) for k in command.keywords]
            changed = await subscriptions.add(caller.platform, caller.chat_id, user, pairs)
        else:
            changed = await subscriptions.remove(caller.platform, caller.chat_id, user, list(shown))
    done = listed([shown[k] for k in changed])
    unchanged = listed([shown[key] for key in shown if key not in changed])
    lines: list[str] = []
    if not adding:
        if not changed:
            return refusal(language, f"chat.keywords.not_included.{whose}", keywords=unchanged)
        lines.append(text(f"chat.keywords.removed.{whose}", language, keywords=done))
        if unchanged:
            lines.append(text("chat.keywords.not_there", language, keywords=unchanged))
        return said(*lines)
    if changed:
        lines.append(text(f"chat.keywords.added.{whose}", language, keywords=done))
    if unchanged:
        lines.append(text("chat.keywords.already", language, keywords=unchanged))
    return said(*lines)


async def list_keywords(core: ChatCore, caller: Caller, language: str) -> Reply:
    async with core.db.session() as session:
        subscriptions = SubscriptionRepository(session)
        mine = await subscriptions.list_for(caller.platform, caller.chat_id, caller.user_id)
        chats = (
            []
            if caller.is_private
            else await subscriptions.list_for(caller.platform, caller.chat_id, None)
        )
    options = await core.options_for(caller)
    day, papers = await latest_day(core.db, core.scope(caller), options.categories)
    counts = count_matches([s.keyword for s in [*mine, *chats]], papers)

    def bullets(keywords: list[str]) -> list[str]:
        shown = [(k, _marked(k, language)) for k in keywords]
        if day is None:
            return [f"• {s}" for _, s in shown]
        return [f"• {s}: {_papers(counts[keyword_key(k)], language)}" for k, s in shown]

    lines = [
        text("chat.keywords.matches", language, count=len(papers), day=day)
        if day is not None
        else text("chat.keywords.no_day", language)
    ]
    lines.append(text("chat.keywords.yours" if mine else "chat.keywords.none_yours", language))
    lines += bullets([s.keyword for s in mine])
    if not caller.is_private and chats:
        lines.append(text("chat.keywords.chats", language))
        lines += bullets([s.keyword for s in chats])
    elif not caller.is_private:
        defaults = core.digest.options.keywords
        lines.append(
            text("chat.keywords.defaults", language, keywords=listed(defaults))
            if defaults
            else text("chat.keywords.no_defaults", language)
        )
    return said(*lines)


def _marked(keyword: str, language: str) -> str:
    """A negative keyword says it leaves papers out; its count is of the papers it drops."""
    if not is_negative(keyword_key(keyword)):
        return keyword
    return text("chat.keywords.negative", language, keyword=keyword)


def _papers(count: int, language: str) -> str:
    key = "chat.keywords.papers.one" if count == 1 else "chat.keywords.papers.many"
    return text(key, language, count=count)
