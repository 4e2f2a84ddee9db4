"""Builders of the detail tables B06, B07, B10–B13 (DOMAIN §1.1), Henan layout.

B06 and B11 map every 部门 economic code to its 政府 code for the unit type (§3.6); B10 and
B13 list the same projects with the same amounts (X14); B13's cost cap equals the project
amount and per-capita projects state the staff count (I34, §6.4).
"""

from __future__ import annotations

from analysis.kinds import Kind
from analysis.synth.amounts import fmt_compact
from analysis.synth.layout import Fact, Header, Table, TableBuilder
from analysis.synth.params import econ_codes, gov_econ_names, gov_target, phrasing
from analysis.synth.tables_summary import TableContext, finish, header

_ECON_CLASSES = ("301", "302", "303", "310")


def _econ_order(ctx: TableContext, codes: list[str]) -> list[str]:
    """Economic rows sorted, or in a shuffled order as some templates print them (§0.6-6)."""
    ordered = sorted(codes)
    if ctx.shuffle_econ:
        ctx.rng.shuffle(ordered)
    return ordered


def basic_expenditure(ctx: TableContext) -> Table:
    """B06 一般公共预算基本支出表 by economic code (I18–I21, X06)."""
    fig, unit_type = ctx.fig, ctx.dept.unit_type
    b = TableBuilder(Kind.GENERAL_BUDGET_BASIC_EXPENDITURE, header(Kind.GENERAL_BUDGET_BASIC_EXPENDITURE), (1, 3))
    basic = fig.dy.basic
    b.row(["合计", "", "", "", "", "", ""], "total", "合计", {4: fig.basic_total, 5: fig.personnel, 6: fig.public})
    names, gov_names = econ_codes(), gov_econ_names()
    for cls in _ECON_CLASSES if ctx.econ_class_rows else ():
        units = sum(u for code, u in basic.items() if code.startswith(cls))
        if units:
            personnel = cls in ("301", "303")
            b.row(
                [cls, names[cls].name, "", "", "", "", ""],
                f"econ:{cls}",
                names[cls].name,
                {4: units, 5 if personnel else 6: units},
                econ_code=cls,
            )
    for code in _econ_order(ctx, list(basic)):
        gov = gov_target(code, unit_type)
        personnel = code[:3] in ("301", "303")
        b.row(
            [code, names[code].name, gov, gov_names[gov], "", "", ""],
            f"econ:{code}",
            names[code].name,
            {4: basic[code], 5 if personnel else 6: basic[code]},
            econ_code=code,
        )
    return finish(b, ctx)


def three_public(ctx: TableContext) -> Table:
    """B07 一般公共预算“三公”经费支出表 (I22–I23); blank with a note when zero."""
    tp = ctx.fig.three_public
    b = TableBuilder(Kind.THREE_PUBLIC_EXPENSES, header(Kind.THREE_PUBLIC_EXPENSES))
    if not tp["total"]:
        return finish(b, ctx, note=phrasing()["notes"]["three_public_empty"])
    columns = b.header.columns
    b.row(b.blank(), "current", "合计", {c: tp[name] for c, name in enumerate(columns) if name})
    return finish(b, ctx)


def project_expenditure(ctx: TableContext) -> Table:
    """B10 项目支出表 (I26–I27, X07–X08)."""
    fig, dept = ctx.fig, ctx.dept
    b = TableBuilder(Kind.PROJECT_EXPENDITURE, header(Kind.PROJECT_EXPENDITURE), (1, 2))
    projects = fig.dy.projects
    sums = [0, 0, 0]
    for p in projects:
        sums[0] += p.total
        sums[1 if p.fund == "general" else 2] += p.total - p.carryover
    carry = sum(p.carryover for p in projects)
    values = {3: sums[0], 4: sums[1], 5: sums[2], 7: carry}
    b.row(b.blank(), "total", "合计", values)
    unit = b.blank()
    unit[1], unit[2] = dept.code, dept.name
    b.row(unit, "unit", dept.name, values)
    for p in projects:
        cells = b.blank()
        cells[0], cells[1], cells[2] = p.ptype, p.name, dept.unit_name
        own = {3: p.total, 4 if p.fund == "general" else 5: p.total - p.carryover, 7: p.carryover}
        b.row(cells, f"project:{p.code}", p.name, own, func_code=p.func, project_name=p.name)
    return finish(b, ctx)


def economic_summary(ctx: TableContext) -> Table:
    """B11 支出经济分类汇总表: basic and project money by economic code (I28, X10–X11)."""
    fig, dept = ctx.fig, ctx.dept
    b = TableBuilder(Kind.ECONOMIC_CLASSIFICATION_SUMMARY, header(Kind.ECONOMIC_CLASSIFICATION_SUMMARY), (2, 5))
    col = {name: i for i, name in enumerate(b.header.columns) if name}

    def values(row: list[int]) -> dict[int, int]:
        return {
            col["total"]: row[0],
            col["general_budget"]: row[1],
            col["general_budget_appropriation"]: row[1],
            col["gov_fund"]: row[2],
            col["carryover_total"]: row[3],
        }

    totals = [sum(r[i] for r in fig.by_econ.values()) for i in range(4)]
    cells = b.blank()
    cells[2] = "合计"
    b.row(cells, "total", "合计", values(totals))
    cells = b.blank()
    cells[0], cells[2] = dept.code, dept.name
    b.row(cells, "unit", dept.name, values(totals))
    names, gov_names = econ_codes(), gov_econ_names()
    for code in _econ_order(ctx, list(fig.by_econ)):
        gov = gov_target(code, dept.unit_type)
        cells = b.blank()
        cells[:6] = [code[:3], code[3:], names[code].name, gov[:3], gov[3:], gov_names[gov]]
        b.row(cells, f"econ:{code}", names[code].name, values(fig.by_econ[code]), econ_code=code)
    return finish(b, ctx)


def department_targets(ctx: TableContext) -> Table:
    """B12 部门（单位）整体绩效目标表: a form (I30–I31, X13)."""
    fig, dept = ctx.fig, ctx.dept
    words = phrasing()["b12"]
    b = TableBuilder(Kind.DEPARTMENT_PERFORMANCE_TARGETS, Header([], [], [None] * 5), (1, 2))
    b.row([f"部门名称：{dept.name}", "", "", "", ""])
    goals = " ".join(f"{i + 1}. {g}" for i, g in enumerate(words["goals"]))
    b.row(["年度履职目标", goals, "", "", ""])
    b.row(["年度主要任务", "任务名称", "主要内容", "", ""])
    for p in fig.dy.projects:
        b.row(["", p.name, p.task, "", ""])
    r = b.row(["预算情况", "部门预算总额（万元）", "", "", ""])
    b.cells(r, 3, "budget_total", "amount", fig.revenue_total, "部门预算总额")
    r = b.row(["", "1、资金来源：", "(1) 政府预算资金", "", ""])
    b.cells(r, 3, "gov_budget_funds", "amount", fig.revenue_total, "政府预算资金")
    b.row(["", "", "(2) 财政专户管理资金", "", ""])
    b.row(["", "", "(3) 单位资金", "", ""])
    r = b.row(["", "2、资金结构：", "(1) 基本支出", "", ""])
    b.cells(r, 3, "basic_total", "amount", fig.basic_total, "基本支出")
    r = b.row(["", "", "(2) 项目支出", "", ""])
    b.cells(r, 3, "project_total", "amount", fig.project_total, "项目支出")
    b.row(["一级指标", "二级指标", "三级指标", "指标值", "指标值说明"])
    for indicator in words["indicators"]:
        b.row(list(indicator))
    name, value, note = words["output_indicator"]
    for i, p in enumerate(fig.dy.projects):
        b.row(
            [
                "产出指标" if i == 0 else "",
                "重点工作任务完成" if i == 0 else "",
                name.format(project=p.name),
                value,
                note,
            ]
        )
    b.row(list(words["effect_indicator"]))
    b.row(list(words["satisfaction_indicator"]))
    table = finish(b, ctx)
    table.meta, table.meta_inline = [], False  # the form's first row names the department
    return table


def _indicator(spec: str, **fmt) -> tuple[str, str]:
    name, _, value = spec.format(**fmt).partition("|")
    return name, value


def project_targets(ctx: TableContext) -> Table:
    """B13 项目绩效目标汇总表: amounts, cost caps and output indicators (I32–I34, X14)."""
    fig, dept, rng = ctx.fig, ctx.dept, ctx.rng
    words = phrasing()["b13"]
    b = TableBuilder(Kind.PROJECT_PERFORMANCE_TARGETS, header(Kind.PROJECT_PERFORMANCE_TARGETS), (1,))
    total = fig.project_total
    cells = b.blank()
    cells[0] = dept.code
    b.row(cells, "total", "合计", {2: total, 3: total})
    cells = b.blank()
    cells[0], cells[1] = dept.code + "001", dept.unit_name
    b.row(cells, "unit", dept.unit_name, {2: total, 3: total})
    year = ctx.year
    for p in fig.dy.projects:
        outputs = [(n, v.format(staff=p.staff, year=year)) for n, v in p.outputs]
        if not outputs:
            outputs = [_indicator(o, year=year) for o in words["default_outputs"]]
        effect = _indicator(rng.choice(words["effects"]))
        satisfaction = _indicator(rng.choice(words["satisfactions"]))
        cost_name = rng.choice(words["cost_names"]).format(project=p.name)
        cells = b.blank()
        cells[0], cells[1] = p.code, p.name
        cells[6], cells[7] = cost_name, cost_cap_text(p.total)
        cells[8], cells[9] = outputs[0]
        cells[10], cells[11] = effect
        cells[12], cells[13] = satisfaction
        key = f"project:{p.code}"
        r = b.row(cells, key, p.name, {2: p.total, 3: p.total}, func_code=p.func, project_name=p.name)
        b.refs[(key, "cost_cap")] = (r, 7)
        b.facts.append(Fact(key, "cost_cap", p.name, p.total, p.func, None, p.name))
        for name, value in outputs[1:]:
            extra = b.blank()
            extra[8], extra[9] = name, value
            b.row(extra)
    return finish(b, ctx)


def cost_cap_text(units: int) -> str:
    """The printed form of a cost cap, e.g. ``≤87万元``."""
    return f"≤{fmt_compact(units)}万元"
