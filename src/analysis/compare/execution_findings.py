"""Budget-execution findings that need two documents (issue 13; DOMAIN.md §2.6 Y2–Y4, §2.7 EX4–EX5).

A 决算's 年初预算 against the published 预算 (Y4, Y2), 年初结转和结余 against the previous
年末结转和结余 (Y3), a 预算(N+1)'s stated or tabled 上年决算/执行数 against 决算(N) (EX5), and
执行率 far from the peers' (EX4, the robust z of :class:`analysis.compare.models.RobustZScore`).
``execution_frames`` links the documents, builds the panel (:mod:`analysis.compare.execution`)
and gathers these findings.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import polars as pl

from analysis.compare.execution import (
    FIGURE_COLUMNS,
    FIGURE_TABLES,
    DocFigures,
    build_panel,
    final_values,
    link_documents,
    settings,
    source_text,
)
from analysis.compare.inputs import collect, scan
from analysis.kinds import Kind
from analysis.schema import empty, frame
from analysis.sentences.execution import document_statements

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
    b05 = budget.cell(Kind.GENERAL_BUDGET_EXPENDITURE, "total", role="total")
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
    f05 = final.cell(Kind.FINAL_GENERAL_BUDGET_EXPENDITURE, "budget_amount", role="total")
    if f05 and b05:
        item = next(i for i in final.tables[Kind.FINAL_GENERAL_BUDGET_EXPENDITURE] if i["column"] == "budget_amount")
        checks.append(
            (
                f05[0],
                f05[1],
                b05,
                Kind.FINAL_GENERAL_BUDGET_EXPENDITURE,
                "budget_amount",
                item.get("raw_value"),
                item.get("line"),
                item.get("page"),
            )
        )
    f07 = final.cell(Kind.FINAL_THREE_PUBLIC_EXPENSES, "budget_total")
    if f07 and b07:
        item = next(i for i in final.tables[Kind.FINAL_THREE_PUBLIC_EXPENSES] if i["column"] == "budget_total")
        checks.append(
            (
                f07[0],
                f07[1],
                b07,
                Kind.FINAL_THREE_PUBLIC_EXPENSES,
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
    kind = Kind.FINAL_REVENUE_EXPENDITURE_SUMMARY
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
    done = final_values(final)
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
    Kind.GENERAL_BUDGET_EXPENDITURE: (Kind.FINAL_GENERAL_BUDGET_EXPENDITURE, "general"),
    Kind.EXPENDITURE_SUMMARY: (Kind.FINAL_EXPENDITURE, "total"),
    Kind.THREE_PUBLIC_EXPENSES: (None, "three_public"),
}


def prior_year_columns(budget: DocFigures, final: DocFigures) -> list[dict]:
    """EX5 / Y1 / Y2: a 预算(N+1) table column headed “上年执行数” / “上年决算数” / “N年决算数”
    (measures ``prev_final_*``) against the published 决算(N): its 合计 row against the 决算's
    total of the same table family, its 类 rows against the 决算's 类 rows. A warning: a budget is
    published before the 决算 is final, so its 执行数 may be an estimate."""
    out = []
    done = final_values(final)
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
            where = source_text(budget.path, item)
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


def execution_frames(frames: Mapping[str, pl.DataFrame], departments: pl.DataFrame) -> dict[str, pl.DataFrame]:
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
    cells = scan(frames, "line_items").filter(
        pl.col("doc_id").is_in(list(wanted)) & pl.col("table_kind").is_in(FIGURE_TABLES)
    )
    for item in collect(cells.select(FIGURE_COLUMNS)).iter_rows(named=True):
        by_doc.setdefault(item["doc_id"], []).append(item)
    readers = set(links["final_doc_id"]) | set(next_budgets.values())  # whose narrative is read
    texts: dict[str, list[dict]] = {}
    paragraphs = scan(frames, "texts").filter(pl.col("doc_id").is_in(list(readers)) & (pl.col("kind") == "paragraph"))
    for row in collect(paragraphs.select("doc_id", "kind", "text", "line", "page")).iter_rows(named=True):
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
