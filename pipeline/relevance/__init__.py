"""Relevance: paper vectors, each owner's taste learnt from votes, and a day ranked for them.

Pure objects over vectors: no database and no chat. Votes are stored and buttons drawn
elsewhere; those callers hand in vectors and keyword counts and get orders back.
"""

from pipeline.relevance.embedders import Embedder, EndpointEmbedder, TfidfEmbedder
from pipeline.relevance.explain import Explanation, Neighbour, explain
from pipeline.relevance.ranking import RankedDay, best_first, combine, rank_day, score_owners
from pipeline.relevance.taste import TasteModel, decisions, learn_taste, pick_negatives
from pipeline.relevance.vectors import Vectors, paper_text

__all__ = [
    "Embedder",
    "EndpointEmbedder",
    "Explanation",
    "Neighbour",
    "RankedDay",
    "TasteModel",
    "TfidfEmbedder",
    "Vectors",
    "best_first",
    "combine",
    "decisions",
    "explain",
    "learn_taste",
    "paper_text",
    "pick_negatives",
    "rank_day",
    "score_owners",
]
