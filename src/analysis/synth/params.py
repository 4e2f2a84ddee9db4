"""Cached access to the generator's metadata in ``analysis/metadata/synth/``.

Everything that is a fact about the fiscal world (department catalogue, project catalogue,
classification names, per-head rates) or a way of phrasing it (titles, narrative templates,
header layouts) lives in CSV/TOML there; this module only parses it into small frozen records.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from analysis.metadata import load_csv, load_toml

_DIR = "synth/"

GENERIC_ITEMS = {"01": "行政运行", "02": "一般行政管理事务", "03": "机关服务", "50": "事业运行"}


@dataclass(frozen=True, slots=True)
class DepartmentSpec:
    """One row of ``departments.csv``: a kind of department a district has."""

    key: str
    name: str
    unit_type: str
    """行政, 参公 or 事业 (DOMAIN §0.2)."""
    family: str
    kuan: str
    basic_item: str
    project_item: str
    staff_range: tuple[int, int]
    copies: int
    window: bool
    """Runs a service window (uniforms and meal allowances are then common)."""
    vehicles_max: int
    special: tuple[str, ...]
    duties: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ProjectSpec:
    """One row of ``projects.csv``: a project a department may budget."""

    key: str
    name: str
    generic: bool
    ptype: str
    driver: str
    """``per_capita`` (rate × staff), ``size`` (rate × staff, rounded) or ``fixed``."""
    low: float
    high: float
    econ: tuple[tuple[str, float], ...]
    func: str
    """``item`` (the department's 款 + project item) or an explicit 7-digit code."""
    prob: float
    window_prob: float
    fund: str
    procurement: str
    outputs: tuple[tuple[str, str], ...]
    task: str


@dataclass(frozen=True, slots=True)
class EconCode:
    code: str
    name: str
    organ_target: str
    institution_target: str


@cache
def world() -> dict:
    return load_toml(_DIR + "world.toml")


@cache
def phrasing() -> dict:
    return load_toml(_DIR + "phrasing.toml")


@cache
def layouts() -> dict:
    return load_toml(_DIR + "layouts.toml")


@cache
def anomaly_params() -> dict:
    return load_toml(_DIR + "anomalies.toml")


@cache
def department_specs() -> tuple[DepartmentSpec, ...]:
    return tuple(
        DepartmentSpec(
            key=r["key"],
            name=r["name"],
            unit_type=r["unit_type"],
            family=r["family"],
            kuan=r["kuan"],
            basic_item=r["basic_item"],
            project_item=r["project_item"],
            staff_range=(int(r["staff_min"]), int(r["staff_max"])),
            copies=int(r["copies"]),
            window=r["window"] == "1",
            vehicles_max=int(r["vehicles_max"]),
            special=tuple(s for s in r["special"].split(";") if s),
            duties=tuple(s for s in r["duties"].split(";") if s),
        )
        for r in load_csv(_DIR + "departments.csv")
    )


def _pairs(spec: str) -> tuple[tuple[str, str], ...]:
    return tuple(tuple(p.split("|", 1)) for p in spec.split(";") if p)  # type: ignore[misc]


def _econ_split(spec: str) -> tuple[tuple[str, float], ...]:
    parts = []
    for item in spec.split(";"):
        code, _, share = item.partition(":")
        parts.append((code, float(share) if share else 1.0))
    return tuple(parts)


@cache
def project_specs() -> dict[str, ProjectSpec]:
    return {
        r["key"]: ProjectSpec(
            key=r["key"],
            name=r["name"],
            generic=r["generic"] == "1",
            ptype=r["ptype"],
            driver=r["driver"],
            low=float(r["low"]),
            high=float(r["high"]),
            econ=_econ_split(r["econ"]),
            func=r["func"],
            prob=float(r["prob"]),
            window_prob=float(r["window_prob"]),
            fund=r["fund"],
            procurement=r["procurement"],
            outputs=_pairs(r["outputs"]),
            task=r["task"],
        )
        for r in load_csv(_DIR + "projects.csv")
    }


@cache
def func_names() -> dict[str, str]:
    """Names of every function code the generator prints (类, 款 and 项)."""
    names = {r["code"]: r["name"] for r in load_csv(_DIR + "classes.csv")}
    names.update({r["code"]: r["name"] for r in load_csv(_DIR + "func_codes.csv")})
    return names


def func_name(code: str) -> str:
    """Name of a function code; generic 项 names follow the catalogue's pattern (§3.2)."""
    names = func_names()
    if code in names:
        return names[code]
    item = code[5:]
    if item in GENERIC_ITEMS:
        return GENERIC_ITEMS[item]
    if item == "99":
        kuan = names[code[:5]]
        return kuan if kuan.startswith("其他") else f"其他{kuan}支出"
    raise KeyError(f"no name for function code {code}")


@cache
def classes() -> tuple[dict[str, str], ...]:
    return load_csv(_DIR + "classes.csv")


@cache
def econ_codes() -> dict[str, EconCode]:
    return {
        r["code"]: EconCode(r["code"], r["name"], r["organ_target"], r["institution_target"])
        for r in load_csv(_DIR + "econ_codes.csv")
    }


@cache
def gov_econ_names() -> dict[str, str]:
    return {r["code"]: r["name"] for r in load_csv(_DIR + "gov_econ_codes.csv")}


def gov_target(econ: str, unit_type: str) -> str:
    """The 政府经济分类 code a 部门 code maps to for this unit type (§3.6)."""
    code = econ_codes()[econ]
    return code.institution_target if unit_type == "事业" else code.organ_target
