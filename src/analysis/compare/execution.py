"""Budget execution across documents (issue 13; DOMAIN.md §2.6 Y2–Y4, §2.7 EX1–EX5).

1. **Link** each 决算 to the 预算 of the same department and year and to the department's
   previous 决算, with the department identity the compare stage uses
   (:func:`analysis.departments.match_departments`, overridable by CSV). 单位 and 部门
   documents never link to each other (``level`` is part of the key). Of several files of one
   disclosure (the same document as PDF and xlsx) the one in the same format is preferred.
2. **Panel**: one row per department × year × indicator — 执行率 = 决算 / 年初预算 (EX1) of all
   spending, 一般公共预算财政拨款, 基本, 项目, “三公” and each 功能 类 (EX4) — with both values,
   their sources (file, page or line, table, row) and the year-over-year change of the rate.

The findings that need two documents are in :mod:`analysis.compare.execution_findings`.
"""

from __future__ import annotations

import json
from functools import cache

import numpy as np
import polars as pl

from analysis.compare.models import RobustZScore
from analysis.kinds import Kind
from analysis.metadata import load_toml
from analysis.schema import conform, frame

_FORMAT_ORDER = {"pdf": 0, "xlsx": 1, "xls": 2}


@cache
def settings() -> dict:
    return load_toml("compare/settings.toml")["execution"]


# --- linking -----------------------------------------------------------------------------------


def link_documents(documents: pl.DataFrame, departments: pl.DataFrame, *, narrative_only: bool = False) -> pl.DataFrame:
    """One row per readable 决算: its budget and previous-year 决算 (doc ids, null when absent).

    ``narrative_only`` also links documents whose tables could not be read (status ``failed``
    but text read; issue 12's ``narrative_only``): their sentences can still be checked."""
    ids = dict(zip(departments["name"], departments["department_id"])) if departments.height else {}
    readable = pl.lit(True) if narrative_only else pl.col("status") != "failed"
    docs = documents.filter(
        readable & pl.col("fiscal_year").is_not_null() & pl.col("doc_type").is_in(["budget", "final_account"])
    )
    docs = docs.with_columns(
        pl.col("department").replace_strict(ids, default=pl.col("department")).alias("department_id"),
        pl.col("level").fill_null("department").alias("level_key"),
        pl.col("format").replace_strict(_FORMAT_ORDER, default=9, return_dtype=pl.Int64).alias("_order"),
    )
    index: dict[tuple, list[dict]] = {}
    for row in docs.sort("_order", "path").iter_rows(named=True):
        index.setdefault((row["department_id"], row["level_key"], row["doc_type"], row["fiscal_year"]), []).append(row)

    def pick(key: tuple, fmt: str) -> dict | None:
        found = index.get(key, [])
        return next((r for r in found if r["format"] == fmt), found[0] if found else None)

    rows = []
    for (dept, level, doc_type, year), finals in index.items():
        if doc_type != "final_account":
            continue
        for final in finals:
            budget = pick((dept, level, "budget", year), final["format"])
            prev = pick((dept, level, "final_account", year - 1), final["format"])
            rows.append(
                {
                    "department_id": dept,
                    "department": final["department"],
                    "level": level,
                    "fiscal_year": year,
                    "final_doc_id": final["doc_id"],
                    "final_path": final["path"],
                    "final_format": final["format"],
                    "is_reference": final is finals[0],
                    "budget_doc_id": budget and budget["doc_id"],
                    "budget_path": budget and budget["path"],
                    "prev_final_doc_id": prev and prev["doc_id"],
                    "prev_final_path": prev and prev["path"],
                }
            )
    schema = {
        "department_id": pl.String,
        "department": pl.String,
        "level": pl.String,
        "fiscal_year": pl.Int64,
        "final_doc_id": pl.String,
        "final_path": pl.String,
        "final_format": pl.String,
        "is_reference": pl.Boolean,
        "budget_doc_id": pl.String,
        "budget_path": pl.String,
        "prev_final_doc_id": pl.String,
        "prev_final_path": pl.String,
    }
    return pl.DataFrame(rows, schema=schema)


# --- figures of one document with their sources ----------------------------------------------

FIGURE_TABLES = (
    Kind.GENERAL_BUDGET_EXPENDITURE,
    Kind.EXPENDITURE_SUMMARY,
    Kind.THREE_PUBLIC_EXPENSES,
    Kind.FINAL_GENERAL_BUDGET_EXPENDITURE,
    Kind.FINAL_EXPENDITURE,
    Kind.FINAL_THREE_PUBLIC_EXPENSES,
    Kind.FINAL_REVENUE_EXPENDITURE_SUMMARY,
)
"""The tables whose cells :class:`DocFigures` is asked for (here and in
``execution_findings``): only their rows are loaded, not a document's every line item. A new
question about another table adds its kind here."""
FIGURE_COLUMNS = (
    "doc_id",
    "table_kind",
    "table_index",
    "table_title",
    "section",
    "row_label",
    "row_key",
    "row_role",
    "func_code",
    "column",
    "amount",
    "raw_value",
    "line",
    "page",
    "sheet",
)
"""The line-item columns :class:`DocFigures` and the findings read (sources included)."""


def _place(item: dict) -> str:
    if item.get("page") is not None:
        return f"第{item['page']}页"
    if item.get("line") is not None:
        return f"第{item['line']}行"
    return f"工作表{item['sheet']}" if item.get("sheet") else ""


def source_text(path: str, item: dict) -> str:
    return f"{path} {_place(item)} 《{item.get('table_title') or ''}》 “{item.get('row_label') or ''}” {item.get('raw_value') or ''}".strip()


class DocFigures:
    """The amounts of one document that execution indicators need, each with its source."""

    def __init__(self, document: dict, items: list[dict], texts: list[dict] | None = None) -> None:
        self.doc, self.path = document, document["path"]
        self.items, self.texts = items, texts or []
        self._sources: dict | None = None
        first: dict[str, int] = {}
        for item in items:
            first.setdefault(item["table_kind"], item["table_index"])
        self.tables: dict[str, list[dict]] = {}
        for item in items:
            if item["amount"] is not None and first.get(item["table_kind"]) == item["table_index"]:
                self.tables.setdefault(item["table_kind"], []).append(item)

    def cell(
        self, kind: str, column: str, *, role: str | None = None, key: str | None = None, section: str | None = None
    ) -> tuple[float, str] | None:
        for item in self.tables.get(kind, []):
            if (
                item["column"] != column
                or (role and item["row_role"] != role)
                or (key and item["row_key"] != key)
                or (section and item["section"] != section)
            ):
                continue
            return item["amount"], source_text(self.path, item)
        return None

    def figure(self, name: str) -> tuple[float, str] | None:
        value = self.doc.get(name)
        if value is None:
            return None
        if self._sources is None:  # parsed once per document, only when a figure is asked for
            self._sources = json.loads(self.doc.get("figure_sources") or "{}")
        where = self._sources.get(name)
        if where is None:
            return value, f"{self.path} ({name})"
        return value, f"{self.path} {where if isinstance(where, str) else json.dumps(where, ensure_ascii=False)}"

    def by_class(self, kind: str, column: str = "total") -> dict[str, tuple[float, str]]:
        """功能 类 totals of a function table: its 类 rows, else the sum of its 项 rows."""
        rows = [i for i in self.tables.get(kind, []) if i["column"] == column and i["func_code"]]
        direct = {i["func_code"]: (i["amount"], source_text(self.path, i)) for i in rows if len(i["func_code"]) == 3}
        if direct:
            return direct
        out: dict[str, tuple[float, str]] = {}
        for i in rows:
            if len(i["func_code"]) == 7:
                value, src = out.get(
                    i["func_code"][:3], (0.0, f"{self.path} 《{i['table_title']}》 {i['func_code'][:3]}类各项之和")
                )
                out[i["func_code"][:3]] = (round(value + i["amount"], 6), src)
        return out


def _budget_values(fig: DocFigures) -> dict[str, tuple[float, str]]:
    out = {}
    for indicator, figure in (
        ("total", "total_expenditure"),
        ("basic", "basic_expenditure"),
        ("project", "project_expenditure"),
        ("three_public", "three_public_total"),
    ):
        if (v := fig.figure(figure)) is not None:
            out[indicator] = v
    if (v := fig.cell(Kind.GENERAL_BUDGET_EXPENDITURE, "total", role="total")) is not None:
        out["general"] = v
    for code, v in fig.by_class(Kind.GENERAL_BUDGET_EXPENDITURE).items():
        out[f"class:{code}"] = v
    return out


def final_values(fig: DocFigures) -> dict[str, tuple[float, str]]:
    out = {}
    for indicator, figure in (
        ("total", "current_year_expenditure"),
        ("basic", "basic_expenditure"),
        ("project", "project_expenditure"),
        ("three_public", "three_public_total"),
    ):
        if (v := fig.figure(figure)) is not None:
            out[indicator] = v
    if (v := fig.cell(Kind.FINAL_GENERAL_BUDGET_EXPENDITURE, "total", role="total")) is not None:
        out["general"] = v
    for code, v in fig.by_class(Kind.FINAL_GENERAL_BUDGET_EXPENDITURE).items():
        out[f"class:{code}"] = v
    return out


# --- panel -------------------------------------------------------------------------------------

PANEL_INDICATORS = ("total", "general", "basic", "project", "three_public")


def build_panel(links: pl.DataFrame, figures: dict[str, DocFigures]) -> pl.DataFrame:
    """One row per department × year × indicator (reference 决算 of each department-year)."""
    rows = []
    for link in links.filter(pl.col("is_reference")).iter_rows(named=True):
        final = figures.get(link["final_doc_id"])
        budget = figures.get(link["budget_doc_id"]) if link["budget_doc_id"] else None
        if final is None:
            continue
        done = final_values(final)
        planned = _budget_values(budget) if budget else {}
        for indicator in sorted(set(done) | set(planned), key=lambda k: (k.startswith("class:"), k)):
            b, f = planned.get(indicator), done.get(indicator)
            rate = f[0] / b[0] if b and f and b[0] > 0 else None
            rows.append(
                {
                    "department_id": link["department_id"],
                    "department": link["department"],
                    "level": link["level"],
                    "fiscal_year": link["fiscal_year"],
                    "indicator": indicator,
                    "budget_value": b and b[0],
                    "final_value": f and f[0],
                    "execution_rate": rate,
                    "budget_doc_id": link["budget_doc_id"],
                    "final_doc_id": link["final_doc_id"],
                    "budget_source": b and b[1],
                    "final_source": f and f[1],
                }
            )
    panel = frame("panel", rows)
    if panel.is_empty():
        return panel
    prev = panel.select(
        "department_id",
        "level",
        "indicator",
        (pl.col("fiscal_year") + 1).alias("fiscal_year"),
        pl.col("execution_rate").alias("prev_execution_rate"),
    )
    panel = (
        panel.drop("prev_execution_rate", "rate_change", "peer_z", "peer_median", "peer_n")
        .join(prev, on=["department_id", "level", "indicator", "fiscal_year"], how="left")
        .with_columns((pl.col("execution_rate") - pl.col("prev_execution_rate")).alias("rate_change"))
    )
    return conform("panel", _peer_scores(panel)).sort("department_id", "fiscal_year", "indicator")


def _peer_scores(panel: pl.DataFrame) -> pl.DataFrame:
    """Robust z of each 执行率 among the same year's department documents for the same indicator."""
    s = settings()
    groups = (panel["fiscal_year"].cast(pl.String) + "|" + panel["level"] + "|" + panel["indicator"]).to_numpy()
    X = panel["execution_rate"].cast(pl.Float64).fill_null(np.nan).to_numpy().reshape(-1, 1)
    model = RobustZScore(threshold=s["z_threshold"], min_group_size=s["min_peers"], min_scale=s["min_scale"])
    z = model.fit(X, groups=groups).robust_z(X, groups=groups)[:, 0]
    stats = (
        panel.with_columns(pl.Series("_g", groups))
        .group_by("_g")
        .agg(pl.col("execution_rate").median().alias("peer_median"), pl.col("execution_rate").count().alias("peer_n"))
    )
    return (
        panel.with_columns(pl.Series("_g", groups), pl.Series("peer_z", z).fill_nan(None))
        .join(stats, on="_g", how="left")
        .drop("_g")
    )
