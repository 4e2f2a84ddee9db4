"""Percentages and changes stated in the narrative (DOMAIN.md §2.4, §4 D)."""

from __future__ import annotations

import re

from analysis.check.context import DocContext, finding, group_in_order
from analysis.check.narrative import about_other_period, at, short
from analysis.check.registry import rule
from analysis.text import UNIT_TO_WAN

_YEAR = re.compile(r"(20\d{2})\s*年")
_TO_WAN = UNIT_TO_WAN


def _section_groups(ctx: DocContext):
    """Claims of each narrative section in reading order, each with ``_sentence``, its
    sentence's position in the section: a change sentence often follows the sentence that
    states the current amount ("…459.21 万元。与 2023 年相比，增加 183.41 万元…")."""
    yield from ctx.claims_by_section()


def _same_subject(a: dict, b: dict) -> bool:
    return a["subject"] == b["subject"] or a["subject"] is None or b["subject"] is None


def change_and_current(ctx: DocContext, claims: list[dict], i: int) -> tuple[dict, dict] | None:
    """For the rate ``claims[i]``: the change amount stated in its sentence and the current
    amount it applies to, from the same or the preceding sentence. An amount of the rate's own
    subject is preferred; a figure about another period (a 决算's budget) is never current."""
    pct = claims[i]
    window = [c for c in claims[:i] if c["_sentence"] >= pct["_sentence"] - 1]
    change = next(
        (
            c
            for c in reversed(window)
            if c["claim_type"] == "change_amount"
            and c["_sentence"] == pct["_sentence"]
            and c["value_wan"] is not None
            and _same_subject(c, pct)
        ),
        None,
    )
    if change is None:
        return None
    amounts = [
        c
        for c in window
        if c["claim_type"] == "amount"
        and c["value_wan"] is not None
        and c["_order"] < change["_order"]
        and not about_other_period(ctx, c)
    ]
    subject = pct["subject"] or change["subject"]
    current = next((c for c in reversed(amounts) if subject and c["subject"] == subject), None) or next(
        (c for c in reversed(amounts) if _same_subject(c, change)), None
    )
    return (change, current) if current is not None else None


_COMPARABLE = re.compile(r"可比口径|同口径|口径调整|可比|剔除|扣除|调整后")


def _rate_range(ctx: DocContext, change: dict, current: dict, delta: float, previous: float) -> tuple[float, float]:
    """The rates (in %) that the printed change and current amount allow: each may be off by
    half a unit of its printed precision, which matters when the previous-year base is small
    (0.31 万元 + 0.31 万元 is anything from 95 % to 105 %)."""
    half_change = ctx.tolerance.narrative(change["decimals"] or 0) * _TO_WAN.get(change["unit"], 1.0)
    half_current = ctx.tolerance.narrative(current["decimals"] or 0) * _TO_WAN.get(current["unit"], 1.0)
    spread = half_change + half_current
    low_base, high_base = previous + spread, max(previous - spread, 1e-9)
    return (max(abs(delta) - half_change, 0.0) / low_base * 100, (abs(delta) + half_change) / high_base * 100)


def _rate_cases(ctx: DocContext) -> list[tuple]:
    """(verdict, pct, change, current, previous, expected) for every stated year-on-year rate
    whose change and current amount are stated too: ``ok``; ``current_base`` (Δ ÷ this year,
    D1); ``delta_as_rate`` (the change printed as a percentage, D3); or ``inconsistent`` (the
    change and the rate disagree and neither mistake explains it). Read once per document (two
    rules judge them); shared: read, never change them."""
    if "rate_cases" not in ctx.memo:
        ctx.memo["rate_cases"] = list(_read_rate_cases(ctx))
    return ctx.memo["rate_cases"]


def _read_rate_cases(ctx: DocContext):
    for claims in _section_groups(ctx):
        for i, pct in enumerate(claims):
            if pct["claim_type"] != "change_pct" or pct["direction"] == "unfilled":
                continue
            pair = change_and_current(ctx, claims, i)
            if pair is None:
                continue
            change, current = pair
            delta = change["value_wan"] * (-1 if change["direction"] == "down" else 1)
            previous = current["value_wan"] - delta
            if previous <= 0:
                continue
            expected = abs(delta) / previous * 100
            tol = ctx.tolerance.percent(pct["decimals"]) + ctx.tolerance.percent_narrative
            # the amounts' own rounding moves the rate too ("增加9万元" is 8.5–9.5): first-order bound
            half = lambda c: ctx.tolerance.narrative(c["decimals"]) * UNIT_TO_WAN.get(c["unit"], 1.0)  # noqa: E731
            tol += 100 * (current["value_wan"] * half(change) + abs(delta) * half(current)) / previous**2
            on_current = abs(delta) / current["value_wan"] * 100 if current["value_wan"] else None
            low, high = _rate_range(ctx, change, current, delta, previous)
            if low - tol <= pct["value"] <= high + tol:
                verdict = "ok"
            elif _COMPARABLE.search(pct["sentence"] or ""):
                verdict = "comparable_base"  # the rate is on a restated base the text does not give
            elif on_current is not None and abs(pct["value"] - on_current) <= tol:
                verdict = "current_base"
            elif abs(pct["value"] - abs(delta)) <= tol:
                verdict = "delta_as_rate"
            else:
                verdict = "inconsistent"
            yield verdict, pct, change, current, previous, expected


def _rate_finding(pct: dict, change: dict, message: str, expected: float) -> dict:
    return finding(
        f"{at(pct)}“{pct['section'] or ''}”：“{change['clause']}，{pct['clause']}”：{message}",
        expected=round(expected, 4),
        actual=pct["value"],
        column="change_pct",
        excerpt=pct["sentence"],
        line=pct["line"],
        page=pct["page"],
        location=f"{pct['section'] or ''} “{pct['clause']}”",
    )


@rule(
    "yoy-percent-base",
    severity="error",
    category="percentage",
    title="同比增减百分比计算基数错误",
    domain_ids="P2 D1 D3",
    needs=("claims",),
)
def yoy_percent_base(ctx: DocContext) -> list[dict] | None:
    """A stated year-on-year rate equals Δ ÷ previous-year value, where the previous value is
    the current amount (stated in the same or the preceding sentence) minus the change stated in
    the same sentence. Fires when the stated rate is instead Δ ÷ current value (D1) or Δ itself
    (D3), naming the wrong base.

    Certain because: the stated rate equals, at its printed precision, Δ ÷ current or Δ itself,
    and not Δ ÷ (current − Δ) anywhere in the range the printed amounts allow. Not judged when
    the sentence speaks of a comparable base (可比口径, 剔除…). Depends on: the change and current
    amount stated with the rate."""
    if not ctx.claim_dicts:
        return None
    out, evaluated = [], False
    for verdict, pct, change, current, previous, expected in _rate_cases(ctx):
        evaluated = True
        delta = change["value_wan"]
        if verdict == "current_base":
            why = (
                f"按本年数 {current['value']:g} 计算（{delta:.2f}/{current['value_wan']:.2f}），"
                f"应以上年数 {previous:.2f} 为基数"
            )
        elif verdict == "delta_as_rate":
            why = "所列百分比实为增减额本身"
        else:
            continue
        out.append(
            _rate_finding(
                pct,
                change,
                f"增减 {delta:.2f} 万元，所述增幅 {pct['value']:g}% 不正确，{why}（正确为 {expected:.2f}%）",
                expected,
            )
        )
    return out if evaluated else None


@rule(
    "change-amount-rate-mismatch",
    severity="error",
    category="narrative",
    title="同一变动所述增减额与增减率互相矛盾",
    domain_ids="P2 C1",
    needs=("claims",),
)
def change_amount_rate_mismatch(ctx: DocContext) -> list[dict] | None:
    """The change amount and rate stated for one figure agree: rate = Δ ÷ (current − Δ). When
    they disagree and no wrong base explains it, one of the two printed numbers is wrong; the
    message gives both repairs (the rate from the amount, and the amount from the rate).

    Certain because: no previous-year base within the printed precision of the amounts makes the
    stated change and rate agree, and the sentence names no comparable base. Depends on: the
    change and current amount attached to the same subject as the rate."""
    if not ctx.claim_dicts:
        return None
    out, evaluated = [], False
    for verdict, pct, change, current, previous, expected in _rate_cases(ctx):
        evaluated = True
        if verdict != "inconsistent":
            continue
        rate = pct["value"] / 100 * (-1 if pct["direction"] == "down" else 1)
        implied = current["value_wan"] * rate / (1 + rate) if rate > -1 else None
        other = f"；若增幅 {pct['value']:g}% 无误，增减额应为 {abs(implied):.2f} 万元" if implied is not None else ""
        out.append(
            _rate_finding(
                pct,
                change,
                f"增减额 {change['value_wan']:.2f} 万元与增幅 {pct['value']:g}% 不相符："
                f"按增减额，上年为 {previous:.2f} 万元，增幅应为 {expected:.2f}%{other}",
                expected,
            )
        )
    return out if evaluated else None


def _stated_previous(ctx: DocContext, claims: list[dict]) -> dict | None:
    """An amount of the sentence dated N−1 ("上年…", "2023年当年预算执行数为…")."""
    year = ctx.document["fiscal_year"]
    for c in claims:
        years = {int(y) for y in _YEAR.findall(c["clause"] or "")}
        if (
            c["claim_type"] == "amount"
            and c["value_wan"] is not None
            and (re.search(r"上年|上一年|去年", c["clause"] or "") or (year and years == {year - 1}))
        ):
            return c
    return None


def _zero_previous(ctx: DocContext, claims: list[dict], i: int) -> str | None:
    """How the text shows that the rate ``claims[i]`` has a previous-year value of 0 while the
    current value is not 0, or None."""
    pct = claims[i]
    same_sentence = [c for c in claims[:i] if c["_sentence"] == pct["_sentence"]]
    stated = _stated_previous(ctx, same_sentence)
    if stated is not None:
        current = [c for c in same_sentence if c["claim_type"] == "amount" and c is not stated and c["value_wan"]]
        if current and abs(stated["value_wan"]) <= ctx.tolerance.narrative(2):
            return f"“{short(stated['clause'])}”"
        return None
    pair = change_and_current(ctx, claims, i)
    if pct["subject"] is None or pair is None or pair[0]["direction"] not in {"up", "down"}:
        return None
    change, now = pair
    previous = now["value_wan"] - change["value_wan"] * (-1 if change["direction"] == "down" else 1)
    if now["value_wan"] and abs(previous) <= ctx.tolerance.narrative(2):
        return f"本年 {now['value']:g}{now['unit']} 减去增加额 {change['value']:g}{change['unit']}"
    return None


@rule(
    "percent-zero-base",
    severity="error",
    category="percentage",
    title="上年数为0时仍列出增减百分比",
    domain_ids="P7 A4",
    needs=("claims",),
)
def percent_zero_base(ctx: DocContext) -> list[dict] | None:
    """A year-on-year percentage needs a nonzero previous-year value: when the previous value is
    0 (stated in the sentence, or the current amount minus the stated change) while the current
    one is not, the text says "新增" instead of a rate such as "增长100%" (DOMAIN P7). A zero
    item that stays zero is a zero change (E7), not a zero base.

    Certain because: the document itself states the previous amount as 0 (or a change equal to
    the whole current amount) and still prints a rate. Depends on: the previous-year figure
    stated in the same sentence or section."""
    if not ctx.claim_dicts:
        return None
    out, evaluated = [], False
    for claims in _section_groups(ctx):
        for i, pct in enumerate(claims):
            if pct["claim_type"] != "change_pct" or pct["direction"] == "flat" or not pct["value"]:
                continue
            evaluated = True
            how = _zero_previous(ctx, claims, i)
            if how is None:
                continue
            out.append(
                finding(
                    f"{at(pct)}“{pct['section'] or ''}”：上年数为 0（{how}），不能计算增幅，"
                    f"却写“{short(pct['clause'])}”，应写“新增”",
                    column="change_pct",
                    actual=pct["value"],
                    excerpt=pct["sentence"],
                    line=pct["line"],
                    page=pct["page"],
                    location=f"{at(pct)} “{short(pct['clause'])}”",
                )
            )
    return out if evaluated else None


@rule(
    "direction-words-agree",
    severity="error",
    category="percentage",
    title="同一变动的增减额与增减率方向词相互矛盾",
    domain_ids="P3",
    needs=("claims",),
)
def direction_words_agree(ctx: DocContext) -> list[dict] | None:
    """A change stated as an amount and as a rate in one sentence ("减少26.00万元，上涨2.20%")
    goes the same way: one of the two direction words is wrong.

    Certain because: the amount and the rate of one change carry opposite direction words in the
    same clause pair. Depends on: both attaching to the same subject."""
    if not ctx.claim_dicts:
        return None
    out, evaluated = [], False
    for claims in group_in_order(ctx.ordered_claims, lambda c: (c["line"], c["sentence"])):
        claims.sort(key=lambda c: c["offset"])
        for i, pct in enumerate(claims):
            if pct["claim_type"] != "change_pct" or pct["direction"] not in {"up", "down"}:
                continue
            amount = next(
                (
                    c
                    for c in reversed(claims[:i])
                    if c["claim_type"] == "change_amount" and c["subject"] == pct["subject"]
                ),
                None,
            )
            if amount is None or amount["direction"] not in {"up", "down"} or not amount["value"]:
                continue
            evaluated = True
            if amount["direction"] != pct["direction"]:
                out.append(
                    finding(
                        f"第{pct['line'] or pct['page']}{'行' if pct['line'] else '页'}“{pct['section'] or ''}”："
                        f"“{amount['clause']}，{pct['clause']}”：增减额与增减率的方向词相反，其中必有一处错误",
                        column="direction",
                        excerpt=pct["sentence"],
                        line=pct["line"],
                        page=pct["page"],
                        location=f"{pct['section'] or ''} “{amount['clause']}，{pct['clause']}”",
                    )
                )
    return out if evaluated else None
