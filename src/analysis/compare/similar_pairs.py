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

from collections.abc import Iterator
from dataclasses import dataclass
from itertools import pairwise

import numpy as np
from scipy import sparse

_MARGIN = 1e-7
"""Prefixes end a little late: a rounding error in the tail weight may only add candidates."""
_BOUND_MARGIN = 1e-6
"""Slack of the stage-1 bound (norms stored as float32, rounded by ≤ 6e-8): it may only keep more."""
_GROUP_MARGIN = 1e-4
"""Slack of the group bound, summed in float32 (256 products ≤ 1, each rounded by ≤ 6e-8)."""
_GROUP_BATCH = 4096
"""Candidates per stage-2 product: their gathered group norms stay in the processor's cache
(the a rows come from one piece, the b rows in increasing order)."""
_NORM_ROWS = 8192
"""Rows whose group norms are worked out together (their float64 table: 16 MB)."""
_LATER_ROWS = 16_384
"""Rows b whose candidates with one piece are made and bounded together: the candidates of a
piece with every later row reach tens of millions for template-heavy pieces (hundreds of MB)."""
_BREAKPOINTS = 64
"""Positions in the feature ranking at which every row's remaining norm is tabled (stage 1)."""
_GROUPS = (32, 256)
"""Feature groups of stage 2, coarse then fine: more groups give a tighter bound and cost more
memory (rows × groups × 4 bytes × 2: 180 MB at 80,000 distinct sentences) and more bytes to
gather per candidate; the coarse pass halves the candidates the fine one reads."""


@dataclass(frozen=True)
class _Search:
    """The matrix prepared for the search; rows are renumbered by where their prefix ends
    (``order[k]`` is the original row of row k), so that of two rows, the one numbered first
    ends its prefix first."""

    order: np.ndarray
    prefix: sparse.csr_matrix  # prefix weights, columns ranked rarest first
    after_prefix: np.ndarray  # norm of each row after its prefix
    breakpoint_of: np.ndarray  # per row: the last breakpoint at or before its prefix end
    after_breakpoint: np.ndarray  # (breakpoints, rows): norm of each row after each breakpoint
    groups: list[tuple[np.ndarray, np.ndarray]]  # per level of _GROUPS, (rows, groups) float32:
    # norm of each row after its prefix within each feature group, and of the whole row


def _ranked(matrix: sparse.csr_matrix) -> sparse.csr_matrix:
    """The matrix with its columns ranked rarest first (fewest rows holding the feature)."""
    rows_per_feature = np.bincount(matrix.indices, minlength=matrix.shape[1])
    rank = np.empty(matrix.shape[1], dtype=matrix.indices.dtype)
    rank[np.argsort(rows_per_feature, kind="stable")] = np.arange(matrix.shape[1], dtype=rank.dtype)
    ranked = sparse.csr_matrix((matrix.data.copy(), rank[matrix.indices], matrix.indptr.copy()), shape=matrix.shape)
    ranked.sort_indices()  # in place: hence the copies, the caller's matrix stays as it was
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


def _group_norms(ranked: sparse.csr_matrix, squares: np.ndarray, order: np.ndarray) -> list[np.ndarray]:
    """Per level of ``_GROUPS``, the norm of each row within each feature group (features dealt
    round-robin by rank, so the few features of one sentence seldom share a group), rows in
    ``order``. A level that divides the finest is summed from it rather than from the matrix.

    Worked out ``_NORM_ROWS`` rows at a time: each value is that of the whole-matrix
    computation (the same sums in the same order), but the float64 table of the finest level is
    never held for every row at once (165 MB at 80,000 rows, and as much again per copy)."""
    finest = max(_GROUPS)
    n_rows = ranked.shape[0]
    cells = sparse.csr_matrix((squares, ranked.indices % finest, ranked.indptr), shape=(n_rows, finest))
    coarse = {
        groups: sparse.csr_matrix((squares, ranked.indices % groups, ranked.indptr), shape=(n_rows, groups))
        for groups in _GROUPS
        if finest % groups
    }
    levels = [np.empty((n_rows, groups), dtype=np.float32) for groups in _GROUPS]
    for start in range(0, n_rows, _NORM_ROWS):
        rows = order[start : start + _NORM_ROWS]
        fine = cells[rows].toarray()
        for groups, level in zip(_GROUPS, levels, strict=True):
            if finest % groups == 0:
                part = fine.reshape(rows.size, finest // groups, groups).sum(axis=1)
            else:
                part = coarse[groups][rows].toarray()
            level[start : start + rows.size] = np.sqrt(part)  # stored as float32
    return levels


def _prepare(matrix: sparse.csr_matrix, threshold: float) -> _Search:
    ranked = _ranked(matrix)
    n_rows, n_features = ranked.shape
    row_of, tail = _tails(ranked)
    keep = tail >= threshold**2 - _MARGIN
    kept = np.bincount(row_of[keep], minlength=n_rows)
    prefix_end = np.where(kept > 0, ranked.indices[np.maximum(ranked.indptr[:-1] + kept - 1, 0)], n_features)
    order = np.argsort(prefix_end, kind="stable")

    after_prefix = np.zeros(n_rows)
    more = kept < np.diff(ranked.indptr)
    after_prefix[more] = tail[(ranked.indptr[:-1] + kept)[more]]
    del tail, more  # arrays of one value per stored entry go as soon as read (the peak memory)

    # The norm left after breakpoint k is the row's total less its weight at ranks ≤ it.
    breakpoints = np.unique(np.quantile(prefix_end, np.linspace(0, 1, _BREAKPOINTS)).astype(np.int64))
    squares = ranked.data**2
    width = breakpoints.size + 1  # the last column: ranks after every breakpoint
    cell = row_of * width
    del row_of
    cell += np.searchsorted(breakpoints, ranked.indices, side="left")  # first breakpoint ≥ rank
    weight_by = np.bincount(cell, weights=squares, minlength=n_rows * width).reshape(n_rows, width)
    del cell
    row_total = weight_by.sum(axis=1)
    after_breakpoint = np.sqrt(np.maximum(row_total[None, :] - np.cumsum(weight_by[:, :-1], axis=1).T, 0.0))
    del weight_by
    after_breakpoint = np.ascontiguousarray(after_breakpoint[:, order], dtype=np.float32)

    prefix = sparse.csr_matrix(
        (ranked.data[keep], ranked.indices[keep], np.concatenate(([0], np.cumsum(kept)))), shape=ranked.shape
    )
    return _Search(
        order=order,
        prefix=prefix[order],
        after_prefix=np.sqrt(np.maximum(after_prefix[order], 0.0)).astype(np.float32),
        breakpoint_of=np.searchsorted(breakpoints, prefix_end[order], side="right") - 1,
        after_breakpoint=after_breakpoint,
        groups=list(
            zip(
                _group_norms(ranked, np.where(keep, 0.0, squares), order),
                _group_norms(ranked, squares, order),
                strict=True,
            )
        ),
    )


def _pieces(search: _Search, chunk: int) -> list[tuple[int, int]]:
    """Runs of at most ``chunk`` rows whose prefixes end after the same breakpoint (one
    column of the breakpoint table serves a whole run)."""
    breakpoint_of = search.breakpoint_of
    changes = np.flatnonzero(np.diff(breakpoint_of)) + 1
    edges = np.concatenate(([0], changes, [breakpoint_of.size]))
    return [
        (start, min(start + chunk, stop))
        for run_start, stop in pairwise(edges)
        for start in range(int(run_start), int(stop), chunk)
    ]


def _candidates(
    search: _Search, start: int, stop: int, later_rows: int | None = None
) -> Iterator[tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """Pairs (a, b), start ≤ a < stop, a < b, sharing a prefix feature, with the dot product
    of their prefixes; ordered by b, in parts of ``later_rows`` rows b. (The product is taken
    as later rows × this piece, so only the piece's prefixes are transposed; each part is a
    slice of the whole product, entry for entry, and holds a fraction of its candidates.)"""
    piece = search.prefix[start:stop].T.tocsr()
    n_rows = search.order.size
    step = later_rows or n_rows
    for first in range(start, n_rows, step):
        product = search.prefix[first : first + step] @ piece
        b = np.repeat(np.arange(first, min(first + step, n_rows), dtype=np.int32), np.diff(product.indptr))
        a = product.indices + np.int32(start)
        later = b > a
        yield a[later], b[later], product.data[later]


def _bounds(
    search: _Search, a: np.ndarray, b: np.ndarray, shared: np.ndarray, threshold: float
) -> tuple[np.ndarray, np.ndarray]:
    """The candidates (from one piece, ordered by b) whose cosine may reach the threshold.

    Row a ends its prefix first (the renumbering), at rank p. Every feature of a up to p is in
    a's prefix and every feature of b up to p in b's, so ``shared`` is their exact dot product
    over ranks ≤ p, and the cosine is ``shared`` plus the dot product of what follows p.
    Stage 1 bounds that rest by the product of both norms after p (Cauchy–Schwarz; b's norm is
    read at the piece's breakpoint, at or before p, which can only make it larger). Stage 2
    bounds it group by group: Σ_g ‖a after p, in g‖·‖b in g‖. Template variants that share an
    amount's digits have a small ``shared`` and differ in other groups, and fail one or the other.
    """
    if a.size == 0:
        return a, b
    after_breakpoint = search.after_breakpoint[search.breakpoint_of[a.min()]]
    first = shared + search.after_prefix[a] * after_breakpoint[b] >= threshold - _BOUND_MARGIN
    a, b, shared = a[first], b[first], shared[first]
    for after_prefix, whole in search.groups:
        rest = np.empty(a.size, dtype=np.float32)
        for at in range(0, a.size, _GROUP_BATCH):
            part = slice(at, at + _GROUP_BATCH)
            ours, theirs = np.take(after_prefix, a[part], axis=0), np.take(whole, b[part], axis=0)
            rest[part] = np.einsum("ij,ij->i", ours, theirs)
        second = shared + rest >= threshold - _GROUP_MARGIN
        a, b, shared = a[second], b[second], shared[second]
    return a, b


def similar_pairs(
    matrix: sparse.csr_matrix, threshold: float, chunk: int = 2000, verify_batch: int = 10_000
) -> tuple[np.ndarray, np.ndarray]:
    """Index pairs (i, j), i != j, both orders, whose rows (L2-normalised) have a cosine of at
    least ``threshold`` (> 0). Candidates are made, bounded and verified ``chunk`` rows at a
    time, so memory holds one chunk's candidates and the pairs found; ``verify_batch`` pairs
    are verified at once (their rows gathered: 50,000 of them took 200 MB at 10,000 documents). The pairs come sorted
    (i < j first, then the same pairs turned round)."""
    matrix = sparse.csr_matrix(matrix)
    if matrix.nnz == 0:
        return np.array([], dtype=np.int64), np.array([], dtype=np.int64)
    search = _prepare(matrix, threshold)
    left, right = [], []
    for start, stop in _pieces(search, chunk):
        for candidates in _candidates(search, start, stop, _LATER_ROWS):
            a, b = _bounds(search, *candidates, threshold)
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
    candidates = bounded = 0
    if matrix.nnz == 0:
        return {"candidates": candidates, "bounded": bounded}
    search = _prepare(matrix, threshold)
    for start, stop in _pieces(search, chunk):
        for a, b, shared in _candidates(search, start, stop, _LATER_ROWS):
            candidates += a.size
            bounded += _bounds(search, a, b, shared, threshold)[0].size
    return {"candidates": candidates, "bounded": bounded}


def candidate_count(matrix: sparse.csr_matrix, threshold: float) -> int:
    """How many pairs the prefix filter proposes (those sharing a prefix feature)."""
    return search_counts(matrix, threshold)["candidates"]
