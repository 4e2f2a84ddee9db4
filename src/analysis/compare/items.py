"""Project names → item types (误餐费, 工装费, 物业及安保保洁, 信息化, 党建 …), as data.

``metadata/compare/item_types.csv`` lists keyword → item type; the first row whose keyword
occurs in the name wins, so more specific keywords stand first (从业人员、保安保洁工资 is labour,
not security). Per-capita comparisons of DOMAIN §6.3 (误餐 per staff, 工装 per staff) divide
these amounts by the document's headcount.
"""

from __future__ import annotations

import json
from functools import cache

import polars as pl

from analysis.compare.inputs import Table, collect
from analysis.kinds import Kind
from analysis.metadata import load_csv

ITEM_TABLE = Kind.PROJECT_EXPENDITURE
"""B10 项目支出表: one row per project with its total (DOMAIN §1.1)."""


@cache
def _rules() -> tuple[tuple[str, str], ...]:
    return tuple((r["keyword"], r["item_type"]) for r in load_csv("compare/item_types.csv"))


@cache
def item_labels() -> dict[str, str]:
    """item_type → Chinese label."""
    return {r["item_type"]: r["label_zh"] for r in load_csv("compare/item_types.csv")}


@cache
def classify_project(name: str | None) -> str | None:
    """Item type of one project name, or None when no keyword matches."""
    if not name:
        return None
    compact = "".join(name.split())
    return next((item for keyword, item in _rules() if keyword in compact), None)


def item_amounts(line_items: Table, documents: pl.DataFrame) -> pl.DataFrame:
    """Per document and item type: amount (万元) and the project rows it sums.

    Only project rows of the project table's ``total`` column count: budget-unit rows (a unit
    code, the department's own name, or a name ending in 本级) are subtotals, not projects. A
    project printed twice is counted once per name.
    """
    schema = {"doc_id": pl.String, "item_type": pl.String, "amount": pl.Float64, "source": pl.String}
    cells = collect(
        line_items.lazy()
        .filter(
            (pl.col("table_kind") == ITEM_TABLE)
            & (pl.col("row_role") == "item")
            & (pl.col("column") == "total")
            & pl.col("amount").is_not_null()
        )
        .select("doc_id", "project_name", "row_label", "unit_code", "amount", "page", "line")
    )
    if cells.is_empty():
        return pl.DataFrame(schema=schema)
    rows = (
        cells.with_columns(pl.coalesce("project_name", "row_label").alias("name"))
        .join(documents.select("doc_id", "department"), on="doc_id", how="left")
        .filter(
            pl.col("unit_code").is_null()
            & ~pl.col("name").str.ends_with("本级")
            & (pl.col("name") != pl.col("department").fill_null(""))
        )
        .unique(["doc_id", "name"], keep="first", maintain_order=True)
    )
    if rows.is_empty():
        return pl.DataFrame(schema=schema)
    names = rows["name"].unique().to_list()
    lookup = pl.DataFrame(
        {"name": names, "item_type": [classify_project(n) for n in names]},
        schema={"name": pl.String, "item_type": pl.String},
    )
    typed = rows.join(lookup, on="name", how="left").filter(pl.col("item_type").is_not_null())
    where = pl.concat_str([pl.format("第{}页", "page"), pl.format("第{}行", "line")], ignore_nulls=True)
    typed = typed.with_columns(pl.format("项目支出表“{}” {} 万元 {}", "name", "amount", where).alias("piece"))
    return (
        typed.group_by("doc_id", "item_type", maintain_order=True)
        .agg(pl.col("amount").sum(), pl.col("piece").str.join("；").alias("source"))
        .select(list(schema))
    )


def item_json(amounts: pl.DataFrame) -> pl.DataFrame:
    """Per document: a JSON object item_type → 万元 (every classified item type)."""
    if amounts.is_empty():
        return pl.DataFrame(schema={"doc_id": pl.String, "item_amounts": pl.String})
    grouped = amounts.group_by("doc_id", maintain_order=True).agg("item_type", "amount")
    return grouped.select(
        "doc_id",
        pl.struct("item_type", "amount")
        .map_elements(
            lambda s: json.dumps(dict(zip(s["item_type"], (round(a, 2) for a in s["amount"]))), ensure_ascii=False),
            return_dtype=pl.String,
        )
        .alias("item_amounts"),
    )
