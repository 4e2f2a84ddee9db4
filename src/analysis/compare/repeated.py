"""The same distinctive amounts in two departments' documents of one year (copied tables, E).

An amount is distinctive when it has at least ``min_significant_digits`` significant digits
and is not a whole number of 万元 (round sums such as 20.00 万元 recur by design). Amounts that
occur in more than ``max_departments`` departments are standards (定额, a shared allocation),
not copies. Two departments are reported when they share at least ``min_shared`` distinctive
amounts making up ``min_shared_share`` of the smaller document's distinctive amounts: one shared
figure is a coincidence, a shared block of figures is a copied table.
"""

from __future__ import annotations

import polars as pl

from analysis.compare.inputs import Table, collect
from analysis.compare.peers import settings
from analysis.kinds import Kind

REPEAT_SCHEMA = pl.Schema(
    {
        "doc_id": pl.String(),
        "other_doc_id": pl.String(),
        "other_department": pl.String(),
        "n_shared": pl.Int64(),
        "n_distinctive": pl.Int64(),
        "share": pl.Float64(),
        "amounts": pl.List(pl.Float64()),
        "block_median_shared": pl.Float64(),
        "block_documents": pl.Int64(),
    }
)
_PERFORMANCE_TABLES = (Kind.DEPARTMENT_PERFORMANCE_TARGETS, Kind.PROJECT_PERFORMANCE_TARGETS)


def significant_digits(amount_wan: pl.Expr) -> pl.Expr:
    """Significant digits of an amount in 万元, read to the 元 (1e-4 万元)."""
    yuan = (amount_wan.abs() * 10_000).round(0).cast(pl.Int64).cast(pl.String)
    return yuan.str.strip_chars_end("0").str.len_chars()


def distinctive_amounts(line_items: Table, indicators: pl.DataFrame) -> pl.DataFrame:
    """Distinct distinctive item amounts per reference document (``line_items`` may be a lazy
    scan: two columns of the rows kept are read)."""
    params = settings()["repeated_amounts"]
    amount = pl.col("amount")
    keep = (
        (pl.col("row_role") == "item")
        & (amount > 0)
        & ~pl.col("column").str.starts_with("prev_")
        & ~pl.col("table_kind").is_in(_PERFORMANCE_TABLES)
        & (significant_digits(amount) >= params["min_significant_digits"])
    )
    if params["skip_whole_wan"]:
        keep = keep & ((amount * 100).round(0) % 100 != 0)
    docs = indicators.filter(pl.col("is_reference")).select(
        "doc_id", "department_id", "department", "fiscal_year", "doc_type"
    )
    amounts = collect(line_items.lazy().filter(keep).select("doc_id", amount.round(4).alias("amount")).unique())
    return amounts.join(docs, on="doc_id")


def repeated_amounts(line_items: Table, indicators: pl.DataFrame) -> pl.DataFrame:
    """One row per document and other department sharing a block of distinctive amounts."""
    return shared_amounts(distinctive_amounts(line_items, indicators))


def shared_amounts(amounts: pl.DataFrame) -> pl.DataFrame:
    """:func:`repeated_amounts` from the distinctive amounts already found (the compare stage
    finds them once for this and for the evaluations)."""
    params = settings()["repeated_amounts"]
    if amounts.is_empty():
        return pl.DataFrame(schema=REPEAT_SCHEMA)
    block = ["fiscal_year", "doc_type"]
    spread = amounts.group_by(*block, "amount").agg(pl.col("department_id").n_unique().alias("n_dept"))
    amounts = amounts.join(spread, on=[*block, "amount"]).filter(pl.col("n_dept") <= params["max_departments"])
    sizes = amounts.group_by("doc_id").agg(pl.len().alias("n_distinctive"))
    other = amounts.select(
        *block,
        "amount",
        pl.col("doc_id").alias("other_doc_id"),
        pl.col("department_id").alias("other_id"),
        pl.col("department").alias("other_department"),
    )
    pairs = amounts.join(other, on=[*block, "amount"]).filter(pl.col("department_id") != pl.col("other_id"))
    shared = pairs.group_by("doc_id", "other_doc_id", "other_department", *block).agg(
        pl.len().alias("n_shared"), pl.col("amount").sort().alias("amounts")
    )
    shared = shared.join(sizes, on="doc_id").join(
        sizes.rename({"doc_id": "other_doc_id", "n_distinctive": "_other_n"}), on="other_doc_id"
    )
    shared = shared.with_columns((pl.col("n_shared") / pl.min_horizontal("n_distinctive", "_other_n")).alias("share"))
    best = shared.group_by("doc_id").agg(pl.col("n_shared").max())
    context = (
        amounts.select("doc_id", *block)
        .unique()
        .join(best, on="doc_id", how="left")
        .with_columns(pl.col("n_shared").fill_null(0))
        .group_by(block)
        .agg(pl.col("n_shared").median().alias("block_median_shared"), pl.len().alias("block_documents"))
    )
    found = shared.filter(
        (pl.col("n_shared") >= params["min_shared"]) & (pl.col("share") >= params["min_shared_share"])
    ).join(context, on=block)
    return found.select(list(REPEAT_SCHEMA)).cast(REPEAT_SCHEMA)
