"""How a synthetic department spent its budget: the figures of its 决算 (issue 13).

A budget (:class:`~analysis.synth.figures.Figures` of year N) is executed with realistic noise
(DOMAIN §2.7 EX4): basic spending lands close to the budget, project spending below it, “三公”
well below it (八项规定); what is not spent is carried to the next year, and the next 决算 opens
with it (Y3). Every amount is an integer in 0.01 万元 and every total is the sum of its printed
parts, so FI01–FI07 hold exactly in a clean document. Parameters live in
``metadata/synth/world.toml`` ``[execution]``.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from analysis.synth.figures import Figures
from analysis.synth.params import world

THREE_PUBLIC_CODES = {
    "abroad": "30212",
    "reception": "30217",
    "vehicle_operation": "30231",
    "vehicle_purchase": "31013",
}
"""部门 economic codes of the “三公” parts (the budget simulation books them there)."""


@dataclass(slots=True)
class Execution:
    """The 决算 figures of one department-year (0.01 万元)."""

    budget: Figures
    general: dict[str, list[int]] = field(default_factory=dict)
    """一般公共预算财政拨款 spending by 7-digit function code → [total, basic, project]."""
    fund: dict[str, list[int]] = field(default_factory=dict)
    """政府性基金 spending by function code → [total, basic, project]."""
    basic_econ: dict[str, int] = field(default_factory=dict)
    """一般公共预算财政拨款基本支出 by 部门 economic code (F06)."""
    three_public: dict[str, int] = field(default_factory=dict)
    carry_in: int = 0
    """年初结转和结余 (the previous 决算's 年末结转和结余)."""
    carry_out: int = 0
    income_general: int = 0
    income_fund: int = 0

    @property
    def year(self) -> int:
        return self.budget.dy.year

    @property
    def dept(self):
        return self.budget.dy.dept

    def total(self, scope: str = "all", column: int = 0) -> int:
        rows = {"general": [self.general], "fund": [self.fund], "all": [self.general, self.fund]}[scope]
        return sum(row[column] for part in rows for row in part.values())

    @property
    def spend(self) -> int:
        return self.total()

    @property
    def income(self) -> int:
        return self.income_general + self.income_fund

    @property
    def grand_total(self) -> int:
        return self.income + self.carry_in

    def by_class(self, scope: str = "all") -> dict[str, list[int]]:
        parts = {"general": [self.general], "fund": [self.fund], "all": [self.general, self.fund]}[scope]
        out: dict[str, list[int]] = {}
        for part in parts:
            for code, row in part.items():
                acc = out.setdefault(code[:3], [0, 0, 0])
                for i, units in enumerate(row):
                    acc[i] += units
        return out

    def budget_by_class(self) -> dict[str, int]:
        """年初预算 of 一般公共预算 by 类: the B05 合计 column of the year's budget."""
        return {code: row[0] for code, row in self.budget.by_class("general").items() if row[0]}

    def personnel(self) -> int:
        return sum(u for c, u in self.basic_econ.items() if c[:3] in ("301", "303"))

    def public(self) -> int:
        return sum(u for c, u in self.basic_econ.items() if c[:3] not in ("301", "303"))


def _scale(row: list[int], basic_rate: float, project_rate: float) -> list[int]:
    basic, project = round(row[1] * basic_rate), round(row[6] * project_rate)
    return [basic + project, basic, project]


def _spread(total: int, weights: dict[str, int]) -> dict[str, int]:
    """``total`` over ``weights`` in proportion, largest remainders first (parts add up exactly)."""
    base = sum(weights.values())
    if base <= 0 or total <= 0:
        return {}
    raw = {k: total * w / base for k, w in weights.items()}
    out = {k: int(v) for k, v in raw.items()}
    for k in sorted(raw, key=lambda k: raw[k] - out[k], reverse=True)[: total - sum(out.values())]:
        out[k] += 1
    return {k: v for k, v in out.items() if v}


def execute(budget: Figures, carry_in: int, rng: random.Random, *, rate_factor: float = 1.0) -> Execution:
    """The 决算 of ``budget``'s department-year; ``rate_factor`` scales every execution rate
    (an ``execution_outlier`` anomaly)."""
    p = world()["execution"]
    ex = Execution(budget=budget, carry_in=carry_in)
    basic_rate = rng.uniform(*p["basic_rate"]) * rate_factor
    project_rate = rng.uniform(*p["project_rate"]) * rate_factor
    for source, target in ((budget.by_func_general, ex.general), (budget.by_func_fund, ex.fund)):
        for code, row in sorted(source.items()):
            noise = rng.uniform(*p["item_noise"])
            scaled = _scale(row, basic_rate * noise, project_rate * noise)
            if scaled[0]:
                target[code] = scaled
    planned = budget.three_public
    for name in THREE_PUBLIC_CODES:
        if planned[name]:
            ex.three_public[name] = round(planned[name] * rng.uniform(*p["three_public_rate"]) * rate_factor)
    ex.three_public = {k: v for k, v in ex.three_public.items() if v}
    fixed = {THREE_PUBLIC_CODES[k]: v for k, v in ex.three_public.items()}
    others = {c: u for c, u in budget.dy.basic.items() if c not in THREE_PUBLIC_CODES.values()}
    rest = ex.total("general", 1) - sum(fixed.values())
    ex.basic_econ = {**_spread(rest, others), **fixed}
    spend_general = ex.total("general")
    ex.carry_out = round(carry_in * rng.uniform(*p["carry_kept"])) + round(spend_general * rng.uniform(*p["carry_new"]))
    ex.income_general = spend_general + ex.carry_out - carry_in
    if ex.income_general <= 0:  # a year living off its carry-over: keep the income positive
        ex.carry_out, ex.income_general = carry_in, spend_general
    ex.income_fund = ex.total("fund")
    return ex
