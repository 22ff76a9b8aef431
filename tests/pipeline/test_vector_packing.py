"""Vectors as the store keeps them: packed one by one, read back many at once."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import sparse

from pipeline.relevance.vectors import pack, unpack, unpack_rows


def test_sparse_rows_come_back_as_one_matrix_empty_rows_included() -> None:
    matrix = sparse.random(6, 2**18, density=0.0005, format="csr", random_state=1)
    matrix = sparse.vstack([matrix, sparse.csr_matrix((1, 2**18))], format="csr")
    packed = [pack(matrix[row : row + 1]) for row in range(7)]

    back = unpack_rows(packed)

    assert back.shape == matrix.shape and back[6].nnz == 0
    assert abs(back - matrix).max() < 1e-6  # stored as float32
    assert abs(unpack(packed[2]) - matrix[2]).max() < 1e-6


def test_dense_rows_come_back_in_order() -> None:
    rows = np.random.default_rng(1).random((3, 8))
    back = unpack_rows([pack(rows[n : n + 1]) for n in range(3)])
    assert np.allclose(back, rows, atol=1e-6)


def test_vectors_of_different_kinds_or_widths_never_mix() -> None:
    sparse_row = pack(sparse.csr_matrix(np.ones((1, 4))))
    with pytest.raises(ValueError, match="cannot share"):
        unpack_rows([sparse_row, pack(np.ones((1, 4)))])
    with pytest.raises(ValueError, match="different widths"):
        unpack_rows([sparse_row, pack(sparse.csr_matrix(np.ones((1, 5))))])
    with pytest.raises(ValueError, match="not a packed vector"):
        unpack(b"X123")
