"""Rate sentences recomputed from their own numbers (DOMAIN.md §2.4 P2–P4, §2.7 EX1–EX2, D1, D3).

Every comparison uses interval arithmetic on the printed precision (§0.4): each figure stands
for the range its last digit allows, and a finding is an error only when no values in those
ranges reproduce the statement. Statements the claims rules already recompute (a current
value, a change and a rate read as a change, ``percentages.py``) are left to them.
"""

from __future__ import annotations

from itertools import product

from analysis.check.context import DocContext, finding
from analysis.check.execution_statements import final_statements
from analysis.check.narrative_text import claimed_change_rates, quote, rate_statements
from analysis.check.registry import rule
from analysis.sentences.rates import Figure, RateStatement, direction_of

_EPS = 1e-9
_WORD = {"up": "增加", "down": "减少"}


def _left_to_final_rules(ctx: DocContext, s: RateStatement, block, *, rate: bool) -> bool:
    """On a 决算, a 完成率 or "决算数大于/小于预算数" statement that the final-account rules read
    (final-completion-rate, final-direction-word, which also know a misnamed budget base) is
    theirs: one problem gives one finding, not one per rule."""
    for st in final_statements(ctx):
        if (st.line, st.page) != (block.location.line, block.location.page):
            continue
        if rate and st.rate is not None and s.ratio is not None and abs(st.rate - s.ratio.value) < _EPS:
            return True
        if (
            not rate
            and st.direction is not None
            and s.current is not None
            and abs(st.final - s.current.wan) <= s.current.half + _EPS
        ):
            return True
    return False


def _range(f: Figure) -> tuple[float, float]:
    v = f.wan if f.unit != "%" else f.value
    return v - f.half, v + f.half


def _corners(func, *figures: Figure) -> tuple[float, float] | None:
    """Min and max of ``func`` over the printed ranges (monotone in each argument where the
    denominators stay positive, so the corners bound it)."""
    values = []
    for point in product(*(_range(f) for f in figures)):
        try:
            values.append(func(*point))
        except ZeroDivisionError:
            return None
    return min(values), max(values)


def _outside(stated: Figure, bounds: tuple[float, float], slack: float) -> bool:
    lo, hi = _range(stated)
    return hi + slack < bounds[0] - _EPS or lo - slack > bounds[1] + _EPS


def _base_name(s: RateStatement) -> str:
    return s.base_text or ("年初预算" if s.base == "budget" else "上年")


def _covered_by_claims(ctx: DocContext, s: RateStatement) -> bool:
    """A current value, change and rate that the claims rules read and recompute already."""
    if s.previous is not None or s.rate is None:
        return False
    return any(abs(value - s.rate.value) < _EPS for value in claimed_change_rates(ctx).get(s.sentence, ()))


def _where(s: RateStatement, block) -> dict:
    return {"location": quote(s.text, 40), "excerpt": s.text, "line": block.location.line, "page": block.location.page}


def _implied_previous(s: RateStatement) -> tuple[float, Figure] | None:
    """cur ∓ Δ when the statement gives no previous value (the direction word says which)."""
    way = direction_of(s.change) or direction_of(s.rate)
    if s.current is None or s.change is None or way is None:
        return None
    return (s.current.wan - s.change.wan if way == "up" else s.current.wan + s.change.wan), s.change


def _rate_bounds(ctx: DocContext, s: RateStatement) -> tuple[tuple[float, float], str] | None:
    """The change rate the statement's own amounts allow, in %, with how it was computed."""
    if s.previous is not None and s.current is not None:
        b = _corners(lambda p, c: abs(c - p) / p * 100, s.previous, s.current)
        how = f"({s.current.value:g} − {s.previous.value:g}) / {s.previous.value:g}"
    elif s.previous is not None and s.change is not None:
        b = _corners(lambda p, d: d / p * 100, s.previous, s.change)
        how = f"{s.change.value:g} / {s.previous.value:g}"
    elif (
        (implied := _implied_previous(s)) is not None
        and s.current is not None
        and s.change is not None
        and not _covered_by_claims(ctx, s)
    ):
        up = (direction_of(s.change) or direction_of(s.rate)) == "up"
        b = _corners(lambda c, d: d / (c - d if up else c + d) * 100, s.current, s.change)
        how = f"{s.change.value:g} / {implied[0]:.2f}"
    else:
        return None
    if b is None or min(b) < 0:
        return None
    return b, how


@rule(
    "rate-sentence-recompute",
    severity="error",
    category="percentage",
    title="增减额、增减率与前后两年数额自相矛盾",
    domain_ids="P2 P3 D1 D3 N1",
)
def rate_sentence_recompute(ctx: DocContext):
    """A sentence that gives two or more of previous value, current value, change amount and
    change rate ("由上年的820.40万元减少到702.15万元，减少14.41%", "降幅7.10%", "较上年决算数…")
    is recomputed from its own numbers on the base it names: the change must be the
    difference, the rate the change over the previous value, and the direction words must
    follow the sign. Figures are taken at their printed precision, so only a contradiction
    that no rounding explains is reported."""
    statements = rate_statements(ctx)
    if not statements:
        return None
    found = []
    for s, block in statements:
        if s.base == "budget" and s.ratio is not None:
            continue  # a completion rate: budget-execution-rate
        where = _where(s, block)
        if s.previous is not None and s.current is not None:
            way = "up" if s.current.wan > s.previous.wan else "down"
            gap = abs(s.current.wan - s.previous.wan)
            allowed = s.current.half + s.previous.half
            for fig in (s.change, s.rate) if not s.to_form else (s.current, s.change, s.rate):
                said = direction_of(fig)
                if fig is not None and said and said != way and gap > allowed + _EPS:
                    found.append(
                        finding(
                            f"{quote(s.text)}：{_base_name(s)} {s.previous.value:g} 万元，本年 {s.current.value:g} 万元，"
                            f"实为{_WORD[way]} {gap:.2f} 万元，文中却写“{fig.word}”",
                            expected=None,
                            actual=None,
                            **where,
                        )
                    )
                    break
            if s.change is not None and abs(gap - s.change.wan) > allowed + s.change.half + _EPS:
                found.append(
                    finding(
                        f"{quote(s.text)}：{_base_name(s)} {s.previous.value:g} 与本年 {s.current.value:g} 相差 "
                        f"{gap:.2f} 万元，文中增减额为 {s.change.value:g} 万元",
                        expected=round(gap, 2),
                        actual=s.change.wan,
                        **where,
                    )
                )
        bounds = _rate_bounds(ctx, s) if s.rate is not None else None
        if s.rate is not None and bounds and _outside(s.rate, bounds[0], ctx.tolerance.percent_points):
            lo, hi = bounds[0]
            right = (lo + hi) / 2
            hint = (
                "（差十倍，疑小数点错位）"
                if (right and 0.095 < s.rate.value / right < 0.105) or (right and 9.5 < s.rate.value / right < 10.5)
                else ""
            )
            found.append(
                finding(
                    f"{quote(s.text)}：按文中数额 {bounds[1]} 计算增减率为 {right:.2f}%，文中写 {s.rate.value:g}%{hint}",
                    expected=round(right, 2),
                    actual=s.rate.value,
                    **where,
                )
            )
    return found


@rule(
    "budget-execution-rate",
    severity="error",
    category="percentage",
    title="完成预算的百分比与决算数、预算数不符",
    domain_ids="P4 EX1 D3",
)
def budget_execution_rate(ctx: DocContext):
    """ "完成年初预算的 x%", "为预算的 x%": x must be 决算数 / 预算数 × 100 of the two amounts
    the sentence gives, within their printed precision. When x equals the difference of the
    two amounts instead, the message says so (a difference printed as a percentage, D3)."""
    statements = [
        (s, b)
        for s, b in rate_statements(ctx)
        if s.ratio is not None
        and s.previous is not None
        and s.current is not None
        and not _left_to_final_rules(ctx, s, b, rate=True)
    ]
    if not statements:
        return None
    found = []
    for s, block in statements:
        if s.ratio is None or s.previous is None or s.current is None:
            continue  # filtered above; says so to the type checker
        bounds = _corners(lambda p, c: c / p * 100, s.previous, s.current)
        if bounds is None or not _outside(s.ratio, bounds, ctx.tolerance.percent_points):
            continue
        right = s.current.wan / s.previous.wan * 100
        diff = abs(s.current.value - s.previous.value)
        hint = "；文中百分比恰为两数之差（D3）" if abs(diff - s.ratio.value) <= s.ratio.half + 0.01 else ""
        found.append(
            finding(
                f"{quote(s.text)}：决算 {s.current.value:g} / 预算 {s.previous.value:g} = {right:.2f}%，文中写 "
                f"{s.ratio.value:g}%{hint}",
                expected=round(right, 2),
                actual=s.ratio.value,
                **_where(s, block),
            )
        )
    return found


_COMPARE = {
    "大于": "gt",
    "高于": "gt",
    "超过": "gt",
    "小于": "lt",
    "低于": "lt",
    "等于": "eq",
    "持平": "eq",
    "持平于": "eq",
}
_SAY = {"gt": "大于", "lt": "小于", "eq": "等于"}


@rule(
    "budget-comparison-word",
    severity="error",
    category="percentage",
    title="“决算数大于/小于/等于预算数”与数额不符",
    domain_ids="P4 EX2",
)
def budget_comparison_word(ctx: DocContext):
    """ "年初预算为903.27万元，支出决算为877.64万元，决算数大于预算数": the comparison word must
    follow from the two amounts (equal within their printed precision)."""
    statements = [
        (s, b)
        for s, b in rate_statements(ctx)
        if s.comparison
        and s.previous is not None
        and s.current is not None
        and not _left_to_final_rules(ctx, s, b, rate=False)
    ]
    if not statements:
        return None
    found = []
    for s, block in statements:
        if not s.comparison or s.previous is None or s.current is None:
            continue  # filtered above; says so to the type checker
        said = _COMPARE.get(s.comparison)
        gap = s.current.wan - s.previous.wan
        allowed = s.current.half + s.previous.half + _EPS
        real = "eq" if abs(gap) <= allowed else ("gt" if gap > 0 else "lt")
        if said and said != real and not (said == "eq" and abs(gap) <= allowed):
            found.append(
                finding(
                    f"{quote(s.text)}：决算 {s.current.value:g} 万元{_SAY[real]}预算 {s.previous.value:g} 万元，"
                    f"文中却写“决算数{s.comparison}预算数”",
                    expected=s.previous.wan,
                    actual=s.current.wan,
                    **{**_where(s, block), "excerpt": s.sentence[s.start :][:200]},
                )
            )
    return found
