"""The prefix-filter pair search finds exactly the pairs the all-against-all product finds."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import sparse
from sklearn.preprocessing import normalize

from analysis.compare.similar_pairs import candidate_count, similar_pairs
from analysis.compare.text_reuse import all_pairs


def _rows(seed: int) -> sparse.csr_matrix:
    """Random sparse rows with near-copies (each copy's weights moved by up to 10 %)."""
    rng = np.random.default_rng(seed)
    n, features = int(rng.integers(2, 300)), int(rng.integers(2, 60))
    base = sparse.random(n, features, density=rng.uniform(0.05, 0.5), random_state=seed, format="csr")
    copies = base[rng.integers(0, n, size=max(1, n // 2))].copy()
    copies.data *= rng.uniform(0.9, 1.1, size=copies.data.size)
    rows = normalize(sparse.vstack([base, copies]).tocsr())
    return rows[np.asarray(abs(rows).sum(axis=1)).ravel() > 0]


@pytest.mark.parametrize("seed", range(5))
@pytest.mark.parametrize("threshold", [0.5, 0.8, 0.9, 0.99])
def test_same_pairs_as_every_row_against_every_other(seed: int, threshold: float) -> None:
    rows = _rows(seed)
    expected = set(zip(*all_pairs(rows, threshold), strict=True))
    found = set(zip(*similar_pairs(rows, threshold, chunk=37, verify_batch=101), strict=True))
    assert found == expected
    assert all((j, i) in found for i, j in found)


def test_rare_features_keep_the_candidates_few() -> None:
    """Rows that share only common features are not candidates: 200 sentences of one template,
    each with its own rare features, pair only with their own near-copy."""
    rng = np.random.default_rng(1)
    common = np.ones((200, 20)) * 0.2
    rare = np.zeros((200, 400))
    for row in range(200):
        rare[row, 2 * row : 2 * row + 2] = rng.uniform(1.0, 2.0, size=2)
    rows = normalize(sparse.csr_matrix(np.hstack([common, rare])))
    doubled = sparse.vstack([rows, rows[:10] * 1.0]).tocsr()
    assert candidate_count(doubled, 0.9) < 0.05 * 210 * 209 / 2
    found = set(zip(*similar_pairs(doubled, 0.9), strict=True))
    assert found == set(zip(*all_pairs(doubled, 0.9), strict=True))
    assert (0, 200) in found and (1, 201) in found
