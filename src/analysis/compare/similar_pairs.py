"""Every pair of rows whose cosine reaches a threshold, without comparing every row with every
other (issue 14: narrative reuse grew with the square of the number of sentences).

The search is exact. It is the prefix filter of all-pairs similarity search (Bayardo, Ma and
Srikant, 2007): order the features from rarest to commonest and keep, of each row, only its
first features — its *prefix* — up to the point where the weight left after it is below the
threshold. Two unit vectors that share no feature in both prefixes cannot reach the threshold
(their dot product is bounded by the norm of the shorter row's tail), so only rows that share
a prefix feature are candidates.

Template sentences printed by every department with its own figures share prefix features by
chance (the digit n-grams of their amounts, the items of their lists), so candidates grow with
the square of the departments and are 500 times the true pairs at 10,000 documents. Each
candidate therefore goes through two upper bounds of its cosine, computed for millions of
candidates at once (nanoseconds each, see :func:`_bounds`), before the survivors — about four
per true pair — are verified exactly, by the very product the search always used. A bound only
ever drops pairs that cannot reach the threshold, so the pairs found are those of the full
product (``tests/test_similar_pairs.py`` checks it against ``text_reuse.all_pairs``).

MinHash banding, tried first, paired every templated sentence with every other and gave 160
candidates per true pair on the synthetic district.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import sparse

_MARGIN = 1e-7
"""Prefixes end a little late: a rounding error in the tail weight may only add candidates."""
_BOUND_MARGIN = 1e-6
"""Slack of the float64 bound (rounding errors near 1e-15): it may only keep more pairs."""
_GROUP_MARGIN = 1e-4
"""Slack of the float32 group bound (256 products of weights ≤ 1, each rounded to 6e-8)."""
_BREAKPOINTS = 64
"""Positions in the feature ranking at which every row's remaining norm is tabled (stage 1)."""
_GROUPS = 256
"""Feature groups of stage 2: more groups give a tighter bound and more memory (rows × groups
× 4 bytes, 80 MB at 80,000 distinct sentences)."""
_GROUP_BATCH = 4096
"""Candidates per stage-2 batch: their gathered group norms stay in the processor's cache."""


@dataclass(frozen=True)
class _Search:
    """The matrix prepared for the search; rows are renumbered by where their prefix ends
    (``order[k]`` is the original row of row k), so that of two rows, the one numbered first
    ends its prefix first."""

    order: np.ndarray
    prefix: sparse.csr_matrix  # prefix weights, columns ranked rarest first
    after_prefix: np.ndarray  # norm of each row after its prefix
    breakpoint_of: np.ndarray  # per row: the last breakpoint at or before its prefix end
    after_breakpoint: np.ndarray  # (rows, breakpoints): norm of each row after each breakpoint
    groups: np.ndarray  # (rows, groups) float32: norm of each row within each feature group
    groups_after_prefix: np.ndarray  # the same, of each row after its prefix


def _ranked(matrix: sparse.csr_matrix) -> sparse.csr_matrix:
    """The matrix with its columns ranked rarest first (fewest rows holding the feature)."""
    rows_per_feature = np.bincount(matrix.indices, minlength=matrix.shape[1])
    ranked = matrix[:, np.argsort(rows_per_feature, kind="stable")].tocsr()
    ranked.sort_indices()
    return ranked


def _tails(ranked: sparse.csr_matrix) -> tuple[np.ndarray, np.ndarray]:
    """Per stored entry: its row, and the squared weight from it to the end of its row."""
    n_rows = ranked.shape[0]
    lengths = np.diff(ranked.indptr)
    row_of = np.repeat(np.arange(n_rows), lengths)
    squares = ranked.data**2
    running = np.cumsum(squares)
    row_total_to_end = np.zeros(n_rows)
    filled = lengths > 0
    row_total_to_end[filled] = running[ranked.indptr[1:][filled] - 1]
    return row_of, row_total_to_end[row_of] - (running - squares)


def _in_prefix(ranked: sparse.csr_matrix, threshold: float) -> tuple[np.ndarray, np.ndarray]:
    """Per stored entry, whether it belongs to its row's prefix; and the row of each entry."""
    row_of, tail = _tails(ranked)
    return tail >= threshold**2 - _MARGIN, row_of


def _prefixes(matrix: sparse.csr_matrix, threshold: float) -> sparse.csr_matrix:
    """0/1 matrix of each row's prefix over the features ranked rarest first (the column
    order of the result is that ranking, which is all the candidate search needs)."""
    ranked = _ranked(matrix)
    keep, row_of = _in_prefix(ranked, threshold)
    indptr = np.concatenate(([0], np.cumsum(np.bincount(row_of[keep], minlength=ranked.shape[0]))))
    return sparse.csr_matrix((np.ones(int(keep.sum())), ranked.indices[keep], indptr), shape=ranked.shape)


def _group_norms(ranked: sparse.csr_matrix, squares: np.ndarray) -> np.ndarray:
    """Norm of each row within each feature group (features dealt round-robin by rank, so the
    few features of one sentence seldom share a group)."""
    group = ranked.indices % _GROUPS
    per_group = sparse.csr_matrix((squares, group, ranked.indptr), shape=(ranked.shape[0], _GROUPS))
    return np.sqrt(per_group.toarray()).astype(np.float32)


def _prepare(matrix: sparse.csr_matrix, threshold: float) -> _Search:
    ranked = _ranked(matrix)
    n_rows, n_features = ranked.shape
    keep, row_of = _in_prefix(ranked, threshold)
    kept = np.bincount(row_of[keep], minlength=n_rows)
    last = ranked.indptr[:-1] + kept - 1
    prefix_end = np.where(kept > 0, ranked.indices[np.maximum(last, 0)], n_features)
    order = np.argsort(prefix_end, kind="stable")
    ranked = ranked[order]
    ranked.sort_indices()
    prefix_end = prefix_end[order]
    keep, row_of = _in_prefix(ranked, threshold)
    _, tail = _tails(ranked)
    kept = np.bincount(row_of[keep], minlength=n_rows)

    lengths = np.diff(ranked.indptr)
    after_prefix = np.zeros(n_rows)
    more = kept < lengths
    after_prefix[more] = tail[(ranked.indptr[:-1] + kept)[more]]

    # The norm left after breakpoint k is the row's total less its weight at ranks ≤ it.
    breakpoints = np.unique(np.quantile(prefix_end, np.linspace(0, 1, _BREAKPOINTS)).astype(np.int64))
    squares = ranked.data**2
    width = breakpoints.size + 1  # the last column: ranks after every breakpoint
    up_to = np.searchsorted(breakpoints, ranked.indices, side="left")  # first breakpoint ≥ rank
    weight_by = np.bincount(row_of * width + up_to, weights=squares, minlength=n_rows * width).reshape(n_rows, width)
    row_total = weight_by.sum(axis=1)
    after_breakpoint = np.sqrt(np.maximum(row_total[:, None] - np.cumsum(weight_by[:, :-1], axis=1), 0.0))

    prefix = sparse.csr_matrix(
        (ranked.data[keep], ranked.indices[keep], np.concatenate(([0], np.cumsum(kept)))), shape=ranked.shape
    )
    return _Search(
        order=order,
        prefix=prefix,
        after_prefix=np.sqrt(np.maximum(after_prefix, 0.0)),
        breakpoint_of=np.searchsorted(breakpoints, prefix_end, side="right") - 1,
        after_breakpoint=after_breakpoint,
        groups=_group_norms(ranked, squares),
        groups_after_prefix=_group_norms(ranked, np.where(keep, 0.0, squares)),
    )


def _candidates(search: _Search, start: int, stop: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Pairs (a, b), start ≤ a < stop, a < b, sharing a prefix feature, with S, the dot
    product of their prefixes."""
    product = search.prefix[start:stop] @ search.prefix[start:].T.tocsr()
    a = np.repeat(np.arange(start, start + product.shape[0]), np.diff(product.indptr))
    b = product.indices.astype(np.int64) + start
    later = b > a
    return a[later], b[later], product.data[later]


def _bounds(
    search: _Search, a: np.ndarray, b: np.ndarray, shared: np.ndarray, threshold: float
) -> tuple[np.ndarray, np.ndarray]:
    """The candidates whose cosine may reach the threshold.

    Row a ends its prefix first (the renumbering), at rank p. Every feature of a up to p is in
    a's prefix and every feature of b up to p in b's, so ``shared`` is their exact dot product
    over ranks ≤ p, and the cosine is ``shared`` plus the dot product of what follows p.
    Stage 1 bounds that rest by the product of both norms after p (Cauchy–Schwarz; b's norm is
    read at the last tabled breakpoint before p, which can only be larger). Stage 2 bounds it
    group by group: Σ_g ‖a after p, in g‖·‖b in g‖. Template variants that share an amount's
    digits have a small ``shared`` and differ in other groups, and fail one or the other.
    """
    rest = search.after_prefix[a] * search.after_breakpoint[b, search.breakpoint_of[a]]
    first = shared + rest >= threshold - _BOUND_MARGIN
    a, b, shared = a[first], b[first], shared[first]
    second = np.empty(a.size, dtype=bool)
    for at in range(0, a.size, _GROUP_BATCH):
        part = slice(at, at + _GROUP_BATCH)
        rest = np.einsum("ij,ij->i", search.groups_after_prefix[a[part]], search.groups[b[part]])
        second[part] = shared[part] + rest >= threshold - _GROUP_MARGIN
    return a[second], b[second]


def similar_pairs(
    matrix: sparse.csr_matrix, threshold: float, chunk: int = 2000, verify_batch: int = 50_000
) -> tuple[np.ndarray, np.ndarray]:
    """Index pairs (i, j), i != j, both orders, whose rows (L2-normalised) have a cosine of at
    least ``threshold`` (> 0). Candidates are made, bounded and verified ``chunk`` rows at a
    time, so memory holds one chunk's candidates and the pairs found. The pairs come sorted
    (i < j first, then the same pairs turned round)."""
    matrix = sparse.csr_matrix(matrix)
    search = _prepare(matrix, threshold)
    left, right = [], []
    for start in range(0, matrix.shape[0], chunk):
        a, b = _bounds(search, *_candidates(search, start, start + chunk), threshold)
        i, j = search.order[a], search.order[b]
        i, j = np.minimum(i, j), np.maximum(i, j)
        for at in range(0, i.size, verify_batch):
            x, y = i[at : at + verify_batch], j[at : at + verify_batch]
            # the product the search has always verified with, so the same pairs pass
            near = np.asarray(matrix[x].multiply(matrix[y]).sum(axis=1)).ravel() >= threshold
            left.append(x[near])
            right.append(y[near])
    i = np.concatenate(left) if left else np.array([], dtype=np.int64)
    j = np.concatenate(right) if right else np.array([], dtype=np.int64)
    ordered = np.lexsort((j, i))
    i, j = i[ordered].astype(np.int64), j[ordered].astype(np.int64)
    return np.concatenate([i, j]), np.concatenate([j, i])


def search_counts(matrix: sparse.csr_matrix, threshold: float, chunk: int = 2000) -> dict[str, int]:
    """How many pairs each step keeps (the benchmark prints them beside the true pairs):
    ``candidates`` share a prefix feature, ``bounded`` pass both bounds (and are verified)."""
    matrix = sparse.csr_matrix(matrix)
    search = _prepare(matrix, threshold)
    candidates = bounded = 0
    for start in range(0, matrix.shape[0], chunk):
        a, b, shared = _candidates(search, start, start + chunk)
        candidates += a.size
        bounded += _bounds(search, a, b, shared, threshold)[0].size
    return {"candidates": candidates, "bounded": bounded}


def candidate_count(matrix: sparse.csr_matrix, threshold: float) -> int:
    """How many pairs the prefix filter proposes (the benchmark prints it beside the true pairs)."""
    prefix = _prefixes(sparse.csr_matrix(matrix), threshold)
    product = prefix @ prefix.T
    return int((product.nnz - np.count_nonzero(product.diagonal())) // 2)
