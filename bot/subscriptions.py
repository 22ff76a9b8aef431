"""Whose keywords make a chat's report, and which members each paper is for.

A chat's report matches the chat's own keywords (DIGEST_KEYWORDS while it has none) and every
personal keyword its members added in it; a member is mentioned under the papers that matched
their own keywords. A user's DM digest matches all their personal keywords of the platform.
Each of these owners (the chat, each member, the DM's user) has their negative keywords
(`-survey`) applied to their own matches alone: one member's `-survey` takes nothing from the
chat's or another member's papers.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence
from datetime import date

from bot.platform import Mention
from domain.errors import DigestError, KeywordCapReached
from domain.models import Paper, TasteOwner
from pipeline.digest import DigestOptions
from pipeline.report import PaperEntry
from pipeline.selection import PaperSelector, keyword_key
from storage.db import Database
from storage.repositories import (
    DEFAULT_SCOPE,
    ChatRepository,
    PaperRepository,
    ReportRepository,
    Subscription,
    SubscriptionRepository,
)


async def check_keyword_room(
    db: Database,
    platform: str,
    chat_id: str,
    user_id: str | None,
    keys: Sequence[str],
    cap: int,
) -> None:
    """Refuse (KeywordCapReached) an addition that would leave one owner (a member in a chat,
    or the chat itself) with more than `cap` keywords; 0 means no cap. Every keyword costs a
    little on every paper of every day, and a list nobody can read back helps no one."""
    if cap <= 0:
        return
    async with db.session() as session:
        held = {
            s.keyword_key
            for s in await SubscriptionRepository(session).list_for(platform, chat_id, user_id)
        }
    new = [key for key in dict.fromkeys(keys) if key not in held]
    if len(held) + len(new) > cap:
        raise KeywordCapReached(
            for_chat=user_id is None, cap=cap, held=len(held), room=max(cap - len(held), 0)
        )


def chat_scope(platform: str, chat_id: str) -> str:
    """The scope a chat's reports are stored under."""
    return f"{platform}:{chat_id}"


def dm_scope(platform: str, user_id: str) -> str:
    """The scope of a user's personal (DM) digest."""
    return f"{platform}:dm:{user_id}"


async def chat_subscriptions(
    db: Database, platform: str, chat_id: str
) -> tuple[list[Subscription], list[Subscription]]:
    """The chat's own keywords, and its members' personal ones added in this chat."""
    async with db.session() as session:
        here = await SubscriptionRepository(session).in_chat(platform, chat_id)
    return _split(here)


def _split(here: list[Subscription]) -> tuple[list[Subscription], list[Subscription]]:
    return [s for s in here if s.user_id is None], [s for s in here if s.user_id is not None]


async def chat_options(
    db: Database, base: DigestOptions, platform: str, chat_id: str
) -> DigestOptions:
    """The options of a chat's daily report: its settings over the configured ones."""
    async with db.session() as session:  # one session: this runs for every command
        settings = await ChatRepository(session).get(platform, chat_id)
        own, members = _split(await SubscriptionRepository(session).in_chat(platform, chat_id))
    keywords = [s.keyword for s in own] or list(base.keywords)
    per_member: dict[str, list[str]] = {}
    for sub in members:
        per_member.setdefault(sub.user_id or "", []).append(sub.keyword)
    return dataclasses.replace(
        base,
        categories=list(settings.categories)
        if settings and settings.categories
        else base.categories,
        language=settings.language if settings and settings.language else base.language,
        keywords=keywords + [s.keyword for s in members],
        keyword_owners=[keywords, *per_member.values()],
        scope=chat_scope(platform, chat_id),
        write_markdown=False,
        taste_owner=TasteOwner.chat(platform, chat_id),
    )


async def summary_options(
    db: Database, base: DigestOptions, platform: str, chat_id: str
) -> DigestOptions:
    """What a paper summarized in a chat takes from the chat: its language alone, so the
    chat's keywords (thousands, maybe) are not read for every summarize."""
    async with db.session() as session:
        settings = await ChatRepository(session).get(platform, chat_id)
    if settings is None or not settings.language:
        return base
    return dataclasses.replace(base, language=settings.language)


async def dm_options(
    db: Database, base: DigestOptions, platform: str, user_id: str
) -> DigestOptions | None:
    """A user's DM digest: their personal keywords over the categories of the chats where
    they added them. None when they have no keyword."""
    async with db.session() as session:
        mine = await SubscriptionRepository(session).of_user(platform, user_id)
        chats = ChatRepository(session)
        categories: dict[str, None] = {}
        for chat_id in dict.fromkeys(s.chat_id for s in mine):
            settings = None if chat_id is None else await chats.get(platform, chat_id)
            chosen = settings.categories if settings and settings.categories else base.categories
            categories.update(dict.fromkeys(chosen))
    if not mine:
        return None
    return dataclasses.replace(
        base,
        categories=list(categories),
        keywords=[s.keyword for s in mine],
        scope=dm_scope(platform, user_id),
        write_markdown=False,
        taste_owner=TasteOwner.person(platform, user_id),
    )


async def daily_chats(db: Database, platform: str, configured: Iterable[str]) -> list[str]:
    """Configured chats, plus those turned on by `digest here`, minus those turned off."""
    async with db.session() as session:
        switched = await ChatRepository(session).switched(platform)
    chats = [c for c in dict.fromkeys(configured) if switched.get(c, True)]
    return chats + [c for c, on in switched.items() if on and c not in chats]


def match_mentions(
    subscriptions: Sequence[Subscription], entries: Sequence[PaperEntry]
) -> dict[str, tuple[Mention, ...]]:
    """For each paper (by arXiv id), the members whose personal keywords select it (and whose
    own negative keywords do not), with the keywords as each of them typed them.

    One selector holds every member's keywords; each paper is read once.
    """
    typed: dict[str, dict[str, str]] = {}  # user → key → keyword as they typed it
    for sub in subscriptions:
        if sub.user_id is None:
            continue
        try:
            key = keyword_key(sub.keyword)
        except DigestError:
            continue
        typed.setdefault(sub.user_id, {}).setdefault(key, sub.keyword)
    users = list(typed)
    selector = PaperSelector(list(own.values()) for own in typed.values())
    mentions: dict[str, tuple[Mention, ...]] = {}
    for entry in entries:
        chosen = selector.select_by_owner(entry.paper)
        if chosen:
            mentions[entry.paper.arxiv_id] = tuple(
                Mention(users[owner], tuple(typed[users[owner]][key] for key in keys))
                for owner, keys in chosen.items()
            )
    return mentions


async def chat_mentions(
    db: Database, platform: str, chat_id: str, entries: Sequence[PaperEntry]
) -> dict[str, tuple[Mention, ...]]:
    _, members = await chat_subscriptions(db, platform, chat_id)
    return match_mentions(members, entries)


async def latest_day(
    db: Database, scope: str, categories: Sequence[str]
) -> tuple[date | None, list[Paper]]:
    """The latest reported day of a scope (else the default scope's) and its papers in
    `categories`, as announced: what `keywords list` counts matches in."""
    async with db.session() as session:
        reports = ReportRepository(session)
        latest = await reports.latest(scope) or await reports.latest(DEFAULT_SCOPE)
        if latest is None:
            return None, []
        papers = await PaperRepository(session).announced_on(latest.report_date)
    wanted = set(categories)
    return latest.report_date, [p for p in papers if wanted.intersection(p.categories)]


def count_matches(keywords: Sequence[str], papers: Sequence[Paper]) -> dict[str, int]:
    """How many of `papers` each keyword (by its key) matches; a negative one, how many it
    would leave out."""
    return PaperSelector([keywords]).counts(papers)
