"""The headline guard (issue 11 point 4): a document's figures must satisfy the identities of
metadata/headline.toml (人员经费 + 公用经费 ≤ 基本支出, 基本 + 项目 ≤ 支出总计 …).

A second variant of a template can print a table whose title the typing reads as another
table's kind (a 财政拨款基本支出表 taken for the 一般公共预算基本支出表); the figures then add the
two tables and 人员经费 comes out larger than 基本支出. When an identity fails, the figures are
read again with each table of a repeated kind alone, and the first reading that satisfies every
identity is kept. When none does, the figures of the failing identities are not reported as
facts (left empty) and the document is partial with the reason.
"""

from __future__ import annotations

from functools import cache
from itertools import product
from typing import cast

from analysis.metadata import load_toml
from analysis.normalise.figures import document_figures

_LABELS = {
    "personnel_expenditure": "人员经费",
    "public_expenditure": "公用经费",
    "basic_expenditure": "基本支出",
    "project_expenditure": "项目支出",
    "total_expenditure": "支出总计",
    "three_public_total": "三公经费",
}


@cache
def _identities() -> tuple[dict, ...]:
    return tuple(load_toml("headline.toml")["identity"])


def broken(values: dict) -> list[dict]:
    """The identities ``values`` (figures in 万元) break, beyond rounding."""
    out = []
    for ident in _identities():
        total = values.get(ident["total"])
        parts = [values.get(p) for p in ident["parts"]]
        if total is None or any(p is None for p in parts):
            continue
        if sum(cast(list[float], parts)) > total + max(0.01, 0.005 * (len(parts) + 1)):  # no part is None here
            out.append(ident)
    return out


def _readings(items: list[dict]):
    """Item lists with each repeated table kind reduced to one of its tables (all combinations,
    a handful at most), the full list first."""
    tables: dict[str, list[int]] = {}
    for item in items:
        seen = tables.setdefault(item["table_kind"], [])
        if item["table_index"] not in seen:
            seen.append(item["table_index"])
    repeated = {kind: indexes for kind, indexes in tables.items() if len(indexes) > 1}
    for choice in product(*repeated.values()):
        keep = dict(zip(repeated, choice))
        yield [i for i in items if keep.get(i["table_kind"], i["table_index"]) == i["table_index"]]


def guarded_figures(
    items: list[dict], tables: list[dict], claims: list[dict] | None = None
) -> tuple[dict, dict, list[str]]:
    """Figures and sources as :func:`document_figures` gives them, checked against the headline
    identities; the third value lists the problems that make the document partial."""
    values, sources = document_figures(items, tables, claims)
    failed = broken(values)
    if not failed:
        return values, sources, []
    for reading in _readings(items):
        if len(reading) == len(items):
            continue
        other, other_sources = document_figures(reading, tables, claims)
        if not broken(other):
            return other, other_sources, []
    problems = []
    for ident in failed:
        names = [*ident["parts"], ident["total"]]
        shown = "、".join(f"{_LABELS.get(n, n)} {values[n]:.2f}" for n in names)
        problems.append(f"主要数字不合恒等式 {ident['id']}（{shown}），这些数字不作为事实报告")
    # set aside only once every message is written: two broken identities may share a figure
    for ident in failed:
        for name in ident["parts"]:
            values[name] = None
            sources.pop(name, None)
    return values, sources, problems
