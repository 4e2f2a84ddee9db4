"""Display words for codes (severity, status, category …) and column titles, read from
``metadata/report/`` so that wording changes are data edits, not code edits."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import polars as pl

from analysis.departments import name_level
from analysis.metadata import load_csv, load_toml
from analysis.vocab import SEVERITIES


@dataclass(frozen=True, slots=True)
class Column:
    """One output column of a workbook sheet: its Chinese title, width and Excel number format."""

    name: str
    title: str
    width: float
    number_format: str


@cache
def labels() -> dict:
    return load_toml("report/labels.toml")


def word(group: str, code: str | None) -> str:
    """The display word for ``code`` in ``group`` (severity, status, category …), or the code."""
    if code is None:
        return ""
    return labels()[group].get(code, code)


def text(key: str) -> str:
    """A fixed sentence or heading of the report."""
    return labels()["text"][key]


def severity_rank(severity: str | None) -> int:
    """0 for error, 1 for warning, 2 for info, 3 for anything unknown (sorts last)."""
    return SEVERITIES.index(severity) if severity in SEVERITIES else len(SEVERITIES)


@cache
def sheet_columns(sheet: str) -> tuple[Column, ...]:
    """The columns of a workbook sheet in display order."""
    return tuple(
        Column(r["column"], r["title_zh"], float(r["width"]), r["number_format"])
        for r in load_csv("report/columns.csv")
        if r["sheet"] == sheet
    )


@cache
def indicator_specs() -> tuple[dict[str, str], ...]:
    """The indicators' titles and chart labels (the values come from the compare stage)."""
    return load_csv("report/indicators.csv")


def indicator_title(code: str) -> str:
    return next((s["title_zh"] for s in indicator_specs() if s["indicator"] == code), code)


def indicator_label(code: str) -> str:
    """A short ASCII label for chart axes (charts avoid CJK glyphs; see charts.py)."""
    return next((s["label"] for s in indicator_specs() if s["indicator"] == code), code.replace("_", " "))


def doc_kind(doc_type: str | None, level: str | None) -> str:
    """部门预算 / 单位预算 / 部门决算 / 单位决算 from a document's doc_type and level."""
    if doc_type is None:
        return ""
    return labels()["doc_kind"].get(f"{doc_type}.{level or 'department'}", word("doc_type", doc_type))


def doc_kind_expr(doc_type: pl.Expr, level: pl.Expr) -> pl.Expr:
    """:func:`doc_kind` over frame columns."""
    kinds = labels()["doc_kind"]
    key = pl.concat_str([doc_type, level.fill_null("department")], separator=".")
    return key.replace_strict(kinds, default=None, return_dtype=pl.String).fill_null(
        doc_type.replace_strict(labels()["doc_type"], default=doc_type, return_dtype=pl.String)
    )


def gov_level(department: str | None) -> str:
    """省级 / 市级 / 区县级 … of a department, read from the administrative prefix of its name."""
    found = name_level(department) if department else None
    return labels()["gov_level"].get(found["name"] if found else "unknown", "")


def verdict_code(value: object) -> str | None:
    """The verdict code (confirmed, false, open) an auditor's cell means, or None."""
    if value is None:
        return None
    typed = str(value).strip()
    table = labels()["verdict_input"]
    return table.get(typed) or table.get(typed.lower())
