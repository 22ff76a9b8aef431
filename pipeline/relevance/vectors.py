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


_SPARSE, _DENSE = b"S", b"D"


def pack(row: Vectors) -> bytes:
    """One vector (a one-row matrix) as bytes for the store, in float32: half the size, and
    far more precision than a ranking needs."""
    if sparse.issparse(row):
        csr = sparse.csr_matrix(row)
        head = np.array([csr.shape[1], csr.nnz], dtype=np.uint32).tobytes()
        return (
            _SPARSE
            + head
            + csr.indices.astype(np.uint32).tobytes()
            + csr.data.astype(np.float32).tobytes()
        )
    return _DENSE + np.asarray(row, dtype=np.float32).reshape(-1).tobytes()


def unpack(blob: bytes) -> Vectors:
    """The one-row matrix `pack` stored."""
    kind, body = blob[:1], blob[1:]
    if kind == _DENSE:
        return np.frombuffer(body, dtype=np.float32).astype(np.float64).reshape(1, -1)
    if kind != _SPARSE:
        raise ValueError(f"not a packed vector (starts with {kind!r})")
    width, count = (int(n) for n in np.frombuffer(body[:8], dtype=np.uint32))
    indices = np.frombuffer(body[8 : 8 + 4 * count], dtype=np.uint32).astype(np.int32)
    data = np.frombuffer(body[8 + 4 * count :], dtype=np.float32).astype(np.float64)
    return sparse.csr_matrix(
        (data, indices, np.array([0, count], dtype=np.int32)), shape=(1, width)
    )


def unpack_rows(blobs: Sequence[bytes]) -> Vectors:
    """Many packed vectors of one embedder as one matrix, built at once (a day's 2,000 rows
    would take a second as 2,000 one-row matrices stacked)."""
    if not blobs or blobs[0][:1] == _DENSE:
        return stack([unpack(blob) for blob in blobs]) if blobs else np.zeros((0, 0))
    widths, indices, data, indptr = set(), [], [], [0]
    for blob in blobs:
        if blob[:1] != _SPARSE:
            raise ValueError("sparse and dense vectors cannot share a matrix")
        width, count = (int(n) for n in np.frombuffer(blob[1:9], dtype=np.uint32))
        widths.add(width)
        indices.append(np.frombuffer(blob[9 : 9 + 4 * count], dtype=np.uint32))
        data.append(np.frombuffer(blob[9 + 4 * count :], dtype=np.float32))
        indptr.append(indptr[-1] + count)
    if len(widths) != 1:
        raise ValueError(f"vectors of different widths: {sorted(widths)}")
    return sparse.csr_matrix(
        (
            np.concatenate(data).astype(np.float64),
            np.concatenate(indices).astype(np.int32),
            np.asarray(indptr, dtype=np.int64),
        ),
        shape=(len(blobs), widths.pop()),
    )
