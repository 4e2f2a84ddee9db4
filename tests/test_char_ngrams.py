"""Character n-gram counts on arrays are scikit-learn's CountVectorizer matrix, entry for entry
(the reuse search's results depend on every bit of the TF-IDF weights)."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.feature_extraction.text import CountVectorizer

from analysis.compare.char_ngrams import char_ngram_counts

ALPHABET = [*"预算支出万元，。；（）%0123456789ABCabcİΣσς ", "\U0001f600", "\u3000", "\x1c", "  ", "\t", "\n"]


def _texts(seed: int) -> list[str]:
    rng = np.random.default_rng(seed)
    texts = ["".join(rng.choice(ALPHABET, size=int(rng.integers(0, 20)))) for _ in range(400)]
    return [*texts, "", "x", "ΑΣ ΟΔΟΣ", "共青团新乡市北园区委员会2023年收入总计103.52万元。"]


@pytest.mark.parametrize("seed", range(3))
@pytest.mark.parametrize("ngrams", [(2, 3), (1, 3), (1, 1), (2, 2), (3, 3)])
def test_same_matrix_as_scikit_learn(seed: int, ngrams: tuple[int, int]) -> None:
    texts = _texts(seed)
    expected = CountVectorizer(analyzer="char", ngram_range=ngrams).fit_transform(texts).tocsr()
    expected.sort_indices()
    found = char_ngram_counts(texts, *ngrams)
    assert found.shape == expected.shape
    assert found.dtype == np.float64
    assert np.array_equal(found.indptr, expected.indptr)
    assert np.array_equal(found.indices, expected.indices)
    assert np.array_equal(found.data, expected.data.astype(np.float64))


def test_longer_ngrams_are_refused_not_mixed_up() -> None:
    with pytest.raises(ValueError, match="1 to 3"):
        char_ngram_counts(["预算支出"], 2, 4)
