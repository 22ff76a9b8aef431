"""Why a paper sits where it does for someone: its score and rank, and the liked papers it is
closest to. Plain data; the chat's wording of it belongs to the chat core."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from pipeline.relevance.ranking import RankedDay
from pipeline.relevance.vectors import Vectors, cosine, count_rows

NEAREST = 3


@dataclass(frozen=True)
class Neighbour:
    paper_id: str
    similarity: float  # cosine, 0 to 1 for TF-IDF


@dataclass(frozen=True)
class Explanation:
    paper_id: str
    rank: int  # 1 for the first paper shown
    of: int  # papers ranked that day
    score: float
    keyword_matches: int
    learnt: bool  # False: the order is by keywords, there are no votes yet
    nearest: list[Neighbour]  # liked papers, most similar first


def explain(
    row: int,
    day_ids: Sequence[str],
    day_vectors: Vectors,
    ranked: RankedDay,
    keyword_counts: Sequence[int],
    liked_ids: Sequence[str],
    liked_vectors: Vectors,
    *,
    nearest: int = NEAREST,
) -> Explanation:
    """The explanation for the paper at `row` of the day (the same rows `ranked` was built on)."""
    neighbours: list[Neighbour] = []
    if liked_ids and count_rows(liked_vectors):
        similarity = cosine(day_vectors[row : row + 1], liked_vectors)[0]
        for index in np.argsort(-similarity, kind="stable")[:nearest]:
            neighbours.append(Neighbour(liked_ids[int(index)], float(similarity[index])))
    return Explanation(
        paper_id=day_ids[row],
        rank=ranked.rank_of(row),
        of=len(day_ids),
        score=float(ranked.scores[row]),
        keyword_matches=int(keyword_counts[row]),
        learnt=ranked.learnt,
        nearest=neighbours,
    )
