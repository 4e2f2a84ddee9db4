"""决算 政府采购 shares (issue 13; DOMAIN.md §2.5 FI11, §4 J4): the 中小企业 contract amount is
at most the procurement total and its share is taken of that total; the 小微企业 amount is at
most the 中小企业 amount and its share is taken of the **中小企业** amount — using the total as
the base is the common error.

Read from sentences such as “政府采购支出总额T万元……授予中小企业合同金额X万元，占政府采购支出总
额的Y%，其中：授予小微企业合同金额Z万元，占授予中小企业合同金额的W%”.
"""

from __future__ import annotations

import re

from analysis.check.context import DocContext, finding
from analysis.check.registry import rule

_NUM = r"(\d[\d,]*(?:\.\d+)?)"
_TOTAL = re.compile(rf"政府采购支出总额(?:为)?\s*{_NUM}\s*万元")
_SME = re.compile(rf"授予中小企业合同(?:金额|总额)(?:为)?\s*{_NUM}\s*万元[，,]?\s*占[^%]{{0,20}}?的?\s*{_NUM}\s*%")
_SMALL = re.compile(rf"授予小微企业合同(?:金额|总额)(?:为)?\s*{_NUM}\s*万元[，,]?\s*占[^%]{{0,24}}?的?\s*{_NUM}\s*%")


def _num(text: str) -> tuple[float, int]:
    digits = text.replace(",", "")
    return float(digits), len(digits.split(".")[1]) if "." in digits else 0


def _fits(part: tuple[float, int], base: tuple[float, int], pct: tuple[float, int], points: float) -> bool:
    """Whether the stated share can come from the printed (rounded) part and base."""
    (p, pd), (b, bd) = part, base
    hp, hb = 0.5 * 10 ** (-pd), 0.5 * 10 ** (-bd)
    if b - hb <= 0:
        return True
    low, high = max(p - hp, 0) / (b + hb) * 100, (p + hp) / (b - hb) * 100
    half = max(points, 0.5 * 10 ** (-pct[1]))
    return low - half - 1e-9 <= pct[0] <= high + half + 1e-9


def _exceeds(part: tuple[float, int], whole: tuple[float, int]) -> bool:
    """The printed part is larger than its printed whole beyond what their rounding allows
    (each ± half a unit of its last digit, DOMAIN §0.4): "100" 万元 may stand for 100.4."""
    (p, pd), (w, wd) = part, whole
    return p - 0.5 * 10 ** (-pd) > w + 0.5 * 10 ** (-wd) + 1e-9


def _part_exceeds(
    place: str, at: dict, column: str, part_name: str, part: float, whole_name: str, whole: float
) -> dict:
    """An amount printed larger than the amount it is part of, beyond rounding: an error."""
    message = f"{place}：{part_name} {part:.2f} 万元大于{whole_name} {whole:.2f} 万元"
    return {
        **finding(message, column=column, expected=whole, actual=part, location=place, **at),
        "severity": "error",
    }


@rule(
    "final-procurement-sme-share",
    severity="warning",
    category="percentage",
    title="政府采购中小企业、小微企业合同金额或占比有误",
    domain_ids="FI11 J4",
    needs=("final_account", "texts"),
)
def sme_share(ctx: DocContext) -> list[dict] | None:
    """中小企业 ≤ 总额 and 小微 ≤ 中小 (a larger part is an error); the 中小企业 share is of the
    total and the 小微 share of the 中小企业 amount (a share on another base, or one that no base
    gives, is a warning: J4)."""
    if ctx.document.get("doc_type") != "final_account" or not ctx.text_rows:
        return None
    out, evaluated = [], False
    points = ctx.tolerance.percent_narrative
    for row in (r for r in ctx.text_rows if r["kind"] == "paragraph"):
        text = row["text"]
        total, sme, small = _TOTAL.search(text), _SME.search(text), _SMALL.search(text)
        if not (sme and (total or small)):
            continue
        evaluated = True
        at = {"line": row["line"], "page": row["page"], "excerpt": text}
        place = f"第{row['page']}页" if row["page"] is not None else f"第{row['line']}行"
        sme_amt, sme_pct = _num(sme.group(1)), _num(sme.group(2))
        if total:
            tot = _num(total.group(1))
            if _exceeds(sme_amt, tot):
                out.append(
                    _part_exceeds(
                        place, at, "sme_amount", "授予中小企业合同金额", sme_amt[0], "政府采购支出总额", tot[0]
                    )
                )
            elif not _fits(sme_amt, tot, sme_pct, points):
                out.append(
                    finding(
                        f"{place}：中小企业占比 {sme_pct[0]:g}% 与 {sme_amt[0]:.2f} ÷ {tot[0]:.2f} = "
                        f"{sme_amt[0] / tot[0] * 100:.2f}% 不符",
                        column="sme_share",
                        expected=round(sme_amt[0] / tot[0] * 100, 2),
                        actual=sme_pct[0],
                        location=place,
                        **at,
                    )
                )
        if small:
            small_amt, small_pct = _num(small.group(1)), _num(small.group(2))
            if _exceeds(small_amt, sme_amt):
                out.append(
                    _part_exceeds(
                        place, at, "small_amount", "授予小微企业合同金额", small_amt[0], "中小企业合同金额", sme_amt[0]
                    )
                )
            elif not _fits(small_amt, sme_amt, small_pct, points):
                wrong_base = total and _fits(small_amt, _num(total.group(1)), small_pct, points)
                note = "，是以政府采购总额为基数（应以中小企业合同金额为基数）" if wrong_base else ""
                out.append(
                    finding(
                        f"{place}：小微企业占比 {small_pct[0]:g}% 与 {small_amt[0]:.2f} ÷ {sme_amt[0]:.2f} = "
                        f"{small_amt[0] / sme_amt[0] * 100:.2f}% 不符{note}",
                        column="small_share",
                        expected=round(small_amt[0] / sme_amt[0] * 100, 2),
                        actual=small_pct[0],
                        location=place,
                        **at,
                    )
                )
    return out if evaluated else None
