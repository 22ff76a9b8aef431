"""One owner's taste (a person's or a chat's), learnt from their 👍/👎 votes.

Scholar Inbox's recipe: logistic regression with balanced class weights, on the voted papers'
vectors plus random papers of the owner's feed as extra negatives (most papers in a feed are not
for any one reader, and a handful of votes alone over-fits). The weights are kept sparse, so two
hundred owners' models over the 2**18-wide TF-IDF space stay a few megabytes, and a day is
scored for all of them with one matrix product.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import sparse
from threadpoolctl import ThreadpoolController

from pipeline.relevance.vectors import Dense, Vectors, count_rows, dense, stack

EXTRA_NEGATIVES = 30  # random feed papers added to the votes as down-votes
REGULARISATION = 10.0  # scikit-learn's C: TF-IDF vectors are sparse and votes are few
# A fit this small gains nothing from BLAS threads, and on a busy two-core machine their
# spinning made one retrain in twenty take 30 times as long: fits run on one thread.
_THREADS = ThreadpoolController()


@dataclass(frozen=True)
class TasteModel:
    """A linear model over one embedder's vectors: `score = weights · vector + bias`."""

    weights: Vectors  # one row; sparse when the vectors are
    bias: float
    votes: int  # up- and down-votes it was learnt from, not counting the extra negatives

    def decision(self, vectors: Vectors) -> Dense:
        """Log-odds that the owner likes each paper (one per row of `vectors`)."""
        return dense(vectors @ self.weights.T)[:, 0] + self.bias


def pick_negatives(
    pool_size: int, exclude: Sequence[int], count: int = EXTRA_NEGATIVES, *, seed: int = 0
) -> list[int]:
    """Row numbers of `count` random pool papers the owner has not voted on, seeded for reruns."""
    skip = set(exclude)
    candidates = [row for row in range(pool_size) if row not in skip]
    return random.Random(seed).sample(candidates, min(count, len(candidates)))


@_THREADS.wrap(limits=1)
def learn_taste(
    liked: Vectors, disliked: Vectors, extra_negatives: Vectors | None = None
) -> TasteModel | None:
    """The owner's model, or None while there is nothing to learn (no up-vote, or no down side).

    Any matrix may have zero rows; the extra negatives are what lets a few up-votes alone teach
    something, and votes outweigh them through the balanced class weights.
    """
    parts = [liked, disliked]
    if extra_negatives is not None and count_rows(extra_negatives):
        parts.append(extra_negatives)
    ups = count_rows(liked)
    downs = sum(count_rows(part) for part in parts[1:])
    if not ups or not downs:
        return None
    from sklearn.linear_model import LogisticRegression  # here: only an owner with votes needs it

    labels = np.concatenate([np.ones(ups), np.zeros(downs)])
    weights = np.ones(ups + downs)
    weights[ups : ups + count_rows(disliked)] = 2.0  # a real down-vote counts more than a guess
    features = stack(parts)
    model = LogisticRegression(
        class_weight="balanced", C=REGULARISATION, solver="liblinear", random_state=0
    )
    if not sparse.issparse(features):
        model.fit(features, labels, sample_weight=weights)
        kept = np.asarray(model.coef_)
    else:
        # Only the words these papers use can get a weight: fitting on those columns alone is
        # the same model, in milliseconds instead of a pass over all 2**18 columns each step.
        columns = np.unique(features.indices)
        model.fit(features[:, columns], labels, sample_weight=weights)
        kept = sparse.csr_matrix(
            (model.coef_[0], (np.zeros(len(columns), dtype=np.intp), columns)),
            shape=(1, features.shape[1]),
        )
    return TasteModel(kept, float(model.intercept_[0]), ups + count_rows(disliked))


def decisions(vectors: Vectors, models: Sequence[TasteModel]) -> Dense:
    """Every owner's log-odds for every paper, papers × owners, in one product."""
    if not models:
        return np.zeros((count_rows(vectors), 0))
    weights = stack([model.weights for model in models])
    biases = np.array([model.bias for model in models])
    return dense(vectors @ weights.T) + biases
