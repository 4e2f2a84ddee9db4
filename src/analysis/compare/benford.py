"""Benford first-digit and first-two-digit tests on pooled line-item amounts.

Conformity is judged by the mean absolute deviation (MAD) between observed and Benford digit
proportions, with Nigrini's ranges (Forensic Analytics, 2012, table 7.1: first digit 0.006 /
0.012 / 0.015, first two digits 0.0012 / 0.0018 / 0.0022; ``metadata/compare/settings.toml``).
A pool smaller than the test's ``min_count`` gets no verdict ("not_evaluated"): MAD ranges are
calibrated on large samples, and a department's few hundred amounts are often too few.

Amounts are pooled per department (all its documents), per region and over the whole batch;
each document contributes its distinct amounts of item rows (a figure printed in three tables
counts once). Only department pools become findings; the others are context in the table.
"""

from __future__ import annotations

import json

import numpy as np
import polars as pl
from sklearn.base import BaseEstimator
from sklearn.utils.validation import check_array

from analysis.compare.inputs import Table, collect
from analysis.compare.peers import settings
from analysis.kinds import Kind
from analysis.schema import conform

TESTS = {"first_digit": 1, "first_two": 2}
_PERFORMANCE_TABLES = (Kind.DEPARTMENT_PERFORMANCE_TARGETS, Kind.PROJECT_PERFORMANCE_TARGETS)


def leading_digits(amounts: np.ndarray, n_digits: int) -> np.ndarray:
    """First ``n_digits`` significant digits of positive amounts as integers (10–99 for two)."""
    values = np.asarray(amounts, dtype=float)
    exponent = np.floor(np.log10(values))
    scaled = values / np.power(10.0, exponent - (n_digits - 1))
    return np.floor(scaled + 1e-9).astype(int)


def benford_proportions(n_digits: int) -> tuple[np.ndarray, np.ndarray]:
    digits = np.arange(10 ** (n_digits - 1), 10**n_digits)
    return digits, np.log10(1 + 1 / digits)


class BenfordTest(BaseEstimator):
    """Nigrini MAD conformity of a set of amounts to Benford's law.

    Parameters
    ----------
    n_digits : {1, 2}, default=1
    min_count : int, default=300
        Fewer positive amounts: no verdict (``verdict_ = "not_evaluated"``).
    close, acceptable, marginal : float
        Upper MAD bounds of the conformity ranges; above ``marginal`` is nonconformity.

    Attributes
    ----------
    n_ : int
    observed_, expected_ : ndarray
        Digit proportions (digits 1–9 or 10–99).
    mad_ : float
    verdict_ : str
    """

    def __init__(self, n_digits=1, min_count=300, close=0.006, acceptable=0.012, marginal=0.015):
        self.n_digits = n_digits
        self.min_count = min_count
        self.close = close
        self.acceptable = acceptable
        self.marginal = marginal

    def fit(self, X, y=None):
        """Count leading digits of the positive values in X (any shape); returns ``self``."""
        values = np.asarray(X, dtype=np.float64).ravel()  # no amounts (narrative-only documents): n = 0
        if values.size:
            values = check_array(values, ensure_2d=False, dtype=np.float64).ravel()
        return self._fit_checked(values)

    def _fit_checked(self, values: np.ndarray):
        """:meth:`fit` on values already validated (finite float64, one dimension): the
        pools of one batch are parts of one column, checked once (``benford_tests``)."""
        if self.n_digits not in (1, 2):
            raise ValueError("n_digits must be 1 or 2")
        values = values[values > 0]
        digits, self.expected_ = benford_proportions(self.n_digits)
        self.n_ = int(values.size)
        counts = (
            np.bincount(leading_digits(values, self.n_digits) - digits[0], minlength=digits.size)
            if self.n_
            else np.zeros(digits.size)
        )
        self.observed_ = counts[: digits.size] / max(self.n_, 1)
        self.mad_ = float(np.mean(np.abs(self.observed_ - self.expected_))) if self.n_ else float("nan")
        if self.n_ < self.min_count:
            self.verdict_ = "not_evaluated"
        elif self.mad_ <= self.close:
            self.verdict_ = "close"
        elif self.mad_ <= self.acceptable:
            self.verdict_ = "acceptable"
        elif self.mad_ <= self.marginal:
            self.verdict_ = "marginal"
        else:
            self.verdict_ = "nonconformity"
        return self

    def excess_digits(self, top=3) -> list[tuple[int, float, float]]:
        """The most over-represented digits: (digit, observed share, expected share)."""
        digits, _ = benford_proportions(self.n_digits)
        order = np.argsort(-(self.observed_ - self.expected_))[:top]
        return [(int(digits[k]), round(float(self.observed_[k]), 4), round(float(self.expected_[k]), 4)) for k in order]


def pooled_amounts(line_items: Table, indicators: pl.DataFrame) -> pl.DataFrame:
    """Distinct positive item amounts per document, with the document's department
    (``line_items`` may be a lazy scan: two columns of the rows kept are read)."""
    min_amount = settings()["benford"]["min_amount"]
    amounts = collect(
        line_items.lazy()
        .filter(
            (pl.col("row_role") == "item")
            & (pl.col("amount") > min_amount)
            & ~pl.col("column").str.starts_with("prev_")
            & ~pl.col("table_kind").is_in(_PERFORMANCE_TABLES)
        )
        .select("doc_id", "amount")
        .unique()
    )
    return amounts.join(
        indicators.filter(pl.col("is_reference")).select("doc_id", "department_id", "region"), on="doc_id"
    )


def benford_tests(line_items: Table, indicators: pl.DataFrame) -> pl.DataFrame:
    """One row per pool (each department, and 全部) and test (the ``benford`` table)."""
    params = settings()["benford"]
    amounts = pooled_amounts(line_items, indicators)
    if amounts.height:  # what every pool's fit would check, once (3,300 pools at 10,000 documents)
        check_array(amounts["amount"].to_numpy(), ensure_2d=False, dtype=np.float64)

    def by(column):
        return (
            amounts.filter(pl.col(column).is_not_null()).partition_by(column, as_dict=True, maintain_order=True).items()
        )

    pools = (
        [("全部", amounts)]
        + [(f"地区:{key[0]}", part) for key, part in by("region")]
        + [(key[0], part) for key, part in by("department_id")]
    )
    rows = []
    for pool, part in pools:
        for test, n_digits in TESTS.items():
            limits = params[test]
            model = BenfordTest(
                n_digits=n_digits,
                min_count=limits["min_count"],
                close=limits["close"],
                acceptable=limits["acceptable"],
                marginal=limits["marginal"],
            )._fit_checked(part["amount"].to_numpy().astype(np.float64, copy=False))
            rows.append(
                {
                    "pool": pool,
                    "test": test,
                    "n": model.n_,
                    "n_documents": part["doc_id"].n_unique(),
                    "mad": model.mad_,
                    "verdict": model.verdict_,
                    "min_count": limits["min_count"],
                    "excess_digits": json.dumps(model.excess_digits(), ensure_ascii=False),
                    "shares": json.dumps([round(float(s), 6) for s in model.observed_]),
                }
            )
    return conform("benford", pl.DataFrame(rows)) if rows else conform("benford", pl.DataFrame())
