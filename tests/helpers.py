"""Small assertions shared by the extraction tests."""

from __future__ import annotations

import polars as pl

from seed_expectations import B06_LINES, B11_LINES, B11_TOTAL, DOCUMENT_FIGURES, FUNCTION_LINES, PROJECTS

TOL = 0.005


def close(a, b) -> bool:
    return a is not None and abs(a - b) <= TOL


def line(items: pl.DataFrame, kind: str, column: str, **where) -> list[float]:
    rows = items.filter((pl.col("table_kind") == kind) & (pl.col("column") == column))
    for key, value in where.items():
        rows = rows.filter(pl.col(key) == value)
    return rows["amount"].to_list()


def assert_seed_extraction(document: dict, items: pl.DataFrame) -> None:
    """Every DOMAIN §5.1 figure and every B06, B10, B11 line of the seed is in the output."""
    for name, expected in DOCUMENT_FIGURES.items():
        assert close(document[name], expected), (name, document[name], expected)
    kind = "general_budget_basic_expenditure"
    for code, (gov, amount, part) in B06_LINES.items():
        rows = items.filter((pl.col("table_kind") == kind) & (pl.col("econ_code") == code))
        assert set(rows["gov_econ_code"].to_list()) == {gov}, code
        assert [close(a, amount) for a in line(rows, kind, "total")] == [True], code
        assert [close(a, amount) for a in line(rows, kind, part)] == [True], (code, part)
    assert len(
        items.filter((pl.col("table_kind") == kind) & pl.col("econ_code").is_not_null())["econ_code"].unique()
    ) == len(B06_LINES)
    kind = "economic_classification_summary"
    b11 = items.filter((pl.col("table_kind") == kind) & (pl.col("column") == "total"))
    for code, (gov, amount) in B11_LINES.items():
        rows = b11.filter(pl.col("econ_code") == code)
        assert rows.height == 1 and rows["gov_econ_code"][0] == gov, code
        assert close(rows["amount"][0], amount), (code, rows["amount"][0], amount)
    assert close(b11.filter(pl.col("row_role") == "total")["amount"][0], B11_TOTAL)
    assert close(b11.filter(pl.col("econ_code").is_not_null())["amount"].sum(), B11_TOTAL)
    projects = items.filter(
        (pl.col("table_kind") == "project_expenditure")
        & (pl.col("column") == "total")
        & pl.col("project_name").is_not_null()
        & (pl.col("row_role") == "item")
    )
    assert dict(zip(projects["project_name"], projects["amount"])) == pytest_approx_dict(
        {name: amount for name, (amount, _) in PROJECTS.items()}
    )
    coded = items.filter(
        (pl.col("table_kind") == "project_performance_targets")
        & (pl.col("column") == "total")
        & pl.col("project_code").is_not_null()
    )
    assert dict(zip(coded["project_name"], coded["project_code"])) == {
        name: code for name, (_, code) in PROJECTS.items()
    }
    for kind in ("expenditure_summary", "general_budget_expenditure"):
        for code, (total, basic, project) in FUNCTION_LINES.items():
            assert close(sum(line(items, kind, "total", func_code=code)), total), (kind, code)
            assert close(sum(line(items, kind, "basic_total", func_code=code)), basic), (kind, code)
            assert close(sum(line(items, kind, "project_total", func_code=code)), project), (kind, code)


def pytest_approx_dict(expected: dict) -> dict:
    import pytest

    return {k: pytest.approx(v, abs=TOL) for k, v in expected.items()}
