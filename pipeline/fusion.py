"""Reciprocal rank fusion: one ranking from several, whatever their scores' scales.

Each item scores the sum of 1 / (k + rank) over the rankings that hold it (Cormack, Clarke and
Büttcher, 2009; k = 60 as there): no weights to tune, and an item two rankers both place well
beats one only a single ranker places first. Used wherever full text and vectors meet: a
paper's passages for a question, and the archive's papers for a search.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from typing import TypeVar

RRF_K = 60
Item = TypeVar("Item", bound=Hashable)


def fuse(rankings: Sequence[Sequence[Item]], k: int = RRF_K) -> list[Item]:
    """The fused order; ties keep the order in which the rankings first name the items."""
    scores: dict[Item, float] = {}
    for ranking in rankings:
        for rank, item in enumerate(ranking, start=1):
            scores[item] = scores.get(item, 0.0) + 1.0 / (k + rank)
    return sorted(scores, key=lambda item: -scores[item])
