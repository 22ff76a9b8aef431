"""`search`, `saved` and `export`: the archive as the team's memory.

A search lists the best stored papers for its words within its filters (`liked`: the asker's
👍; `chat`: what this chat was shown); `saved` lists the asker's 👍, newest first; `export`
writes the asker's 👍 papers (or the chat's) as a BibTeX file that the adapter sends to the
asker privately. A failure of the search engine is logged and answered in one line: no SQL
text reaches the chat.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING

from bot.export_query import ExportRequest
from bot.platform import Caller, FileReply, ListedPaper, Reply, SearchReply
from bot.replies import refusal, said
from bot.why_answers import short
from domain.messages import text
from domain.models import Paper
from pipeline.archive.bibtex import bibtex
from pipeline.archive.search import Found
from pipeline.budget import utc_today
from pipeline.gist import first_sentence
from storage.memory import MemoryRepository
from storage.repositories import PaperRepository
from storage.search import SearchFilters, analysis_texts, keep_matching, newest_matching

if TYPE_CHECKING:
    from bot.core import ChatCore
    from bot.search_query import SearchRequest

log = logging.getLogger(__name__)

SEARCH_SHOWN = 10
SAVED_SHOWN = 20
# The smaller of the platforms' limits for a file a bot sends (Telegram 50 MB, Slack 1 GB).
FILE_LIMIT_BYTES = 50 * 1024 * 1024
_KEEP_BATCH = 5_000  # ids checked against the date filters at once (bound parameters)


async def search(core: ChatCore, caller: Caller, request: SearchRequest, language: str) -> Reply:
    try:
        found = await _search(core, caller, request)
        likes = await _likes(core, caller, [f.paper.arxiv_id for f in found])
    except Exception:
        log.exception("search %r from %s:%s failed", request.words[:80], *_who(caller))
        return refusal(language, "archive.search.failed")
    if not found:
        return said(text("archive.search.none", language))
    notes = (text("archive.search.cut", language),) if request.cut else ()
    heading = text("archive.search.found", language, count=len(found))
    return SearchReply(heading, _listed(found, likes, language), notes)


async def saved(core: ChatCore, caller: Caller, language: str) -> Reply:
    async with core.db.session() as session:
        ids = await MemoryRepository(session).saved(caller.platform, caller.user_id)
    if not ids:
        return said(text("archive.saved.none", language))
    found = await _describe(core, ids[:SAVED_SHOWN])
    likes = await _likes(core, caller, [f.paper.arxiv_id for f in found])
    heading = text("archive.saved.heading", language, shown=len(found), total=len(ids))
    return SearchReply(heading, _listed(found, likes, language))


async def export(core: ChatCore, caller: Caller, request: ExportRequest, language: str) -> Reply:
    """The newest `core.export_cap` papers at most, in a file within every platform's limit."""
    ids = await _chosen(core, caller, in_chat=request.in_chat)
    if request.since or request.until:
        ids = await _within(core, ids, SearchFilters(request.since, request.until))
    if not ids:
        key = "archive.export.nothing_chat" if request.in_chat else "archive.export.nothing_liked"
        return said(text(key, language))
    kept = ids[: core.export_cap] if core.export_cap > 0 else ids
    async with core.db.session() as session:
        stored = await PaperRepository(session).get_many(kept)
    papers = [stored[i] for i in kept if i in stored]
    content = await asyncio.to_thread(_bibtex_bytes, papers)
    while len(content) > FILE_LIMIT_BYTES and len(papers) > 1:  # never with today's entries
        papers = papers[: len(papers) // 2]
        content = await asyncio.to_thread(_bibtex_bytes, papers)
    which = "chat" if request.in_chat else "liked"
    filename = f"arxiv-digest-{which}-{utc_today().isoformat()}.bib"
    lines = [text("archive.export.sent", language, count=len(papers), filename=filename)]
    if len(papers) < len(ids):
        lines.append(text("archive.export.capped", language, cap=len(papers), total=len(ids)))
    caption = text("archive.export.caption", language, count=len(papers))
    return FileReply(filename, content, caption, tuple(lines), language)


async def _search(core: ChatCore, caller: Caller, request: SearchRequest) -> list[Found]:
    among = await _among(core, caller, request)
    filters = SearchFilters(request.since, request.until, request.category, request.author, among)
    if among is not None and not among:
        return []
    if request.terms:
        return await core.archive.search(request.words, filters, SEARCH_SHOWN)
    # Filters without words: the newest papers they keep (`liked`, `chat` in their own order).
    async with core.db.session() as session:
        if among is None:
            ids = await newest_matching(session, filters, SEARCH_SHOWN)
        else:
            ids = (await keep_matching(session, among, filters))[:SEARCH_SHOWN]
    return await _describe(core, ids)


async def _among(core: ChatCore, caller: Caller, request: SearchRequest) -> list[str] | None:
    """The papers `liked` and `chat` allow (both: those in both), None when neither is set."""
    liked = await _chosen(core, caller, in_chat=False) if request.liked else None
    posted = await _chosen(core, caller, in_chat=True) if request.in_chat else None
    if liked is not None and posted is not None:
        here = set(posted)
        return [arxiv_id for arxiv_id in liked if arxiv_id in here]
    return liked if liked is not None else posted


async def _chosen(core: ChatCore, caller: Caller, *, in_chat: bool) -> list[str]:
    """The asker's 👍 papers, or those this chat was shown, newest first."""
    async with core.db.session() as session:
        memory = MemoryRepository(session)
        if not in_chat:
            return await memory.saved(caller.platform, caller.user_id)
        posted = await memory.posted_in_chat(caller.platform, caller.chat_id)
        if caller.is_private:  # a DM digest is kept under the person's own id
            posted += await memory.posted_in_chat(caller.platform, caller.user_id)
        return list(dict.fromkeys(posted))


async def _within(core: ChatCore, ids: list[str], filters: SearchFilters) -> list[str]:
    kept: list[str] = []
    async with core.db.session() as session:
        for start in range(0, len(ids), _KEEP_BATCH):
            kept += await keep_matching(session, ids[start : start + _KEEP_BATCH], filters)
    return kept


async def _describe(core: ChatCore, ids: Sequence[str]) -> list[Found]:
    """The stored papers among `ids`, in that order, each with its one-line gist."""
    async with core.db.session() as session:
        papers = await PaperRepository(session).get_many(ids)
        analyses = await analysis_texts(session, list(ids))
    return [
        Found(
            papers[i], papers[i].announced_on, first_sentence(analyses.get(i) or papers[i].abstract)
        )
        for i in ids
        if i in papers
    ]


async def _likes(core: ChatCore, caller: Caller, ids: list[str]) -> dict[str, int]:
    async with core.db.session() as session:
        return await MemoryRepository(session).likes(caller.platform, caller.chat_id, ids)


def _listed(found: list[Found], likes: dict[str, int], language: str) -> tuple[ListedPaper, ...]:
    return tuple(
        ListedPaper(
            arxiv_id=f.paper.arxiv_id,
            title=short(f.paper.title),
            url=f.paper.abs_url,
            seen=text("archive.line.seen", language, day=f.first_seen) if f.first_seen else "",
            gist=f.gist,
            likes=likes.get(f.paper.arxiv_id, 0),
        )
        for f in found
    )


def _bibtex_bytes(papers: Sequence[Paper]) -> bytes:
    return bibtex(papers).encode()


def _who(caller: Caller) -> tuple[str, str]:
    return caller.platform, caller.user_id
