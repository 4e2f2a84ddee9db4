"""Plausibility of 三公, vehicles and 政府采购 against the economic lines and the project list
(DOMAIN.md §2.2 X12/X15, §4 G and J), and the share of spending on "其他" codes (K6)."""

from __future__ import annotations

import re
from functools import cache
from typing import cast

from analysis.check.context import DocContext, finding
from analysis.check.document_views import at, basic_lines, full_lines, params
from analysis.check.projects import projects
from analysis.check.registry import rule
from analysis.kinds import Kind
from analysis.metadata import load_csv

_THREE_PUBLIC_KINDS = (Kind.THREE_PUBLIC_EXPENSES, Kind.FINAL_THREE_PUBLIC_EXPENSES)
_COMPONENT_NAMES = {
    "abroad": "因公出国（境）费",
    "reception": "公务接待费",
    "vehicle_operation": "公务用车运行（维护）费",
    "vehicle_purchase": "公务用车购置费",
}
_CATEGORY_ROW = re.compile(r"^[一二三四五六七八九十]+[、.．]\s*(货物|工程|服务)")
_PROCUREMENT_PARTS = {"procurement_goods": "货物", "procurement_works": "工程", "procurement_services": "服务"}


def _first_claims(ctx: DocContext, subjects: set[str], claim_type: str = "amount") -> dict[str, dict]:
    """The first narrative claim of each subject (a section states the current figure first;
    later ones are comparisons or sub-amounts such as the SME share of 政府采购)."""
    found: dict[str, dict] = {}
    for claim in ctx.ordered_claims:
        if claim["subject"] in subjects and claim["claim_type"] == claim_type and claim["value"] is not None:
            found.setdefault(claim["subject"], claim)
    return found


def three_public_components(ctx: DocContext) -> dict[str, tuple[float, str, dict | None]]:
    """Each 三公 component's amount (万元) with a description of its source: from B07/F07 (a
    table blank with a "无三公经费" note counts as 0; a blank cell of a filled table is 0
    unless the row also carries numbers no header column claims), else from the narrative."""
    out: dict[str, tuple[float, str, dict | None]] = {}
    kind = next((k for k in _THREE_PUBLIC_KINDS if k in ctx.kinds), None)
    if kind:
        info = cast(dict, ctx.table_info(kind))  # kind is one of the document's tables
        rows = [r for r in ctx.rows(kind) if r["row_role"] == "total" and r["amount"] is not None]
        first = min((r["row_index"] for r in rows if r["row_index"] is not None), default=None)
        rows = [r for r in rows if first is not None and r["row_index"] == first]
        cells = {r["column"]: r for r in rows}
        stray = any(r["column"] == "unlabelled" and abs(r["amount"]) > 0 for r in rows)
        where = f"《{info['title']}》"
        for component in _COMPONENT_NAMES:
            if component in cells:
                out[component] = (cells[component]["amount"], where, cells[component])
            elif info["status"] == "not_applicable" or (info["status"] == "filled" and cells and not stray):
                out[component] = (0.0, where + "（空白）", None)
    for subject, claim in _first_claims(ctx, set(_COMPONENT_NAMES) - set(out)).items():
        if claim["value_wan"] is not None:
            out[subject] = (claim["value_wan"], f"说明{at(claim)}", None)
    return out


@rule(
    "three-public-vs-economic",
    severity="warning",
    category="plausibility",
    title="“三公”经费与对应经济科目不一致",
    domain_ids="X12 G1",
)
def three_public_vs_economic(ctx: DocContext) -> list[dict] | None:
    """三公 components agree with their economic lines (X12): 因公出国 = Σ30212, 公务接待 =
    Σ30217, 公务用车运行 = Σ30231, 公务用车购置 = Σ31013 (+30913), counting basic and project
    一般公共预算 money (B11) when that table is printed, else basic money only (B06/F06). A
    nonzero line with a zero component, or (with B11) the reverse, is a warning; two nonzero
    figures that differ are an error (with basic money only: when the basic line alone
    exceeds the component)."""
    components = three_public_components(ctx)
    full, basic = full_lines(ctx), basic_lines(ctx)
    lines = full or basic
    if not components or lines is None:
        return None
    codes = params()["three_public_codes"]
    out = []
    tol = ctx.tolerance.sum(2, ctx.scale(lines.kind))
    scope = "基本支出和项目支出" if full else "基本支出"
    for component, (value, source, row) in components.items():
        econ = sum(lines.get(c) for c in codes[component])
        shown = next((lines.rows[c] for c in codes[component] if c in lines.rows), None)
        label = f"{'+'.join(codes[component])}（{scope}，《{lines.title}》）"
        name = _COMPONENT_NAMES[component]
        if econ > tol and value <= tol:
            message, severity = f"{name}在{source}为 0，但经济科目 {label} 为 {econ:.2f} 万元", "warning"
        elif value > tol and econ <= tol and full:
            message, severity = f"{name}在{source}为 {value:.2f} 万元，但经济科目 {label} 为 0", "warning"
        elif value > tol and econ > tol and (abs(econ - value) > tol if full else econ > value + tol):
            message, severity = f"{name}在{source}为 {value:.2f} 万元，而经济科目 {label} 为 {econ:.2f} 万元", "error"
        else:
            continue
        out.append(
            {
                **finding(message, row=shown or row, column=component, expected=round(value, 6), actual=round(econ, 6)),
                "severity": severity,
            }
        )
    return out


def _vehicle_count(ctx: DocContext) -> dict | None:
    rows = [
        c
        for c in ctx.claim_dicts
        if c["subject"] == "vehicles" and c["claim_type"] == "count" and c["unit"] == "辆" and c["value"] is not None
    ]
    held = [c for c in rows if not re.search(r"购置|购买|新增|更新", c["clause"] or "")]
    return next(
        (c for c in held if re.search(r"共有|现有|实有|保有|拥有", c["clause"] or "")), held[0] if held else None
    )


@rule(
    "vehicles-vs-running-cost",
    severity="warning",
    category="plausibility",
    title="无公务用车却安排公务用车运行维护费",
    domain_ids="G2 N1 FI12",
)
def vehicles_vs_running_cost(ctx: DocContext) -> list[dict] | None:
    """A department that reports 0 vehicles (国有资产占用情况) has no 公务用车运行维护费 in B07 or
    on 30231, unless it explains that vehicles are rented."""
    count = _vehicle_count(ctx)
    if count is None:
        return None
    running = three_public_components(ctx).get("vehicle_operation")
    lines = full_lines(ctx) or basic_lines(ctx)
    econ = lines.get("30231") if lines else 0.0
    cost, source = max((running[0], running[1]) if running else (0.0, ""), (econ, "经济科目 30231"))
    if count["value"] > 0 or cost <= ctx.tolerance.minimum:
        return []
    return [
        finding(
            f"{at(count)}：“{count['clause']}”，但{source}列有公务用车运行维护费 {cost:.2f} 万元；如为租用车辆应予说明",
            column="vehicle_operation",
            expected=0.0,
            actual=round(cost, 6),
            excerpt=count["sentence"],
            line=count["line"],
            page=count["page"],
        )
    ]


# --- 政府采购 ---------------------------------------------------------------------------------


def procurement_total(ctx: DocContext) -> tuple[float, str, dict] | None:
    """政府采购 total (万元): the B14 合计 row, else the first 政府采购 amount in the narrative."""
    rows = [
        r
        for r in ctx.rows(Kind.GOVERNMENT_PROCUREMENT)
        if r["row_role"] == "total" and r["column"] == "total" and r["amount"] is not None
    ]
    if rows:
        row = rows[0]
        return row["amount"], ctx.where(row), row
    claim = _first_claims(ctx, {"procurement_total"}).get("procurement_total")
    if claim and claim["value_wan"] is not None:
        return claim["value_wan"], f"{at(claim)}“{claim['clause']}”", claim
    return None


@cache
def _procurement_keywords() -> tuple[str, ...]:
    return tuple(r["keyword"] for r in load_csv("checks/b_procurement_keywords.csv"))


@rule(
    "procurement-missing",
    severity="warning",
    category="plausibility",
    title="政府采购预算为 0，但有明显需要采购的项目",
    domain_ids="X15 J1",
)
def procurement_missing(ctx: DocContext) -> list[dict] | None:
    """When 政府采购 is stated as 0, no project's name points to goods, works or services that
    are normally procured (设备, 系统, 软件, 运维, 物业, 保安, 保洁, 印刷, 工装, 车辆, 专线/线路,
    工程, 装修, 改造, 印章 …; checks/b_procurement_keywords.csv)."""
    total, found = procurement_total(ctx), projects(ctx)
    if total is None or not found:
        return None
    if total[0] > ctx.tolerance.minimum:
        return []
    hits = []
    for p in found:
        words = [k for k in _procurement_keywords() if k in p.name]
        if words:
            hits.append(f"{p.name} {p.amount:.2f} 万元（{'、'.join(words)}）")
    if not hits:
        return []
    return [
        finding(
            f"{total[1]}：政府采购预算为 0，但以下项目通常需要政府采购：{'；'.join(hits)}",
            column="procurement_total",
            expected=None,
            actual=round(total[0], 6),
            excerpt=(total[2] or {}).get("sentence") or (total[2] or {}).get("raw_value"),
            line=(total[2] or {}).get("line"),
            page=(total[2] or {}).get("page"),
        )
    ]


def _table_breakdown(ctx: DocContext) -> tuple[float, list[tuple[str, float]], dict] | None:
    table = [r for r in ctx.rows(Kind.GOVERNMENT_PROCUREMENT) if r["amount"] is not None]
    total = [r for r in table if r["row_role"] == "total" and r["column"] == "total"]
    if not total:
        return None
    total_row = total[0]
    columns = {
        c: [
            r
            for r in table
            if r["row_index"] is not None and r["row_index"] == total_row["row_index"] and r["column"] == c
        ]
        for c in ("goods", "works", "services")
    }
    parts = [(c, float(v[0]["amount"])) for c, v in columns.items() if v]
    if len(parts) < 2:
        items = [r for r in table if r["column"] == "total" and r["row_role"] == "item"]
        parts = [(r["row_label"], r["amount"]) for r in items if _CATEGORY_ROW.match(r["row_label"] or "")]
    return (total_row["amount"], parts, total_row) if parts else None


@rule(
    "procurement-breakdown",
    severity="error",
    category="plausibility",
    title="政府采购合计不等于货物、工程、服务之和",
    domain_ids="J2 I35 FI11",
)
def procurement_breakdown(ctx: DocContext) -> list[dict] | None:
    """政府采购 合计 = 货物 + 工程 + 服务, in the 政府采购 table (category rows or columns) and
    in the narrative sentence that states the three parts.

    Certain because: 货物 + 工程 + 服务 are printed beside their total and differ beyond the rounding
    of each printed figure. Depends on: the three parts being printed."""
    out, evaluated = [], False
    table = _table_breakdown(ctx)
    if table:
        total, parts, row = table
        evaluated = True
        expected = round(sum(v for _, v in parts), 6)
        if abs(total - expected) > ctx.tolerance.sum(len(parts) + 1, ctx.scale(Kind.GOVERNMENT_PROCUREMENT)):
            terms = " + ".join(f"{name} {v:.2f}" for name, v in parts)
            out.append(
                finding(
                    f"{ctx.where(row)}：政府采购合计 {total:.2f} 万元 ≠ {terms} = {expected:.2f} 万元",
                    row=row,
                    column="total",
                    expected=expected,
                    actual=total,
                )
            )
    claims = _first_claims(ctx, {"procurement_total", *_PROCUREMENT_PARTS})
    stated = claims.get("procurement_total")
    stated_parts = [(name, claims[s]) for s, name in _PROCUREMENT_PARTS.items() if s in claims]
    if (
        stated
        and len(stated_parts) == 3
        and all(c["value_wan"] is not None for c in (stated, *(c for _, c in stated_parts)))
    ):
        evaluated = True
        expected = round(sum(c["value_wan"] for _, c in stated_parts), 6)
        tol = ctx.tolerance.sum(4) + ctx.tolerance.narrative(stated["decimals"] or 0)
        if abs(stated["value_wan"] - expected) > tol:
            terms = " + ".join(f"{name} {c['value_wan']:.2f}" for name, c in stated_parts)
            out.append(
                finding(
                    f"{at(stated)}：政府采购预算 {stated['value_wan']:.2f} 万元 ≠ {terms} = {expected:.2f} 万元",
                    column="procurement_total",
                    expected=expected,
                    actual=stated["value_wan"],
                    excerpt=stated["sentence"],
                    line=stated["line"],
                    page=stated["page"],
                )
            )
    return out if evaluated else None


@rule(
    "procurement-exceeds-total",
    severity="error",
    category="plausibility",
    title="政府采购金额超过支出总额",
    domain_ids="X15 J2",
)
def procurement_exceeds_total(ctx: DocContext) -> list[dict] | None:
    """政府采购 cannot exceed the department's total spending (支出总计).

    Certain because: procurement is part of spending, so it cannot exceed 支出合计 beyond rounding.
    Depends on: both figures of the same year and funds."""
    total = procurement_total(ctx)
    spending = ctx.document.get("total_expenditure")
    if total is None or not spending:
        return None
    if total[0] <= spending + ctx.tolerance.sum(2):
        return []
    return [
        finding(
            f"{total[1]}：政府采购 {total[0]:.2f} 万元超过支出总计 {spending:.2f} 万元",
            column="procurement_total",
            expected=round(spending, 6),
            actual=round(total[0], 6),
            line=(total[2] or {}).get("line"),
            page=(total[2] or {}).get("page"),
        )
    ]


# --- K6 ---------------------------------------------------------------------------------------


def _leaves(codes: dict[str, float]) -> dict[str, float]:
    return {c: v for c, v in codes.items() if not any(o != c and o.startswith(c) for o in codes)}


def _function_amounts(ctx: DocContext) -> dict[str, float]:
    for kind in (
        Kind.GENERAL_BUDGET_EXPENDITURE,
        Kind.EXPENDITURE_SUMMARY,
        Kind.FINAL_GENERAL_BUDGET_EXPENDITURE,
        Kind.FINAL_EXPENDITURE,
    ):
        rows = [
            r
            for r in ctx.rows(kind)
            if r["func_code"] is not None and r["column"] in ("total", "amount") and r["amount"] is not None
        ]
        if rows:
            column = "total" if any(r["column"] == "total" for r in rows) else "amount"
            amounts: dict[str, float] = {}
            for item in (r for r in rows if r["column"] == column):
                amounts[item["func_code"]] = amounts.get(item["func_code"], 0.0) + item["amount"]
            return _leaves(amounts)
    return {}


@rule(
    "other-code-share",
    severity="info",
    category="classification",
    title="“其他”类科目使用比例偏高",
    domain_ids="K6 §3.8 §6.1",
)
def other_code_share(ctx: DocContext) -> list[dict] | None:
    """Spending filed under catch-all codes — function 项 (or 款) 99 "其他…支出" and economic
    30299/31099/39999 — is measured as a share of the table total, separately per dimension;
    shares above the thresholds in checks/b_checks.toml are reported (a transparency weakness,
    not an error)."""
    settings = params()
    functions = _function_amounts(ctx)
    lines = full_lines(ctx) or basic_lines(ctx)
    if not functions and lines is None:
        return None
    out = []
    total = sum(functions.values())
    others = {c: v for c, v in functions.items() if len(c) >= 5 and (c[3:5] == "99" or c[5:7] == "99") and v > 0}
    if total > 0 and sum(others.values()) / total >= settings["other_function_share"]:
        share = sum(others.values()) / total
        listed = "、".join(f"{c} {v:.2f}" for c, v in sorted(others.items(), key=lambda x: -x[1]))
        out.append(
            finding(
                f"功能分类中“其他”项（99）支出 {sum(others.values()):.2f} 万元，占支出合计 {total:.2f} 万元的 "
                f"{share:.2%}（{listed}）；宜使用更具体的科目",
                column="func_code",
                expected=round(total, 6),
                actual=round(sum(others.values()), 6),
            )
        )
    if lines is not None:
        econ_total = sum(lines.amounts.values())
        other = sum(lines.get(c) for c in settings["other_economic_codes"])
        if econ_total > 0 and other / econ_total >= settings["other_economic_share"]:
            listed = "、".join(f"{c} {lines.get(c):.2f}" for c in settings["other_economic_codes"] if lines.get(c))
            out.append(
                finding(
                    f"《{lines.title}》中“其他”经济科目（{listed}）合计 {other:.2f} 万元，占 {econ_total:.2f} 万元的 "
                    f"{other / econ_total:.2%}",
                    row=lines.rows.get(settings["other_economic_codes"][0]),
                    column="econ_code",
                    expected=round(econ_total, 6),
                    actual=round(other, 6),
                )
            )
    return out
