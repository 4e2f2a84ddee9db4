"""Performance targets (DOMAIN.md §4 H): conflicting quantities, indicators that cannot apply,
values without a comparator, boilerplate descriptions and the sum of project amounts."""

from __future__ import annotations

import re
from collections import Counter
from functools import cache, lru_cache

from analysis.check.context import DocContext, finding
from analysis.check.document_views import at
from analysis.check.plausibility import procurement_total
from analysis.check.registry import rule
from analysis.kinds import Kind
from analysis.metadata import load_csv
from analysis.text import match_key

_COUNT_UNITS = {
    "人",
    "人次",
    "个",
    "次",
    "条",
    "台",
    "套",
    "台(套)",
    "项",
    "家",
    "户",
    "辆",
    "份",
    "件",
    "场",
    "批",
    "天",
    "小时",
    "万元",
    "元",
}
_QUOTES = re.compile(r"[“”\"'‘’]")
_BARE_COUNT = r"^\s*\d[\d,]*(\.\d+)?\s*[^\d\s]{1,4}\s*$"
"""A value that is only a number and a short unit ("17 人", "30个"), nothing else in the cell."""
_BARE_COUNT_RE = re.compile(_BARE_COUNT.removesuffix("$") + r"\Z")  # $ would also match before a final newline


def _owner(target: dict) -> str:
    return f"项目“{target['project_name']}”" if target["project_name"] else "整体绩效目标"


@lru_cache(maxsize=1 << 14)
def _key(indicator: str | None) -> str:
    """An indicator's match key without quotes (remembered: templates repeat indicators)."""
    return _QUOTES.sub("", match_key(indicator or ""))


@cache
def _quantities() -> tuple[tuple[re.Pattern, str, str], ...]:
    rows = load_csv("checks/b_indicator_quantities.csv")
    return tuple((re.compile(r["pattern"]), r["key"], r["label"]) for r in rows)


@rule(
    "target-quantity-conflict",
    severity="warning",
    category="performance",
    title="绩效指标中同一数量（如工作人员数量）取值互相矛盾",
    domain_ids="H2 §6.4",
)
def target_quantity_conflict(ctx: DocContext) -> list[dict] | None:
    """A quantity that describes the department itself — above all its staff count (工作人员
    数量, 人员人数, 职工人数 …, checks/b_indicator_quantities.csv) — has one value across all
    indicators of the document; different values (17 人 / ≥80 人 / ≥33 人) are reported."""
    rows = [t for t in ctx.target_rows if t["value_kind"] == "number" and t["value"] is not None]
    if not rows:
        return None
    groups: dict[tuple[str, str, str | None], list[dict]] = {}
    for target in rows:
        key = _key(target["indicator"])
        for pattern, quantity, label in _quantities():
            if pattern.search(key):
                groups.setdefault((quantity, label, target["unit"]), []).append(target)
                break
    out = []
    for (_, label, unit), targets in groups.items():
        values = Counter(round(t["value"], 4) for t in targets)
        if len(values) < 2:
            continue
        listed = "；".join(f"{_owner(t)}“{t['indicator']} {t['raw_value']}”（{at(t)}）" for t in targets)
        distinct = "、".join(f"{v:g}{unit or ''}" for v in values)
        out.append(
            finding(
                f"{label}在绩效目标中取值不一致（{distinct}）：{listed}",
                table_kind=targets[0]["table_kind"],
                column="indicator",
                excerpt=listed,
                line=targets[0]["line"],
                page=targets[0]["page"],
                location=f"{at(targets[0])} {_owner(targets[0])}",
            )
        )
    return out


def _is_zero(ctx: DocContext, subject: str) -> str | None:
    """A sentence saying ``subject`` is 0 in this document, or None when it is not known to be 0."""
    if subject == "three_public":
        if ctx.document.get("three_public_total") is not None and abs(ctx.document["three_public_total"]) < 1e-9:
            return "三公经费合计为 0"
    if subject == "procurement_total":
        total = procurement_total(ctx)
        if total is not None and abs(total[0]) < 1e-9:
            return total[1]
        return None
    claims = [c for c in ctx.claim_dicts if c["subject"] == subject and c["value"] is not None]
    if claims and all(abs(c["value"]) < 1e-9 for c in claims):
        first = claims[0]
        return f"{at(first)}“{first['clause']}”"
    return None


@cache
def _inapplicable() -> tuple[tuple[re.Pattern, str, str], ...]:
    rows = load_csv("checks/b_inapplicable_indicators.csv")
    return tuple((re.compile(r["pattern"]), r["subject"], r["label"]) for r in rows)


@rule(
    "target-inapplicable",
    severity="warning",
    category="performance",
    title="绩效指标的分母为 0，指标无法适用",
    domain_ids="H3",
    needs=("targets",),
)
def target_inapplicable(ctx: DocContext) -> list[dict] | None:
    """An indicator whose base is a figure the document states as 0 cannot be measured:
    三公经费控制率 with no 三公经费, 政府采购执行率 with no 政府采购, 专项资金细化率 with no
    专项转移支付 (checks/b_inapplicable_indicators.csv)."""
    if not ctx.target_rows:
        return None
    out = []
    for target in ctx.target_rows:
        key = _key(target["indicator"])
        for pattern, subject, label in _inapplicable():
            if not pattern.search(key):
                continue
            zero = _is_zero(ctx, subject)
            if zero:
                shown = f"{target['indicator']} {target['raw_value'] or ''}".strip()
                out.append(
                    finding(
                        f"{at(target)}：{_owner(target)}设有指标“{shown}”，但{label}为 0（见{zero}），该指标无从计算",
                        table_kind=target["table_kind"],
                        column="indicator",
                        excerpt=shown,
                        line=target["line"],
                        page=target["page"],
                    )
                )
            break
    return out


@rule("target-no-comparator", severity="info", category="performance", title="绩效指标值缺少比较符", domain_ids="H5")
def target_no_comparator(ctx: DocContext) -> list[dict] | None:
    """A quantitative indicator value says whether it is a floor, a cap or an exact figure
    (≥, ≤, =); a bare count such as "17 人" or "30个" does not."""
    rows = [
        t
        for t in ctx.target_rows
        if t["value_kind"] == "number"
        and t["comparator"] is None
        and t["unit"] in _COUNT_UNITS
        and t["raw_value"] is not None
        and _BARE_COUNT_RE.search(t["raw_value"])
    ]
    if not ctx.target_rows:
        return None
    return [
        finding(
            f"{at(t)}：{_owner(t)}的指标“{t['indicator']}”值为“{t['raw_value']}”，没有 ≥、≤ 或 =，"
            f"看不出是下限、上限还是确数",
            table_kind=t["table_kind"],
            column="indicator",
            excerpt=f"{t['indicator']} {t['raw_value']}",
            line=t["line"],
            page=t["page"],
        )
        for t in rows
    ]


@rule(
    "target-boilerplate",
    severity="info",
    category="performance",
    title="多个绩效指标使用同一段说明文字",
    domain_ids="H6",
)
def target_boilerplate(ctx: DocContext) -> list[dict] | None:
    """Each indicator's explanation (指标值说明) says something about that indicator; one text
    repeated for three or more different indicators is boilerplate. Needs the ``description``
    column of the targets frame; not evaluated when extraction does not provide it."""
    if "description" not in ctx.columns("targets"):
        return None
    rows = [t for t in ctx.target_rows if t["description"] is not None]
    if not rows:
        return None
    by_text: dict[str, list[dict]] = {}
    for target in rows:
        text = match_key(target["description"])
        if len(text) >= 8:
            by_text.setdefault(text, []).append(target)
    out = []
    for targets in by_text.values():
        names = list(dict.fromkeys(t["indicator"] for t in targets))
        if len(names) >= 3:
            out.append(
                finding(
                    f"{at(targets[0])}：{len(names)} 个不同指标（{'、'.join(names)}）的说明都是"
                    f"“{targets[0]['description']}”",
                    table_kind=targets[0]["table_kind"],
                    column="description",
                    excerpt=targets[0]["description"],
                    line=targets[0]["line"],
                    page=targets[0]["page"],
                )
            )
    return out


@rule(
    "project-targets-sum",
    severity="error",
    category="performance",
    title="项目绩效目标表的资金总额合计不符",
    domain_ids="H7 I33",
)
def project_targets_sum(ctx: DocContext) -> list[dict] | None:
    """Σ 资金总额 of the projects in B13 equals the table's own 合计 (or top unit) row (I33),
    and — when the document has no 项目支出表 to carry the comparison (X14, X08) — equals 项目支出
    of the 部门支出总表.

    Certain because: the printed total of the target table differs from the sum of its printed
    project amounts beyond rounding. Depends on: the table's total row."""
    b13 = [r for r in ctx.rows(Kind.PROJECT_PERFORMANCE_TARGETS) if r["column"] == "total" and r["amount"] is not None]
    # Code-only rows (a department code "363" read as an item) carry an empty project name.
    items = [r for r in b13 if r["row_role"] == "item" and (r["project_name"] or "").strip()]
    if not items:
        return None
    total = round(float(sum(r["amount"] for r in items)), 6)
    tol = ctx.tolerance.sum(len(items) + 1, ctx.scale(Kind.PROJECT_PERFORMANCE_TARGETS))
    out, evaluated = [], False
    heads = [r for r in b13 if r["row_role"] == "total"] or [r for r in b13 if r["row_role"] == "unit"]
    if heads:
        evaluated = True
        head = heads[0]
        if abs(head["amount"] - total) > tol:
            out.append(
                finding(
                    f"{ctx.where(head)}：合计 {head['raw_value']} 万元，而 {len(items)} 个项目的资金总额之和为 "
                    f"{total:.2f} 万元",
                    row=head,
                    column="total",
                    expected=total,
                    actual=head["amount"],
                )
            )
    if Kind.PROJECT_EXPENDITURE not in ctx.kinds:
        stated = ctx.value(Kind.EXPENDITURE_SUMMARY, "project_total", row_role="total")
        if stated is not None:
            evaluated = True
            if abs(stated[0] - total) > tol:
                out.append(
                    finding(
                        f"项目绩效目标表 {len(items)} 个项目资金总额之和 {total:.2f} 万元，"
                        f"{ctx.where(stated[1])} 项目支出为 {stated[0]:.2f} 万元",
                        row=stated[1],
                        table_kind=Kind.PROJECT_PERFORMANCE_TARGETS,
                        column="total",
                        expected=round(stated[0], 6),
                        actual=total,
                    )
                )
    return out if evaluated else None
