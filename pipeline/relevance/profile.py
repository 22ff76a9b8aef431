"""What a person's votes have taught their model: what `/interests` shows them.

The liked papers that weigh most are those the model itself scores highest. The terms that
weigh most can only be named for TF-IDF, whose columns are hashed words: the words and word
pairs of the liked papers are hashed again and ranked by the model's weight on their column.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from domain.models import TasteOwner
from pipeline.relevance.embedders import TfidfEmbedder
from pipeline.relevance.owners import person_verdicts
from pipeline.relevance.service import Relevance
from pipeline.relevance.taste import TasteModel
from pipeline.relevance.vectors import dense, paper_text
from storage.db import Database
from storage.repositories import PaperRepository, VoteRepository

TOP_PAPERS = 5
TOP_TERMS = 10


@dataclass(frozen=True)
class Profile:
    ups: int
    downs: int
    papers: list[tuple[str, str]] = field(default_factory=list)  # (arXiv id, title), best first
    terms: list[str] = field(default_factory=list)  # heaviest first; TF-IDF only


async def profile(db: Database, relevance: Relevance | None, person: TasteOwner) -> Profile:
    """The person's votes counted (their last on each paper, in any chat), and what weighs most
    in their model (nothing without relevance or without a model yet)."""
    if person.user_id is None:
        raise ValueError(f"a profile is a person's, not {person!r}")
    async with db.session() as session:
        votes = person_verdicts(
            await VoteRepository(session).of_user(person.platform, person.user_id)
        )
    ups = sum(1 for value in votes.values() if value > 0)
    found = Profile(ups, len(votes) - ups)
    if relevance is None or not ups:
        return found
    taste = await relevance.taste(person)
    if taste.model is None or taste.liked_vectors is None:
        return found
    decision = taste.model.decision(taste.liked_vectors)
    best = [taste.liked[int(r)] for r in np.argsort(-decision, kind="stable")]
    async with db.session() as session:
        liked = await PaperRepository(session).get_many(taste.liked)
    papers = [(i, liked[i].title) for i in best if i in liked]
    embedder = await relevance.store.embedder()
    terms: list[str] = []
    if isinstance(embedder, TfidfEmbedder):
        texts = [paper_text(liked[i].title, liked[i].abstract) for i in best if i in liked]
        terms = heaviest_terms(embedder, taste.model, texts)
    return Profile(found.ups, found.downs, papers[:TOP_PAPERS], terms)


def heaviest_terms(
    embedder: TfidfEmbedder, model: TasteModel, texts: Sequence[str], top: int = TOP_TERMS
) -> list[str]:
    """The words and pairs of `texts` whose columns the model weighs most (positive only). Two
    terms hashed to one column share its weight: the first met names it."""
    terms = list(dict.fromkeys(t for text in texts for t in embedder.terms_of(text)))
    if not terms:
        return []
    columns = embedder.feature_of(terms)
    weights = dense(model.weights)[0]
    named: dict[int, str] = {}
    for term, column in zip(terms, columns, strict=True):
        named.setdefault(column, term)
    ranked = sorted(named, key=lambda column: -weights[column])
    return [named[c] for c in ranked if weights[c] > 0][:top]
