"""Builders of the nine 决算 tables F01–F09 (DOMAIN §1.2, MOF 公开01–09表) from an
:class:`~analysis.synth.execution.Execution`.

Totals are printed from the integer sums their parts come from, so FI01–FI07 hold in a clean
document; row keys follow the budget tables' (``in:…``, ``exp:…``, ``func:…``, ``econ:…``) so
the round trip (``synth/roundtrip.py``) reads them the same way.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from analysis.kinds import Kind
from analysis.synth.execution import Execution
from analysis.synth.layout import Table, TableBuilder, parse_header
from analysis.synth.params import classes, econ_codes, func_name, layouts, phrasing
from analysis.synth.tables_summary import finish

_INCOME_F01 = (
    ("一、一般公共预算财政拨款收入", "general_budget"),
    ("二、政府性基金预算财政拨款收入", "gov_fund"),
    ("三、国有资本经营预算财政拨款收入", "state_capital"),
    ("四、上级补助收入", "superior_subsidy"),
    ("五、事业收入", "business_income"),
    ("六、经营收入", "operating_income"),
    ("七、附属单位上缴收入", "subordinate_remit"),
    ("八、其他收入", "other_income"),
)
_INCOME_F04 = (
    ("一、一般公共预算财政拨款", "general_budget"),
    ("二、政府性基金预算财政拨款", "gov_fund"),
    ("三、国有资本经营预算财政拨款", "state_capital"),
)


_SpendRow = tuple[str, str, dict[int, tuple[str, int]], str | None]
"""Label, key, {column: (field, amount)}, class code (None on the total rows)."""


@dataclass(slots=True)
class FinalContext:
    """What :func:`~analysis.synth.tables_summary.finish` and the builders need."""

    ex: Execution
    rng: random.Random
    print_budget: bool
    """Print the local F05 with a 年初预算数 column (EX2)."""

    @property
    def dept(self):
        return self.ex.dept

    @property
    def year(self) -> int:
        return self.ex.year


def _header(name: str):
    return parse_header(layouts()["headers"][name])


def _hierarchy(rows: dict[str, list[int]]) -> dict[str, list[int]]:
    """Leaves (项) with their 类 and 款 subtotals, keyed by printed code."""
    out: dict[str, list[int]] = {}
    for code, row in rows.items():
        for key in (code[:3], code[:5], code):
            acc = out.setdefault(key, [0] * len(row))
            for i, units in enumerate(row):
                acc[i] += units
    return out


def _function_rows(
    b: TableBuilder, rows: dict[str, list[int]], first: int, extra: dict[str, dict[int, int]] | None = None
) -> None:
    """合计 then 类/款/项 rows; ``rows`` code → values of columns ``first``, ``first``+1, …"""
    tree = _hierarchy(rows)
    totals = [
        sum(r[i] for code, r in tree.items() if len(code) == 3) for i in range(len(next(iter(tree.values()), [])))
    ]
    cells = b.blank()
    cells[1] = "合计"
    values = {first + i: u for i, u in enumerate(totals)}
    b.row(cells, "total", "合计", {**values, **(extra or {}).get("total", {})})
    for code in sorted(tree):
        cells = b.blank()
        cells[0], cells[1] = code, func_name(code)
        values = {first + i: u for i, u in enumerate(tree[code])}
        b.row(cells, f"func:{code}", cells[1], {**values, **(extra or {}).get(code, {})}, func_code=code, func_row=True)


def _two_sided(b: TableBuilder, income: list[tuple[str, str, int]], spend: list[_SpendRow]) -> None:
    for i in range(max(len(income), len(spend))):
        r = b.row(b.blank())
        if i < len(income):
            label, key, units = income[i]
            b.rows[r][0] = label
            b.cells(r, 1, f"in:{key}", "amount", units, label)
        if i < len(spend):
            label, key, values, func = spend[i]
            b.rows[r][2] = label
            for c, (column, units) in values.items():
                b.cells(r, c, f"exp:{key}", column, units, label, func_code=func)


def _class_label(c: dict[str, str]) -> str:
    return f"{c['ordinal']}、{c['name']}"


def revenue_expenditure(ctx: FinalContext) -> Table:
    """F01 收入支出决算总表 (FI01)."""
    ex = ctx.ex
    b = TableBuilder(Kind.FINAL_REVENUE_EXPENDITURE_SUMMARY, _header(Kind.FINAL_REVENUE_EXPENDITURE_SUMMARY), (0, 2))
    sources = {"general_budget": ex.income_general, "gov_fund": ex.income_fund}
    income = [(label, key, sources.get(key, 0)) for label, key in _INCOME_F01]
    income += [
        ("本年收入合计", "current_revenue_total", ex.income),
        ("使用非财政拨款结余", "reserve_use", 0),
        ("年初结转和结余", "carryover", ex.carry_in),
        ("总计", "revenue_grand_total", ex.grand_total),
    ]
    by_class = ex.by_class()
    spend: list[_SpendRow] = [
        (_class_label(c), c["code"], {3: ("amount", by_class.get(c["code"], [0])[0])}, c["code"]) for c in classes()
    ]
    spend += [
        ("本年支出合计", "current_expenditure_total", {3: ("amount", ex.spend)}, None),
        ("结余分配", "surplus_distribution", {}, None),
        ("年末结转和结余", "carryforward", {3: ("amount", ex.carry_out)}, None),
        ("总计", "expenditure_grand_total", {3: ("amount", ex.grand_total)}, None),
    ]
    _two_sided(b, income, spend)
    return finish(b, ctx)


def revenue(ctx: FinalContext) -> Table:
    """F02 收入决算表 (FI02): income by function; the year's surplus sits with the largest line."""
    ex = ctx.ex
    rows = {code: [row[0]] for code, row in {**ex.general}.items()}
    for code, row in ex.fund.items():
        rows[code] = [rows.get(code, [0])[0] + row[0]]
    if rows:
        largest = max(rows, key=lambda c: rows[c][0])
        rows[largest][0] += ex.income - ex.spend
    rows = {code: [units, units] for code, (units,) in rows.items() if units}
    b = TableBuilder(Kind.FINAL_REVENUE, _header(Kind.FINAL_REVENUE), (1,))
    _function_rows(b, rows, 2)
    return finish(b, ctx)


def expenditure(ctx: FinalContext) -> Table:
    """F03 支出决算表 (FI03)."""
    rows = {code: list(row) for code, row in ctx.ex.general.items()}
    for code, row in ctx.ex.fund.items():
        rows[code] = [a + b for a, b in zip(rows.get(code, [0, 0, 0]), row)]
    b = TableBuilder(Kind.FINAL_EXPENDITURE, _header(Kind.FINAL_EXPENDITURE), (1,))
    _function_rows(b, rows, 2)
    return finish(b, ctx)


def fiscal_appropriation(ctx: FinalContext) -> Table:
    """F04 财政拨款收入支出决算总表 (FI04)."""
    ex = ctx.ex
    b = TableBuilder(Kind.FINAL_FISCAL_APPROPRIATION_SUMMARY, _header(Kind.FINAL_FISCAL_APPROPRIATION_SUMMARY), (0, 2))
    sources = {"general_budget": ex.income_general, "gov_fund": ex.income_fund}
    income = [(label, key, sources.get(key, 0)) for label, key in _INCOME_F04]
    income += [
        ("本年收入合计", "current_revenue_total", ex.income),
        ("年初结转和结余", "carryover", ex.carry_in),
        ("总计", "revenue_grand_total", ex.grand_total),
    ]
    general, fund = ex.by_class("general"), ex.by_class("fund")

    def values(g: int, f: int) -> dict[int, tuple[str, int]]:
        return {3: ("total", g + f), 4: ("general_budget", g), 5: ("gov_fund", f)}

    spend: list[_SpendRow] = [
        (_class_label(c), c["code"], values(general.get(c["code"], [0])[0], fund.get(c["code"], [0])[0]), c["code"])
        for c in classes()
    ]
    spend += [
        ("本年支出合计", "current_expenditure_total", values(ex.total("general"), ex.total("fund")), None),
        ("年末结转和结余", "carryforward", values(ex.carry_out, 0), None),
        ("总计", "expenditure_grand_total", values(ex.total("general") + ex.carry_out, ex.total("fund")), None),
    ]
    _two_sided(b, income, spend)
    return finish(b, ctx)


def general_budget(ctx: FinalContext) -> Table:
    """F05 一般公共预算财政拨款支出决算表 (FI05); the local version adds 年初预算数 (EX2)."""
    ex = ctx.ex
    if not ctx.print_budget:
        b = TableBuilder(Kind.FINAL_GENERAL_BUDGET_EXPENDITURE, _header(Kind.FINAL_GENERAL_BUDGET_EXPENDITURE), (1,))
        _function_rows(b, ex.general, 2)
        return finish(b, ctx)
    b = TableBuilder(Kind.FINAL_GENERAL_BUDGET_EXPENDITURE, _header("final_general_budget_expenditure_budget"), (1,))
    planned = {code: row[0] for code, row in ex.budget.by_func_general.items() if row[0]}
    rows = {code: ex.general.get(code, [0, 0, 0]) for code in set(ex.general) | set(planned)}
    tree = _hierarchy({code: [u] for code, u in planned.items()})
    extra = {code: {2: row[0]} for code, row in tree.items()}
    extra["total"] = {2: sum(u for code, (u,) in tree.items() if len(code) == 3)}
    _function_rows(b, rows, 3, extra)
    return finish(b, ctx)


def basic(ctx: FinalContext) -> Table:
    """F06 一般公共预算财政拨款基本支出决算表 by 部门 economic code (FI06)."""
    ex = ctx.ex
    b = TableBuilder(
        Kind.FINAL_GENERAL_BUDGET_BASIC_EXPENDITURE, _header(Kind.FINAL_GENERAL_BUDGET_BASIC_EXPENDITURE), (1,)
    )
    personnel, public = ex.personnel(), ex.public()
    b.row(["", "合计", "", "", ""], "total", "合计", {2: personnel + public, 3: personnel, 4: public})
    names = econ_codes()
    for code in sorted(ex.basic_econ):
        units = ex.basic_econ[code]
        is_personnel = code[:3] in ("301", "303")
        b.row(
            [code, names[code].name, "", "", ""],
            f"econ:{code}",
            names[code].name,
            {2: units, 3 if is_personnel else 4: units},
            econ_code=code,
        )
    return finish(b, ctx)


def three_public(ctx: FinalContext) -> Table:
    """F07 财政拨款“三公”经费支出决算表: 预算数 and 决算数 blocks (FI07, Y2)."""
    ex = ctx.ex
    b = TableBuilder(Kind.FINAL_THREE_PUBLIC_EXPENSES, _header(Kind.FINAL_THREE_PUBLIC_EXPENSES))
    planned = ex.budget.three_public
    if not planned["total"] and not ex.three_public:
        note = phrasing()["notes"]["final_three_public_empty"].format(dept=ctx.dept.name)
        return finish(b, ctx, note=note)
    done = dict(ex.three_public)
    done["vehicle_total"] = done.get("vehicle_purchase", 0) + done.get("vehicle_operation", 0)
    done["total"] = done["vehicle_total"] + done.get("abroad", 0) + done.get("reception", 0)
    values = {}
    for c, name in enumerate(b.header.columns):
        if name and name.startswith("budget_"):
            values[c] = planned[name.removeprefix("budget_")]
        elif name:
            values[c] = done.get(name, 0)
    b.row(b.blank(), "current", "合计", values)
    return finish(b, ctx)


def fund(ctx: FinalContext) -> Table:
    """F08 政府性基金预算财政拨款支出决算表; blank with a 说明 when there is none (FI08)."""
    b = TableBuilder(Kind.FINAL_GOVERNMENT_FUND, _header(Kind.FINAL_GOVERNMENT_FUND), (1,))
    if not ctx.ex.fund:
        return finish(b, ctx, note=phrasing()["notes"]["final_fund_empty"].format(dept=ctx.dept.name))
    _function_rows(b, ctx.ex.fund, 2)
    return finish(b, ctx)


def state_capital(ctx: FinalContext) -> Table:
    """F09 国有资本经营预算财政拨款支出决算表: the synthetic district has none (FI09)."""
    b = TableBuilder(Kind.FINAL_STATE_CAPITAL, _header(Kind.FINAL_STATE_CAPITAL), (1,))
    return finish(b, ctx, note=phrasing()["notes"]["final_capital_empty"].format(dept=ctx.dept.name))


BUILDERS = {
    Kind.FINAL_REVENUE_EXPENDITURE_SUMMARY: revenue_expenditure,
    Kind.FINAL_REVENUE: revenue,
    Kind.FINAL_EXPENDITURE: expenditure,
    Kind.FINAL_FISCAL_APPROPRIATION_SUMMARY: fiscal_appropriation,
    Kind.FINAL_GENERAL_BUDGET_EXPENDITURE: general_budget,
    Kind.FINAL_GENERAL_BUDGET_BASIC_EXPENDITURE: basic,
    Kind.FINAL_THREE_PUBLIC_EXPENSES: three_public,
    Kind.FINAL_GOVERNMENT_FUND: fund,
    Kind.FINAL_STATE_CAPITAL: state_capital,
}
"""F01–F09 in the order of the MOF template."""
