"""Anomalies planted in the fiscal world before any document is built.

These change what a department budgets, not how the document prints it, so the document stays
internally consistent and only a comparison with peers or with the previous year reveals them
(DOMAIN §6.3, §6.5, G; K5 for the meal allowance coded as labour). Because the change is made
in the world, the next year's document compares with the changed figures, as it would in
reality. Each planter returns a :class:`PendingLabel`, or None when the department-year has
nothing to plant on.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from analysis.kinds import Kind
from analysis.synth.amounts import DeptYear, Project, split_units, to_units
from analysis.synth.figures import compute_figures
from analysis.synth.params import anomaly_params, project_specs

_THREE_PUBLIC_CODES = ("30212", "30217", "30231", "31013")


@dataclass(slots=True)
class PendingLabel:
    """A planted anomaly before its location in the rendered document is known."""

    kind: str
    table_kind: str | None
    row_key: str | None
    row_label: str | None
    column: str | None
    expected: float | None
    actual: float | None
    detail: str
    location: str | None = None


def _factor(rng: random.Random, name: str) -> float:
    low, high = anomaly_params()["params"][name]
    return rng.uniform(low, high)


def per_capita(world: dict[int, DeptYear], year: int, rng: random.Random) -> PendingLabel | None:
    """误餐费 or 工装费 per head several times what peers budget."""
    dy = world[year]
    candidates = [p for p in dy.projects if p.key in ("meal", "uniform") and p.fund == "general"]
    if not candidates:
        return None
    project = rng.choice(candidates)
    clean = project.total
    rate = project.rate * _factor(rng, "per_capita_factor")
    units = to_units(rate * dy.in_service)
    project.econ = split_units(units, project_specs()[project.key].econ)
    per_head_clean = clean / dy.in_service * 100
    per_head = units / dy.in_service * 100
    return PendingLabel(
        "outlier_per_capita",
        Kind.PROJECT_EXPENDITURE,
        f"project:{project.code}",
        project.name,
        "total",
        clean / 100,
        units / 100,
        f"{project.name}人均 {per_head:.0f} 元（在职 {dy.in_service} 人），同类单位约 {per_head_clean:.0f} 元/人",
    )


def three_public_spike(world: dict[int, DeptYear], year: int, rng: random.Random) -> PendingLabel | None:
    """三公 budget about three times last year's."""
    dy, prev = world[year], world.get(year - 1)
    if prev is None:
        return None
    prev_parts = {c: prev.basic.get(c, 0) for c in _THREE_PUBLIC_CODES}
    prev_total = sum(prev_parts.values())
    if not prev_total:
        return None
    clean = sum(dy.basic.get(c, 0) for c in _THREE_PUBLIC_CODES)
    factor = _factor(rng, "three_public_factor")
    for code, units in prev_parts.items():
        if units:
            dy.basic[code] = round(units * factor)
    new = sum(dy.basic.get(c, 0) for c in _THREE_PUBLIC_CODES)
    return PendingLabel(
        "outlier_three_public_spike",
        Kind.THREE_PUBLIC_EXPENSES,
        "current",
        "合计",
        "total",
        clean / 100,
        new / 100,
        f"“三公”经费由上年 {prev_total / 100:.2f} 万元增至 {new / 100:.2f} 万元（{new / prev_total:.1f} 倍）",
    )


def personnel_share(world: dict[int, DeptYear], year: int, rng: random.Random) -> PendingLabel | None:
    """An extreme share of 人员经费 in total spending: a huge project dwarfs the payroll.

    Only the low side is planted: a department without projects already reaches ~90 %
    naturally, so a planted high share would not stand apart from its peers.
    """
    dy = world[year]
    before = compute_figures(dy)
    clean = before.personnel * 100 / before.revenue_total
    spec = project_specs()["big_special"]
    units = to_units(before.basic_total / 100 * _factor(rng, "personnel_low_factor")) // 100 * 100
    code = f"{dy.dept.district.region_code}{year % 100:02d}{dy.dept.index * 100 + 99:012d}"
    dy.projects.append(
        Project(
            key=spec.key,
            name=spec.name.format(district=dy.dept.district.short),
            ptype=spec.ptype,
            code=code,
            func=dy.dept.spec.kuan + dy.dept.spec.project_item,
            econ=split_units(units, spec.econ),
            fund="general",
            procurement=spec.procurement,
            outputs=spec.outputs,
            task=spec.task,
            staff=dy.in_service,
        )
    )
    after = compute_figures(dy)
    share = after.personnel * 100 / after.revenue_total
    return PendingLabel(
        "outlier_personnel_share",
        None,
        None,
        "人员经费占比",
        "personnel_share",
        round(clean, 2),
        round(share, 2),
        f"人员经费占支出合计比重 {share:.2f}%（安排大额特定目标类项目“{spec.name.format(district=dy.dept.district.short)}”），"
        f"正常约 {clean:.2f}%（数值为百分比）",
        location="文档整体：人员经费 / 支出合计",
    )


def meal_as_labour(world: dict[int, DeptYear], year: int, rng: random.Random) -> PendingLabel | None:
    """误餐费 project money coded 30226 劳务费 instead of 30106 伙食补助费 (K5)."""
    dy = world[year]
    meals = [p for p in dy.projects if p.key == "meal" and any(c == "30106" for c, _ in p.econ)]
    if not meals:
        return None
    project = rng.choice(meals)
    before = compute_figures(dy).by_econ.get("30226", [0])[0]
    project.econ = [("30226" if code == "30106" else code, units) for code, units in project.econ]
    after = compute_figures(dy).by_econ["30226"][0]
    return PendingLabel(
        "classification_meal_as_labour",
        Kind.ECONOMIC_CLASSIFICATION_SUMMARY,
        "econ:30226",
        "劳务费",
        "total",
        before / 100,
        after / 100,
        f"项目“{project.name}”{project.total / 100:.2f} 万元列入 30226 劳务费，应列 30106 伙食补助费",
    )


WORLD_PLANTERS = {
    "outlier_per_capita": per_capita,
    "outlier_three_public_spike": three_public_spike,
    "outlier_personnel_share": personnel_share,
    "classification_meal_as_labour": meal_as_labour,
}
"""World-level kinds, in the order they are applied to one department-year."""


def applicable(kind: str, world: dict[int, DeptYear], year: int) -> bool:
    """Can ``kind`` be planted in this department-year of the clean world? (print kinds: yes)"""
    dy = world[year]
    if kind in ("outlier_per_capita", "classification_meal_as_labour"):
        keys = ("meal", "uniform") if kind == "outlier_per_capita" else ("meal",)
        return any(p.key in keys for p in dy.projects)
    if kind == "outlier_three_public_spike":
        prev = world.get(year - 1)
        return prev is not None and any(prev.basic.get(c) for c in _THREE_PUBLIC_CODES)
    return True
