"""`why <arXiv id>`: why a paper ranks where it does on its day, for the asker and in the chat.

The reasons come from `pipeline.relevance.why`; this module only words them. A paper no fetched
day announced gets one line and nothing is fetched or stored for it.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from bot.platform import Caller, Reply
from bot.replies import listed, refusal, said
from bot.subscriptions import dm_options
from domain.messages import text
from domain.models import TasteOwner
from pipeline.ids import ArxivId
from pipeline.relevance.why import Standing, WhyAnswer, why

if TYPE_CHECKING:
    from bot.core import ChatCore

TITLE_CHARACTERS = 70


async def explain_paper(core: ChatCore, caller: Caller, paper: ArxivId, language: str) -> Reply:
    options = await core.options_for(caller)
    person = TasteOwner.person(caller.platform, caller.user_id)
    if caller.is_private:  # the asker's DM digest: their keywords, their taste, its reports
        mine = await dm_options(core.db, core.digest.options, caller.platform, caller.user_id)
        options = replace(mine or options, taste_owner=person, scope=core.scope(caller))
    found = await why(core.db, core.digest.relevance, paper.base, options, person)
    if found is None:
        return refusal(language, "chat.why.never_seen", paper=paper.base)
    return said(*_lines(found, options.categories, language, core.digest.relevance is not None))


def _lines(found: WhyAnswer, categories: list[str], language: str, ranked: bool) -> list[str]:
    day = found.day.isoformat()
    lines = [
        text(
            "chat.why.title",
            language,
            paper=found.paper.arxiv_id,
            title=short(found.paper.title),
            day=day,
        ),
        text("chat.why.keywords", language, keywords=listed(found.keywords))
        if found.keywords
        else text("chat.why.no_keywords", language),
    ]
    if not found.in_categories:
        lines.append(text("chat.why.other_categories", language, categories=listed(categories)))
    if not ranked:  # votes are kept but order nothing: say so, rather than "no votes yet"
        explained = found.person.explanation
        lines.append(text("chat.interests.off", language))
        lines.append(text("chat.why.by_keywords", language, rank=explained.rank, of=explained.of))
    else:
        lines.append(_standing("chat.why.you", found.person, language))
    if ranked and found.chat is not None:
        lines.append(_standing("chat.why.chat", found.chat, language))
    for whose, standing in (("you", found.person), ("chat", found.chat)):
        if standing is not None and standing.explanation.nearest:
            papers = [
                text(
                    "chat.why.nearest.item",
                    language,
                    title=short(found.titles.get(n.paper_id, n.paper_id)),
                    similarity=f"{n.similarity:.2f}",
                )
                for n in standing.explanation.nearest
            ]
            lines.append(text(f"chat.why.nearest.{whose}", language, papers="; ".join(papers)))
            break  # the asker's own likes when they have some, else the chat's
    kind = found.listed.value if found.listed is not None else "absent"
    lines.append(text(f"chat.why.listed.{kind}", language, day=day))
    return lines


def _standing(prefix: str, standing: Standing, language: str) -> str:
    explained = standing.explanation
    if not explained.learnt:
        return text(f"{prefix}.keywords", language, rank=explained.rank, of=explained.of)
    return text(
        f"{prefix}.learnt",
        language,
        rank=explained.rank,
        of=explained.of,
        score=f"{explained.score:.2f}",
        votes=standing.votes,
    )


def short(title: str, limit: int = TITLE_CHARACTERS) -> str:
    """A title on one line, cut at a word to fit a chat line."""
    title = " ".join(title.split())
    return title if len(title) <= limit else title[: limit - 1].rsplit(" ", 1)[0] + "…"
