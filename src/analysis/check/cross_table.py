"""Figures that must agree across tables (DOMAIN.md §2.2, §4 B), declared in
metadata/cross_checks.toml, plus the line-by-line comparisons that need code matching."""

from __future__ import annotations

from typing import cast

from analysis.check.context import DocContext, finding, group_in_order
from analysis.check.registry import rule
from analysis.kinds import Kind
from analysis.metadata import load_toml
from analysis.text import match_key


def _side(ctx: DocContext, side: dict) -> tuple[float, dict] | None:
    columns = side.get("columns") or [side["column"]]
    keyed, totals = "row_key" in side, "row_keys" not in side and side.get("row_role") == "total"
    if keyed:
        given = ctx.keyed_rows(side["kind"], side["row_key"])
    else:  # the rows picked from an index where one is kept
        given = ctx.role_rows(side["kind"], "total") if totals else ctx.rows(side["kind"])
    section = side.get("section")
    rows = [
        r
        for r in given
        if r["column"] in columns and r["amount"] is not None and (section is None or r["section"] == section)
    ]
    if not keyed and "row_keys" in side:
        rows = [r for r in rows if r["row_key"] in side["row_keys"]]
    elif not keyed and totals:
        first = min((r["row_index"] for r in rows), default=None)
        rows = [r for r in rows if r["row_index"] == first]
    if not rows:
        return None
    return float(sum(r["amount"] for r in rows)), rows[0]


@rule(
    "cross-table-figure",
    severity="error",
    category="cross_table",
    title="同一数字在不同表中不一致",
    domain_ids="X01 X02 X03 X04 X05 X06 X07 X08 X10 X13 X14 B1 B2",
)
def cross_table_figure(ctx: DocContext) -> list[dict] | None:
    """Each pair declared in metadata/cross_checks.toml (e.g. X06: 一般公共预算支出表 基本支出 =
    基本支出表 合计) agrees within the rounding tolerance; a pair is evaluated only when both
    tables print the figure (a table left blank with a note counts as 0).

    Certain because: the declared pair (cross_checks.toml) is the same figure of the same funds
    and level in two tables, and the printed values differ beyond the rounding of each at its
    own precision and unit (0.62 万元 and 6,248 元 agree). Depends on: both tables being printed (a
    blank table with a note counts as 0), budget vs final columns."""
    out, evaluated = [], False
    for check in load_toml("cross_checks.toml")["check"]:
        left, right = check["left"], check["right"]
        if left["kind"] not in ctx.kinds or right["kind"] not in ctx.kinds:
            continue
        a, b = _side(ctx, left), _side(ctx, right)
        if a is None or b is None:
            continue
        evaluated = True
        tol = ctx.tolerance.printed([a[1], b[1]])
        ok = a[0] <= b[0] + tol if check.get("relation") == "le" else abs(a[0] - b[0]) <= tol
        if not ok:
            out.append(
                finding(
                    f"{check['id']} {check['title']}：{ctx.where(a[1])} 为 {a[0]:.2f} 万元，"
                    f"{ctx.where(b[1])} 为 {b[0]:.2f} 万元",
                    row=a[1],
                    expected=round(b[0], 6),
                    actual=round(a[0], 6),
                    excerpt=f"{a[1]['raw_value']} / {b[1]['raw_value']}",
                )
            )
    return out if evaluated else None


@rule(
    "economic-mapping-consistent",
    severity="error",
    category="cross_table",
    title="同一部门经济分类科目在不同表中对应的政府经济分类不同",
    domain_ids="X11 B3",
)
def economic_mapping_consistent(ctx: DocContext) -> list[dict] | None:
    """B06 and B11 map each 部门 economic code to the same 政府 economic code.

    Certain because: one 部门 economic code maps to two 政府 economic codes within one document.
    Depends on: the printed codes of both tables."""
    pairs = [i for i in ctx.item_rows if i["econ_code"] and i["gov_econ_code"] and len(i["econ_code"]) == 5]
    if len({i["table_kind"] for i in pairs}) < 2:
        return None
    out = []
    for part in group_in_order(pairs, lambda i: i["econ_code"]):
        code = part[0]["econ_code"]
        first_of: dict[str, dict] = {}
        for item in part:
            first_of.setdefault(item["gov_econ_code"], item)
        if len(first_of) > 1:
            rows = list(first_of.values())
            out.append(
                finding(
                    f"部门经济分类 {code} 在不同表中对应不同的政府经济分类："
                    + "；".join(f"{ctx.where(r)} → {r['gov_econ_code']}" for r in rows),
                    row=rows[0],
                    excerpt=", ".join(r["gov_econ_code"] for r in rows),
                )
            )
    return out


@rule(
    "basic-vs-economic-summary",
    severity="error",
    category="cross_table",
    title="支出经济分类汇总表的科目金额小于基本支出表",
    domain_ids="X10 I29",
)
def basic_vs_economic_summary(ctx: DocContext) -> list[dict] | None:
    """For each 部门 economic code, B11 (basic + project money) is at least the B06 amount
    (basic money only); the difference is project money coded to that line.

    Certain because: the summary covers all funds and all spending, so no line of it can be
    smaller than the same line of the 基本支出 table beyond rounding. Depends on: the economic codes
    printed in both tables."""
    b06 = [r for r in ctx.rows(Kind.GENERAL_BUDGET_BASIC_EXPENDITURE) if r["column"] == "total"]
    b11 = [r for r in ctx.rows(Kind.ECONOMIC_CLASSIFICATION_SUMMARY) if r["column"] == "total"]
    if not b06 or not b11:
        return None
    totals = {r["econ_code"]: r for r in b11 if r["econ_code"] is not None}
    out = []
    for row in (r for r in b06 if r["econ_code"] is not None):
        other = totals.get(row["econ_code"])
        value = (
            other["amount"]
            if other
            else sum(r["amount"] or 0.0 for c, r in totals.items() if c.startswith(row["econ_code"]))
        )
        if row["amount"] is not None and value < row["amount"] - ctx.tolerance.sum(2):
            out.append(
                finding(
                    f"经济科目 {row['econ_code']} {row['row_label']}：基本支出表 {row['amount']:.2f} 万元，"
                    f"支出经济分类汇总表 {value:.2f} 万元，汇总表不应小于基本支出表",
                    row=other or row,
                    expected=row["amount"],
                    actual=value,
                )
            )
    return out


@rule(
    "project-lists-agree",
    severity="error",
    category="cross_table",
    title="项目支出表与项目绩效目标表的项目清单或金额不一致",
    domain_ids="X14 B4",
)
def project_lists_agree(ctx: DocContext) -> list[dict] | None:
    """B10 and B13 list the same projects (names compared after removing wrapping and
    whitespace) with the same amounts.

    Certain because: the same project (by code or name) is printed with different amounts, or is
    missing, in the project table and the performance-target table of the same document. Depends
    on: project codes or names printed in both."""
    b10, b13 = (
        [
            r
            for r in ctx.rows(kind)
            if r["column"] == "total" and r["row_role"] == "item" and r["project_name"] is not None
        ]
        for kind in (Kind.PROJECT_EXPENDITURE, Kind.PROJECT_PERFORMANCE_TARGETS)
    )
    if not b10 or not b13:
        return None
    left = {match_key(r["project_name"]): r for r in b10}
    right = {match_key(r["project_name"]): r for r in b13}
    out = []
    for key in sorted(left.keys() | right.keys()):
        a, b = left.get(key), right.get(key)
        if a and b and abs(a["amount"] - b["amount"]) > ctx.tolerance.sum(2):
            out.append(
                finding(
                    f"项目“{a['project_name']}”：项目支出表 {a['amount']:.2f} 万元，绩效目标表 {b['amount']:.2f} 万元",
                    row=b,
                    expected=a["amount"],
                    actual=b["amount"],
                )
            )
        elif a is None or b is None:
            present = cast(dict, a or b)  # the key came from one of the two sides
            where = "项目支出表" if a else "项目绩效目标表"
            out.append(
                finding(f"项目“{present['project_name']}”只出现在{where}中", row=present, actual=present["amount"])
            )
    return out
