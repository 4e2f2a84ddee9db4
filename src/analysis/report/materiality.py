"""What is at stake in each finding: ``amount_at_stake`` (万元) and ``share_of_total``, its share
of the department's total expenditure (支出总计) that year.

Which number of a finding is an amount depends on the rule: an arithmetic or cross-table finding
puts |actual − expected| in doubt, a classification or plausibility finding the amount it is
about, and a percentage, code or template finding has no amount at all. That choice is data
(``metadata/report/materiality.csv``: a rule id overrides its category); a rule it does not name
has no amount, so nothing is ever ranked on a number that is not in 万元.
"""

from __future__ import annotations

from functools import cache

import polars as pl

from analysis.metadata import load_csv

BASES = ("difference", "actual", "expected", "none")


@cache
def bases() -> dict[str, str]:
    """Rule id or category → which number is the amount at stake."""
    table = {r["key"]: r["basis"] for r in load_csv("report/materiality.csv")}
    unknown = sorted(set(table.values()) - set(BASES))
    if unknown:
        raise ValueError(f"materiality.csv: unknown basis {unknown}")
    return table


def _basis(rule: pl.Expr, category: pl.Expr) -> pl.Expr:
    table = bases()
    return rule.replace_strict(table, default=None, return_dtype=pl.String).fill_null(
        category.replace_strict(table, default="none", return_dtype=pl.String)
    )


def department_totals(documents: pl.DataFrame) -> pl.DataFrame:
    """doc_id → the total expenditure a finding's share is taken of: the document's own 支出总计,
    or, for a narrative file paired with its tables file, the tables file's."""
    own = (
        documents.select("doc_id", "paired_doc_id", "total_expenditure")
        .filter(pl.col("doc_id").is_not_null())
        .unique("doc_id", keep="first")
    )
    paired = own.select(pl.col("doc_id").alias("paired_doc_id"), pl.col("total_expenditure").alias("_paired"))
    return own.join(paired, on="paired_doc_id", how="left").select(
        "doc_id", pl.coalesce("total_expenditure", "_paired").alias("_total")
    )


def with_materiality(findings: pl.DataFrame, documents: pl.DataFrame) -> pl.DataFrame:
    """``findings`` with ``amount_at_stake`` and ``share_of_total`` filled (null where the rule has
    no amount, or the document no positive total)."""
    basis = _basis(pl.col("rule"), pl.col("category"))
    gap = pl.coalesce((pl.col("actual") - pl.col("expected")).abs(), pl.col("difference").abs())
    stake = (
        pl.when(basis == "difference")
        .then(gap)
        .when(basis == "actual")
        .then(pl.col("actual").abs())
        .when(basis == "expected")
        .then(pl.col("expected").abs())
    )
    totals = department_totals(documents)
    return (
        findings.drop("amount_at_stake", "share_of_total", strict=False)
        .join(totals, on="doc_id", how="left", maintain_order="left")
        .with_columns(stake.round(6).cast(pl.Float64).alias("amount_at_stake"))
        .with_columns(
            pl.when(pl.col("_total") > 0)
            .then(pl.col("amount_at_stake") / pl.col("_total"))
            .cast(pl.Float64)
            .alias("share_of_total")
        )
        .drop("_total")
    )
