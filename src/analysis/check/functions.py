"""Narrative amounts by 功能分类 class against the 一般公共预算支出表 (DOMAIN.md §2.3: 一般公共预算
by 功能 ↔ B05 rows; §4 C1)."""

from __future__ import annotations

from analysis.check.context import DocContext, finding
from analysis.check.registry import rule
from analysis.kinds import Kind
from analysis.sentences.scope import title_scope

# the function tables of each scope a narrative figure can speak of, preferred first
_TABLES_BY_SCOPE = {
    "general_budget": (Kind.GENERAL_BUDGET_EXPENDITURE, Kind.FINAL_GENERAL_BUDGET_EXPENDITURE),
    None: (Kind.EXPENDITURE_SUMMARY, Kind.FINAL_EXPENDITURE),
    "fiscal": (Kind.FISCAL_APPROPRIATION_EXPENDITURE,),
    "gov_fund": (Kind.GOVERNMENT_FUND_EXPENDITURE, Kind.FINAL_GOVERNMENT_FUND),
}
_TABLES = tuple(k for kinds in _TABLES_BY_SCOPE.values() for k in kinds)


def claim_scope(claim: dict) -> str | None:
    """The funds a narrative figure speaks of: the scope words of its sentence before it
    ("一般公共预算支出中，卫生健康支出…"), else of its section heading ("（三）一般公共预算支出
    情况说明"); None (all funds) when neither names any."""
    before = (claim["sentence"] or "")[: claim["offset"] or 0]
    return title_scope(before) or title_scope(claim["section"] or "")


def class_amounts(ctx: DocContext, kind: str) -> dict[str, tuple[float, dict]]:
    """Each 类's total in a function table: its printed 类 row, else the sum of its most
    detailed rows (项 rows when printed, else 款 rows)."""
    rows = [r for r in ctx.rows(kind) if r["column"] == "total" and r["func_code"] and r["amount"] is not None]
    out: dict[str, tuple[float, dict]] = {}
    for klass in {r["func_code"][:3] for r in rows}:
        own = [r for r in rows if r["func_code"][:3] == klass]
        top = [r for r in own if len(r["func_code"]) == 3]
        if top:
            out[klass] = (top[0]["amount"], top[0])
            continue
        depth = max(len(r["func_code"]) for r in own)
        leaves = [r for r in own if len(r["func_code"]) == depth]
        out[klass] = (round(sum(r["amount"] for r in leaves), 6), leaves[0])
    return out


def _all_general(ctx: DocContext) -> bool:
    """Whether the 收支总表 shows all of this year's income as 一般公共预算 (within rounding)."""
    for kind in (Kind.REVENUE_EXPENDITURE_SUMMARY, Kind.FINAL_REVENUE_EXPENDITURE_SUMMARY):
        if kind not in ctx.kinds:
            continue
        general = ctx.value(kind, "amount", row_key="general_budget")
        total = ctx.value(kind, "amount", row_key="current_revenue_total")
        return bool(general and total and abs(general[0] - total[0]) <= ctx.tolerance.sum(2))
    return False


@rule(
    "narrative-class-amount",
    severity="error",
    category="narrative",
    title="说明中按功能分类的支出金额与一般公共预算支出表不一致",
    domain_ids="C1 §2.3",
)
def narrative_class_amount(ctx: DocContext) -> list[dict] | None:
    """An amount the narrative states for a 功能分类 类 ("卫生健康支出 15.29 万元") equals that
    类's total in the function table of the same scope: the 一般公共预算支出表 when the sentence or
    its section names 一般公共预算, the 部门支出总表 when it names no funds, the 财政拨款 or
    政府性基金 table when it names those; never a table of other funds.

    Certain because: both figures are printed for the same 类 (a 类 name, not a 款 or 项 name)
    and the same funds, and differ beyond half a unit of the narrative's printed precision plus
    the rounding of two table cells. Depends on: the scope words of the sentence or heading, and
    the table of that scope printing function codes."""
    if not ctx.claim_dicts or not any(k in ctx.kinds for k in _TABLES):
        return None
    amounts_by_kind: dict[str, dict] = {}
    out, evaluated = [], False
    for claim in ctx.claim_dicts:
        subject = claim["subject"] or ""
        if claim["claim_type"] != "amount" or not subject.startswith("class:") or claim["value_wan"] is None:
            continue
        # same scope only: an all-funds figure is not compared with the 一般公共预算 table,
        # unless the document's income is all 一般公共预算 (then the two scopes are one)
        scope = claim_scope(claim)
        if scope is None and not any(k in ctx.kinds for k in _TABLES_BY_SCOPE[None]) and _all_general(ctx):
            scope = "general_budget"
        kind = next((k for k in _TABLES_BY_SCOPE.get(scope, ()) if k in ctx.kinds), None)
        if kind is None:
            continue
        if kind not in amounts_by_kind:
            amounts_by_kind[kind] = class_amounts(ctx, kind)
        amounts = amounts_by_kind[kind]
        if not amounts:  # the table prints no function codes: nothing to compare by class
            continue
        klass = subject[6:]
        table_value = amounts.get(klass, (0.0, None))
        evaluated = True
        tol = ctx.tolerance.narrative(claim["decimals"]) * (1 if claim["unit"] == "万元" else 1e-4) + ctx.tolerance.sum(
            2
        )
        if abs(claim["value_wan"] - table_value[0]) > tol:
            where = (
                ctx.where(table_value[1])
                if table_value[1]
                else f"《{(ctx.table_info(kind) or {}).get('title')}》中无此类"
            )
            out.append(
                finding(
                    f"第{claim['line'] or claim['page']}{'行' if claim['line'] else '页'}“{claim['section'] or ''}”："
                    f"说明中“{claim['clause']}”，而 {where} 该类合计 {table_value[0]:.2f} 万元",
                    table_kind=kind,
                    column="total",
                    expected=table_value[0],
                    actual=claim["value_wan"],
                    excerpt=claim["sentence"],
                    line=claim["line"],
                    page=claim["page"],
                )
            )
    return out if evaluated else None
