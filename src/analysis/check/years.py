"""Across years (DOMAIN.md §2.6 Y1 with §2.4 P3): the change a narrative states against the
same department's previous-year disclosure, when both are checked together."""

from __future__ import annotations

from analysis.check.context import DocContext, finding
from analysis.check.registry import rule

# narrative subject → document figure it is the current value of
_FIGURE_OF = {
    "revenue_grand_total": "total_revenue",
    "expenditure_grand_total": "total_expenditure",
    "basic_expenditure": "basic_expenditure",
    "project_expenditure": "project_expenditure",
    "personnel": "personnel_expenditure",
    "public": "public_expenditure",
    "three_public": "three_public_total",
}
_WORD = {"up": "增加", "down": "减少", "flat": "持平"}


@rule(
    "previous-year-change",
    severity="error",
    category="narrative",
    title="所述增减额或增减方向与上年公开数据不符",
    domain_ids="Y1 P3 C1",
    needs=("previous", "claims"),
)
def previous_year_change(ctx: DocContext) -> list[dict] | None:
    """A change stated for a headline figure (收支总计, 基本/项目支出, 人员/公用经费, 三公) equals
    this year's figure minus the figure in the department's previous-year disclosure, and its
    direction word has the right sign (P3: an error). A different amount with the right
    direction is a warning (Y1: the previous budget may have been adjusted).

    Certain because: last year's disclosure of the same department prints the figure, and the
    stated change or direction contradicts the difference beyond the rounding of both prints.
    Depends on: the department identity across years and budget vs final documents of the same
    type."""
    if ctx.previous is None or not ctx.claim_dicts:
        return None
    out, evaluated = [], False
    for claim in ctx.claim_dicts:
        figure = _FIGURE_OF.get(claim["subject"] or "")
        if claim["claim_type"] != "change_amount" or figure is None or claim["value_wan"] is None:
            continue
        current, previous = ctx.document.get(figure), ctx.previous.get(figure)
        if current is None or previous is None or claim["direction"] not in _WORD:
            continue
        evaluated = True
        delta = round(current - previous, 6)
        tol = ctx.tolerance.narrative(claim["decimals"]) + ctx.tolerance.sum(2)
        # the sign of a difference of two printed figures is exact; only the size has a tolerance
        truth = "up" if delta > 1e-6 else "down" if delta < -1e-6 else "flat"
        where = f"第{claim['line'] or claim['page']}{'行' if claim['line'] else '页'}“{claim['section'] or ''}”"
        facts = (
            f"本年 {current:.2f} 万元，上年公开数 {previous:.2f} 万元（{ctx.previous['path']}），"
            f"实际{_WORD[truth]} {abs(delta):.2f} 万元"
        )
        if claim["direction"] != truth and not (truth == "flat" and claim["value_wan"] == 0):
            out.append(
                finding(
                    f"{where}：“{claim['clause']}”方向词与上年数据不符：{facts}",
                    column="direction",
                    expected=delta,
                    actual=claim["value_wan"],
                    excerpt=claim["sentence"],
                    line=claim["line"],
                    page=claim["page"],
                )
            )
        elif abs(abs(delta) - claim["value_wan"]) > tol:
            out.append(
                {
                    **finding(
                        f"{where}：“{claim['clause']}”所述增减额与上年数据不符：{facts}",
                        column="change_amount",
                        expected=abs(delta),
                        actual=claim["value_wan"],
                        excerpt=claim["sentence"],
                        line=claim["line"],
                        page=claim["page"],
                    ),
                    "severity": "warning",
                }
            )
    return out if evaluated else None
