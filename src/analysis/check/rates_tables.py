"""Rate sentences recomputed from the tables where the tables give both figures (DOMAIN.md §2.7
EX2, FI07): a 决算's "“三公”经费……年初预算为X万元，支出决算为Y万元，完成预算的Z%" against the
预算数 and 决算数 columns of its 三公 table (F07). The base the sentence names decides the
column: 年初预算/全年预算/预算数 → the 预算数 block; the rate is 决算数 ÷ 预算数."""

from __future__ import annotations

import re
from typing import Any

from analysis.check.context import DocContext, finding
from analysis.check.narrative_text import quote, rate_statements
from analysis.check.registry import rule
from analysis.kinds import Kind

_KIND = Kind.FINAL_THREE_PUBLIC_EXPENSES
_SUBJECTS = (  # most specific first: the last one named before the figures wins
    (re.compile(r"公务用车购置费"), "vehicle_purchase"),
    (re.compile(r"公务用车运行(?:维护)?费"), "vehicle_operation"),
    (re.compile(r"公务用车购置及运行(?:维护)?费"), "vehicle_total"),
    (re.compile(r"因公出国[（(]境[)）]费"), "abroad"),
    (re.compile(r"公务接待费"), "reception"),
    (re.compile(r"三公”?经费"), "total"),
)
_EPS = 1e-9


def _subject(text: str) -> str | None:
    best = None
    for pattern, column in _SUBJECTS:
        for m in pattern.finditer(text):
            if best is None or m.end() > best[0]:
                best = (m.end(), column)
    return best[1] if best else None


def _cell(ctx: DocContext, column: str) -> dict | None:
    rows = [r for r in ctx.rows(_KIND) if r["column"] == column and r["amount"] is not None]
    return rows[0] if rows else None


def _half(row: dict) -> float:
    raw = row.get("raw_value") or ""
    return 0.5 * 10 ** -(len(raw.split(".")[1]) if "." in raw else 0) * (1e-4 if row.get("source_unit") == "元" else 1)


@rule(
    "rate-sentence-tables",
    severity="error",
    category="percentage",
    title="完成预算的百分比或预算数、决算数与“三公”经费表不符",
    domain_ids="EX2 FI07 P4 N1",
    needs=(f"kind:{_KIND}",),
)
def rate_sentence_tables(ctx: DocContext):
    """A 三公 sentence of a final account that gives the 年初预算, the 决算 or the completion
    rate is recomputed from the 三公 table's 预算数 and 决算数 of the same item: the amounts
    must equal the cells, and the rate must be 决算数 ÷ 预算数 × 100 within the precision of the
    printed figures. Where the budget is 0 no rate exists and nothing is judged."""
    if ctx.table_info(_KIND) is None or not ctx.rows(_KIND):
        return None
    found = []
    for s, block in rate_statements(ctx):
        if s.base != "budget":
            continue
        column = _subject(s.sentence[max(0, s.start - 30) : s.start] + s.text)
        if column is None:
            continue
        budget, spent = _cell(ctx, f"budget_{column}"), _cell(ctx, column)
        where: dict[str, Any] = {
            "location": quote(s.text, 40),
            "excerpt": s.text,
            "line": block.location.line,
            "page": block.location.page,
            "table_kind": _KIND,
        }
        for stated, cell, what in ((s.previous, budget, "年初预算"), (s.current, spent, "决算")):
            if (
                stated is not None
                and cell is not None
                and abs(stated.wan - cell["amount"]) > stated.half + _half(cell) + _EPS
            ):
                found.append(
                    finding(
                        f"{quote(s.text)}：文中{what} {stated.value:g} 万元，《{cell['table_title']}》"
                        f"{what}数为 {cell['amount']:.2f} 万元",
                        expected=cell["amount"],
                        actual=stated.wan,
                        column=cell["column"],
                        **where,
                    )
                )
        if s.ratio is None or budget is None or spent is None or budget["amount"] <= 0:
            continue
        if s.previous is not None and s.current is not None:
            continue  # a rate beside both its amounts is judged from them (final-completion-rate, budget-execution-rate)
        lo = (spent["amount"] - _half(spent)) / (budget["amount"] + _half(budget)) * 100
        hi = (spent["amount"] + _half(spent)) / max(budget["amount"] - _half(budget), _EPS) * 100
        r_lo, r_hi = s.ratio.value - s.ratio.half, s.ratio.value + s.ratio.half
        if r_hi + ctx.tolerance.percent_points < lo - _EPS or r_lo - ctx.tolerance.percent_points > hi + _EPS:
            right = spent["amount"] / budget["amount"] * 100
            found.append(
                finding(
                    f"{quote(s.text)}：按《{spent['table_title']}》决算数 {spent['amount']:.2f} / 预算数 "
                    f"{budget['amount']:.2f}，完成预算 {right:.2f}%，文中写 {s.ratio.value:g}%",
                    expected=round(right, 2),
                    actual=s.ratio.value,
                    column="ratio",
                    **where,
                )
            )
    return found
