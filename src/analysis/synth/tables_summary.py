"""Builders of the summary tables B01–B05 and B08 (DOMAIN §1.1), Henan layout.

Each builder turns :class:`~analysis.synth.figures.Figures` into a :class:`Table` whose
printed numbers are registered as facts; totals are printed from the same integer sums the
parts come from, so I01–I17, I25 and X01–X05, X09 hold in a clean document.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any, Protocol

from analysis.kinds import Kind
from analysis.synth.figures import Figures
from analysis.synth.layout import Header, Table, TableBuilder, parse_header
from analysis.synth.params import classes, func_name, layouts, phrasing

_INCOME_B01 = (
    ("一、一般公共预算", "general_budget"),
    ("其中：财政拨款", "general_budget_appropriation"),
    ("二、政府性基金预算拨款收入", "gov_fund"),
    ("三、国有资本经营预算拨款收入", "state_capital"),
    ("四、财政专户管理资金收入", "special_account"),
    ("五、事业收入", "business_income"),
    ("六、事业单位经营收入", "operating_income"),
    ("七、上级补助收入", "superior_subsidy"),
    ("八、附属单位上缴收入", "subordinate_remit"),
    ("九、其他收入", "other_income"),
)
_INCOME_B04 = (
    ("一、本年收入", "current_revenue_total"),
    ("（一）一般公共预算拨款", "general_budget"),
    ("其中：财政拨款", "general_budget_appropriation"),
    ("（二）政府性基金预算拨款", "gov_fund"),
    ("（三）国有资本经营预算拨款", "state_capital"),
    ("二、上年结转", "carryover"),
    ("（一）一般公共预算拨款", "carryover_general_budget"),
    ("（二）政府性基金预算拨款", "carryover_gov_fund"),
    ("（三）国有资本经营预算拨款", "carryover_state_capital"),
)


@dataclass(slots=True)
class TableContext:
    """Per-document choices shared by the table builders."""

    fig: Figures
    rng: random.Random
    hierarchy: bool
    """Print 类 and 款 subtotal rows above the 项 leaves (else leaves only, like the seed)."""
    shuffle_econ: bool
    econ_class_rows: bool

    @property
    def dept(self):
        return self.fig.dy.dept

    @property
    def year(self) -> int:
        return self.fig.dy.year


def header(name: str) -> Header:
    return parse_header(layouts()["headers"][name])


class TitledContext(Protocol):
    """What :func:`finish` reads: a budget's TableContext and a final account's FinalContext."""

    @property
    def rng(self) -> random.Random: ...
    @property
    def dept(self) -> Any: ...
    @property
    def year(self) -> int: ...


def finish(builder: TableBuilder, ctx: TitledContext, note: str = "", **kw) -> Table:
    """Give a built table its title variant and the 部门名称/单位 lines under it."""
    words = phrasing()
    rng = ctx.rng
    title = rng.choice(words["titles"][builder.kind])
    dept_line = rng.choice(words["meta"]["department_line"]).format(dept=ctx.dept.name)
    unit_line = rng.choice(words["meta"]["unit_line"])
    inline = rng.random() < words["meta"]["inline_probability"] and "\n" not in unit_line
    return builder.build(title, ctx.year, [dept_line, unit_line], meta_inline=inline, note=note, **kw)


def revenue_expenditure_summary(ctx: TableContext) -> Table:
    """B01 部门收支总表: income sources against function classes (I01–I05)."""
    fig = ctx.fig
    b = TableBuilder(Kind.REVENUE_EXPENDITURE_SUMMARY, header(Kind.REVENUE_EXPENDITURE_SUMMARY), (0, 2))
    income = {
        "general_budget": fig.general_now,
        "general_budget_appropriation": fig.general_now,
        "gov_fund": fig.gov_fund,
    }
    by_class = fig.by_class("all")
    cls = classes()
    for i in range(max(len(_INCOME_B01), len(cls))):
        r = b.row(b.blank())
        if i < len(_INCOME_B01):
            label, key = _INCOME_B01[i]
            b.rows[r][0] = label
            b.cells(r, 1, f"in:{key}", "amount", income.get(key, 0), label)
        if i < len(cls):
            c = cls[i]
            label = f"{c['ordinal']}、{c['b01_label']}"
            b.rows[r][2] = label
            b.cells(r, 3, f"exp:{c['code']}", "amount", by_class.get(c["code"], [0])[0], label, func_code=c["code"])
    for left, lkey, lval, right, rkey, rval in (
        (
            "本年收入合计",
            "current_revenue_total",
            fig.current_income,
            "本年支出合计",
            "current_expenditure_total",
            fig.revenue_total,
        ),
        ("上年结转结余", "carryover", fig.carryover, "年终结转结余", "carryforward", 0),
        (
            "收入总计",
            "revenue_grand_total",
            fig.revenue_total,
            "支出总计",
            "expenditure_grand_total",
            fig.revenue_total,
        ),
    ):
        r = b.row([left, "", right, ""])
        b.cells(r, 1, f"in:{lkey}", "amount", lval, left)
        b.cells(r, 3, f"exp:{rkey}", "amount", rval, right)
    return finish(b, ctx)


def revenue_summary(ctx: TableContext) -> Table:
    """B02 部门收入总表: one 合计 row and the unit row (I07–I08, X01–X02)."""
    fig = ctx.fig
    b = TableBuilder(Kind.REVENUE_SUMMARY, header(Kind.REVENUE_SUMMARY), (1,))
    cols = {name: i for i, name in enumerate(b.header.columns) if name}
    values = {
        cols["total"]: fig.revenue_total,
        cols["current_revenue_total"]: fig.current_income,
        cols["general_budget"]: fig.general_now,
        cols["general_budget_appropriation"]: fig.general_now,
        cols["gov_fund"]: fig.gov_fund,
        cols["carryover_total"]: fig.carryover,
        cols["carryover_general_budget"]: fig.carryover,
    }
    total = b.blank()
    total[1] = "合计"
    b.row(total, "total", "合计", values)
    unit = b.blank()
    unit[0], unit[1] = ctx.dept.code, ctx.dept.name
    b.row(unit, "unit", ctx.dept.name, values)
    return finish(b, ctx)


def _function_rows(b: TableBuilder, ctx: TableContext, rows: dict[str, list[int]], totals: list[int]) -> None:
    """合计, unit and function rows of the by-nature layout (I09–I12)."""
    first = len(b.header.columns) - 9
    blank = b.blank()
    total = list(blank)
    total[4] = "合计"
    b.row(total, "total", "合计", {first + i: u for i, u in enumerate(totals)})
    unit = list(blank)
    unit[3], unit[4] = ctx.dept.code, ctx.dept.name
    b.row(unit, "unit", ctx.dept.name, {first + i: u for i, u in enumerate(totals)})
    groups: dict[str, list[int]] = {}
    if ctx.hierarchy:
        for code, row in rows.items():
            for prefix in (code[:3], code[:5]):
                acc = groups.setdefault(prefix, [0] * 9)
                for i, units in enumerate(row):
                    acc[i] += units
    for code in sorted(set(rows) | set(groups)):
        values = rows.get(code) or groups[code]
        cells = list(blank)
        cells[0], cells[1], cells[2] = code[:3], code[3:5], code[5:7]
        cells[4] = func_name(code)
        b.row(
            cells, f"func:{code}", cells[4], {first + i: u for i, u in enumerate(values)}, func_code=code, func_row=True
        )


def function_table(ctx: TableContext, kind: str) -> Table:
    """B03 (all funds), B05 (一般公共预算) or B08 (政府性基金) by function and nature."""
    fig = ctx.fig
    scope: dict[str, tuple[dict[str, list[int]], list[int]]] = {
        Kind.EXPENDITURE_SUMMARY: (fig.by_func, fig.totals),
        Kind.GENERAL_BUDGET_EXPENDITURE: (fig.by_func_general, fig.general_totals),
        Kind.GOVERNMENT_FUND_EXPENDITURE: (fig.by_func_fund, fig.fund_totals),
    }
    rows, totals = scope[kind]
    b = TableBuilder(kind, header("expenditure_by_function"), (4,))
    notes = phrasing()["notes"]
    if kind == Kind.GOVERNMENT_FUND_EXPENDITURE and not totals[0]:
        total = b.blank()
        total[4] = "合计"
        b.row(total, "total", "合计")
        return finish(b, ctx, note=notes["fund_empty"])
    _function_rows(b, ctx, rows, totals)
    note = ""
    if kind == Kind.GENERAL_BUDGET_EXPENDITURE and not fig.carryover:
        note = notes["general_budget_current_only"]
    return finish(b, ctx, note=note, class_col=0)


def fiscal_appropriation_summary(ctx: TableContext) -> Table:
    """B04 财政拨款收支总表 (I13–I16, X04–X05, X09)."""
    fig = ctx.fig
    b = TableBuilder(Kind.FISCAL_APPROPRIATION_SUMMARY, header(Kind.FISCAL_APPROPRIATION_SUMMARY), (0, 2))
    income = {
        "current_revenue_total": fig.current_income,
        "general_budget": fig.general_now,
        "general_budget_appropriation": fig.general_now,
        "gov_fund": fig.gov_fund,
        "carryover": fig.carryover,
        "carryover_general_budget": fig.carryover,
    }
    general, fund = fig.by_class("general"), fig.by_class("fund")
    spend: list[tuple[str, str, int, int, str | None]] = [
        ("一、本年支出", "current_expenditure_total", fig.general_total, fig.fund_totals[0], None)
    ]
    for c in classes():
        g, f = general.get(c["code"], [0])[0], fund.get(c["code"], [0])[0]
        spend.append((f"（{c['ordinal']}）{c['name']}", c["code"], g, f, c["code"]))
    spend.append(("二、年终结转结余", "carryforward", 0, 0, None))
    for i in range(max(len(_INCOME_B04), len(spend))):
        r = b.row(b.blank())
        if i < len(_INCOME_B04):
            label, key = _INCOME_B04[i]
            b.rows[r][0] = label
            b.cells(r, 1, f"in:{key}", "amount", income.get(key, 0), label)
        if i < len(spend):
            _spend_cells(b, r, *spend[i])
    r = b.row(["收入合计", "", "支出合计"] + [""] * 5)
    b.cells(r, 1, "in:revenue_grand_total", "amount", fig.revenue_total, "收入合计")
    _spend_cells(b, r, "支出合计", "expenditure_grand_total", fig.general_total, fig.fund_totals[0], None)
    return finish(b, ctx)


def _spend_cells(b: TableBuilder, r: int, label: str, key: str, general: int, fund: int, func: str | None) -> None:
    b.rows[r][2] = label
    row_key = f"exp:{key}"
    for c, column, units in (
        (3, "total", general + fund),
        (4, "general_budget", general),
        (5, "general_budget_appropriation", general),
        (6, "gov_fund", fund),
        (7, "state_capital", 0),
    ):
        b.cells(r, c, row_key, column, units, label, func_code=func)
