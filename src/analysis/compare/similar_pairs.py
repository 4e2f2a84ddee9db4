"""Every pair of rows whose cosine reaches a threshold, without comparing every row with every
other (issue 14: narrative reuse grew with the square of the number of sentences).

The search is exact. It is the prefix filter of all-pairs similarity search (Bayardo, Ma and
Srikant, 2007): order the features from rarest to commonest and keep, of each row, only its
first features — its *prefix* — up to the point where the weight left after it is below the
threshold. Two unit vectors that share no feature in both prefixes cannot reach the threshold
(their dot product is bounded by the norm of the shorter row's tail), so only rows that share
a prefix feature are candidates, and each candidate's cosine is then computed in full.

Prefixes are made of rare features (the character n-grams of names and amounts), whose rows
are few; the common n-grams every sentence of a template shares (万元, 预算, 部门) fall in the
tails and are never used to pair. MinHash banding, tried first, paired every templated sentence
with every other and gave 160 candidates per true pair on the synthetic district.
"""

from __future__ import annotations

import numpy as np
from scipy import sparse

_MARGIN = 1e-7
"""Prefixes end a little late: a rounding error in the tail weight may only add candidates."""


def _prefixes(matrix: sparse.csr_matrix, threshold: float) -> sparse.csr_matrix:
    """0/1 matrix of each row's prefix over the features ranked rarest first (the column
    order of the result is that ranking, which is all the candidate search needs)."""
    rows_per_feature = np.bincount(matrix.indices, minlength=matrix.shape[1])
    ordered = matrix[:, np.argsort(rows_per_feature, kind="stable")].tocsr()
    ordered.sort_indices()
    n_rows = ordered.shape[0]
    lengths = np.diff(ordered.indptr)
    row_of = np.repeat(np.arange(n_rows), lengths)
    squares = ordered.data**2
    running = np.cumsum(squares)
    row_total_to_end = np.zeros(n_rows)
    filled = lengths > 0
    row_total_to_end[filled] = running[ordered.indptr[1:][filled] - 1]
    tail = row_total_to_end[row_of] - (running - squares)  # weight from this entry to the row's end
    keep = tail >= threshold**2 - _MARGIN
    indptr = np.concatenate(([0], np.cumsum(np.bincount(row_of[keep], minlength=n_rows))))
    return sparse.csr_matrix((np.ones(int(keep.sum())), ordered.indices[keep], indptr), shape=ordered.shape)


def similar_pairs(
    matrix: sparse.csr_matrix, threshold: float, chunk: int = 2000, verify_batch: int = 50_000
) -> tuple[np.ndarray, np.ndarray]:
    """Index pairs (i, j), i != j, both orders, whose rows (L2-normalised) have a cosine of at
    least ``threshold`` (> 0). Candidates are made and verified ``chunk`` rows at a time, so
    memory holds one chunk's candidates and the pairs found."""
    matrix = sparse.csr_matrix(matrix)
    prefix = _prefixes(matrix, threshold)
    prefix_t = prefix.T.tocsr()
    left, right = [], []
    for start in range(0, matrix.shape[0], chunk):
        candidates = (prefix[start : start + chunk] @ prefix_t).tocoo()
        rows = candidates.row.astype(np.int64) + start
        upper = rows < candidates.col
        i, j = rows[upper], candidates.col[upper].astype(np.int64)
        for at in range(0, i.size, verify_batch):
            a, b = i[at : at + verify_batch], j[at : at + verify_batch]
            near = np.asarray(matrix[a].multiply(matrix[b]).sum(axis=1)).ravel() >= threshold
            left.append(a[near])
            right.append(b[near])
    i = np.concatenate(left) if left else np.array([], dtype=np.int64)
    j = np.concatenate(right) if right else np.array([], dtype=np.int64)
    return np.concatenate([i, j]), np.concatenate([j, i])


def candidate_count(matrix: sparse.csr_matrix, threshold: float) -> int:
    """How many pairs the prefix filter proposes (the benchmark prints it beside the true pairs)."""
    prefix = _prefixes(sparse.csr_matrix(matrix), threshold)
    product = prefix @ prefix.T
    return int((product.nnz - np.count_nonzero(product.diagonal())) // 2)
