"""Compare what the extractor read from synthetic documents with what the generator printed.

The generator's ``truth.parquet`` names every clean printed cell by its semantic row key
(``func:2010301``, ``econ:30201``, ``project:…``, ``in:carryover``, ``total`` …), while
the extractor's ``line_items`` name a row by whatever it printed: codes, a label, a project
name, a two-sided pane and subject. Both sides are mapped onto one *identity key* (the
printed code when there is one, else the printed name) and joined on
``(path, table_kind, column, key)``; a truth cell is found when some extracted cell with its
key carries the same amount (± 0.005 万元: both sides are printed with two decimals).

Four verdicts per truth cell: ``matched``; ``wrong_code`` (the number is there but the row
carries a code that was not printed as such, e.g. a unit code read as a 功能分类 类);
``wrong_amount`` (the row and column were found with another number); ``missing``. Extracted cells that explain no truth cell are listed
as ``unexpected`` (a number assigned to the wrong row or column shows up on both lists).
Project cost caps (``≤X万元`` in B13) are compared with the ``targets`` frame, and the
document figures with the ``documents`` frame.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import polars as pl

from analysis.kinds import Kind

TOLERANCE = 0.005
"""Largest accepted difference, 万元: both sides print two decimals, so only exact counts."""

_ROW_ALIASES = {"budget_total": "total"}
"""Truth row keys of B12 that the extractor names differently (部门预算总额 → total)."""

_KEYS = ["path", "table_kind", "column", "key"]


def _norm(expr: pl.Expr) -> pl.Expr:
    """A printed name without the spaces that wrapping and spacing hazards insert."""
    return expr.str.replace_all(r"\s+", "")


def truth_keys(truth: pl.DataFrame) -> pl.DataFrame:
    """Printed table cells of the truth file with the identity key of their row."""
    key = pl.col("row_key")
    ident = (
        pl.when(
            key.str.starts_with("func:")
            | key.str.starts_with("econ:")
            | key.str.starts_with("in:")
            | key.str.starts_with("exp:")
        )
        .then(key)
        .when(key.str.starts_with("project:"))
        .then(pl.lit("project:") + _norm(pl.col("project_name")))
        .when(key.is_in(["total", "current"]))
        .then(pl.lit("total"))
        .when(key == "unit")
        .then(pl.lit("label:") + _norm(pl.col("row_label")))
        .otherwise(pl.lit("row:") + key.replace(_ROW_ALIASES))
    )
    return truth.filter(pl.col("table_kind").is_not_null() & pl.col("is_printed")).with_columns(key=ident)


def _item_keys(items: pl.DataFrame) -> pl.DataFrame:
    """Every identity key an extracted cell can be recognised by (one row per key)."""
    section_key = (
        pl.when(pl.col("section") == "income")
        .then(pl.lit("in:") + pl.col("row_key"))
        .when(pl.col("section") == "expenditure")
        .then(pl.lit("exp:") + pl.col("row_key").str.replace(r"^class:", ""))
    )
    # The department row of B13 prints its code and no name (seed: "028 | | 219.42"): it is the
    # department total, whatever role the extractor gives it.
    nameless_unit = (pl.col("row_role") == "unit") & (_norm(pl.col("row_label")).fill_null("") == "")
    keys = (
        pl.concat_list(
            [
                pl.when((pl.col("row_role") == "total") | nameless_unit).then(pl.lit("total")),
                pl.lit("label:") + _norm(pl.col("row_label")),
                pl.lit("func:") + pl.col("func_code"),
                pl.lit("econ:") + pl.col("econ_code"),
                pl.lit("project:") + _norm(pl.col("project_name")),
                section_key,
                pl.lit("row:") + pl.col("row_key"),
            ]
        )
        .list.drop_nulls()
        .list.unique()
    )
    return items.with_columns(key=keys).explode("key").filter(pl.col("key").is_not_null())


def _agrees(code: str) -> pl.Expr:
    """The extracted ``code`` is absent or equals the truth's (tables print codes on some rows only)."""
    extracted, printed = pl.col(f"{code}_x"), pl.col(code)
    return extracted.is_null() | (extracted == printed).fill_null(False)


def _cost_caps(targets: pl.DataFrame) -> pl.DataFrame:
    """B13 cost indicators in 万元 as pseudo line items (column ``cost_cap``)."""
    caps = targets.filter(
        (pl.col("table_kind") == Kind.PROJECT_PERFORMANCE_TARGETS)
        & (pl.col("category") == "成本")
        & (pl.col("unit") == "万元")
    )
    return caps.select(
        "doc_id",
        "table_kind",
        pl.lit("cost_cap").alias("column"),
        pl.lit(None, pl.Utf8).alias("row_label"),
        pl.col("value").alias("amount"),
        pl.lit("item").alias("row_role"),
        pl.lit(None, pl.Utf8).alias("func_code"),
        pl.lit(None, pl.Utf8).alias("econ_code"),
        "project_name",
        pl.lit(None, pl.Utf8).alias("section"),
        pl.lit(None, pl.Utf8).alias("row_key"),
        pl.lit(None, pl.Int64).alias("line"),
        pl.lit(None, pl.Int64).alias("page"),
        pl.lit(None, pl.Utf8).alias("raw_value"),
    )


def relative_paths(documents: pl.DataFrame, out_dir: Path) -> pl.DataFrame:
    """doc_id → path relative to the generator's output folder (as truth names files)."""
    root = out_dir.resolve()
    rows = []
    for doc_id, path in documents.select("doc_id", "path").iter_rows():
        try:
            rows.append((doc_id, Path(path).resolve().relative_to(root).as_posix()))
        except ValueError:
            continue
    return pl.DataFrame(rows, schema={"doc_id": pl.Utf8, "path": pl.Utf8}, orient="row")


@dataclass(slots=True)
class RoundTrip:
    """Outcome of a comparison; every frame carries ``path`` (relative to the output folder)."""

    cells: pl.DataFrame
    """Truth cells with ``status`` (matched / wrong_code / wrong_amount / missing) and the
    ``extracted`` amounts found for their key."""
    unexpected: pl.DataFrame
    """Extracted cells that match no truth cell (wrong row, wrong column, or invented)."""
    figures: pl.DataFrame
    """Document figures: truth ``amount`` vs the documents frame's ``extracted``, with ``status``."""

    def rates(self) -> pl.DataFrame:
        """Match rate of cells and figures per format (the first folder of ``path``)."""
        fmt = pl.col("path").str.split("/").list.first().alias("format")
        cells = self.cells.group_by(fmt).agg(cells=pl.len(), cells_matched=(pl.col("status") == "matched").sum())
        extra = self.unexpected.group_by(fmt).agg(unexpected=pl.len())
        figures = self.figures.group_by(fmt).agg(
            figures=pl.len(), figures_matched=(pl.col("status") == "matched").sum()
        )
        out = (
            cells.join(figures, on="format", how="full", coalesce=True)
            .join(extra, on="format", how="left")
            .fill_null(0)
        )
        return out.with_columns(
            cell_rate=pl.col("cells_matched") / pl.col("cells"),
            figure_rate=pl.col("figures_matched") / pl.col("figures"),
        ).sort("format")


def compare(out_dir: str | Path, frames: dict[str, pl.DataFrame], truth: pl.DataFrame | None = None) -> RoundTrip:
    """Compare the extraction ``frames`` of a generated folder with its ``truth.parquet``."""
    out_dir = Path(out_dir)
    truth = pl.read_parquet(out_dir / "truth.parquet") if truth is None else truth
    paths = relative_paths(frames["documents"], out_dir)
    truth = truth.join(paths.select("path"), on="path", how="semi")
    cols = [
        "doc_id",
        "table_kind",
        "column",
        "row_label",
        "amount",
        "row_role",
        "func_code",
        "econ_code",
        "project_name",
        "section",
        "row_key",
        "line",
        "page",
        "raw_value",
    ]
    items = pl.concat([frames["line_items"].select(cols), _cost_caps(frames["targets"])], how="vertical_relaxed")
    items = items.with_row_index("item_id").join(paths, on="doc_id")
    keyed = _item_keys(items)
    cells = truth_keys(truth).with_row_index("truth_id")
    pairs = cells.select("truth_id", *_KEYS, "amount", "func_code", "econ_code").join(
        keyed.select("item_id", *_KEYS, "amount", "func_code", "econ_code"), on=_KEYS, suffix="_x"
    )
    pairs = pairs.with_columns(
        same=(pl.col("amount_x") - pl.col("amount")).abs() <= TOLERANCE,
        # a code the extractor reads must be the printed one (a unit code is no 类 code)
        codes_agree=_agrees("func_code") & _agrees("econ_code"),
    )
    verdict = pairs.group_by("truth_id").agg(
        found=(pl.col("same") & pl.col("codes_agree")).any(),
        same=pl.col("same").any(),
        extracted=pl.col("amount_x").unique().sort(),
    )
    cells = (
        cells.join(verdict, on="truth_id", how="left")
        .with_columns(
            status=pl.when(pl.col("found"))
            .then(pl.lit("matched"))
            .when(pl.col("same"))
            .then(pl.lit("wrong_code"))
            .when(pl.col("found").is_not_null())
            .then(pl.lit("wrong_amount"))
            .otherwise(pl.lit("missing"))
        )
        .drop("found", "same")
    )
    explained = pairs.filter(pl.col("same") & pl.col("codes_agree")).select("item_id").unique()
    unexpected = items.join(explained, on="item_id", how="anti").drop("item_id")
    return RoundTrip(cells.drop("truth_id"), unexpected, _figures(truth, frames["documents"], paths))


def _figures(truth: pl.DataFrame, documents: pl.DataFrame, paths: pl.DataFrame) -> pl.DataFrame:
    """Truth document figures that the documents frame also carries, side by side."""
    wanted = [
        c for c in truth.filter(pl.col("table_kind").is_null())["column"].unique().sort() if c in documents.columns
    ]
    extracted = (
        documents.join(paths, on="doc_id", suffix="_rel")
        .select(pl.col("path_rel").alias("path"), *wanted)
        .unpivot(index="path", variable_name="column", value_name="extracted")
    )
    figures = truth.filter(pl.col("table_kind").is_null() & pl.col("column").is_in(wanted))
    out = figures.select("path", "doc_department", "column", "amount").join(
        extracted, on=["path", "column"], how="left"
    )
    ok = (pl.col("extracted") - pl.col("amount")).abs() <= TOLERANCE
    return out.with_columns(
        status=pl.when(ok)
        .then(pl.lit("matched"))
        .when(pl.col("extracted").is_null())
        .then(pl.lit("missing"))
        .otherwise(pl.lit("wrong_amount"))
    )
