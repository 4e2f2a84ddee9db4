"""The fictional districts and their departments.

A synthetic district holds one department of each kind in ``departments.csv`` (schools and
street offices several times). Asking for more departments than one district holds opens
further invented districts, so department names stay unique. Every random choice about a
department draws from its own stream, keyed by the seed and the department's index, so a
department looks the same whatever else is generated alongside it.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from functools import cache

from analysis.synth.params import DepartmentSpec, department_specs, world

_NUMERALS = "一二三四五六七八九十"


@dataclass(frozen=True, slots=True)
class District:
    """A 区 of the fictional city."""

    name: str
    """Full name with the city, e.g. ``新乡市东湖区``."""
    short: str
    region_code: str
    """Six-digit 行政区划 code used as the project-code prefix (DOMAIN §0.5)."""
    streets: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Department:
    """A budget-publishing department (one 本级 unit, no subordinate units)."""

    index: int
    spec: DepartmentSpec
    district: District
    name: str
    code: str
    """Three-digit local unit code; the 本级 unit is ``code + "001"``."""
    split_social: bool
    """Files pension, medical and housing items under 208/210/221 (§3.3) rather than
    putting all basic spending under 行政运行/事业运行 like the seed."""
    seed: int

    @property
    def unit_type(self) -> str:
        return self.spec.unit_type

    @property
    def unit_name(self) -> str:
        return f"{self.name}本级"

    def rng(self, purpose: str) -> random.Random:
        """A random stream for one purpose of this department (stable across runs)."""
        return random.Random(f"{self.seed}:{self.index}:{purpose}")


def _district_names() -> list[tuple[str, str, tuple[str, ...]]]:
    params = world()
    listed = [(d["name"], d["region_code"], tuple(d["streets"])) for d in params["district"]]
    used = {name for name, _, _ in listed}
    first, second = params["district_syllables"]
    streets = tuple(s for d in params["district"] for s in d["streets"])
    invented: list[tuple[str, str, tuple[str, ...]]] = []
    for a in first:
        for b in second:
            name = f"{a}{b}区"
            if name not in used and a != b:
                invented.append((name, "", streets[len(invented) % 6 * 6 : len(invented) % 6 * 6 + 6]))
    return listed + invented


def district(k: int) -> District:
    """The k-th district (0-based); invented names follow the listed ones."""
    names = _district_names()
    name, code, streets = names[k % len(names)]
    if k >= len(names):
        name = f"{name[:-1]}{_NUMERALS[(k // len(names)) % 10]}区"
    return District(
        name=f"{world()['city']}{name}",
        short=name,
        region_code=code or str(410791 + k),
        streets=streets,
    )


@cache
def _templates() -> tuple[tuple[DepartmentSpec, int], ...]:
    """Every (spec, copy number) a district holds, copies numbered from 0."""
    return tuple((spec, n) for spec in department_specs() for n in range(spec.copies))


def _department_name(spec: DepartmentSpec, copy: int, place: District) -> str:
    street = place.streets[copy % len(place.streets)]
    return spec.name.format(district=place.name, n=_NUMERALS[copy], street=street)


def build_departments(count: int, seed: int) -> list[Department]:
    """The first ``count`` departments of the world for this seed.

    Within a district the department kinds are shuffled by the seed, so a small world (e.g.
    five departments) still mixes bureaus, institutions, schools and street offices.
    """
    templates = _templates()
    per_district = len(templates)
    share = world()["staffing"]["split_social_share"]
    departments = []
    for k in range((count + per_district - 1) // per_district):
        place = district(k)
        rng = random.Random(f"{seed}:district:{k}")
        order = list(templates)
        rng.shuffle(order)
        codes = rng.sample(range(1, 400), per_district)
        for pos, (spec, copy) in enumerate(order):
            index = k * per_district + pos
            if index >= count:
                break
            own = random.Random(f"{seed}:{index}:profile")
            departments.append(
                Department(
                    index=index,
                    spec=spec,
                    district=place,
                    name=_department_name(spec, copy, place),
                    code=f"{codes[pos]:03d}",
                    split_social=own.random() < share,
                    seed=seed,
                )
            )
    return departments
