"""A day's matched papers in the reader's order: which are analysed in full, which are only
listed (over the cap), and which papers no keyword matched are suggested.

With no votes (or no relevance configured) the order is by how many keywords a paper matched,
then the feed's. With a taste model, its score lifted by the keyword matches decides; papers no
keyword matched but that the model likes are suggested, each with the liked paper it is
closest to.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from domain.messages import text
from domain.models import Paper
from pipeline.gist import clip_words
from pipeline.options import DigestOptions
from pipeline.relevance.ranking import rank_day
from pipeline.relevance.service import Relevance, Taste
from pipeline.relevance.vectors import Vectors, cosine
from storage.db import Database
from storage.repositories import PaperRepository

# A suggestion must be among the day's best for the reader's model: in its top 5%. A fixed
# probability would not do: with a few votes, a model's probabilities stay low everywhere.
SUGGEST_QUANTILE = 0.95
TITLE_LIMIT = 80  # a liked paper's title, as a suggestion's reason names it


@dataclass(slots=True)
class DayOrder:
    full: list[tuple[Paper, list[str]]] = field(default_factory=list)  # best first
    suggested: list[tuple[Paper, str]] = field(default_factory=list)  # with the reason
    capped: list[tuple[Paper, list[str]]] = field(default_factory=list)
    embedded: bool = False  # the day's vectors were computed (and stored) to rank it


async def order_day(
    db: Database,
    relevance: Relevance | None,
    options: DigestOptions,
    candidates: Sequence[Paper],
    keys: Sequence[list[str]],
) -> DayOrder:
    """`keys[i]` are the keyword keys that selected `candidates[i]` (empty: none did)."""
    counts = [len(k) for k in keys]
    owner = options.taste_owner
    ranked_vectors: Vectors | None = None
    taste: Taste | None = None
    if relevance is None:
        ranked = rank_day(None, counts, None)
    else:
        ranked, ranked_vectors, taste = await relevance.rank(owner, candidates, counts)
    matched = [row for row in ranked.order if keys[row]]
    cap = options.max_papers if options.max_papers > 0 else len(matched)
    day = DayOrder(
        full=[(candidates[row], keys[row]) for row in matched[:cap]],
        capped=[(candidates[row], keys[row]) for row in matched[cap:]],
        embedded=ranked_vectors is not None,
    )
    if owner is not None and taste is not None and ranked_vectors is not None:
        rows = _suggestions(taste, ranked_vectors, keys, options.suggestions)
        day.suggested = await _with_reasons(
            db, taste, ranked_vectors, candidates, rows, options.language, owner.is_person
        )
    return day


def _suggestions(
    taste: Taste, vectors: Vectors, keys: Sequence[list[str]], wanted: int
) -> list[int]:
    if taste.model is None or wanted <= 0:
        return []
    liked = taste.model.decision(vectors)
    bar = float(np.quantile(liked, SUGGEST_QUANTILE))
    best = sorted(range(len(keys)), key=lambda row: -liked[row])  # stable: feed order on ties
    return [row for row in best if not keys[row] and liked[row] >= bar][:wanted]


async def _with_reasons(
    db: Database,
    taste: Taste,
    vectors: Vectors,
    candidates: Sequence[Paper],
    rows: list[int],
    language: str,
    for_person: bool,
) -> list[tuple[Paper, str]]:
    """Each suggested paper with the liked paper it is closest to, named in the reason."""
    if not rows or taste.liked_vectors is None or not taste.liked:
        return []
    similarity = cosine(vectors[np.asarray(rows)], taste.liked_vectors)
    nearest = [taste.liked[int(np.argmax(row))] for row in similarity]
    async with db.session() as session:
        liked = await PaperRepository(session).get_many(nearest)
    key = "note.suggested_person" if for_person else "note.suggested_chat"
    return [
        (candidates[row], text(key, language, title=_short(liked[near].title)))
        for row, near in zip(rows, nearest, strict=True)
        if near in liked
    ]


def _short(title: str) -> str:
    return clip_words(" ".join(title.split()), TITLE_LIMIT)
