"""决算 statements (issue 13; DOMAIN.md §2.5, §2.7 EX1–EX3, §4 D3, G4): the 完成率, direction
word and reason a final account states for its spending against the budget, and the statement's
figures against its own tables (F05 类/项 rows, F07 “三公” 预算数/决算数 blocks).

Severity follows certainty (§0.4): a rate or direction that the printed figures cannot give
is an error; a rate that follows from another printed base than the one it names, and a
missing explanation, are warnings.
"""

from __future__ import annotations

import re

from analysis.check.context import DocContext, finding
from analysis.check.execution_statements import final_statements
from analysis.check.registry import rule
from analysis.kinds import Kind
from analysis.metadata import final_account_settings
from analysis.sentences.execution import Statement, rate_interval

_WORD = {"up": "大于", "down": "小于", "flat": "持平"}
_BASE_WORD = {"initial": "年初预算", "adjusted": "调整（全年）预算", "unspecified": "预算"}
_NAMED = re.compile(r"([\u4e00-\u9fff、“”\"]+?)（(类|款|项)）")


def _where(st: Statement) -> str:
    place = f"第{st.page}页" if st.page is not None else f"第{st.line}行" if st.line is not None else ""
    return f"{place}“{st.subject[-24:] or '执行情况'}”"


def _evidence(st: Statement, message: str, **kw) -> dict:
    return finding(message, excerpt=st.text, line=st.line, page=st.page, location=_where(st), **kw)


@rule(
    "final-completion-rate",
    severity="error",
    category="percentage",
    title="决算完成率与所列预算数、决算数不符",
    domain_ids="EX1 EX2 D3 FI07",
)
def completion_rate(ctx: DocContext) -> list[dict] | None:
    """A stated 完成率 (“完成年初预算的R%”) lies in the range the printed 决算 and the named 预算
    allow (each ± half a unit of its last digit, R ± half a unit of its own). Outside it the
    statement contradicts itself (an error), unless R follows from another 预算 the statement
    prints (“全年预算”): then the base is misnamed, a warning."""
    out, evaluated = [], False
    for st in final_statements(ctx):
        if st.rate is None:
            continue
        named = st.budget(st.rate_base)
        half = ctx.tolerance.percent(st.rate_decimals)
        checks = {base: rate_interval((st.final, st.final_decimals), b) for base, b in st.budgets.items()}
        fits = [base for base, iv in checks.items() if iv and iv[0] - half - 1e-9 <= st.rate <= iv[1] + half + 1e-9]
        named_iv = rate_interval((st.final, st.final_decimals), named) if named else None
        if named_iv is None and not fits:
            continue  # a zero budget and no other base: nothing to recompute against
        evaluated = True
        if named_iv and named_iv[0] - half - 1e-9 <= st.rate <= named_iv[1] + half + 1e-9:
            continue
        word = _BASE_WORD.get(st.rate_base or "unspecified", "预算")
        if fits:
            other = fits[0]
            out.append(
                {
                    **_evidence(
                        st,
                        f"{_where(st)}：称完成{word}的{st.rate:g}%，但该比例是决算数 {st.final:.2f} 万元"
                        f"对{_BASE_WORD[other]} {st.budgets[other][0]:.2f} 万元之比，"
                        f"{word}为 {named[0] if named else 0:.2f} 万元",
                        column="rate",
                        expected=round(st.final / st.budgets[other][0] * 100, 2),
                        actual=st.rate,
                    ),
                    "severity": "warning",
                }
            )
            continue
        if named is None:
            continue  # not reached: without fits, named_iv and so named are set (says so to the type checker)
        expected = round(st.final / named[0] * 100, 2)
        diff_note = "（所列为决算数与预算数之差）" if abs(st.rate - abs(st.final - named[0])) <= 0.01 + half else ""
        out.append(
            _evidence(
                st,
                f"{_where(st)}：称完成{word}的{st.rate:g}%，按决算数 {st.final:.2f} 万元、"
                f"{word} {named[0]:.2f} 万元应为 {expected:.2f}%{diff_note}",
                column="rate",
                expected=expected,
                actual=st.rate,
            )
        )
    return out if evaluated else None


@rule(
    "final-direction-word",
    severity="error",
    category="narrative",
    title="“决算数大于/小于预算数”与所列数字相反",
    domain_ids="EX1 EX2 P3",
)
def direction_word(ctx: DocContext) -> list[dict] | None:
    """“决算数大于/小于/同预算数持平” follows the sign of 决算 − 预算 of the printed figures.
    The sign of two different printed figures is exact; two equal printed figures may hide a
    difference below the last digit, so 大于/小于 is not contradicted by them."""
    out, evaluated = [], False
    for st in final_statements(ctx):
        if st.direction is None or not st.budgets:
            continue
        evaluated = True
        truths = set()
        for budget, _ in st.budgets.values():
            delta = round(st.final - budget, 6)
            truths.add("up" if delta > 0 else "down" if delta < 0 else "flat")
        if st.direction in truths or ("flat" in truths and st.direction in ("up", "down")):
            continue
        shown = st.budget(None) or next(iter(st.budgets.values()))
        truth = sorted(truths)[0]
        out.append(
            _evidence(
                st,
                f"{_where(st)}：称决算数{_WORD[st.direction]}预算数，但决算数 {st.final:.2f} 万元"
                f"{_WORD[truth] if truth != 'flat' else '等于'}预算数 {shown[0]:.2f} 万元",
                column="direction",
                expected=round(st.final - shown[0], 6),
                actual=None,
            )
        )
    return out if evaluated else None


@rule(
    "final-variance-explanation",
    severity="warning",
    category="completeness",
    title="决算数与预算数差异较大而未说明原因",
    domain_ids="EX3 F4 E1",
)
def variance_explanation(ctx: DocContext) -> list[dict] | None:
    """Where 决算 departs from 年初预算 by more than ``variance_threshold_pct`` (metadata/checks/
    final_accounts.toml) the statement gives its reason (“主要原因…”); an empty reason
    (“主要原因：。”) is template residue. Both are warnings: templates differ on what to explain."""
    threshold = final_account_settings().variance_threshold_pct
    out, evaluated = [], False
    for st in final_statements(ctx):
        budget = st.budget("initial") or st.budget(None)
        if not budget or budget[0] <= 0:
            continue
        evaluated = True
        gap = (st.final - budget[0]) / budget[0] * 100
        if st.empty_reason:
            out.append(
                _evidence(
                    st,
                    f"{_where(st)}：差异原因留空（“主要原因：”后无内容）",
                    column="explanation",
                    expected=None,
                    actual=round(st.final / budget[0] * 100, 2),
                )
            )
        elif abs(gap) > threshold and not st.has_reason:
            out.append(
                _evidence(
                    st,
                    f"{_where(st)}：决算数 {st.final:.2f} 万元与预算数 {budget[0]:.2f} 万元相差 "
                    f"{gap:+.2f}%（超过 {threshold:g}%），未说明原因",
                    column="explanation",
                    expected=None,
                    actual=round(st.final / budget[0] * 100, 2),
                )
            )
    return out if evaluated else None


def _table_row(ctx: DocContext, st: Statement) -> dict | None:
    """The F05 row a statement is about: its last named 项 (else 类), matched by printed name."""
    named = _NAMED.findall(st.subject)
    if not named:
        return None
    wanted = next((n for n, level in reversed(named) if level == "项"), None)
    level_len = 7
    if wanted is None:
        wanted, level_len = next(n for n, level in reversed(named) if level == "类"), 3
        if any(level == "款" for _, level in named):
            return None
    wanted = re.sub(r"^[\d、.．]+", "", wanted)
    rows = [
        r
        for r in ctx.rows(Kind.FINAL_GENERAL_BUDGET_EXPENDITURE)
        if r["column"] == "total"
        and r["func_code"]
        and len(r["func_code"]) == level_len
        and re.sub(r"\s+", "", r["row_label"] or "") == wanted
    ]
    return rows[0] if len({r["func_code"] for r in rows}) == 1 else None


@rule(
    "final-statement-vs-table",
    severity="error",
    category="narrative",
    title="决算说明所列预算数、决算数与决算表不符",
    domain_ids="EX2 FI05 FI07 C1 G4",
)
def statement_vs_table(ctx: DocContext) -> list[dict] | None:
    """The 决算 a statement gives for a 功能 类/项 equals its F05 row (and its 年初预算 the F05
    年初预算数 where printed); the “三公” statement's 决算 and 预算 equal F07's 决算数 and 预算数
    合计. Within half a unit of the narrative's precision plus the table's rounding."""
    out, evaluated = [], False
    three = {r["column"]: r for r in ctx.rows(Kind.FINAL_THREE_PUBLIC_EXPENSES) if r["amount"] is not None}
    for st in final_statements(ctx):
        pairs = []
        if "三公" in st.subject[-30:] and "total" in three:
            pairs = [
                ("final", st.final, st.final_decimals, three.get("total")),
                ("budget", *(st.budget("initial") or st.budget(None) or (None, 0)), three.get("budget_total")),
            ]
        elif (row := _table_row(ctx, st)) is not None:
            budget_row = next(
                (
                    r
                    for r in ctx.rows(Kind.FINAL_GENERAL_BUDGET_EXPENDITURE)
                    if r["row_index"] == row["row_index"] and r["column"] == "budget_amount"
                ),
                None,
            )
            pairs = [
                ("final", st.final, st.final_decimals, row),
                ("budget", *(st.budget("initial") or (None, 0)), budget_row),
            ]
        for what, value, decimals, row in pairs:
            if value is None or row is None:
                continue
            evaluated = True
            tol = ctx.tolerance.narrative(decimals) + ctx.tolerance.printed([row]) / 2
            if abs(value - row["amount"]) > tol:
                label = "决算数" if what == "final" else "预算数"
                out.append(
                    _evidence(
                        st,
                        f"{_where(st)}：说明所列{label} {value:.2f} 万元，{ctx.where(row)}为 {row['raw_value']}",
                        table_kind=row["table_kind"],
                        column=row["column"],
                        expected=row["amount"],
                        actual=value,
                    )
                )
    return out if evaluated else None
