"""Character n-gram counts of many short texts, the matrix scikit-learn's
``CountVectorizer(analyzer="char", ngram_range=(lo, hi))`` makes, computed on arrays.

scikit-learn cuts every text into n-gram strings in Python; at 80,000 distinct sentences a
block that took 5 s, as long as the whole pair search. Here every n-gram of every text is one
integer (its code points in base 0x110001, the shorter ones padded with 0), so the vocabulary
is ``np.unique`` of those integers. The integers sort as the strings do (code point by code
point, a prefix first), so the columns come in the order of scikit-learn's sorted vocabulary
and the matrix is the same entry for entry (``tests/test_char_ngrams.py``).
"""

from __future__ import annotations

import re

import numpy as np
from scipy import sparse

_WHITE_SPACES = re.compile(r"\s\s+")
"""scikit-learn's own whitespace rule (runs of two or more become one space)."""
_TEXTS = 8192
"""Texts whose n-grams are counted together."""
_BASE = 0x110001
"""One more than the largest code point, so 0 can pad an n-gram shorter than the longest."""


def _code_points(texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """All texts' code points end to end (after scikit-learn's lowercasing and whitespace
    rule), and where each text starts."""
    cleaned = [_WHITE_SPACES.sub(" ", text.lower()) for text in texts]
    lengths = np.fromiter((len(text) for text in cleaned), dtype=np.int64, count=len(cleaned))
    starts = np.concatenate(([0], np.cumsum(lengths)))
    joined = "".join(cleaned).encode("utf-32-le", errors="surrogatepass")
    return np.frombuffer(joined, dtype=np.uint32).astype(np.int64), starts


def _keys(texts: list[str], ngram_min: int, ngram_max: int) -> tuple[np.ndarray, np.ndarray]:
    """Every n-gram of the texts as one integer, and the text (row) it is in."""
    codes, starts = _code_points(texts)
    shifted = codes + 1
    lengths = np.diff(starts)
    doc_of = np.repeat(np.arange(len(texts)), lengths)
    position = np.arange(codes.size) - starts[doc_of]
    keys, rows = [], []
    for n in range(ngram_min, ngram_max + 1):
        fits = position + n <= lengths[doc_of]  # an n-gram starts here
        at = np.flatnonzero(fits)
        key = np.zeros(at.size, dtype=np.int64)
        for k in range(ngram_max):
            key *= _BASE
            if k < n:
                key += shifted[at + k]
        keys.append(key)
        rows.append(doc_of[at])
    return np.concatenate(keys), np.concatenate(rows)


def char_ngram_counts(texts: list[str], ngram_min: int, ngram_max: int) -> sparse.csr_matrix:
    """(texts × n-grams) counts, columns in sorted n-gram order, as float64.

    Made ``_TEXTS`` texts at a time against the vocabulary of all of them (issue 14: the
    arrays of every n-gram of 80,000 sentences at once took 350 MB); the matrix is the same,
    entry for entry, canonical (summed, sorted indices) either way."""
    if not 1 <= ngram_min <= ngram_max <= 3:
        raise ValueError(f"n-grams of 1 to 3 characters fit one 64-bit integer; got {ngram_min}–{ngram_max}")
    parts = [
        _keys(texts[start : start + _TEXTS], ngram_min, ngram_max) for start in range(0, max(len(texts), 1), _TEXTS)
    ]
    vocabulary = np.unique(np.concatenate([np.unique(keys) for keys, _ in parts]))
    blocks = []
    for start, (keys, rows) in zip(range(0, max(len(texts), 1), _TEXTS), parts, strict=True):
        block = sparse.csr_matrix(
            (np.ones(keys.size), (rows, np.searchsorted(vocabulary, keys))),
            shape=(len(texts[start : start + _TEXTS]), vocabulary.size),
        )
        block.sum_duplicates()
        block.sort_indices()
        blocks.append(block)
    counts = sparse.vstack(blocks, format="csr")
    counts.sum_duplicates()
    counts.sort_indices()
    return counts
