"""Per-document views the classification, plausibility, project and target rules share: the
economic lines of the basic-spending table and of the all-spending economic summary
(``basic_lines``, ``full_lines``), the function codes printed with money, the units covered,
the department's printed name, and how a row is cited."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from functools import cache, lru_cache

from analysis.check.context import DocContext
from analysis.kinds import Kind
from analysis.metadata import load_csv, load_toml

BASIC_KINDS = (Kind.GENERAL_BUDGET_BASIC_EXPENDITURE, Kind.FINAL_GENERAL_BUDGET_BASIC_EXPENDITURE)
_FUNCTION_KINDS = (
    Kind.GENERAL_BUDGET_EXPENDITURE,
    Kind.EXPENDITURE_SUMMARY,
    Kind.FINAL_GENERAL_BUDGET_EXPENDITURE,
    Kind.FINAL_EXPENDITURE,
    Kind.GOVERNMENT_FUND_EXPENDITURE,
    Kind.FINAL_GOVERNMENT_FUND,
)
_ORDINAL = re.compile(r"^\s*(其中[:：]\s*)?([（(]?[一二三四五六七八九十]+[)）、.．]|\d+[.、．])\s*")


def params() -> dict:
    return load_toml("checks/b_checks.toml")


@dataclass(frozen=True, slots=True)
class EconomicLines:
    """Amounts (万元) per 5-digit 部门 economic code of one table, and a row that shows each."""

    kind: str
    title: str
    column: str
    amounts: dict[str, float]
    rows: dict[str, dict]

    def get(self, code: str) -> float:
        return self.amounts.get(code, 0.0)


def _lines(ctx: DocContext, kind: str, preferred: tuple[str, ...]) -> EconomicLines | None:
    rows = [
        i
        for i in ctx.rows(kind)
        if i["econ_code"] and len(i["econ_code"]) == 5 and i["row_role"] == "item" and i["amount"] is not None
    ]
    printed = {i["column"] for i in rows}
    column = next((c for c in preferred if c in printed), None)
    if column is None:
        return None
    amounts: dict[str, float] = {}
    shown: dict[str, dict] = {}
    for item in (i for i in rows if i["column"] == column):
        amounts[item["econ_code"]] = round(amounts.get(item["econ_code"], 0.0) + item["amount"], 6)
        shown.setdefault(item["econ_code"], item)
    if not shown:
        return None
    return EconomicLines(kind, next(iter(shown.values()))["table_title"] or kind, column, amounts, shown)


def _is_basic_only(ctx: DocContext, kind: str) -> bool:
    """An economic summary printed with 人员经费/公用经费 columns covers basic spending only
    (the Shanghai 一般公共预算基本支出部门预算经济分类预算表)."""
    return bool({"personnel", "public"} & {i["column"] for i in ctx.rows(kind)})


def basic_lines(ctx: DocContext) -> EconomicLines | None:
    """Basic spending by 部门 economic code: B06 (or F06), else a basic-only economic summary."""
    if "basic_lines" not in ctx.memo:
        ctx.memo["basic_lines"] = _basic_lines(ctx)
    return ctx.memo["basic_lines"]


def _basic_lines(ctx: DocContext) -> EconomicLines | None:
    for kind in BASIC_KINDS:
        found = _lines(ctx, kind, ("total", "amount"))
        if found:
            return found
    if _is_basic_only(ctx, Kind.ECONOMIC_CLASSIFICATION_SUMMARY):
        return _lines(ctx, Kind.ECONOMIC_CLASSIFICATION_SUMMARY, ("total", "amount"))
    return None


def full_lines(ctx: DocContext) -> EconomicLines | None:
    """Basic and project 一般公共预算 money by economic code: B11 (DOMAIN X10), when it is not
    a basic-only table; its 一般公共预算 column when printed, else its 总计."""
    if "full_lines" not in ctx.memo:
        kind = Kind.ECONOMIC_CLASSIFICATION_SUMMARY
        ctx.memo["full_lines"] = (
            None if _is_basic_only(ctx, kind) else _lines(ctx, kind, ("general_budget", "total", "amount"))
        )
    return ctx.memo["full_lines"]


def function_codes(ctx: DocContext) -> dict[str, dict]:
    """Function codes printed with money in any function table, with a row showing each."""
    if "function_codes" not in ctx.memo:
        found: dict[str, dict] = {}
        for item in ctx.item_rows:
            if item["table_kind"] in _FUNCTION_KINDS and item["func_code"] is not None and (item["amount"] or 0) > 0:
                found.setdefault(item["func_code"], item)
        ctx.memo["function_codes"] = found
    return ctx.memo["function_codes"]


def unit_count(ctx: DocContext) -> int | None:
    """Budget units the document covers (leaf unit codes, 028 ⊃ 028001), None when unknown."""
    if ctx.document.get("level") == "unit":
        return 1
    codes = {i["unit_code"] for i in ctx.item_rows if i["row_role"] == "unit" and len(i["unit_code"] or "") >= 3}
    if not codes:
        return None
    return sum(1 for c in codes if not any(o != c and o.startswith(c) for o in codes))


def department_name(ctx: DocContext) -> str:
    """The department's name: the 部门名称 printed most often with its tables, else the
    document's (which can be a stray heading when the cover is an image)."""
    counts = Counter(t["department_label"] for t in ctx.table_rows if t["department_label"] not in (None, "本级", ""))
    if counts:
        most = max(counts.values())
        return min(label for label, n in counts.items() if n == most)
    return ctx.document.get("department") or ""


@cache
def _institution_markers() -> tuple[re.Pattern, ...]:
    return tuple(re.compile(r["pattern"]) for r in load_csv("checks/b_institution_name_markers.csv"))


def looks_like_institution(name: str | None) -> bool:
    """Does a unit name read like a 事业单位 (…中心, …院, …站, …馆, 事业…)?"""
    text = re.sub(r"(本级|\s)", "", name or "")
    return any(p.search(text) for p in _institution_markers())


def at(row: dict | None) -> str:
    """ "第12页第3行" (PDF) or "第120行" (text) for a claim, target or line item."""
    row = row or {}
    page = f"第{row['page']}页" if row.get("page") is not None else ""
    line = f"第{row['line']}行" if row.get("line") is not None else ""
    return page + line


@lru_cache(maxsize=1 << 14)
def strip_ordinal(label: str) -> str:
    """A row label without its ordinal (remembered: documents print the same labels)."""
    return _ORDINAL.sub("", label or "").strip()


def where_of(ctx: DocContext, row: dict) -> str:
    """Where a row is printed, else its table's title."""
    return ctx.where(row) or (row.get("table_title") or "")
