"""First-digit (Benford) screen over printed amounts.

A corpus of independently arising amounts has first significant digits close to
log10(1 + 1/d). Budget tables are partly sums of each other, so the test is a coarse screen
for invented or copied figures across many documents, never evidence on its own. Digits are
read from the printed cell text (``raw_value``), not from the converted float, so that
0.3 stays a 3 and unit conversion does not move digits.
"""

from __future__ import annotations

import math
from typing import cast

import polars as pl

from analysis.report.labels import labels

EXPECTED = {d: math.log10(1 + 1 / d) for d in range(1, 10)}


def first_digits(line_items: pl.DataFrame) -> pl.Series:
    """First significant digit (1–9) of every parsed, non-total amount printed."""
    printed = line_items.filter((pl.col("value_status") == "value") & (pl.col("amount") != 0)
                                & (pl.col("row_role").fill_null("item") != "total"))
    digits = printed["raw_value"].str.extract(r"([1-9])", 1).cast(pl.Int64, strict=False)
    return digits.drop_nulls().alias("digit")


def digit_table(line_items: pl.DataFrame) -> pl.DataFrame:
    """digit, count, observed share and Benford's expected share, for digits 1–9."""
    digits = first_digits(line_items)
    counts = {d: 0 for d in range(1, 10)}
    for digit, n in digits.value_counts().iter_rows():
        counts[digit] = n
    total = sum(counts.values())
    return pl.DataFrame({
        "digit": list(counts),
        "count": list(counts.values()),
        "observed": [n / total if total else 0.0 for n in counts.values()],
        "expected": list(EXPECTED.values()),
    })


def mean_absolute_deviation(table: pl.DataFrame) -> float | None:
    """Nigrini's MAD between observed and expected shares (None when nothing was counted)."""
    if table["count"].sum() == 0:
        return None
    return float(cast(float, (table["observed"] - table["expected"]).abs().mean()))


def verdict(mad: float | None) -> str:
    """Conformity wording for a MAD value, from the bands in labels.toml."""
    if mad is None:
        return labels()["text"]["none"]
    return next(band["verdict"] for band in labels()["benford_band"] if mad <= band["upto"])
