"""Why a paper sits where it does on its day, for someone and for their chat: what `/why` says.

The paper's day is the one that first announced it; it is ranked among that day's papers in
the chat's categories, with the chat's keywords, once by the asker's own taste and once by the
chat's, exactly as a day is ordered (`rank_day`). Plain data; the wording is the chat's.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from domain.models import Paper, TasteOwner
from domain.statuses import Mention
from pipeline.options import DigestOptions
from pipeline.relevance.explain import Explanation, explain
from pipeline.relevance.ranking import rank_day
from pipeline.relevance.service import Relevance
from pipeline.relevance.vectors import Vectors
from pipeline.selection import PaperSelector
from storage.db import Database
from storage.repositories import PaperRepository, ReportRepository


@dataclass(frozen=True)
class Standing:
    """The paper's place for one owner (the asker, or the chat)."""

    explanation: Explanation
    votes: int  # the votes the owner's model was learnt from (0: keyword order)


@dataclass(frozen=True)
class WhyAnswer:
    paper: Paper
    day: date  # when it was first announced
    keywords: list[str]  # the chat's keywords it matches, as shown
    in_categories: bool  # False: announced that day, but in none of the chat's categories
    person: Standing
    chat: Standing | None  # None in a direct message: the asker's taste is the only one
    titles: dict[str, str]  # the nearest liked papers' titles, by arXiv id
    listed: Mention | None  # how the chat's report of that day listed it; None: not at all


async def why(
    db: Database,
    relevance: Relevance | None,
    arxiv_id: str,
    options: DigestOptions,
    person: TasteOwner,
) -> WhyAnswer | None:
    """The answer for a stored paper; None for one no fetched day announced.

    `options` are the chat's (its categories, keywords, report scope and `taste_owner`); in a
    direct message their taste owner is the asker, and there is no separate chat standing.
    """
    async with db.session() as session:
        papers = PaperRepository(session)
        paper = await papers.get(arxiv_id)
        if paper is None or paper.announced_on is None:
            return None
        day = paper.announced_on
        announced = await papers.announced_on(day)
        report = await ReportRepository(session).get(day, options.scope)
    wanted = set(options.categories)
    candidates = [p for p in announced if wanted.intersection(p.categories)]
    in_categories = any(p.arxiv_id == arxiv_id for p in candidates)
    if not in_categories:
        candidates.append(next((p for p in announced if p.arxiv_id == arxiv_id), paper))
    row = next(r for r, p in enumerate(candidates) if p.arxiv_id == arxiv_id)
    selector = PaperSelector(options.keyword_owners or [options.keywords])
    keys = [selector.select(p) for p in candidates]
    counts = [len(k) for k in keys]
    vectors = await relevance.store.vectors(candidates) if relevance is not None else None
    chat_owner = options.taste_owner if options.taste_owner != person else None
    standings = [
        await _standing(relevance, owner, row, candidates, vectors, counts)
        for owner in (person, chat_owner)
    ]
    nearest = {n.paper_id for s in standings if s for n in s.explanation.nearest}
    async with db.session() as session:
        liked = await PaperRepository(session).get_many(nearest)
    shown = report.papers if report is not None else ()
    assert standings[0] is not None
    return WhyAnswer(
        paper=candidates[row],
        day=day,
        keywords=[selector.display(k) for k in keys[row]],
        in_categories=in_categories,
        person=standings[0],
        chat=standings[1],
        titles={i: p.title for i, p in liked.items()},
        listed=next((p.mention for p in shown if p.arxiv_id == arxiv_id), None),
    )


async def _standing(
    relevance: Relevance | None,
    owner: TasteOwner | None,
    row: int,
    papers: Sequence[Paper],
    vectors: Vectors | None,
    counts: list[int],
) -> Standing | None:
    """The paper's rank and score for the owner, as `Relevance.rank` orders the day."""
    if owner is None:
        return None
    ids = [p.arxiv_id for p in papers]
    if relevance is None or vectors is None:
        ranked = rank_day(None, counts, None)
        return Standing(explain(row, ids, None, ranked, counts, [], None), 0)
    taste = await relevance.taste(owner)
    ranked = rank_day(vectors, counts, taste.model)
    liked_vectors = taste.liked_vectors if taste.model is not None else None
    liked = taste.liked if liked_vectors is not None else []
    explanation = explain(row, ids, vectors, ranked, counts, liked, liked_vectors)
    return Standing(explanation, taste.model.votes if taste.model is not None else 0)
