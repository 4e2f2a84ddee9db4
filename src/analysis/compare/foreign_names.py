"""Narrative written in another department's name: a copy whose original is not in the batch.

Pairwise comparison (:mod:`analysis.compare.text_reuse`) finds a copied narrative only when
the original is published in the batch. When department A copied B's draft and B then
published something else (or copied in turn), A's narrative still speaks of B: "B 2025 年收入总计
…". A document is reported when another department of the batch is named in at least
``min_foreign_mentions`` of its narrative sentences and more often than the document's own name
— a department legitimately mentions another (区财政局, a partner bureau) once or twice, not
section after section.
"""

from __future__ import annotations

from typing import cast

import polars as pl

from analysis.compare.peers import settings

FOREIGN_SCHEMA = pl.Schema(
    {
        "doc_id": pl.String,
        "other_department": pl.String,
        "n_other": pl.Int64,
        "n_own": pl.Int64,
        "excerpt": pl.String,
        "line": pl.Int64,
        "page": pl.Int64,
        "block_median": pl.Float64,
        "block_documents": pl.Int64,
    }
)


def foreign_mentions(sentences: pl.DataFrame) -> pl.DataFrame:
    """Per document: the most-named other department, how often, and the own name's count."""
    params = settings()["text_reuse"]
    found = []
    for _, block in sentences.group_by(["fiscal_year", "doc_type"]):
        names = block.select("department", "department_id").unique().drop_nulls()
        if names.height < 2:
            continue
        owner = dict(names.iter_rows())
        marked = block.with_columns(
            pl.col("sentence")
            .str.extract_many(names["department"].to_list(), overlapping=False)
            .list.unique()
            .alias("named")
        )
        mentions = (
            marked.explode("named")
            .filter(pl.col("named").is_not_null())
            .with_columns(pl.col("named").replace_strict(owner, default=None).alias("named_id"))
        )
        own = (
            mentions.filter(pl.col("named_id") == pl.col("department_id"))
            .group_by("doc_id")
            .agg(pl.col("sid").n_unique().alias("n_own"))
        )
        other = (
            mentions.filter(pl.col("named_id") != pl.col("department_id"))
            .group_by("doc_id", "named")
            .agg(
                pl.col("sid").n_unique().alias("n_other"),
                pl.col("sentence").first().alias("excerpt"),
                pl.col("line").min(),
                pl.col("page").min(),
            )
            .sort(["doc_id", "n_other"], descending=[False, True])
            .unique("doc_id", keep="first")
        )
        docs = block.select("doc_id").unique()
        counts = (
            docs.join(other, on="doc_id", how="left")
            .join(own, on="doc_id", how="left")
            .with_columns(pl.col("n_other").fill_null(0), pl.col("n_own").fill_null(0))
        )
        found.append(
            counts.with_columns(
                pl.lit(float(cast(float, counts["n_other"].median()))).alias("block_median"),
                pl.lit(counts.height).alias("block_documents"),
            )
        )
    if not found:
        return pl.DataFrame(schema=FOREIGN_SCHEMA)
    result = pl.concat(found).rename({"named": "other_department"})
    result = result.filter(
        (pl.col("n_other") >= params["min_foreign_mentions"]) & (pl.col("n_other") > pl.col("n_own"))
    )
    return result.select(list(FOREIGN_SCHEMA)).cast(FOREIGN_SCHEMA)
