"""Benford tests: digits, Nigrini's MAD ranges and the sample-size guard."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from analysis.compare.benford import BenfordTest, benford_tests, leading_digits
from analysis.schema import frame


@pytest.mark.parametrize(
    "amount, one, two", [(294.06, 2, 29), (0.45, 4, 45), (9.99, 9, 99), (1000.0, 1, 10), (0.05, 5, 50)]
)
def test_leading_digits(amount, one, two):
    assert leading_digits(np.array([amount]), 1)[0] == one
    assert leading_digits(np.array([amount]), 2)[0] == two


def _benford_sample(n, seed=0):
    return 10 ** np.random.default_rng(seed).uniform(0, 5, n)  # log-uniform over whole decades obeys Benford


def test_benford_sample_conforms_closely():
    model = BenfordTest(n_digits=1, min_count=300).fit(_benford_sample(20_000))
    assert model.verdict_ == "close" and model.mad_ < 0.006
    two = BenfordTest(n_digits=2, min_count=1000, close=0.0012, acceptable=0.0018, marginal=0.0022).fit(
        _benford_sample(50_000)
    )
    assert two.verdict_ in ("close", "acceptable")


def test_uniform_first_digits_do_not_conform():
    amounts = np.random.default_rng(1).uniform(100, 999, 5000)
    model = BenfordTest(n_digits=1, min_count=300).fit(amounts)
    assert model.verdict_ == "nonconformity" and model.mad_ > 0.015
    assert model.excess_digits(top=1)[0][0] in range(5, 10)


def test_sample_size_guard_gives_no_verdict():
    model = BenfordTest(n_digits=1, min_count=300).fit(np.random.default_rng(1).uniform(100, 999, 299))
    assert model.n_ == 299 and model.verdict_ == "not_evaluated"
    assert np.isfinite(model.mad_)  # the MAD is still reported, only not judged


def test_non_positive_amounts_are_left_out():
    model = BenfordTest(min_count=1).fit(np.array([0.0, -5.0, 12.0, 3.0]))
    assert model.n_ == 2


def test_pools_per_department_region_and_all():
    amounts = _benford_sample(700, seed=3)
    items = frame(
        "line_items",
        [
            {
                "doc_id": f"d{i % 2}",
                "table_kind": "general_budget_expenditure",
                "row_role": "item",
                "column": "total",
                "amount": float(a),
            }
            for i, a in enumerate(amounts)
        ],
    )
    indicators = pl.DataFrame(
        {"doc_id": ["d0", "d1"], "department_id": ["a", "b"], "region": ["r", "r"], "is_reference": [True, True]}
    )
    table = benford_tests(items, indicators)
    pools = set(table["pool"])
    assert pools == {"全部", "地区:r", "a", "b"}
    first = {r["pool"]: r for r in table.filter(pl.col("test") == "first_digit").to_dicts()}
    assert first["全部"]["n"] == 700 and first["全部"]["verdict"] != "not_evaluated"
    assert first["a"]["n"] == 350 and first["a"]["verdict"] != "not_evaluated"
    second = {r["pool"]: r for r in table.filter(pl.col("test") == "first_two").to_dicts()}
    assert second["a"]["verdict"] == "not_evaluated"  # 350 < 1000
