"""The table-kind codemod (tools/kinds_codemod.py): what it replaces, what it leaves, and that
the package has no bare table kind left (rerun the codemod after a merge that adds one)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

TOOL = Path(__file__).resolve().parents[1] / "tools" / "kinds_codemod.py"


@pytest.fixture(scope="module")
def codemod():
    spec = importlib.util.spec_from_file_location("kinds_codemod", TOOL)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["kinds_codemod"] = module
    spec.loader.exec_module(module)
    return module


SAMPLE = '''"""Reads the revenue_summary table."""
from __future__ import annotations

_PAIRS = (("revenue_summary", "expenditure_summary"),)
_FIGURE_OF = {"basic_expenditure": "basic_expenditure", "project_expenditure": "project_expenditure"}


def rule(ctx, c):
    """Looks at project_expenditure."""
    rows = ctx.table("project_expenditure")
    if c["subject"] == "operating_costs":
        return f"表 {'three_public_expenses'} 无"
    return ctx.value("expenditure_summary", "project_total"), rows, c["column"] == "operating_costs"
'''


def _apply(codemod, source: str) -> str:
    names = codemod.kinds()
    found = codemod.replacements(source, names, set(names) & codemod.other_names())
    for start, end, _, new in reversed(found):
        source = source[:start] + new + source[end:]
    return source


def test_kinds_are_replaced_where_the_code_means_a_table(codemod):
    out = _apply(codemod, SAMPLE)
    assert "_PAIRS = ((Kind.REVENUE_SUMMARY, Kind.EXPENDITURE_SUMMARY),)" in out
    assert "ctx.table(Kind.PROJECT_EXPENDITURE)" in out
    assert 'ctx.value(Kind.EXPENDITURE_SUMMARY, "project_total")' in out


def test_subjects_figures_columns_docstrings_and_messages_are_left(codemod):
    out = _apply(codemod, SAMPLE)
    assert '"project_expenditure": "project_expenditure"' in out  # a figure named like the table
    assert 'c["subject"] == "operating_costs"' in out and 'c["column"] == "operating_costs"' in out
    assert '"""Reads the revenue_summary table."""' in out and "Looks at project_expenditure." in out
    assert "{'three_public_expenses'}" in out  # inside an f-string: a message


def test_a_second_run_changes_nothing(codemod):
    once = _apply(codemod, SAMPLE)
    assert _apply(codemod, once) == once


def test_the_package_has_no_bare_table_kind(codemod):
    assert codemod.main(["--check"]) == 0, "run: python tools/kinds_codemod.py"
