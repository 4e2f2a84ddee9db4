"""The bounded prefix-filter pair search finds exactly the pairs the all-against-all product
finds: on random matrices, and on templated sentences whose every department prints its own
figures (the case that made the prefix filter quadratic and that the bounds are for)."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import sparse
from sklearn.preprocessing import normalize

from analysis.compare import similar_pairs as search
from analysis.compare.char_ngrams import char_ngram_counts
from analysis.compare.similar_pairs import candidate_count, search_counts, similar_pairs
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


TEMPLATES = [
    "{name}{year}年收入总计{a}万元，支出总计{b}万元，与上年相比增加{c}万元，增长{p}%。",
    "{name}{year}年一般公共预算基本支出{a}万元，其中人员经费{b}万元，公用经费{c}万元。",
    "截至{year}年底，{name}共有车辆{n}辆，其中一般公务用车{m}辆，执法执勤用车{k}辆。",
    "{name}{year}年机关运行经费预算{a}万元，比上年减少{c}万元，下降{p}%，主要原因是压减非刚性支出。",
    "人员经费{a}万元，主要包括：{items}。",
]
ITEMS = ["基本工资", "津贴补贴", "奖金", "伙食补助费", "绩效工资", "养老保险缴费", "医疗费", "住房公积金", "退休费"]
NAMES = ["统计局", "审计局", "商务局", "水利局", "司法局", "档案馆", "民政局", "教育局", "卫健委", "林业局"]


def _templated(seed: int, departments: int) -> list[str]:
    """Every department's sentences of every template with its own figures, plus a few copies
    of another department's sentence with one figure changed (the near-identical pairs)."""
    rng = np.random.default_rng(seed)

    def amount() -> str:
        return f"{rng.uniform(1, 9999):.2f}"

    sentences = []
    for d in range(departments):
        name = f"新乡市{NAMES[d % len(NAMES)]}{d // len(NAMES) or ''}"
        for template in TEMPLATES:
            items = "、".join(rng.choice(ITEMS, size=int(rng.integers(4, len(ITEMS))), replace=False))
            sentences.append(
                template.format(
                    name=name, year=2020 + int(rng.integers(0, 5)), a=amount(), b=amount(), c=amount(),
                    p=f"{rng.uniform(0, 30):.2f}", n=int(rng.integers(0, 30)), m=int(rng.integers(0, 20)),
                    k=int(rng.integers(0, 10)), items=items,
                )
            )  # fmt: skip
    for _ in range(departments // 3):
        copy = sentences[int(rng.integers(len(sentences)))]
        digit = next((ch for ch in copy if ch.isdigit()), "0")
        sentences.append(copy.replace(digit, str((int(digit) + 1) % 10), 1))
    return sorted(set(sentences))


def _tfidf(sentences: list[str]) -> sparse.csr_matrix:
    counts = char_ngram_counts(sentences, 2, 3)
    df = np.bincount(counts.indices, minlength=counts.shape[1])
    idf = np.log((1 + len(sentences)) / (1 + df)) + 1
    return normalize(counts @ sparse.diags(idf)).tocsr()


def _pairs(found: tuple[np.ndarray, np.ndarray]) -> set[tuple[int, int]]:
    return set(zip(found[0].tolist(), found[1].tolist(), strict=True))


@pytest.mark.parametrize("seed", range(5))
@pytest.mark.parametrize("threshold", [0.5, 0.8, 0.9, 0.99])
def test_same_pairs_as_every_row_against_every_other(seed: int, threshold: float) -> None:
    rows = _rows(seed)
    expected = _pairs(all_pairs(rows, threshold))
    found = _pairs(similar_pairs(rows, threshold, chunk=37, verify_batch=101))
    assert found == expected
    assert all((j, i) in found for i, j in found)


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("threshold", [0.7, 0.85, 0.9, 0.95])
def test_templated_sentences_with_their_own_figures(seed: int, threshold: float) -> None:
    """Long prefixes (0.7) and short ones (0.95); pieces of 50 rows, so rows pair across pieces."""
    rows = _tfidf(_templated(seed, departments=60))
    expected = _pairs(all_pairs(rows, threshold))
    assert expected  # the planted copies are near-identical
    assert _pairs(similar_pairs(rows, threshold, chunk=50)) == expected


@pytest.mark.parametrize(("breakpoints", "groups"), [(1, (1,)), (2, (3, 7)), (8, (1024,)), (500, (64, 8, 512))])
def test_bounds_at_any_resolution_keep_every_pair(monkeypatch, breakpoints: int, groups: tuple[int, ...]) -> None:
    """The bounds hold with one breakpoint and one group (the loosest) up to more than there
    are features (the tightest), in any order of group sizes."""
    monkeypatch.setattr(search, "_BREAKPOINTS", breakpoints)
    monkeypatch.setattr(search, "_GROUPS", groups)
    for seed in range(3):
        rows = _tfidf(_templated(seed, departments=40))
        assert _pairs(similar_pairs(rows, 0.85, chunk=64)) == _pairs(all_pairs(rows, 0.85))
        random_rows = _rows(seed + 10)
        assert _pairs(similar_pairs(random_rows, 0.8, chunk=16)) == _pairs(all_pairs(random_rows, 0.8))


def test_the_bounds_set_aside_most_template_candidates() -> None:
    """Template variants share an amount's digits by chance and are candidates; the bounds
    drop most of them, and keep at least the true pairs."""
    rows = _tfidf(_templated(0, departments=150))
    counts = search_counts(rows, 0.9)
    true_pairs = len(_pairs(all_pairs(rows, 0.9))) // 2
    assert counts["candidates"] == candidate_count(rows, 0.9)
    assert true_pairs <= counts["bounded"] < 0.25 * counts["candidates"]


def test_pairs_come_sorted_both_ways_round_and_the_matrix_is_left_alone() -> None:
    rows = _rows(3)
    before = rows.copy()
    i, j = similar_pairs(rows, 0.8)
    assert (rows != before).nnz == 0 and np.array_equal(rows.indices, before.indices)
    half = i.size // 2
    assert np.array_equal(i[:half], j[half:]) and np.array_equal(j[:half], i[half:])
    assert (i[:half] < j[:half]).all()
    assert np.array_equal(np.lexsort((j[:half], i[:half])), np.arange(half))


@pytest.mark.parametrize(
    "matrix",
    [sparse.csr_matrix((0, 5)), sparse.csr_matrix((3, 5)), sparse.csr_matrix((2, 0)), sparse.identity(4, format="csr")],
)
def test_nothing_to_pair(matrix: sparse.csr_matrix) -> None:
    i, j = similar_pairs(matrix, 0.9)
    assert i.size == j.size == 0
    assert search_counts(matrix, 0.9) == {"candidates": 0, "bounded": 0}


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
    found = _pairs(similar_pairs(doubled, 0.9))
    assert found == _pairs(all_pairs(doubled, 0.9))
    assert (0, 200) in found and (1, 201) in found
