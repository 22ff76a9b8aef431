"""A day's papers in each owner's order: their taste model's score, lifted by keyword matches.

With no model (no votes yet) the order is today's: most keywords matched first, then the feed's
order. With a model, the probability of a like is the base and each matched keyword (up to
three) adds `KEYWORD_LIFT`, so a keyword someone typed still counts for a lot while the model
brings up the papers that no keyword names. Ties always keep the feed's order.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from pipeline.relevance.taste import TasteModel, decisions
from pipeline.relevance.vectors import Dense, Vectors, count_rows

KEYWORD_LIFT = 0.3
KEYWORD_CAP = 3

Counts = npt.NDArray[np.integer] | Sequence[int]


@dataclass(frozen=True)
class RankedDay:
    """One owner's day: `order` lists paper rows best first; `scores` is by paper row."""

    order: list[int]
    scores: Dense
    learnt: bool  # False: keyword order, no votes to learn from yet

    def rank_of(self, row: int) -> int:
        """1 for the first paper shown."""
        return self.order.index(row) + 1


def combine(decision: Dense | None, keyword_counts: Counts) -> Dense:
    """Scores from log-odds (papers, or papers × owners) and the keyword counts of that shape."""
    counts = np.asarray(keyword_counts, dtype=np.float64)
    if decision is None:
        return counts
    liked = 1.0 / (1.0 + np.exp(-np.clip(decision, -30.0, 30.0)))
    return liked + KEYWORD_LIFT * np.minimum(counts, KEYWORD_CAP)


def best_first(scores: Dense) -> npt.NDArray[np.intp]:
    """Row orders, best first, ties in feed order (per column when given papers × owners)."""
    return np.argsort(-scores, axis=0, kind="stable")


def rank_day(vectors: Vectors, keyword_counts: Counts, model: TasteModel | None) -> RankedDay:
    """One owner's order of the day's papers (rows of `vectors`, in feed order)."""
    decision = model.decision(vectors) if model is not None else None
    scores = combine(decision, keyword_counts)
    return RankedDay([int(row) for row in best_first(scores)], scores, model is not None)


def score_owners(
    vectors: Vectors, keyword_counts: npt.NDArray[np.integer], models: Sequence[TasteModel | None]
) -> Dense:
    """Every owner's scores at once, papers × owners; `best_first` turns them into orders.

    Owners with a model are scored in one matrix product; owners without one keep their keyword
    counts as scores, which is the keyword order.
    """
    papers = count_rows(vectors)
    if keyword_counts.shape != (papers, len(models)):
        raise ValueError(f"keyword_counts is {keyword_counts.shape}, not {(papers, len(models))}")
    scores = np.asarray(keyword_counts, dtype=np.float64).copy()
    learnt = [column for column, model in enumerate(models) if model is not None]
    if learnt:
        found = decisions(vectors, [m for m in models if m is not None])
        scores[:, learnt] = combine(found, keyword_counts[:, learnt])
    return scores
