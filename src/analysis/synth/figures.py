"""Aggregate one department-year into the figures the tables and narrative print.

Every total is a sum of integer leaves (0.01 万元), so the identities of DOMAIN §2.1–2.2
(I01–I35, X01–X14) hold by construction; the tests recheck them from these figures.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from analysis.synth.amounts import DeptYear

EXP_COLUMNS = (
    "total",
    "basic_total",
    "basic_wages",
    "basic_family_subsidy",
    "basic_goods_services",
    "basic_capital",
    "project_total",
    "project_operating",
    "project_specific",
)
"""Measures of the by-nature expenditure tables (B03, B05, B08), in printed order."""

_CLASS_COLUMN = {"301": 2, "303": 3, "302": 4, "310": 5}

# §3.3: where personnel items belong functionally (行政/参公 code, 事业 code).
_PERSONNEL_FUNC = {
    "30108": ("2080505", "2080505"),
    "30110": ("2101101", "2101102"),
    "30113": ("2210201", "2210201"),
    "30302": ("2080501", "2080502"),
}

ECON_COLUMNS = ("total", "general_budget", "gov_fund", "carryover_total")
"""Fund columns of B11 rows (a 部门 economic code per row)."""


def basic_func(dy: DeptYear, econ: str) -> str:
    """The 7-digit function code a basic-spending line is filed under."""
    spec = dy.dept.spec
    if dy.dept.split_social and econ in _PERSONNEL_FUNC:
        organ, institution = _PERSONNEL_FUNC[econ]
        return institution if spec.unit_type == "事业" else organ
    return spec.kuan + spec.basic_item


def _add(rows: dict[str, list[int]], key: str, width: int, *pairs: tuple[int, int]) -> None:
    row = rows.get(key)
    if row is None:
        row = rows[key] = [0] * width
    for col, units in pairs:
        row[col] += units


@dataclass(slots=True)
class Figures:
    """Printed figures of one department-year (all in 0.01 万元)."""

    dy: DeptYear
    by_func: dict[str, list[int]] = field(default_factory=dict)
    """All funds, by 7-digit function code → EXP_COLUMNS (B03)."""
    by_func_general: dict[str, list[int]] = field(default_factory=dict)
    """一般公共预算 incl. carry-over (B05, B04 general column)."""
    by_func_fund: dict[str, list[int]] = field(default_factory=dict)
    """政府性基金 (B08)."""
    by_econ: dict[str, list[int]] = field(default_factory=dict)
    """All spending by 部门 economic code → ECON_COLUMNS (B11)."""
    totals: list[int] = field(default_factory=lambda: [0] * 9)
    general_totals: list[int] = field(default_factory=lambda: [0] * 9)
    fund_totals: list[int] = field(default_factory=lambda: [0] * 9)
    general_now: int = 0
    gov_fund: int = 0
    carryover: int = 0
    procurement: dict[str, int] = field(default_factory=dict)

    @property
    def current_income(self) -> int:
        return self.general_now + self.gov_fund

    @property
    def revenue_total(self) -> int:
        return self.current_income + self.carryover

    @property
    def basic_total(self) -> int:
        return self.totals[1]

    @property
    def personnel(self) -> int:
        return self.totals[2] + self.totals[3]

    @property
    def public(self) -> int:
        return self.totals[4] + self.totals[5]

    @property
    def project_total(self) -> int:
        return self.totals[6]

    @property
    def general_total(self) -> int:
        return self.general_totals[0]

    @property
    def three_public(self) -> dict[str, int]:
        basic = self.dy.basic
        abroad, reception = basic.get("30212", 0), basic.get("30217", 0)
        purchase, operation = basic.get("31013", 0), basic.get("30231", 0)
        return {
            "total": abroad + purchase + operation + reception,
            "abroad": abroad,
            "vehicle_total": purchase + operation,
            "vehicle_purchase": purchase,
            "vehicle_operation": operation,
            "reception": reception,
        }

    def by_class(self, scope: str) -> dict[str, list[int]]:
        """Function-class (类) totals of one scope: ``all``, ``general`` or ``fund``."""
        source = {"all": self.by_func, "general": self.by_func_general, "fund": self.by_func_fund}[scope]
        classes: dict[str, list[int]] = {}
        for code, row in source.items():
            _add(classes, code[:3], 9, *enumerate(row))
        return classes

    def basic_econ(self) -> dict[str, int]:
        return dict(self.dy.basic)


def compute_figures(dy: DeptYear) -> Figures:
    """All aggregates of one department-year."""
    fig = Figures(dy=dy)
    for econ, units in dy.basic.items():
        col = _CLASS_COLUMN[econ[:3]]
        func = basic_func(dy, econ)
        pairs = ((0, units), (1, units), (col, units))
        _add(fig.by_func, func, 9, *pairs)
        _add(fig.by_func_general, func, 9, *pairs)
        _add(fig.by_econ, econ, 4, (0, units), (1, units))
        fig.general_now += units
    for project in dy.projects:
        total = project.total
        kind_col = 7 if project.ptype == "其他运转类" else 8
        pairs = ((0, total), (6, total), (kind_col, total))
        _add(fig.by_func, project.func, 9, *pairs)
        if project.fund == "general":
            _add(fig.by_func_general, project.func, 9, *pairs)
            fig.general_now += total - project.carryover
            fig.carryover += project.carryover
        else:
            _add(fig.by_func_fund, project.func, 9, *pairs)
            fig.gov_fund += total
        for i, (econ, units) in enumerate(project.econ):
            carry = project.carryover if i == 0 else 0
            fund_col = 1 if project.fund == "general" else 2
            _add(fig.by_econ, econ, 4, (0, units), (fund_col, units - carry), (3, carry))
        if project.procurement:
            fig.procurement[project.procurement] = fig.procurement.get(project.procurement, 0) + total
    for target, source in (
        (fig.totals, fig.by_func),
        (fig.general_totals, fig.by_func_general),
        (fig.fund_totals, fig.by_func_fund),
    ):
        for row in source.values():
            for i, units in enumerate(row):
                target[i] += units
    return fig
