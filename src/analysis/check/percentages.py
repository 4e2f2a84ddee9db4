"""Percentages and changes stated in the narrative (DOMAIN.md §2.4, §4 D)."""

from __future__ import annotations

import polars as pl

from analysis.check.context import DocContext, finding
from analysis.check.registry import rule


def _section_groups(claims: pl.DataFrame):
    """Claims of each narrative section in reading order: a change sentence often follows the
    sentence that states the current amount ("…459.21 万元。与 2023 年相比，增加 183.41 万元…")."""
    ordered = claims.with_row_index("_order")
    for (_,), part in ordered.group_by(["section"], maintain_order=True):
        yield part.sort("_order").rows(named=True)


@rule("yoy-percent-base", severity="error", category="percentage",
      title="同比增减百分比计算基数错误或数值不符", domain_ids="P2 D1 D3")
def yoy_percent_base(ctx: DocContext) -> list[dict] | None:
    """A stated year-on-year rate equals Δ ÷ previous-year value, where the previous value is
    the current amount minus the change stated in the same sentence. When the stated rate
    instead equals Δ ÷ current value (or Δ itself), the message names the wrong base."""
    if ctx.claims.is_empty():
        return None
    out, evaluated = [], False
    for claims in _section_groups(ctx.claims):
        for i, pct in enumerate(claims):
            if pct["claim_type"] != "change_pct" or pct["direction"] == "unfilled":
                continue
            change = next((c for c in reversed(claims[:i]) if c["claim_type"] == "change_amount"
                           and c["subject"] == pct["subject"]), None)
            current = next((c for c in reversed(claims[:i]) if c["claim_type"] == "amount"
                            and c["subject"] == pct["subject"] and c["value_wan"] is not None), None)
            if change is None or current is None or change["value_wan"] is None:
                continue
            delta = change["value_wan"] * (-1 if change["direction"] == "down" else 1)
            previous = current["value_wan"] - delta
            if previous <= 0:
                continue
            evaluated = True
            expected = abs(delta) / previous * 100
            tol = ctx.tolerance.percent(pct["decimals"]) + ctx.tolerance.percent_narrative
            if abs(pct["value"] - expected) <= tol:
                continue
            on_current = abs(delta) / current["value_wan"] * 100 if current["value_wan"] else None
            if on_current is not None and abs(pct["value"] - on_current) <= tol:
                why = f"按本年数 {current['value']:g} 计算（{abs(delta):.2f}/{current['value_wan']:.2f}），应以上年数 {previous:.2f} 为基数"
            elif abs(pct["value"] - abs(delta)) <= tol:
                why = "所列百分比实为增减额本身"
            else:
                why = f"按上年数 {previous:.2f} 计算应为 {expected:.2f}%"
            out.append(finding(
                f"第{pct['line'] or pct['page']}{'行' if pct['line'] else '页'}“{pct['section'] or ''}”："
                f"“{change['clause']}，{pct['clause']}”：增减 {abs(delta):.2f} 万元，所述增幅 {pct['value']:g}% 不正确，{why}（正确为 {expected:.2f}%）",
                expected=round(expected, 4), actual=pct["value"], column="change_pct",
                excerpt=pct["sentence"], line=pct["line"], page=pct["page"],
                location=f"{pct['section'] or ''} “{pct['clause']}”"))
    return out if evaluated else None
