"""Display words for codes (severity, status, category …) and column titles, read from
``metadata/report/`` so that wording changes are data edits, not code edits."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from analysis.check.registry import SEVERITIES
from analysis.metadata import load_csv, load_toml


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
    return tuple(Column(r["column"], r["title_zh"], float(r["width"]), r["number_format"])
                 for r in load_csv("report/columns.csv") if r["sheet"] == sheet)


@cache
def indicator_specs() -> tuple[dict[str, str], ...]:
    """The headline indicators the report can compute itself (DOMAIN §6.1, §6.2)."""
    return load_csv("report/indicators.csv")


def indicator_title(code: str) -> str:
    return next((s["title_zh"] for s in indicator_specs() if s["indicator"] == code), code)


def indicator_label(code: str) -> str:
    """A short ASCII label for chart axes (charts avoid CJK glyphs; see charts.py)."""
    return next((s["label"] for s in indicator_specs() if s["indicator"] == code), code.replace("_", " "))
