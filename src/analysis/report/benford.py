"""The first-digit (Benford) screen as the report shows it: the compare stage's test over the
whole batch (``benford`` table, pool 全部, first digit), never a second computation.

The compare stage (``analysis.compare.benford``) pools each document's distinct item amounts and
judges conformity by Nigrini's MAD ranges; the report draws its observed shares against
Benford's and says its verdict in words (``labels.toml`` ``[benford_verdict]``).
"""

from __future__ import annotations

import json
import math

import polars as pl

from analysis.report.labels import labels

EXPECTED = {d: math.log10(1 + 1 / d) for d in range(1, 10)}
POOL, TEST = "全部", "first_digit"


def overall(benford: pl.DataFrame) -> dict | None:
    """The batch-wide first-digit row of the compare stage's ``benford`` table, if any."""
    if benford.is_empty() or "shares" not in benford.columns:
        return None
    rows = benford.filter((pl.col("pool") == POOL) & (pl.col("test") == TEST)).to_dicts()
    return rows[0] if rows else None


def digit_table(benford: pl.DataFrame) -> pl.DataFrame:
    """digit, count, observed share and Benford's expected share, for digits 1–9."""
    row = overall(benford)
    shares = json.loads(row["shares"]) if row and row["shares"] else [0.0] * 9
    n = row["n"] if row else 0
    return pl.DataFrame(
        {
            "digit": list(EXPECTED),
            "count": [round(s * n) for s in shares],
            "observed": [float(s) for s in shares],
            "expected": list(EXPECTED.values()),
        }
    )


def mean_absolute_deviation(benford: pl.DataFrame) -> float | None:
    """The compare stage's MAD (None when it counted nothing)."""
    row = overall(benford)
    if row is None or not row["n"] or row["mad"] is None or math.isnan(row["mad"]):
        return None
    return float(row["mad"])


def verdict(benford: pl.DataFrame) -> str:
    """The compare stage's conformity verdict in words."""
    row = overall(benford)
    if row is None or not row["n"]:
        return labels()["text"]["none"]
    return labels()["benford_verdict"].get(row["verdict"], row["verdict"])
