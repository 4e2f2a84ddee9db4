"""A department's budget, year by year, as integer amounts.

Amounts are integers in units of 0.01 万元 (100 元), the precision the tables print. Every
printed cell is a sum of such leaves, so every identity of DOMAIN §2.1–2.3 holds exactly in a
clean document: rounding happens once, when a leaf is drawn, never when a total is printed.

Payroll lines scale with the in-service headcount (§3.4, §6.3), contributions are shares of
the wage base, 公用经费 lines are per-head rates, 三公 components are small department-level
amounts, and projects are per-capita (误餐费, 工装费), size-driven (物业, 保安保洁) or fixed.
Rates drift from year to year and projects persist, appear and disappear, so the previous
year's budget that a narrative compares with is the department's own previous document.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from analysis.synth.params import ProjectSpec, project_specs, world
from analysis.synth.world import Department

WAGE_BASE_CODES = ("30101", "30102", "30103", "30107")


def to_units(wan: float) -> int:
    """万元 → integer units of 0.01 万元."""
    return round(wan * 100)


def fmt_units(units: int) -> str:
    """Two-decimal 万元 text of an integer amount, e.g. ``45921`` → ``459.21``."""
    sign = "-" if units < 0 else ""
    units = abs(units)
    return f"{sign}{units // 100}.{units % 100:02d}"


def fmt_compact(units: int) -> str:
    """万元 text without trailing zeros (``87.00`` → ``87``), as cost caps print."""
    text = fmt_units(units)
    return text.rstrip("0").rstrip(".") if "." in text else text


@dataclass(slots=True)
class Project:
    """One budgeted project of one year."""

    key: str
    name: str
    ptype: str
    """其他运转类 or 特定目标类."""
    code: str
    func: str
    econ: list[tuple[str, int]]
    """Economic lines (部门 code, units); they sum to the project amount."""
    fund: str
    """``general`` (一般公共预算) or ``gov_fund`` (政府性基金)."""
    carryover: int = 0
    """Part of a general project funded by last year's carry-over (on the first econ line)."""
    procurement: str = ""
    driver: str = "fixed"
    rate: float = 0.0
    """万元 per head for per-capita and size-driven projects."""
    staff: int = 0
    outputs: tuple[tuple[str, str], ...] = ()
    task: str = ""

    @property
    def total(self) -> int:
        return sum(units for _, units in self.econ)


@dataclass(slots=True)
class DeptYear:
    """Everything a department budgets in one year."""

    dept: Department
    year: int
    authorised: int
    in_service: int
    retired: int
    vehicles: int
    vehicles_enforcement: int
    basic: dict[str, int]
    """Basic spending by 部门 economic code (all 一般公共预算, this year's appropriation)."""
    projects: list[Project] = field(default_factory=list)


def split_units(total: int, shares: tuple[tuple[str, float], ...]) -> list[tuple[str, int]]:
    """Split an amount over economic codes so that the parts add up exactly."""
    lines, used = [], 0
    for i, (code, share) in enumerate(shares):
        units = total - used if i == len(shares) - 1 else int(total * share)
        lines.append((code, units))
        used += units
    return [(code, units) for code, units in lines if units]


def _uniform(rng: random.Random, bounds: list[float]) -> float:
    return rng.uniform(bounds[0], bounds[1])


@dataclass(slots=True)
class _ProjectState:
    spec: ProjectSpec
    code: str
    rate: float
    rounded: bool


class _Simulator:
    """Carries a department's rates and projects from one year to the next."""

    def __init__(self, dept: Department):
        self.dept = dept
        self.rng = dept.rng("world")
        self.params = world()
        self.serial = 0
        rng, spec, staffing = self.rng, dept.spec, self.params["staffing"]
        self.in_service = rng.randint(*spec.staff_range)
        self.authorised = self.in_service + rng.randint(*staffing["authorised_slack"])
        self.retired = round(self.in_service * _uniform(rng, staffing["retiree_ratio"]))
        payroll = self.params["payroll"][dept.unit_type]
        self.wage_rates = {code: _uniform(rng, b) for code, b in payroll.items()}
        contrib = self.params["contributions"]
        self.contrib = {code: _uniform(rng, contrib[code]) for code in ("30108", "30110", "30112", "30113")}
        retirees = self.params["retirees"]
        self.retiree_rates = {"30302": _uniform(rng, retirees["30302"]), "30307": _uniform(rng, retirees["30307"])}
        if rng.random() < retirees["30305_probability"]:
            self.retiree_rates["30305"] = _uniform(rng, retirees["30305"])
        self.public_rates = {}
        for code, bounds in self.params["public"].items():
            if not isinstance(bounds, list) or (code == "30239" and dept.unit_type == "事业"):
                continue
            low, high, prob = bounds
            if rng.random() < prob:
                self.public_rates[code] = rng.uniform(low, high)
        tp = self.params["three_public"]
        self.reception = _uniform(rng, tp["reception"]) if rng.random() < tp["reception_probability"] else 0.0
        self.vehicles = rng.randint(0, spec.vehicles_max)
        self.vehicle_rate = _uniform(rng, tp["vehicle_running_per_vehicle"])
        self.last_three_public = 0
        self.projects: list[_ProjectState] = []
        for key in self._candidates():
            project = project_specs()[key]
            prob = project.window_prob if spec.window else project.prob
            if rng.random() < prob:
                self.projects.append(self._start(project, None))

    def _candidates(self) -> list[str]:
        generic = [k for k, p in project_specs().items() if p.generic]
        return generic + list(self.dept.spec.special)

    def _start(self, spec: ProjectSpec, year: int | None) -> _ProjectState:
        rng = self.rng
        created = year if year is not None else rng.randint(2018, 2022)
        self.serial += 1
        code = f"{self.dept.district.region_code}{created % 100:02d}{self.dept.index * 100 + self.serial:012d}"
        return _ProjectState(
            spec,
            code,
            rng.uniform(spec.low, spec.high),
            rng.random() < self.params["projects"]["round_fixed_probability"],
        )

    def _advance(self, year: int) -> None:
        rng, params = self.rng, self.params
        low, high = params["staffing"]["yearly_staff_change"]
        self.in_service = max(3, self.in_service + rng.randint(low, high))
        self.authorised = max(self.authorised, self.in_service)
        self.retired = max(0, self.retired + rng.randint(-1, 2))
        growth = params["contributions"]["wage_growth"]
        for code in self.wage_rates:
            self.wage_rates[code] *= 1 + _uniform(rng, growth)
        for code in self.public_rates:
            self.public_rates[code] *= rng.uniform(0.95, 1.08)
        self.reception *= _uniform(rng, params["three_public"]["drift"])
        pp = params["projects"]
        kept = []
        for state in self.projects:
            keep = pp["persist_probability"] if state.spec.generic else pp["special_persist_probability"]
            if rng.random() < keep:
                drift = pp["rate_drift"] if state.spec.driver != "fixed" else pp["fixed_drift"]
                state.rate *= _uniform(rng, drift)
                kept.append(state)
        present = {s.spec.key for s in kept}
        for key in self._candidates():
            spec = project_specs()[key]
            if key not in present and spec.prob > 0 and rng.random() < pp["new_probability"] * spec.prob:
                kept.append(self._start(spec, year))
        self.projects = kept

    def _basic(self) -> dict[str, int]:
        staff, retired = self.in_service, self.retired
        basic = {code: to_units(rate * staff) for code, rate in self.wage_rates.items()}
        base = sum(basic.get(c, 0) for c in WAGE_BASE_CODES)
        for code, share in self.contrib.items():
            basic[code] = round(base * share)
        basic["30302"] = to_units(self.retiree_rates["30302"] * retired)
        if "30305" in self.retiree_rates:
            basic["30305"] = to_units(self.retiree_rates["30305"] * retired)
        basic["30307"] = to_units(self.retiree_rates["30307"] * (staff + retired))
        for code, rate in self.public_rates.items():
            basic[code] = to_units(rate * staff)
        basic["30228"] = round(base * self.params["public"]["union_fee_share"])
        tp = self.params["three_public"]
        basic["30217"] = to_units(self.reception)
        basic["30231"] = to_units(self.vehicle_rate * self.vehicles)
        one_off = {}
        if self.rng.random() < tp["abroad_probability"]:
            one_off["30212"] = to_units(_uniform(self.rng, tp["abroad"]))
        if self.vehicles and self.rng.random() < tp["vehicle_purchase_probability"]:
            one_off["31013"] = to_units(_uniform(self.rng, tp["vehicle_purchase"]))
        regular = basic["30217"] + basic["30231"]
        # A one-off trip or car purchase may not double 三公 on its own: a tripling is what the
        # planted outlier_three_public_spike means, so clean documents must stay clear of it.
        if self.last_three_public and regular + sum(one_off.values()) <= 2 * self.last_three_public:
            basic.update(one_off)
        self.last_three_public = sum(basic.get(c, 0) for c in ("30212", "30217", "30231", "31013"))
        return {code: units for code, units in basic.items() if units > 0}

    def _project(self, state: _ProjectState, year: int) -> Project:
        spec, staff = state.spec, self.in_service
        if spec.driver == "per_capita":
            units = to_units(state.rate * staff)
        elif spec.driver == "size":
            units = to_units(state.rate * staff)
            units = max(100, units // 50 * 50) if state.rounded else units
        else:
            units = to_units(state.rate)
            units = max(100, units // 100 * 100) if state.rounded and units > 300 else units
        func = spec.func
        if func == "item":
            func = self.dept.spec.kuan + self.dept.spec.project_item
        return Project(
            key=spec.key,
            name=spec.name.format(district=self.dept.district.short),
            ptype=spec.ptype,
            code=state.code,
            func=func,
            econ=split_units(units, spec.econ),
            fund=spec.fund,
            procurement=spec.procurement,
            driver=spec.driver,
            rate=state.rate,
            staff=staff,
            outputs=spec.outputs,
            task=spec.task,
        )

    def year(self, year: int, first: bool) -> DeptYear:
        if not first:
            self._advance(year)
        projects = [self._project(s, year) for s in self.projects]
        pp = self.params["projects"]
        general = [p for p in projects if p.fund == "general"]
        if general and self.rng.random() < pp["carryover_probability"]:
            chosen = self.rng.choice(general)
            share = _uniform(self.rng, pp["carryover_share"])
            chosen.carryover = min(chosen.econ[0][1], int(chosen.total * share))
        enforcement = self.vehicles // 2 if self.dept.spec.family in ("court", "procuratorate", "street") else 0
        return DeptYear(
            dept=self.dept,
            year=year,
            authorised=self.authorised,
            in_service=self.in_service,
            retired=self.retired,
            vehicles=self.vehicles,
            vehicles_enforcement=enforcement,
            basic=self._basic(),
            projects=projects,
        )


def simulate(dept: Department, first_year: int, last_year: int) -> dict[int, DeptYear]:
    """A department's budgets for ``first_year``..``last_year`` (inclusive)."""
    sim = _Simulator(dept)
    return {y: sim.year(y, y == first_year) for y in range(first_year, last_year + 1)}
