"""Narrative against the tables (DOMAIN.md §2.3, §4 C, M) and the direction words of changes
(§2.4 P3).

The tables' figures form a registry (metadata/checks/narrative_figures.toml): 收入总计,
基本支出 of all funds and of 一般公共预算 only, 人员经费, 三公 … each read from the first table
that prints it. A narrative amount is compared with the figure its subject names, in the scope
of its sentence; when it differs, the registry says which other figure it equals, if any.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import cast

from analysis.check.context import DocContext, finding
from analysis.check.document_views import looks_like_institution
from analysis.check.registry import rule
from analysis.check.tolerance import half_unit
from analysis.metadata import load_toml
from analysis.text import UNIT_TO_WAN

_TO_WAN = UNIT_TO_WAN
_MONEY = tuple(_TO_WAN)
_YEAR = re.compile(r"(20\d{2})\s*年")
_compiled = cache(re.compile)
"""Patterns from metadata, compiled once (``re``'s own cache is small and costs a lookup)."""


@dataclass(frozen=True, slots=True)
class Figure:
    """One registry figure: value in 万元, the first row it was read from, how many cells."""

    id: str
    label: str
    value: float
    row: dict | None
    n_terms: int
    kind: str


@cache
def _spec() -> dict:
    return load_toml("checks/narrative_figures.toml")


@cache
def _figure_defs() -> dict[str, dict]:
    return {f["id"]: f for f in _spec()["figure"]}


@cache
def _subject_map() -> dict[str, dict[str, tuple[str, ...]]]:
    return {
        s["subject"]: {scope: tuple(s.get(scope, s["all"])) for scope in ("all", "fiscal", "general")}
        for s in _spec()["subject"]
    }


def _read(ctx: DocContext, figure: dict) -> Figure | None:
    """The figure from its first source whose table prints it (0 for a blank or n/a table)."""
    for source in figure["sources"]:
        kind = source["kind"]
        if kind not in ctx.kinds:
            continue
        keyed, totals = "row_key" in source, "row_keys" not in source and source.get("row_role") == "total"
        if keyed:
            given = ctx.keyed_rows(kind, source["row_key"])
        else:  # a source's rows picked from an index where one is kept
            given = ctx.role_rows(kind, "total") if totals else ctx.rows(kind)
        section = source.get("section")
        rows = [r for r in given if r["amount"] is not None and (section is None or r["section"] == section)]
        if not keyed and "row_keys" in source:
            rows = [r for r in rows if r["row_key"] in source["row_keys"]]
        elif not keyed and totals:
            first = min((r["row_index"] for r in rows), default=None)
            rows = [r for r in rows if r["row_index"] == first]
        rows = [r for r in rows if r["column"] in source["columns"]]
        if rows:
            return Figure(
                figure["id"], figure["label"], round(sum(r["amount"] for r in rows), 6), rows[0], len(rows), kind
            )
        info = ctx.table_info(kind) or {}
        if info.get("status") in {"blank", "not_applicable"}:
            return Figure(figure["id"], figure["label"], 0.0, None, 1, kind)
    return None


def figure_registry(ctx: DocContext) -> dict[str, Figure]:
    """Every registry figure the document's tables print (DOMAIN §4 B2), by id."""
    if "figure_registry" not in ctx.memo:
        found = {fid: _read(ctx, spec) for fid, spec in _figure_defs().items()}
        ctx.memo["figure_registry"] = {fid: fig for fid, fig in found.items() if fig is not None}
    return ctx.memo["figure_registry"]


def claim_scope(claim: dict) -> str:
    """``general`` (一般公共预算), ``fiscal`` (财政拨款) or ``all``: what the clause, else the
    sentence before the figure, else the section heading speaks of."""
    scope = _spec()["scope"]
    prefix = (claim["sentence"] or "")[: claim["offset"] or 0]
    general, fiscal = _compiled(scope["general"]), _compiled(scope["fiscal"])
    for text in (claim["clause"] or "", prefix, claim["section"] or ""):
        if general.search(text):
            return "general"
        if fiscal.search(text):
            return "fiscal"
    return "all"


def subject_figures(subject: str | None, scope: str) -> tuple[str, ...]:
    """Registry ids a claim subject must equal in ``scope`` (empty when it is not mapped)."""
    return _subject_map().get(subject or "", {}).get(scope, ())


def about_other_period(ctx: DocContext, claim: dict) -> bool:
    """True when the clause speaks of another year than N, or (决算) of the budget, or (预算)
    of last year's execution: such a figure is not one of this document's tables."""
    clause = claim["clause"] or ""
    year = ctx.document["fiscal_year"]
    if year is not None and any(int(y) != year for y in _YEAR.findall(clause)):
        return True
    periods = _spec()["other_period"]
    doc_type = ctx.document["doc_type"] or "budget"
    return bool(_compiled(periods["any"]).search(clause) or _compiled(periods.get(doc_type, "$^")).search(clause))


def _in_breakdown(claim: dict) -> bool:
    """A 三公 item named as an economic line in a breakdown of 公用经费 (not the 三公 total)."""
    spec = _spec()["breakdown"]
    prefix = (claim["sentence"] or "")[: claim["offset"] or 0]
    return claim["subject"] in spec["subjects"] and any(
        _compiled(spec["context"]).search(text) for text in (claim["section"] or "", prefix)
    )


def claim_tolerance(ctx: DocContext, claim: dict, figure: Figure) -> float:
    """Half a unit of the coarser of the two printed precisions (in 万元: a narrative 6,248 元
    against a table's 0.62 万元 is the table's 0.005 万元) plus the rounding of added table cells."""
    unit = _TO_WAN.get(claim["unit"], 1.0)
    rounding = ctx.tolerance.per_term * (figure.n_terms - 1) * min(ctx.scale(figure.kind), 1.0)
    printed = half_unit(figure.row) if figure.row and figure.row.get("raw_value") else 0.0
    return max(ctx.tolerance.narrative(claim["decimals"] or 0) * unit, printed) + rounding


def at(row: dict) -> str:
    """``第N行`` (text files) or ``第N页`` / ``第N页第M行`` (PDF) of a claim, text or table row."""
    if row.get("page") is not None:
        return f"第{row['page']}页" + (f"第{row['line']}行" if row.get("line") is not None else "")
    return f"第{row['line']}行" if row.get("line") is not None else "位置不明"


def short(clause: str | None, width: int = 28) -> str:
    """The end of a long clause (it often starts with the department's full name)."""
    clause = (clause or "").strip()
    return clause if len(clause) <= width else "…" + clause[-width:]


def _money_claims(ctx: DocContext, claim_type: str) -> list[dict]:
    return [
        c
        for c in ctx.claim_dicts
        if c["claim_type"] == claim_type and c["unit"] in _MONEY and c["value_wan"] is not None
    ]


def _matching_figure(ctx: DocContext, claim: dict, registry: dict[str, Figure], exclude: set[str]) -> Figure | None:
    for fig in registry.values():
        if (
            fig.id not in exclude
            and fig.value != 0
            and abs(claim["value_wan"] - fig.value) <= claim_tolerance(ctx, claim, fig)
        ):
            return fig
    return None


@rule(
    "narrative-amount-table",
    severity="error",
    category="narrative",
    title="情况说明中的金额与表格数字不一致",
    domain_ids="C1 C3",
)
def narrative_amount_table(ctx: DocContext) -> list[dict] | None:
    """Each amount the narrative states for a mapped subject (收入总计, 基本支出, 人员经费, 三公 …)
    equals the table figure of its scope — B03 for all funds, B05 when the sentence speaks of
    一般公共预算 (DOMAIN §2.3, C1) — within half a unit of its printed precision. When it
    differs but equals another registry figure, the figure is probably taken from the wrong
    scope (C3) and the finding is a warning.

    Certain because: the narrative names the figure's subject and funds (its sentence or
    heading: all funds, 财政拨款, 一般公共预算) and the table of that scope prints it, and the two differ
    beyond half a unit of the coarser print. Depends on: the subject of the figure's own clause,
    the scope words, the budget vs final column."""
    claims = [c for c in _money_claims(ctx, "amount") if c["subject"] in _subject_map()]
    if not claims:
        return None
    registry = figure_registry(ctx)
    out, evaluated = [], False
    for claim in claims:
        if about_other_period(ctx, claim) or _in_breakdown(claim):
            continue
        ids = subject_figures(claim["subject"], claim_scope(claim))
        candidates = [registry[i] for i in ids if i in registry]
        if not candidates:
            continue
        evaluated = True
        if any(abs(claim["value_wan"] - f.value) <= claim_tolerance(ctx, claim, f) for f in candidates):
            continue
        expected = candidates[0]
        other = _matching_figure(ctx, claim, registry, set(ids))
        shifted = _same_row_cell(ctx, claim, expected)
        table = (
            ctx.where(expected.row, kind=expected.kind)
            if expected.row
            else f"《{(ctx.table_info(expected.kind) or {}).get('title') or expected.kind}》（空表）"
        )
        message = (
            f"{at(claim)}“{claim['section'] or ''}”：说明中{expected.label}为 {claim['value']:g}"
            f"{claim['unit']}，而 {table} 为 {expected.value:.2f} 万元"
        )
        if other is not None:
            message += f"；所述数字等于{other.label}（{ctx.where(other.row, kind=other.kind)}），疑为口径错误"
        elif shifted is not None:
            message += (
                f"；该表同一行另有 {shifted['amount']:.2f}（读作“{shifted['column']}”列），"
                "可能是表格列错位（或提取时列对齐有误），请核对原表"
            )
        out.append(
            {
                **finding(
                    message,
                    table_kind=expected.kind,
                    row=expected.row,
                    column=expected.id,
                    expected=expected.value,
                    actual=claim["value_wan"],
                    excerpt=claim["sentence"],
                    line=claim["line"],
                    page=claim["page"],
                    location=f"{at(claim)} “{short(claim['clause'])}”",
                ),
                "severity": "warning" if other is not None or shifted is not None else "error",
            }
        )
    return out if evaluated else None


def _same_row_cell(ctx: DocContext, claim: dict, figure: Figure) -> dict | None:
    """Another cell of the figure's row that prints the stated number: narrative and table then
    agree on the number but not on its column."""
    if figure.row is None:
        return None
    return next(
        (
            r
            for r in ctx.rows(figure.kind)
            if r["row_index"] == figure.row["row_index"]
            and r["section"] == figure.row["section"]
            and r["amount"] is not None
            and r["column"] != figure.row["column"]
            and abs(r["amount"] - claim["value_wan"]) <= claim_tolerance(ctx, claim, figure)
        ),
        None,
    )


_WRONG_BASES = (
    "project_all_funds",
    "project_general_budget",
    "expenditure_grand_total",
    "current_expenditure_total",
    "revenue_grand_total",
    "basic_all_funds",
)


@rule(
    "operating-costs-public",
    severity="error",
    category="narrative",
    title="机关运行经费与基本支出中的公用经费不一致",
    domain_ids="M1 C4 FI10",
)
def operating_costs_public(ctx: DocContext) -> list[dict] | None:
    """机关运行经费 (stated in the narrative or printed in a 机关运行经费 table) equals the
    公用经费 of basic 一般公共预算 spending (B06/F06 公用经费合计; DOMAIN M1). Stating 项目支出
    or the grand total instead is an error; any other difference is a warning, except a lower
    figure in a department that describes subordinate 事业单位: only 行政 and 参公 units count.

    Certain because: the stated figure equals the document's own 项目支出 or total, which 机关
    运行经费 (the 公用经费 of 行政 and 参公 units) can never be. Depends on: the unit type: a
    document of a single 事业单位 (its name reads as one: …中心, …院, …站) has no 机关运行经费
    to compare, and the rule is not evaluated there; the budget vs final column of the tables."""
    if ctx.document.get("level") == "unit" and looks_like_institution(ctx.document.get("department")):
        return None
    registry = figure_registry(ctx)
    public = registry.get("public")
    if public is None:
        return None
    stated: list[tuple[float, dict | None, str, int]]
    stated = [
        (c["value_wan"], c, c["unit"], c["decimals"])
        for c in _money_claims(ctx, "amount")
        if c["subject"] == "operating_costs" and not about_other_period(ctx, c)
    ]
    table = registry.get("operating_costs_table")
    if table is not None and table.row is not None:
        stated.append((table.value, None, "万元", 2))
    if not stated:
        return None
    out: list[dict] = []
    reported: list[float] = []
    institutions = _compiled(_spec()["operating_costs"]["institutions"])
    has_institutions = any(institutions.search(t["text"] or "") for t in ctx.text_rows)
    for value, claim, unit, decimals in stated:
        tol = ctx.tolerance.narrative(decimals or 0) * _TO_WAN.get(unit, 1.0) + ctx.tolerance.sum(2)
        if abs(value - public.value) <= tol or any(abs(value - v) <= tol for v in reported):
            continue  # equal, or the same figure already reported from the narrative or table
        wrong = next(
            (
                registry[i]
                for i in _WRONG_BASES
                if i in registry and registry[i].value and abs(value - registry[i].value) <= tol
            ),
            None,
        )
        if wrong is None and value < public.value and has_institutions:
            continue  # only 行政 and 参公 units count; their 公用经费 is a part of the total
        reported.append(value)
        where = (
            f"{at(claim)}“{claim['section'] or ''}”：说明中"
            if claim
            else f"{ctx.where(cast(Figure, table).row, kind=cast(Figure, table).kind)}："
        )  # no claim: the table's
        message = (
            f"{where}机关运行经费为 {value:.2f} 万元，而{ctx.where(public.row, kind=public.kind)}"
            f"公用经费合计为 {public.value:.2f} 万元"
        )
        if wrong is not None:
            message += f"；所述数字等于{wrong.label}，机关运行经费不应包含项目支出或全部支出"
        out.append(
            {
                **finding(
                    message,
                    table_kind=public.kind,
                    row=public.row,
                    column="operating_costs",
                    expected=public.value,
                    actual=round(value, 6),
                    excerpt=claim["sentence"] if claim else None,
                    line=claim["line"] if claim else None,
                    page=claim["page"] if claim else None,
                ),
                "severity": "error" if wrong is not None else "warning",
            }
        )
    return out


def _sentence_groups(ctx: DocContext) -> list[list[dict]]:
    """Claims of each sentence, in reading order."""
    return ctx.claims_by_sentence


def _year_of(ctx: DocContext, claim: dict) -> str | None:
    """``previous`` / ``current`` when the clause dates its figure, else None."""
    year = ctx.document["fiscal_year"]
    clause = claim["clause"] or ""
    years = {int(y) for y in _YEAR.findall(clause)}
    if _PREVIOUS_WORD.search(clause) or (year is not None and years == {year - 1}):
        return "previous"
    if _CURRENT_WORD.search(clause) or (year is not None and years == {year}):
        return "current"
    return None


_PREVIOUS_WORD, _CURRENT_WORD = re.compile(r"上年|上一年|去年"), re.compile(r"本年|今年")


@rule(
    "change-direction",
    severity="error",
    category="narrative",
    title="增减方向用语与前后数字不符",
    domain_ids="P3",
    needs=("claims",),
)
def change_direction(ctx: DocContext) -> list[dict] | None:
    """When a sentence states both the previous-year and the current amount, its direction word
    agrees with their difference: 增加/增长/上涨 ⇔ Δ > 0, 减少/下降 ⇔ Δ < 0, 持平 ⇔ Δ = 0
    (DOMAIN §2.4 P3).

    Certain because: the same sentence prints both years' amounts and a direction word their
    difference contradicts (beyond half a unit of their print). Depends on: the years named in
    the clauses."""
    if not ctx.claim_dicts:
        return None
    out, evaluated = [], False
    words = {"up": "增加", "down": "减少", "flat": "持平"}
    for claims in _sentence_groups(ctx):
        dated: dict[int, str | None] = {}  # a claim's year read once, not once per change after it
        for i, change in enumerate(claims):
            if change["claim_type"] not in {"change_amount", "change_pct"} or change["direction"] not in words:
                continue
            before = [c for c in claims[:i] if c["claim_type"] == "amount" and c["unit"] in _MONEY]
            for c in before:
                if c["_order"] not in dated:
                    dated[c["_order"]] = _year_of(ctx, c)
            previous = next((c for c in reversed(before) if dated[c["_order"]] == "previous"), None)
            current = next((c for c in reversed(before) if dated[c["_order"]] == "current"), None)
            if previous is None or current is None:
                continue
            evaluated = True
            delta = current["value_wan"] - previous["value_wan"]
            tol = ctx.tolerance.narrative(max(current["decimals"], previous["decimals"])) * 2
            actual = "flat" if abs(delta) <= tol else ("up" if delta > 0 else "down")
            if actual == change["direction"]:
                continue
            out.append(
                finding(
                    f"{at(change)}“{change['section'] or ''}”：上年 {previous['value']:g}{previous['unit']}，"
                    f"本年 {current['value']:g}{current['unit']}，实际{words[actual]}，而说明写“{short(change['clause'])}”",
                    column=change["claim_type"],
                    expected=round(delta, 6),
                    actual=change["value"],
                    excerpt=change["sentence"],
                    line=change["line"],
                    page=change["page"],
                    location=f"{at(change)} “{short(change['clause'])}”",
                )
            )
    return out if evaluated else None
