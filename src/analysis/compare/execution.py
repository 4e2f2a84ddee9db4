"""Budget execution across documents (issue 13; DOMAIN.md §2.6 Y2–Y4, §2.7 EX1–EX5).

1. **Link** each 决算 to the 预算 of the same department and year and to the department's
   previous 决算, with the department identity the compare stage uses
   (:func:`analysis.departments.match_departments`, overridable by CSV). 单位 and 部门
   documents never link to each other (``level`` is part of the key). Of several files of one
   disclosure (the same document as PDF and xlsx) the one in the same format is preferred.
2. **Panel**: one row per department × year × indicator — 执行率 = 决算 / 年初预算 (EX1) of all
   spending, 一般公共预算财政拨款, 基本, 项目, “三公” and each 功能 类 (EX4) — with both values,
   their sources (file, page or line, table, row) and the year-over-year change of the rate.
3. **Findings** that need two documents: a 决算's 年初预算 against the published 预算 (Y4, Y2),
   年初结转和结余 against the previous 年末结转和结余 (Y3), a 预算(N+1)'s stated 上年决算/执行数
   against 决算(N) (EX5), and 执行率 far from the peers' (EX4, the robust z of
   :class:`analysis.compare.models.RobustZScore`).
"""

from __future__ import annotations

import json
import re
from functools import cache
from typing import Any

import numpy as np
import polars as pl

from analysis.check.execution_statements import document_statements
from analysis.compare.models import RobustZScore
from analysis.metadata import load_toml
from analysis.schema import conform, empty, frame

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


def _place(item: dict) -> str:
    if item.get("page") is not None:
        return f"第{item['page']}页"
    if item.get("line") is not None:
        return f"第{item['line']}行"
    return f"工作表{item['sheet']}" if item.get("sheet") else ""


def _source(path: str, item: dict) -> str:
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
            return item["amount"], _source(self.path, item)
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
        direct = {i["func_code"]: (i["amount"], _source(self.path, i)) for i in rows if len(i["func_code"]) == 3}
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
    if (v := fig.cell("general_budget_expenditure", "total", role="total")) is not None:
        out["general"] = v
    for code, v in fig.by_class("general_budget_expenditure").items():
        out[f"class:{code}"] = v
    return out


def _final_values(fig: DocFigures) -> dict[str, tuple[float, str]]:
    out = {}
    for indicator, figure in (
        ("total", "current_year_expenditure"),
        ("basic", "basic_expenditure"),
        ("project", "project_expenditure"),
        ("three_public", "three_public_total"),
    ):
        if (v := fig.figure(figure)) is not None:
            out[indicator] = v
    if (v := fig.cell("final_general_budget_expenditure", "total", role="total")) is not None:
        out["general"] = v
    for code, v in fig.by_class("final_general_budget_expenditure").items():
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
        done = _final_values(final)
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


# --- cross-document findings --------------------------------------------------------------------


def _finding(doc: dict, rule: str, severity: str, category: str, domain: str, message: str, **kw) -> dict:
    return {
        "doc_id": doc["doc_id"],
        "path": doc["path"],
        "department": doc["department"],
        "fiscal_year": doc["fiscal_year"],
        "rule": rule,
        "severity": severity,
        "category": category,
        "domain_ids": domain,
        "message": message,
        **kw,
    }


def _general_statement(fig: DocFigures):
    for st in document_statements(fig.texts):
        subject = st.subject[-40:]
        if (
            "一般公共预算财政拨款" in subject
            and "（类）" not in subject
            and "（项）" not in subject
            and "三公" not in subject
        ):
            return st
    return None


def budget_mismatch(final: DocFigures, budget: DocFigures) -> list[dict]:
    """Y4 / Y2 / EX2: the 年初预算 a 决算 prints (general statement, F05 年初预算数 合计, F07
    预算数 合计) equals the published 预算(N) (B05 合计, B07 合计). A warning: a budget may have
    been adjusted and the 决算 may call the adjusted figure 年初预算."""
    out = []
    tol = settings()["amount_tolerance"]
    b05 = budget.cell("general_budget_expenditure", "total", role="total")
    b07 = budget.figure("three_public_total")
    checks: list[tuple[float, str, tuple[float, str], str | None, str, Any, Any, Any]] = []
    st = _general_statement(final)
    if st is not None and (sb := st.budget("initial")) is not None and b05:
        place = f"第{st.page}页" if st.page is not None else f"第{st.line}行"
        checks.append(
            (
                sb[0],
                f"{final.path} {place} 说明“{st.subject[-20:]}年初预算为{sb[0]:.2f}万元”",
                b05,
                None,
                "budget_amount",
                st.text,
                st.line,
                st.page,
            )
        )
    f05 = final.cell("final_general_budget_expenditure", "budget_amount", role="total")
    if f05 and b05:
        item = next(i for i in final.tables["final_general_budget_expenditure"] if i["column"] == "budget_amount")
        checks.append(
            (
                f05[0],
                f05[1],
                b05,
                "final_general_budget_expenditure",
                "budget_amount",
                item.get("raw_value"),
                item.get("line"),
                item.get("page"),
            )
        )
    f07 = final.cell("final_three_public_expenses", "budget_total")
    if f07 and b07:
        item = next(i for i in final.tables["final_three_public_expenses"] if i["column"] == "budget_total")
        checks.append(
            (
                f07[0],
                f07[1],
                b07,
                "final_three_public_expenses",
                "budget_total",
                item.get("raw_value"),
                item.get("line"),
                item.get("page"),
            )
        )
    for actual, where, (expected, source), table_kind, column, excerpt, line, page in checks:
        if abs(actual - expected) > tol:
            out.append(
                _finding(
                    final.doc,
                    "execution-budget-mismatch",
                    "warning",
                    "cross_table",
                    "Y4 Y2 EX2 G4",
                    f"决算所列年初预算 {actual:.2f} 万元（{where}）与同年预算公开数 {expected:.2f} 万元"
                    f"（{source}）不符，相差 {actual - expected:+.2f} 万元",
                    table_kind=table_kind,
                    location=where,
                    column=column,
                    expected=expected,
                    actual=actual,
                    difference=round(actual - expected, 6),
                    excerpt=excerpt,
                    line=line,
                    page=page,
                )
            )
    return out


def carryover_break(final: DocFigures, prev: DocFigures) -> list[dict]:
    """Y3: 年初结转和结余 of 决算(N) equals 年末结转和结余 of 决算(N−1) (a warning: adjustments exist
    but need explaining)."""
    kind = "final_revenue_expenditure_summary"
    if kind not in final.tables or kind not in prev.tables:
        return []
    now = final.cell(kind, "amount", key="carryover", section="income")
    before = prev.cell(kind, "amount", key="carryforward", section="expenditure")
    opened = now[0] if now else 0.0
    closed = before[0] if before else 0.0
    if abs(opened - closed) <= settings()["amount_tolerance"]:
        return []
    item = next((i for i in final.tables[kind] if i["row_key"] == "carryover" and i["section"] == "income"), {})
    where = now[1] if now else f"{final.path} 《{final.tables[kind][0]['table_title']}》 年初结转和结余（空）"
    return [
        _finding(
            final.doc,
            "execution-carryover-continuity",
            "warning",
            "cross_table",
            "Y3",
            f"年初结转和结余 {opened:.2f} 万元（{where}）不等于上年决算年末结转和结余 {closed:.2f} 万元"
            f"（{before[1] if before else prev.path + ' 未列'}）",
            table_kind=kind,
            location=where,
            row_label=item.get("row_label", "年初结转和结余"),
            column="amount",
            expected=closed,
            actual=opened,
            difference=round(opened - closed, 6),
            excerpt=item.get("raw_value"),
            line=item.get("line"),
            page=item.get("page"),
        )
    ]


_PRIOR = re.compile(
    r"(上年|(?P<year>\d{4})年(?:度)?)(?P<subject>[^，。；,\d]{0,20}?)(?:决算|执行)数?(?:为|是)?\s*(?P<value>\d[\d,]*(?:\.\d+)?)\s*万元"
)
_PRIOR_SUBJECTS = (
    ("三公", "three_public"),
    ("一般公共预算", "general"),
    ("基本支出", "basic"),
    ("项目支出", "project"),
    ("支出", "total"),
)


def prior_year_figures(budget: DocFigures, final: DocFigures) -> list[dict]:
    """EX5 / Y1: a 预算(N+1) sentence that gives last year's 决算 or 执行数 (“上年决算数为X万元”,
    “2024年决算数X万元”) against the published 决算(N) of the same subject. A warning: the
    figure may have been written before the 决算 was final."""
    out = []
    done = _final_values(final)
    year = final.doc["fiscal_year"]
    for row in budget.texts:
        for match in _PRIOR.finditer(row["text"]):
            if match.group("year") and int(match.group("year")) != year:
                continue
            before = row["text"][max(0, match.start() - 30) : match.start()] + match.group("subject")
            subject = next((key for word, key in _PRIOR_SUBJECTS if word in before), None)
            if subject is None or subject not in done:
                continue
            stated = float(match.group("value").replace(",", ""))
            value, source = done[subject]
            if abs(stated - value) <= settings()["amount_tolerance"] + 0.05:
                continue
            place = f"第{row['page']}页" if row.get("page") is not None else f"第{row.get('line')}行"
            out.append(
                _finding(
                    budget.doc,
                    "execution-prior-year-final",
                    "warning",
                    "narrative",
                    "EX5 Y1",
                    f"{place}预算说明称上年决算（执行）数 {stated:.2f} 万元，与已公开的 {year} 年决算 "
                    f"{value:.2f} 万元（{source}）不符",
                    location=f"{place}“{before[-16:]}{match.group(0)}”",
                    column=subject,
                    expected=value,
                    actual=stated,
                    difference=round(stated - value, 6),
                    excerpt=row["text"],
                    line=row.get("line"),
                    page=row.get("page"),
                )
            )
    return out


_PRIOR_COLUMNS = ("prev_final_total", "prev_final_amount")
# budget table → (final table whose 类 rows it lists, final indicator of its 合计 row)
_PRIOR_TABLES = {
    "general_budget_expenditure": ("final_general_budget_expenditure", "general"),
    "expenditure_summary": ("final_expenditure", "total"),
    "three_public_expenses": (None, "three_public"),
}


def prior_year_columns(budget: DocFigures, final: DocFigures) -> list[dict]:
    """EX5 / Y1 / Y2: a 预算(N+1) table column headed “上年执行数” / “上年决算数” / “N年决算数”
    (measures ``prev_final_*``) against the published 决算(N): its 合计 row against the 决算's
    total of the same table family, its 类 rows against the 决算's 类 rows. A warning: a budget is
    published before the 决算 is final, so its 执行数 may be an estimate."""
    out = []
    done = _final_values(final)
    tol = settings()["amount_tolerance"]
    year = final.doc["fiscal_year"]
    for kind, (final_kind, indicator) in _PRIOR_TABLES.items():
        classes = final.by_class(final_kind) if final_kind else {}
        seen: set[tuple] = set()
        for item in budget.tables.get(kind, []):
            if item["column"] not in _PRIOR_COLUMNS:
                continue
            code = item["func_code"] if item["func_code"] and len(item["func_code"]) == 3 else None
            key = (code or item["row_role"], item["row_role"] == "total")
            if key in seen:
                continue
            target = (
                done.get(indicator) if item["row_role"] == "total" and not code else classes.get(code) if code else None
            )
            if target is None:
                continue
            seen.add(key)
            value, source = target
            if abs(item["amount"] - value) <= tol:
                continue
            where = _source(budget.path, item)
            out.append(
                _finding(
                    budget.doc,
                    "execution-prior-year-column",
                    "warning",
                    "cross_table",
                    "EX5 Y1 Y2",
                    f"预算表所列上年执行（决算）数 {item['amount']:.2f} 万元（{where}）与已公开的 {year} 年决算 "
                    f"{value:.2f} 万元（{source}）不符，相差 {item['amount'] - value:+.2f} 万元",
                    table_kind=kind,
                    location=where,
                    row_label=item.get("row_label"),
                    column=item["column"],
                    expected=value,
                    actual=item["amount"],
                    difference=round(item["amount"] - value, 6),
                    excerpt=item.get("raw_value"),
                    line=item.get("line"),
                    page=item.get("page"),
                )
            )
    return out


def rate_outliers(panel: pl.DataFrame, links: pl.DataFrame, docs: dict[str, dict]) -> list[dict]:
    """EX4: 执行率 whose robust z among the year's peers exceeds the threshold (every file of the
    disclosure gets the finding)."""
    s = settings()
    watched = [i for i in s["watched"]]
    flagged = panel.filter(pl.col("indicator").is_in(watched) & (pl.col("peer_z").abs() > s["z_threshold"]))
    out = []
    for row in flagged.iter_rows(named=True):
        files = links.filter(
            (pl.col("department_id") == row["department_id"])
            & (pl.col("level") == row["level"])
            & (pl.col("fiscal_year") == row["fiscal_year"])
        )
        for file in files.iter_rows(named=True):
            doc = docs[file["final_doc_id"]]
            out.append(
                _finding(
                    doc,
                    "execution-rate-outlier",
                    s["outlier_severity"],
                    "outlier",
                    "EX4 §6.5",
                    f"{row['indicator']} 执行率 {row['execution_rate']:.2%}（决算 {row['final_value']:.2f} 万元：{row['final_source']}；"
                    f"年初预算 {row['budget_value']:.2f} 万元：{row['budget_source']}），同年同级 {row['peer_n']} 个部门中位数 "
                    f"{row['peer_median']:.2%}，稳健 z = {row['peer_z']:.1f}",
                    column=f"execution_rate_{row['indicator']}",
                    expected=row["peer_median"],
                    actual=row["execution_rate"],
                    difference=row["execution_rate"] - row["peer_median"],
                    location=f"执行率（{row['indicator']}）",
                    excerpt=row["final_source"],
                )
            )
    return out


def _next_budgets(documents: pl.DataFrame, departments: pl.DataFrame) -> dict[str, str]:
    """决算(N) doc id → the same department's 预算(N+1) doc id (same format preferred)."""
    later = link_documents(
        documents.with_columns(
            pl.when(pl.col("doc_type") == "budget")
            .then(pl.col("fiscal_year") - 1)
            .otherwise(pl.col("fiscal_year"))
            .alias("fiscal_year")
        ),
        departments,
        narrative_only=True,
    )
    return {r["final_doc_id"]: r["budget_doc_id"] for r in later.iter_rows(named=True) if r["budget_doc_id"]}


def execution_frames(frames: dict[str, pl.DataFrame], departments: pl.DataFrame) -> dict[str, pl.DataFrame]:
    """Links, panel and cross-document findings from the extraction frames."""
    documents = frames["documents"]
    links = link_documents(documents, departments)
    if links.is_empty():
        return {"links": links, "panel": empty("panel"), "findings": empty("findings")}
    next_budgets = _next_budgets(documents, departments)
    wanted = (
        set(links["final_doc_id"])
        | set(links["budget_doc_id"].drop_nulls())
        | set(links["prev_final_doc_id"].drop_nulls())
        | set(next_budgets.values())
    )
    docs = {d["doc_id"]: d for d in documents.filter(pl.col("doc_id").is_in(list(wanted))).to_dicts()}
    by_doc: dict[str, list[dict]] = {}
    for item in frames["line_items"].filter(pl.col("doc_id").is_in(list(wanted))).to_dicts():
        by_doc.setdefault(item["doc_id"], []).append(item)
    readers = set(links["final_doc_id"]) | set(next_budgets.values())  # whose narrative is read
    texts: dict[str, list[dict]] = {}
    for row in (
        frames["texts"].filter(pl.col("doc_id").is_in(list(readers)) & (pl.col("kind") == "paragraph")).to_dicts()
    ):
        texts.setdefault(row["doc_id"], []).append(row)
    figures = {d: DocFigures(docs[d], by_doc.get(d, []), texts.get(d)) for d in docs}
    panel = build_panel(links, figures)
    found = []
    for link in links.iter_rows(named=True):
        final = figures[link["final_doc_id"]]
        if link["budget_doc_id"]:
            found += budget_mismatch(final, figures[link["budget_doc_id"]])
        if link["prev_final_doc_id"]:
            found += carryover_break(final, figures[link["prev_final_doc_id"]])
        if (later := next_budgets.get(link["final_doc_id"])) is not None:
            found += prior_year_figures(figures[later], final)
            found += prior_year_columns(figures[later], final)
    found += rate_outliers(panel, links, docs)
    return {"links": links, "panel": panel, "findings": frame("findings", found)}
