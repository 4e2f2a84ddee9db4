"""Peer groups: who a document is compared with (DOMAIN §6.5).

The peer key is government level, region, department kind (from the name,
``metadata/compare/department_kinds.csv``) and main function class (the 支出功能分类 类 with
the most money in the document's line items), always within one document type (预算 or 决算)
and, except at the widest level, one fiscal year. When the full key holds fewer than
``min_group_size`` comparable documents the key is widened along the lattice in
``metadata/compare/settings.toml`` (full key → drop kind → drop function → level only → all
documents of the type, every year), and the level used is recorded, so a reader sees how wide
the comparison had to be. A document whose widest group is still too small is "not evaluated".

Only one document per department, year and type counts as a peer (a department published as
text and PDF, or as 部门 and 单位 budgets, would otherwise be its own peer).
"""

from __future__ import annotations

import re
from functools import cache

import polars as pl

from analysis.classification import function_classes
from analysis.compare.inputs import Table, collect
from analysis.departments import LEVEL_LABELS
from analysis.metadata import load_csv, load_toml

DOC_TYPE_LABELS = {"budget": "预算", "final_account": "决算"}


@cache
def settings() -> dict:
    return load_toml("compare/settings.toml")


@cache
def _kind_rules() -> tuple[tuple[re.Pattern, str, str], ...]:
    return tuple((re.compile(r["pattern"]), r["kind"], r["label_zh"]) for r in load_csv("compare/department_kinds.csv"))


@cache
def kind_labels() -> dict[str, str]:
    return {kind: label for _, kind, label in _kind_rules()}


@cache
def department_kind(core_name: str | None) -> str:
    """Kind of a department from its region-less name (first matching rule)."""
    for pattern, kind, _ in _kind_rules():
        if pattern.search(core_name or ""):
            return kind
    return "agency"


@cache
def function_class_names() -> dict[str, str]:
    """类 code → current name (the latest row of the catalogue wins)."""
    return {entry.code: entry.name for entry in function_classes()}


def main_function_class(line_items: Table) -> pl.DataFrame:
    """Per document, the 类 with the most money over its function-coded rows.

    Each printed row counts with its largest amount (the row total), every table alike, so a
    class printed in several tables keeps its relative weight. ``line_items`` may be a lazy
    scan: only the five columns read here are loaded, only the coded rows kept.
    """
    schema = {"doc_id": pl.String, "function_class": pl.String}
    coded = collect(
        line_items.lazy()
        .filter(pl.col("func_code").is_not_null() & (pl.col("amount") > 0) & ~pl.col("column").str.starts_with("prev_"))
        .select("doc_id", "table_index", "row_index", "func_code", "amount")
    )
    if coded.is_empty():
        return pl.DataFrame(schema=schema)
    rows = coded.group_by("doc_id", "table_index", "row_index").agg(
        pl.col("func_code").first().str.slice(0, 3).alias("function_class"), pl.col("amount").max()
    )
    totals = rows.group_by("doc_id", "function_class").agg(pl.col("amount").sum())
    return (
        totals.sort(["doc_id", "amount", "function_class"], descending=[False, True, False])
        .unique("doc_id", keep="first", maintain_order=True)
        .select(list(schema))
    )


def representatives(indicators: pl.DataFrame) -> pl.Series:
    """True for the one document per department, year and type that stands for it among peers."""
    ranked = indicators.with_row_index("_row").sort(
        [
            pl.col("status") != "ok",
            pl.col("level") != "department",
            pl.col("n_line_items").fill_null(0),
            pl.col("doc_id"),
        ],
        descending=[False, False, True, False],
        nulls_last=True,
    )
    chosen = ranked.unique(["department_id", "fiscal_year", "doc_type"], keep="first")["_row"]
    return pl.Series("is_reference", indicators.with_row_index("_row")["_row"].is_in(chosen.implode()))


def lattice() -> list[dict]:
    """Levels of the peer lattice, narrowest first: ``{"name", "keys", "label"}``."""
    return settings()["peers"]["lattice"]


def _part(column: str) -> pl.Expr:
    value = pl.col(column).cast(pl.String).fill_null("?")
    if column == "gov_level":
        return value.replace(LEVEL_LABELS)
    if column == "department_kind":
        return value.replace(kind_labels())
    if column == "function_class":
        return pl.concat_str([value, value.replace_strict(function_class_names(), default="")], separator=" ")
    if column == "fiscal_year":
        return pl.concat_str([value, pl.lit("年")])
    return value


def group_key(level: dict) -> pl.Expr:
    """Machine key of a lattice level: document type plus the level's key columns."""
    parts = [pl.col("doc_type").fill_null("?")] + [pl.col(k).cast(pl.String).fill_null("?") for k in level["keys"]]
    return pl.concat_str([pl.lit(level["name"]), *parts], separator="|")


def group_name(level: dict) -> pl.Expr:
    """Readable name of a document's group at a lattice level, e.g. 2025年·区县级·新乡市东湖区·预算."""
    parts = [_part(k) for k in level["keys"]] or [pl.lit("全部地区和年度")]
    doc_type = pl.col("doc_type").replace_strict(DOC_TYPE_LABELS, default="文档")
    return pl.concat_str([*parts, doc_type], separator="·")
