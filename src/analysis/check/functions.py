"""Narrative amounts by 功能分类 class against the 一般公共预算支出表 (DOMAIN.md §2.3: 一般公共预算
by 功能 ↔ B05 rows; §4 C1)."""

from __future__ import annotations

from analysis.check.context import DocContext, finding
from analysis.check.registry import rule

_TABLES = ("general_budget_expenditure", "expenditure_summary", "final_general_budget_expenditure")


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


@rule("narrative-class-amount", severity="error", category="narrative",
      title="说明中按功能分类的支出金额与一般公共预算支出表不一致", domain_ids="C1 §2.3")
def narrative_class_amount(ctx: DocContext) -> list[dict] | None:
    """An amount the narrative states for a 功能分类 类 ("卫生健康支出 15.29 万元") equals that
    类's total in the 一般公共预算支出表 (or the 部门支出总表 when the former is absent)."""
    kind = next((k for k in _TABLES if k in ctx.kinds), None)
    if kind is None or ctx.claims.is_empty():
        return None
    amounts = class_amounts(ctx, kind)
    if not amounts:  # the table prints no function codes: nothing to compare by class
        return None
    out, evaluated = [], False
    for claim in ctx.claims.iter_rows(named=True):
        subject = claim["subject"] or ""
        if claim["claim_type"] != "amount" or not subject.startswith("class:") or claim["value_wan"] is None:
            continue
        klass = subject[6:]
        table_value = amounts.get(klass, (0.0, None))
        evaluated = True
        tol = ctx.tolerance.narrative(claim["decimals"]) * (1 if claim["unit"] == "万元" else 1e-4) + ctx.tolerance.sum(2)
        if abs(claim["value_wan"] - table_value[0]) > tol:
            where = ctx.where(table_value[1]) if table_value[1] else f"《{(ctx.table_info(kind) or {}).get('title')}》中无此类"
            out.append(finding(
                f"第{claim['line'] or claim['page']}{'行' if claim['line'] else '页'}“{claim['section'] or ''}”："
                f"说明中“{claim['clause']}”，而 {where} 该类合计 {table_value[0]:.2f} 万元",
                table_kind=kind, column="total", expected=table_value[0], actual=claim["value_wan"],
                excerpt=claim["sentence"], line=claim["line"], page=claim["page"]))
    return out if evaluated else None
