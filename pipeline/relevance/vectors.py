"""The one shape every embedder returns: a matrix, one L2-normalised row per paper.

TF-IDF rows are sparse (scipy CSR, most of a 2**18-wide hashed space is empty) and an
endpoint's rows are dense; the ranker only ever multiplies them, so it accepts both and the
helpers here keep that difference in one place.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeAlias

import numpy as np
import numpy.typing as npt
from scipy import sparse

Dense: TypeAlias = npt.NDArray[np.float64]
Vectors: TypeAlias = Any  # Dense, or a scipy.sparse CSR matrix: both support `@` and row slicing


def paper_text(title: str, abstract: str) -> str:
    """What a paper is embedded from: its title and abstract, never its categories or authors."""
    return f"{title.strip()}\n\n{abstract.strip()}"


def dense(matrix: Vectors) -> Dense:
    """A plain 2-D float array, whatever the product of two vector matrices came out as."""
    if sparse.issparse(matrix):
        return np.asarray(matrix.toarray(), dtype=np.float64)
    return np.asarray(matrix, dtype=np.float64)


def normalise(matrix: Dense) -> Dense:
    """Rows scaled to unit length (zero rows stay zero), so a dot product is a cosine."""
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return matrix / norms


def count_rows(matrix: Vectors) -> int:
    return int(matrix.shape[0])


def stack(parts: Sequence[Vectors]) -> Vectors:
    """Rows of several vector matrices, one after the other, keeping them sparse if they are."""
    if any(sparse.issparse(part) for part in parts):
        return sparse.vstack(list(parts), format="csr")
    return np.vstack(list(parts))


def take(matrix: Vectors, rows: Sequence[int] | npt.NDArray[np.intp]) -> Vectors:
    """These rows, in this order."""
    return matrix[np.asarray(rows, dtype=np.intp)]


def cosine(left: Vectors, right: Vectors) -> Dense:
    """Cosine similarity of every left row with every right row (rows are unit length)."""
    return dense(left @ right.T)
